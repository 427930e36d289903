"""HTML: one standalone, accessible, printable page."""

from __future__ import annotations

import functools
import re
from functools import partial

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup, escape

from concerto.markdown import parse_markdown, plain_paragraphs, render_plain, render_tokens
from concerto.restitution.chart import chart_svg, has_chart
from concerto.restitution.exporters import Exporter, register
from concerto.restitution.exporters._shared import (
    calendar_numeric_from,
    calendar_table,
    day,
    figures_summary,
    figures_table,
    heading_levels,
    item_support,
    kinds,
    language_tag,
    meeting_title,
    number,
    outline,
    visible_themes,
)
from concerto.restitution.model import Document
from concerto.settings import PROJECT_ROOT


_HEADING = re.compile(r"<(/?)h[1-6]>")


def item_body(item) -> Markup:
    """A contribution's text: its stored HTML when the document has it (the same renderer's
    output, made when it was written), with headings turned into bold paragraphs."""
    if item.body_html:
        # Safe: rendered by concerto.markdown, which escapes raw HTML and drops unsafe links.
        return Markup(_HEADING.sub(lambda m: "</p>" if m.group(1) else '<p class="md-heading">', item.body_html))
    return markdown(item.body)


def markdown(text: str, under: int = 0, prefix: str = "") -> Markup:
    """User Markdown as HTML.

    A text written under a section of outline level ``under`` (see
    ``_shared.heading_levels``) keeps its headings as real ones, one level
    below, with the outline's anchors (``prefix-1``, ``prefix-2``…); anywhere
    else (``under`` 0: contributions, comments, notes) they become bold paragraphs.
    """
    paragraphs = plain_paragraphs(text)
    if paragraphs is not None:
        return Markup(render_plain(paragraphs))
    tokens = parse_markdown(text)
    levels = heading_levels(tokens, under)
    count = 0
    opened: list[str] = []
    for token in tokens:
        if token.type == "heading_open":
            level = levels.get(id(token))
            if level:
                count += 1
                token.tag = f"h{level + 1}"  # h1 is the document's title
                token.attrSet("id", f"{prefix}-{count}")
            else:
                token.tag = "p"
                token.attrSet("class", "md-heading")
            opened.append(token.tag)
        elif token.type == "heading_close":
            token.tag = opened.pop()
    # Safe: the shared renderer escapes raw HTML and drops unsafe links.
    return Markup(render_tokens(tokens))


@functools.cache
def _environment() -> Environment:
    # A small environment of its own: the document's words are already in its
    # language, so no gettext; the template lives with the others.
    env = Environment(
        loader=FileSystemLoader(str(PROJECT_ROOT / "templates")),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["markdown"] = markdown
    env.filters["item_body"] = item_body
    return env


def _chart(document: Document) -> Markup | None:
    if not has_chart(document):
        return None
    label = escape(document.labels.chart_title)
    return Markup(chart_svg(document).replace("<svg", f'<svg role="img" aria-label="{label}"', 1))


def render_html(document: Document) -> str:
    """The page."""
    head, rows = figures_table(document)
    calendar_head, calendar_rows = calendar_table(document)
    return _environment().get_template("restitution/document.html").render(
        doc=document,
        calendar_head=calendar_head,
        calendar_rows=calendar_rows,
        calendar_numbers=calendar_numeric_from(document),
        outline=outline(document),
        summary=figures_summary(document),
        figures_head=head,
        figures_rows=rows,
        chart=_chart(document),
        day=partial(day, document),
        number=partial(number, document),
        support=partial(item_support, document),
        lang=language_tag(document),
        kinds=partial(kinds, document),
        visible_themes=visible_themes,
        meeting=meeting_title,
    )


def render(document: Document) -> bytes:
    return render_html(document).encode("utf-8")


register(Exporter("html", "HTML", "text/html; charset=utf-8", "html", render))
