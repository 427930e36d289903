"""API schemas for working groups and their phases."""

from __future__ import annotations

from typing import Annotated

from msgspec import UNSET, Struct, UnsetType

from concerto.web.schemas import Input, described

Budget = Annotated[int, described("Votes per participant in the group; 0 means no overall limit.", 5)]


class GroupCreate(Input):
    title: str
    description: Annotated[str, described("Markdown.")] | UnsetType = UNSET
    position: int | UnsetType = UNSET
    contributions_open: bool | UnsetType = UNSET
    voting_open: bool | UnsetType = UNSET
    vote_budget: Budget | UnsetType = UNSET


class GroupUpdate(Input):
    title: str | UnsetType = UNSET
    description: Annotated[str, described("Markdown.")] | UnsetType = UNSET
    position: int | UnsetType = UNSET
    contributions_open: bool | UnsetType = UNSET
    voting_open: bool | UnsetType = UNSET
    vote_budget: Budget | UnsetType = UNSET


class GroupRead(Struct):
    id: int
    title: str
    description: str
    position: int
    contributions_open: bool
    voting_open: bool
    vote_budget: Budget


class GroupSummary(GroupRead):
    counts: Annotated[dict[str, int], described("Published contributions per kind code.")]
    contributions: int
    votes: int
