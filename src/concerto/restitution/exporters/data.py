"""The data as data: CSV (one row per contribution) and JSON (the whole document).

CSV columns have stable English ids (group, theme, kind, title, text, support,
comments, status, grouped_with, author) so scripts and spreadsheets that read
them survive a change of language; the cells are in the document's language.
UTF-8 with a byte-order mark so Excel shows French accents; comma-separated, or
« ; »-separated with French headings for French spreadsheets (see ``render_csv``).
"""

from __future__ import annotations

import csv
import io
import json

from concerto.restitution.exporters import Exporter, register
from concerto.restitution.exporters._shared import kind_label
from concerto.restitution.model import Document

COLUMNS = ("group", "theme", "kind", "title", "text", "support", "comments", "status", "grouped_with", "author")

# A cell starting with one of these is a formula to a spreadsheet (« CSV injection »).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(text: str | None) -> str:
    text = text or ""
    return "'" + text if text.startswith(_FORMULA_START) else text


def rows(document: Document):
    """One tuple per contribution: each kept one, then those grouped with it.

    A grouped contribution's support is counted in the one it is grouped with,
    so its own support cell is empty; its kind is that of its group's head.
    """
    for group in document.groups:
        for theme in group.themes:
            theme_title = theme.title if theme.is_theme else ""
            for item in (*theme.acquis, *theme.enjeux):
                kind = kind_label(document, item.kind)
                yield (
                    _cell(group.title), _cell(theme_title), kind, _cell(item.title), _cell(item.body),
                    item.support, item.comments, item.status, "", _cell(item.author),
                )
                for grouped in item.grouped:
                    yield (
                        _cell(group.title), _cell(theme_title), kind, _cell(grouped.title), _cell(grouped.body),
                        "", grouped.comments, grouped.status, _cell(item.title), _cell(grouped.author),
                    )


def render_csv(document: Document) -> bytes:
    """Comma-separated with the stable English ids as headings; for French spreadsheets
    (``document.csv_french``, the default in French) « ; »-separated with French headings
    and statuses, which LibreOffice Calc and Excel set to French open as columns."""
    out = io.StringIO()
    words = document.labels.csv_columns
    french = document.csv_french and bool(words)
    writer = csv.writer(out, delimiter=";" if french else ",", lineterminator="\r\n")
    writer.writerow([words[column] for column in COLUMNS] if french else COLUMNS)
    status = COLUMNS.index("status")
    for row in rows(document):
        if french:
            row = (*row[:status], words.get(row[status], row[status]), *row[status + 1 :])
        writer.writerow(row)
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def render_json(document: Document) -> bytes:
    return (json.dumps(document.to_dict(), indent=2, ensure_ascii=False) + "\n").encode("utf-8")


register(Exporter("csv", "CSV", "text/csv; charset=utf-8", "csv", render_csv))
register(Exporter("json", "JSON", "application/json", "json", render_json))
