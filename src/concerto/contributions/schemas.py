"""API schemas for contributions and a group's listing."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from msgspec import UNSET, Struct, UnsetType

from concerto.consultations.schemas import KindRead
from concerto.votes.schemas import VoteSummary
from concerto.web.schemas import Input, described

KindCode = Annotated[str, described("The kind's code: acquis or enjeu.", "acquis")]
Body = Annotated[str, described("Markdown (raw HTML is not rendered).")]


class ContributionCreate(Input):
    kind: KindCode
    title: Annotated[str, described("A short title, up to 200 characters.", "Un fonds d'amorçage pour les coopératives")]
    body: Body | UnsetType = UNSET


class ContributionUpdate(Input):
    kind: KindCode | UnsetType = UNSET
    title: str | UnsetType = UNSET
    body: Body | UnsetType = UNSET


class ContributionRead(Struct):
    id: int
    group_id: int
    kind: str
    kind_label: str
    author_id: int
    author_name: Annotated[str, described("The author's name, or « Participant·e anonyme » once they are anonymised.")]
    author_organisation: Annotated[str, described("Empty unless the consultation shows organisations.")]
    title: str
    body: str
    body_html: str
    status: Annotated[str, described("published, hidden (by facilitators) or withdrawn (by its author).")]
    created_at: dt.datetime
    updated_at: dt.datetime


class ContributionDetail(ContributionRead):
    vote: VoteSummary


class ContributionModeration(Input):
    action: Annotated[str, described("hide or restore.", "hide")]


class ContributionItem(Struct):
    id: int
    title: str
    body_html: str
    status: str
    created_at: dt.datetime
    author_id: int
    author_name: Annotated[str, described("The author's name, or « Participant·e anonyme » once they are anonymised.")]
    votes: int
    comments: int
    support: Annotated[int, described("Distinct supporters of it and its grouped duplicates (each person once).")] = 0
    duplicates: Annotated[list[ContributionItem], described("Contributions grouped with this one (« regroupées avec »).")] = []
    author_organisation: Annotated[str, described("Empty unless the consultation shows organisations.")] = ""


class ContributionColumn(Struct):
    kind: KindRead
    total: Annotated[int, described("Contributions of this kind the reader may see, on all pages.")]
    items: list[ContributionItem]


class ContributionListing(Struct):
    sort: Annotated[str, described("votes or newest.")]
    page: int
    per_page: int
    pages: int
    columns: Annotated[list[ContributionColumn], described("Before the board has themes or grouped duplicates: pages of each kind.")]
    my_votes: Annotated[list[int], described("Contributions of the group the reader supports.")]
    votes_used: int
    sections: Annotated[
        list[ContributionSection], described("Once the board has themes or grouped duplicates: the whole group by theme (columns is then empty).")
    ] = []


class ThemeSummary(Struct):
    id: int
    title: str
    summary_html: str


class ContributionSection(Struct):
    theme: Annotated[ThemeSummary | None, described("None: the contributions not in a theme yet.")]
    columns: list[ContributionColumn]
