"""PDF: a tagged, accessible PDF (PDF/UA-1) laid out by Typst on A4.

Engine: the Typst compiler through its Python binding (PyPI ``typst``). The
layout is the template ``pdf.typ`` next to this module; this module only turns
the document into JSON data, given to the template as ``sys.inputs.document``.
No user text is ever written into Typst markup: the template places strings as
text, so « #set page(width: 1cm) », « $x$ » or « @ref » in a contribution are
printed as typed (no escaping by hand, no injection).

Tagging: ``pdf_standards=["ua-1"]`` makes Typst write the structure tree
(headings H1–H6, lists L/LI, tables Table/TH/TD, the chart as a Figure with its
alternative text), ``/Lang`` (from ``language_tag``: fr-FR), the title in the
metadata and shown by viewers (DisplayDocTitle), the author (the organiser)
and date; headers and footers are artifacts. Bookmarks and the table of
contents (with page numbers) come from the headings: sections and groups,
themes and the sub-headings written in the texts; the labels inside a theme
(« Les acquis à développer », « De nouveaux enjeux », highlighted comments)
stay headings for the tag tree but are left out of both. Pages carry
« Page N / M ».

Fonts: DejaVu Sans as shipped with matplotlib (a dependency already), system
fonts ignored: every accent, the same file on any machine, embedded.

Why Typst: on the 10,000-contribution bench, ReportLab (untagged) took 27 s;
WeasyPrint, tagged, 353 s and 2.6 GB; Typst, tagged, 12.5–15.6 s (target 30 s)
but about 1.7 GB of memory — hence one PDF at a time, compiled in a child process
whose memory goes back to the system when it ends (see ``render``).
"""

from __future__ import annotations

import functools
import json
import subprocess
import sys
import threading
from pathlib import Path

import matplotlib

from concerto.restitution.chart import chart_svgs, has_chart
from concerto.restitution.exporters import Exporter, register
from concerto.restitution.exporters._shared import (
    Block,
    Paragraph,
    Run,
    calendar_numeric_from,
    calendar_table,
    calendar_widths,
    figures_summary,
    figures_table,
    figures_widths,
    item_blocks,
    item_support,
    kinds,
    language_tag,
    markdown_blocks,
    visible_themes,
)
from concerto.restitution.model import Document, Item

TEMPLATE = Path(__file__).with_name("pdf.typ")
# The title is the only level-1 heading: a heading of outline level L is a Typst heading of level L + 1.
_TITLE_LEVEL = 1


@functools.cache
def _fonts() -> str:
    return str(Path(matplotlib.get_data_path()) / "fonts" / "ttf")


# -- user Markdown as data -------------------------------------------------------------


def _runs(runs: list[Run]) -> list[dict]:
    out = []
    for run in runs:
        entry: dict = {"t": run.text}
        if run.bold:
            entry["b"] = True
        if run.italic:
            entry["i"] = True
        if run.code:
            entry["c"] = True
        if run.strike:
            entry["s"] = True
        if run.href:
            entry["h"] = run.href
        out.append(entry)
    return out


def _blocks(blocks: list[Block]) -> list[dict]:
    out: list[dict] = []
    for block in blocks:
        if isinstance(block, Paragraph):
            if block.style == "heading" and block.level:
                out.append({"k": "h", "level": block.level + _TITLE_LEVEL, "r": _runs(block.runs)})
            else:  # a contribution's heading (level 0) is a bold paragraph: its runs are bold already
                out.append({"k": {"quote": "q", "code": "code"}.get(block.style, "p"), "r": _runs(block.runs)})
        else:
            out.append({"k": "ol" if block.ordered else "ul", "start": block.start, "items": [_blocks(entry) for entry in block.items]})
    return out


def _markdown(text: str, under: int = 0) -> list[dict]:
    return _blocks(markdown_blocks(text, under=under)) if text.strip() else []


# -- the document as data --------------------------------------------------------------


def _charts(document: Document) -> list[dict]:
    """One SVG per part of the chart (vector, its words real text), with its title as alternative text."""
    if not has_chart(document):
        return []
    return [{"svg": svg, "title": title} for svg, title in chart_svgs(document)]


def _item(document: Document, item: Item) -> dict:
    support = item_support(document, item)
    meta = (f" — {support}" if support else "") + (f" · {item.author}" if item.author else "")
    return {
        "title": item.title,
        "meta": meta,
        "body": _blocks(item_blocks(item)) if item.body.strip() else [],
        "grouped": [other.title + (f" · {other.author}" if other.author else "") for other in item.grouped],
    }


def data(document: Document) -> dict:
    """Everything the template shows, as JSON-ready data (text stays text)."""
    words = document.labels
    sections: list[dict] = []
    if document.introduction.strip():
        sections.append({"k": "text", "title": words.introduction, "blocks": _markdown(document.introduction, 1)})
    if document.calendar:
        head, rows = calendar_table(document)
        sections.append({
            "k": "table", "title": words.calendar, "head": head, "rows": rows,
            "notes": [_markdown(meeting.notes) for meeting in document.calendar],
            "numeric": calendar_numeric_from(document), "widths": list(calendar_widths(document)),
        })
    if document.context.strip():
        sections.append({"k": "text", "title": words.context, "blocks": _markdown(document.context, 1)})
    if document.show_figures:
        head, rows = figures_table(document) if document.figures.groups else (None, [])
        sections.append({
            "k": "figures", "title": words.figures, "blocks": _markdown(document.figures_text, 1),
            "summary": [list(pair) for pair in figures_summary(document)],
            "head": head, "rows": rows, "widths": list(figures_widths(head)) if head else [],
            "charts": _charts(document),
        })
    for group in document.groups:
        themes = []
        for theme in visible_themes(group):
            themes.append({
                "title": theme.title,
                "synthesis": _markdown(theme.synthesis, 2 if theme.title else 1),
                "kinds": [{"title": title, "items": [_item(document, item) for item in items]} for title, items in kinds(document, theme)],
                "comments": [
                    {"body": _markdown(comment.body), "source": "— " + comment.contribution + (f" · {comment.author}" if comment.author else "")}
                    for comment in theme.comments
                ],
            })
        sections.append({"k": "group", "title": group.title, "blocks": _markdown(group.description, 1), "themes": themes})
    if document.next_steps.strip():
        sections.append({"k": "text", "title": words.next_steps, "blocks": _markdown(document.next_steps, 1)})

    language, _, region = language_tag(document).partition("-")
    return {
        "meta": {
            "title": f"{document.title} — {document.subtitle}" if document.subtitle else document.title,
            "description": document.subtitle,
            "author": document.organiser.strip(),
            "date": [document.date.year, document.date.month, document.date.day],
        },
        "lang": language.lower(),
        "region": region.upper() or None,
        "title": document.title,
        "subtitle": document.subtitle,
        "organiser": document.organiser.strip(),
        "draft": words.sentences.get("draft", "") if document.version is None else None,
        "anonymous": None if document.show_authors else words.sentences["anonymous"],
        # Sections (2), groups' themes (3) and the texts' sub-headings, down to the deepest (see _shared.MAX_LEVEL).
        "depth": 6,
        "words": {
            "page": words.page,
            "table_of_contents": words.table_of_contents,
            "grouped_with": words.grouped_with,
            "highlighted": words.highlighted,
        },
        "sections": sections,
    }


# One PDF at a time per process: a long document takes well over a gigabyte while Typst lays it out.
_LOCK = threading.Lock()

# Typst keeps what it laid out in its caches for the life of the process: compiled in the server, one
# 10,000-contribution PDF would leave the worker at 1.6 GB for good. A short-lived child process
# compiles instead (its memory goes back to the system when it ends); it costs ~0.1 s a PDF.
_CHILD = """
import sys, typst
template, fonts = sys.argv[1], sys.argv[2]
payload = sys.stdin.buffer.read().decode("utf-8")
pdf = typst.compile(template, font_paths=[fonts], ignore_system_fonts=True,
                    sys_inputs={"document": payload}, pdf_standards=["ua-1"])
sys.stdout.buffer.write(pdf)
"""


def render(document: Document) -> bytes:
    payload = json.dumps(data(document), ensure_ascii=False).encode("utf-8")
    with _LOCK:
        done = subprocess.run(
            [sys.executable, "-c", _CHILD, str(TEMPLATE), _fonts()], input=payload, capture_output=True, check=False
        )
    if done.returncode != 0:
        problem = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise RuntimeError(f"The PDF could not be laid out by Typst: {problem[-1] if problem else done.returncode}")
    return done.stdout


register(Exporter("pdf", "PDF", "application/pdf", "pdf", render, slow=True))
