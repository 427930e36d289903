"""API schemas for the restitution: its texts and options, and its published versions."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from msgspec import UNSET, Struct, UnsetType

from concerto.web.schemas import Input, described

Markdown = Annotated[str, described("Markdown (raw HTML is not rendered); ## headings become sub-headings of the section.")]
Flag = Annotated[bool, described("true or false.")]
Auto = Annotated[bool | None, described("true, false, or null for the automatic choice.")]


class SectionTitles(Struct, forbid_unknown_fields=True, kw_only=True):
    """Another title for a section; an empty string gives back the usual one."""

    introduction: str | UnsetType = UNSET
    calendar: str | UnsetType = UNSET
    context: str | UnsetType = UNSET
    figures: str | UnsetType = UNSET
    next_steps: str | UnsetType = UNSET


class RestitutionUpdate(Input):
    """Send just what changes; every field keeps its value otherwise."""

    introduction: Markdown | UnsetType = UNSET
    context: Markdown | UnsetType = UNSET
    figures_text: Annotated[str, described("Markdown at the top of the participation figures.")] | UnsetType = UNSET
    next_steps: Markdown | UnsetType = UNSET
    subtitle: Annotated[str, described("Under the title; empty: « Restitution — version N du … ».")] | UnsetType = UNSET
    date: Annotated[dt.date | None, described("The document's date; null: the day it is compiled or published.")] | UnsetType = UNSET
    organiser: Annotated[str, described("The document's author (metadata and cover).", "Métropole européenne de Lille")] | UnsetType = UNSET
    titles: SectionTitles | UnsetType = UNSET
    omitted: Annotated[list[str], described("Sections left out: introduction, calendar, context, figures, next_steps.")] | UnsetType = UNSET
    figures: Annotated[
        list[str],
        described("Headline figures shown: participants, meetings, attendance, contributors, contributions, votes, supporters, comments."),
    ] | UnsetType = UNSET
    declared_participants: Annotated[
        int | None, described("People who took part without using Concerto; added to the participants.", 48)
    ] | UnsetType = UNSET
    show_support: Auto | UnsetType = UNSET
    show_chart: Flag | UnsetType = UNSET
    show_authors: Flag | UnsetType = UNSET
    include_hidden: Flag | UnsetType = UNSET
    min_support: Annotated[int, described("Contributions with less support are left out.", 0)] | UnsetType = UNSET
    group_order: Annotated[list[int], described("Working group ids in the document's order.")] | UnsetType = UNSET
    csv_french: Auto | UnsetType = UNSET


class HighlightUpdate(Input):
    highlighted: Annotated[bool, described("true: the comment appears in the restitution, under its theme.")]


class HighlightRead(Struct):
    comment_id: int
    highlighted: bool


class VersionRead(Struct):
    number: int
    published_at: dt.datetime
    published_by: str | None
    content_hash: Annotated[str, described("SHA-256 of what the version says (see the README).")]
    links: dict[str, str]


class RestitutionRead(Struct):
    introduction: str
    context: str
    figures_text: str
    next_steps: str
    subtitle: str
    date: dt.date | None
    organiser: str
    titles: dict[str, str]
    omitted: list[str]
    figures: list[str]
    declared_participants: int | None
    show_support: bool | None
    show_chart: bool
    show_authors: bool
    include_hidden: bool
    min_support: int
    group_order: list[int]
    csv_french: bool | None
    section_titles: Annotated[dict[str, str], described("The title each section has in the document.")]
    drafts: Annotated[dict[str, str], described("Where to download the draft, per format.")]
    versions: list[VersionRead]
