"""Markdown: headings by level, items as list entries, user Markdown kept as written.

# title, ## sections and working groups, ### themes, #### « Les acquis à
développer » / « De nouveaux enjeux ». Plain texts (titles, names, places) are
escaped; user Markdown is kept, except that anything that could open an HTML
tag is escaped so no other renderer turns it into markup.
"""

from __future__ import annotations

import re

from concerto.markdown import lines_outside_fences, parse_markdown
from concerto.restitution.exporters import Exporter, register
from concerto.restitution.exporters._shared import (
    calendar_table,
    calendar_when,
    figures_summary,
    figures_table,
    kinds,
    meeting_title,
    heading_levels,
    item_support,
    visible_themes,
)
from concerto.restitution.model import Document, HighlightedComment, Item

_WHITESPACE = re.compile(r"[ \t\r\n\f\v]+")
_SPECIAL = re.compile(r"([\\`*_\[\]<>#|~&])")
# "<" that could open a tag, a comment or a declaration; autolinks (<https://…>) stay links.
_TAG_START = re.compile(r"<(?![A-Za-z][A-Za-z0-9+.-]{1,31}:[^\s<>]*>)(?=[A-Za-z/!?])")
_CODE_SPAN = re.compile(r"(`+)(.+?)\1")


def escape(text: str) -> str:
    """Plain text that reads the same once rendered as Markdown."""
    # Only ASCII whitespace is folded: str.split() would also take the no-break spaces of French typography.
    return _SPECIAL.sub(r"\\\1", _WHITESPACE.sub(" ", text or "").strip(" "))


def _escape_cell(text: str) -> str:
    return escape(text) or " "


def guard_html(text: str) -> str:
    """User Markdown with tag openers escaped outside code (where they show as text anyway)."""
    lines = (text or "").strip("\n").split("\n")
    for index in lines_outside_fences(lines):
        parts = _CODE_SPAN.split(lines[index])
        # split() with two groups yields: text, ticks, code, text, ticks, code, text…
        for position in range(0, len(parts), 3):
            parts[position] = _TAG_START.sub(r"\\<", parts[position])
        lines[index] = _join_code_spans(parts)
    return "\n".join(lines)


def _join_code_spans(parts: list[str]) -> str:
    out = []
    for position in range(0, len(parts), 3):
        out.append(parts[position])
        if position + 2 < len(parts):
            ticks, code = parts[position + 1], parts[position + 2]
            out.append(f"{ticks}{code}{ticks}")
    return "".join(out)


def section_text(text: str, under: int) -> str:
    """A text written under a section of outline level ``under``, its headings moved below
    the section's (``## Principes`` in the introduction becomes ``### Principes``).

    Levels as in every format (``_shared.heading_levels``); underlined (setext)
    headings become ``#`` ones. Headings in lists or quotes stay as written.
    """
    guarded = guard_html(text)
    if "#" not in guarded and "\n=" not in guarded and "\n-" not in guarded:
        return guarded
    tokens = parse_markdown(guarded)
    levels = heading_levels(tokens, under)
    if not levels:
        return guarded
    lines = guarded.split("\n")
    for index, token in enumerate(tokens):
        level = levels.get(id(token))
        if level is None or token.map is None:
            continue
        first, end = token.map
        title = tokens[index + 1].content
        lines[first] = "#" * (level + 1) + " " + title
        for extra in range(first + 1, end):  # a setext heading's underline (and its wrapped lines)
            lines[extra] = None
    return "\n".join(line for line in lines if line is not None)


def _indent(text: str, prefix: str = "  ") -> str:
    return "\n".join(prefix + line if line.strip() else "" for line in text.split("\n"))


def _table(head: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(_escape_cell(cell) for cell in head) + " |"]
    lines.append("|" + "|".join(" --- " for _ in head) + "|")
    lines.extend("| " + " | ".join(_escape_cell(cell) for cell in row) + " |" for row in rows)
    return "\n".join(lines)


def _item(document: Document, item: Item) -> str:
    head = f"- **{escape(item.title)}**"
    supported = item_support(document, item)
    if supported:
        head += f" — {supported}"
    if item.author:
        head += f" · *{escape(item.author)}*"
    parts = [head]
    if item.body.strip():
        parts.append(_indent(guard_html(item.body)))
    if item.grouped:
        parts.append(f"  *{escape(document.labels.grouped_with)}*")
        parts.append(
            "\n".join(
                f"  - {escape(g.title)}" + (f" · *{escape(g.author)}*" if g.author else "") for g in item.grouped
            )
        )
    return "\n\n".join(parts)


def _comment(comment: HighlightedComment) -> str:
    quoted = "\n".join(f"> {line}" if line.strip() else ">" for line in guard_html(comment.body).split("\n"))
    source = f"*{escape(comment.contribution)}*" + (f" · {escape(comment.author)}" if comment.author else "")
    return f"{quoted}\n>\n> — {source}"


def render_markdown(document: Document) -> str:
    words = document.labels
    out: list[str] = [f"# {escape(document.title)}", f"*{escape(document.subtitle)}*"]
    if document.organiser:
        out.append(escape(document.organiser))
    if not document.show_authors:
        out.append(f"*{escape(words.sentences['anonymous'])}*")
    if document.introduction.strip():
        out += [f"## {escape(words.introduction)}", section_text(document.introduction, 1)]
    if document.calendar:
        out += [f"## {escape(words.calendar)}", _table(*calendar_table(document))]
        notes = [
            f"- **{escape(calendar_when(document, row))} — {escape(meeting_title(row))}**\n\n{_indent(guard_html(row.notes))}"
            for row in document.calendar
            if row.notes.strip()
        ]
        if notes:
            out.append("\n\n".join(notes))
    if document.context.strip():
        out += [f"## {escape(words.context)}", section_text(document.context, 1)]
    if document.show_figures:
        out.append(f"## {escape(words.figures)}")
        if document.figures_text.strip():
            out.append(section_text(document.figures_text, 1))
        out.append("\n".join(f"- **{value}** {escape(label)}" for value, label in figures_summary(document)))
        if document.figures.groups:
            out.append(_table(*figures_table(document)))
    for group in document.groups:
        out.append(f"## {escape(group.title)}")
        if group.description.strip():
            out.append(section_text(group.description, 1))
        for theme in visible_themes(group):
            # A group without themes: its halves come right under the group's heading.
            sub = "####" if theme.title else "###"
            if theme.title:
                out.append(f"### {escape(theme.title)}")
            if theme.synthesis.strip():
                out.append(section_text(theme.synthesis, 2))
            for title, items in kinds(document, theme):
                out.append(f"{sub} {escape(title)}")
                out.append("\n\n".join(_item(document, item) for item in items))
            if theme.comments:
                out.append(f"{sub} {escape(words.highlighted)}")
                out.append("\n\n".join(_comment(comment) for comment in theme.comments))
    if document.next_steps.strip():
        out += [f"## {escape(words.next_steps)}", section_text(document.next_steps, 1)]
    return "\n\n".join(out) + "\n"


def render(document: Document) -> bytes:
    return render_markdown(document).encode("utf-8")


register(Exporter("md", "Markdown", "text/markdown; charset=utf-8", "md", render))
