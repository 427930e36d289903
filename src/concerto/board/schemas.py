"""API schemas for the facilitation board: themes, duplicates, moves, history and undo."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from msgspec import UNSET, Struct, UnsetType

from concerto.groups.schemas import GroupRead
from concerto.web.schemas import Input, described

Ids = Annotated[list[int], described("Contribution ids of the working group.", [12, 15])]
Title = Annotated[str, described("The theme's title.", "Accès aux locaux")]
Summary = Annotated[str, described("Markdown (raw HTML is not rendered).")]


# -- input ----------------------------------------------------------------------


class ThemeCreate(Input):
    title: Title
    summary: Summary | UnsetType = UNSET
    contributions: Annotated[list[int], described("Contributions to put in it straight away.")] | UnsetType = UNSET


class ThemeUpdate(Input):
    title: Title | UnsetType = UNSET
    summary: Summary | UnsetType = UNSET


class ThemeMove(Input):
    direction: Annotated[str, described("up or down.", "up")]


class ThemeMerge(Input):
    source: Annotated[int, described("The theme of the same group whose contributions join this one; it is removed.")]


class ThemeSplit(Input):
    title: Title
    contributions: Annotated[list[int], described("Contributions of the split theme that go to the new one.")]
    summary: Summary | UnsetType = UNSET


class PlacementCreate(Input):
    contributions: Ids
    theme: Annotated[int | None, described("The theme to put them in; null takes them out of any theme.")]


class ContributionMove(Input):
    group: Annotated[int, described("Another working group of the consultation; votes follow the contribution.")]


class DuplicateCreate(Input):
    of: Annotated[int, described("The contribution it says the same as (or one already grouped with it).")]


class DismissalCreate(Input):
    """A suggested pair of contributions that are not duplicates (it is not suggested again)."""

    first: int
    second: int


# -- output ---------------------------------------------------------------------


class ActionRead(Struct):
    action_id: Annotated[int, described("The history entry of the action; undo it with board-actions/{id}/undo.")]


class ThemeActionRead(ActionRead):
    theme_id: Annotated[int, described("The theme the action created.")]


class BoardItemRead(Struct):
    id: int
    title: str
    kind: Annotated[str, described("acquis or enjeu.")]
    status: Annotated[str, described("published or hidden.")]
    author_name: str
    votes: Annotated[int, described("Supporters of this contribution alone.")]
    support: Annotated[int, described("Distinct supporters of it and its duplicates; 0 for a duplicate itself.")]
    duplicates: Annotated[list[BoardItemRead], described("Contributions grouped with this one (regroupées avec).")]


class ThemeRead(Struct):
    id: int
    title: str
    summary: str
    summary_html: str
    position: int
    items: Annotated[list[BoardItemRead], described("Most supported first.")]


class HistoryEntryRead(Struct):
    id: int
    kind: Annotated[str, described("create_theme, update_theme, move_theme, merge_themes, split_theme, "
                                   "dissolve_theme, place, move_to_group, mark_duplicate, unmark_duplicate, "
                                   "dismiss_pair, accept_suggestions or undo.", "merge_themes")]
    details: Annotated[dict[str, Any], described("What the history shows: titles and counts.")]
    actor_name: str
    created_at: dt.datetime
    undoes: Annotated[int | None, described("For an undo: the action it undid.")]
    undone_by: Annotated[int | None, described("The undo that cancelled this action, if any.")]


class BoardRead(Struct):
    group: GroupRead
    themes: Annotated[list[ThemeRead], described("In the board's order.")]
    unthemed: Annotated[list[BoardItemRead], described("Contributions in no theme, most supported first.")]
    history: Annotated[list[HistoryEntryRead], described("The latest actions, newest first.")]


class SuggestedItemRead(Struct):
    id: int
    title: str
    kind: str
    working_group: int
    group_title: str


class SuggestedThemeRead(Struct):
    label: Annotated[str, described("A readable label: the most distinctive words, or a representative title.")]
    items: list[SuggestedItemRead]


class SuggestedThemeAccept(Input):
    title: str
    ids: Annotated[list[int], described("This group's contributions to put in the new theme.")]
    bring: Annotated[
        list[int],
        described("Other groups' contributions to move into this group (with their votes and duplicates) and into the theme."),
    ] = []


class SuggestionsAccept(Input):
    clusters: list[SuggestedThemeAccept]


class LikelyDuplicateRead(Struct):
    first: SuggestedItemRead
    second: SuggestedItemRead
    score: Annotated[float, described("Similarity between 0 and 1.")]


class SimilarRead(Struct):
    id: int
    title: str
    kind: str
    working_group: int
    group_title: str
    votes: int
    score: float
