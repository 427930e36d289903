"""The restitution as one document model, independent of any output format.

``build.py`` assembles it from the database (or a published version's frozen
JSON); every exporter in ``exporters/`` turns the same model into bytes. All
the words a reader sees are already in the document's language here, so
exporters never translate anything.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field
from typing import Any

# 2: organiser, the figure lines, support/chart/figures shown or not, sub-headings in texts.
FORMAT_VERSION = 2


@dataclass
class GroupedItem:
    """A contribution grouped with another (« regroupée avec »): its own text stays."""

    id: int
    title: str
    author: str | None
    # Defaults keep versions published before these fields readable.
    body: str = ""  # Markdown as written
    comments: int = 0
    status: str = "published"  # published | hidden


@dataclass
class Item:
    id: int
    title: str
    body: str  # Markdown as written
    kind: str  # acquis | enjeu
    support: int  # distinct supporters, a duplicate's supporters counted once
    comments: int
    author: str | None  # None unless the facilitators chose to show names
    grouped: list[GroupedItem] = field(default_factory=list)
    status: str = "published"  # published | hidden (hidden ones only when the options include them)
    # The body as the site shows it (rendered once when written, by the same
    # Markdown renderer); the HTML export reuses it instead of parsing 10,000 texts.
    body_html: str = ""


@dataclass
class HighlightedComment:
    contribution: str  # title of the contribution it is about
    author: str | None
    body: str  # Markdown


@dataclass
class ThemeSection:
    title: str  # the theme, or the "not yet in a theme" heading
    synthesis: str  # Markdown, written by facilitators ("" when none)
    acquis: list[Item]
    enjeux: list[Item]
    comments: list[HighlightedComment] = field(default_factory=list)
    is_theme: bool = True  # False for the section of contributions not in a theme


@dataclass
class GroupFigures:
    title: str
    acquis: int
    enjeux: int
    votes: int
    comments: int
    contributors: int


@dataclass
class MeetingRow:
    date: dt.date | None  # None for a future step known only by its words (``when``)
    title: str
    kind: str  # already a label: « Rencontre », « Atelier », or the facilitators' words
    place: str
    attendance: int | None
    contributions: int  # contributions made that day (those days)
    notes: str  # Markdown
    # Defaults keep versions published before these fields readable.
    end_date: dt.date | None = None  # the last day of an entry of several days
    when: str = ""  # « mars-avril 2015 »: shown instead of the date
    upcoming: bool = False  # undated, or after the document's date: « À venir »


@dataclass
class Figures:
    participants: int
    contributors: int
    acquis: int
    enjeux: int
    votes: int  # votes cast
    supporters: int  # distinct people who voted
    comments: int
    attendance: int  # sum of meeting attendances
    groups: list[GroupFigures]


@dataclass
class GroupSection:
    title: str
    description: str  # Markdown
    themes: list[ThemeSection]
    figures: GroupFigures


@dataclass
class Labels:
    """Headings and words of the document, in its language."""

    acquis: str  # « Les acquis à développer »
    enjeux: str  # « De nouveaux enjeux »
    introduction: str
    context: str
    calendar: str
    figures: str
    next_steps: str  # « Suite des travaux »
    highlighted: str
    support: str  # "%(num)s soutien(s)" already as two forms, see support_text()
    support_plural: str
    grouped_with: str
    table_of_contents: str
    page: str
    chart_title: str
    # Table headings: date, meeting, place, attendance, contributions; group, acquis, enjeux, votes, comments, contributors
    columns: dict[str, str] = field(default_factory=dict)
    sentences: dict[str, str] = field(default_factory=dict)  # short fixed sentences (e.g. figures summary)
    # CSV headings in the document's language, by column id; {} in versions before format 2.
    csv_columns: dict[str, str] = field(default_factory=dict)

    def support_text(self, count: int) -> str:
        return (self.support if count <= 1 else self.support_plural) % {"num": count}


@dataclass
class Document:
    title: str
    slug: str
    subtitle: str  # e.g. « Restitution — version 2 du 14 mars 2027 » or « Brouillon du … »
    date: dt.date
    version: int | None  # None for a draft
    language: str
    labels: Labels
    introduction: str  # Markdown
    context: str  # Markdown (principles, context)
    calendar: list[MeetingRow]
    figures: Figures
    groups: list[GroupSection]
    next_steps: str  # Markdown
    show_authors: bool = False
    format_version: int = FORMAT_VERSION
    # Defaults keep versions published before format 2 readable as they were.
    organiser: str = ""  # the document's author in its metadata, and on its cover
    show_support: bool = True  # « 3 soutiens » after each item
    show_chart: bool = True
    show_figures: bool = True  # the « Participation » section
    # The headline figures the facilitators chose, as (number, words) with the
    # plural already chosen (« 60 » « participants »); [] in versions before format 2.
    summary: list[list[str]] = field(default_factory=list)
    figures_text: str = ""  # Markdown at the top of the participation figures
    # CSV for French spreadsheets: « ; » between cells, French headings.
    csv_french: bool = False

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        return _jsonable(data)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Document:
        def items(rows):
            return [Item(**{**row, "grouped": [GroupedItem(**g) for g in row["grouped"]]}) for row in rows]

        def theme(row):
            return ThemeSection(
                **{
                    **row,
                    "acquis": items(row["acquis"]),
                    "enjeux": items(row["enjeux"]),
                    "comments": [HighlightedComment(**c) for c in row["comments"]],
                }
            )

        figures = data["figures"]
        return cls(
            **{
                **data,
                "date": dt.date.fromisoformat(data["date"]),
                "labels": Labels(**data["labels"]),
                "calendar": [MeetingRow(**{**m, **_dates(m, "date", "end_date")}) for m in data["calendar"]],
                "figures": Figures(**{**figures, "groups": [GroupFigures(**g) for g in figures["groups"]]}),
                "groups": [
                    GroupSection(
                        **{
                            **g,
                            "themes": [theme(t) for t in g["themes"]],
                            "figures": GroupFigures(**g["figures"]),
                        }
                    )
                    for g in data["groups"]
                ],
            }
        )


def _dates(row: dict[str, Any], *names: str) -> dict[str, dt.date | None]:
    return {name: dt.date.fromisoformat(row[name]) if row.get(name) else None for name in names if name in row}


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _jsonable(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_jsonable(item) for item in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    return value
