"""JSON API for the facilitation board: themes, placements, duplicates, moves, history and undo.

Facilitators only (the services refuse everyone else). Every write is one
recorded action and answers with its id, which ``board-actions/{id}/undo`` takes.
"""

from typing import Annotated

from litestar import Controller, delete, get, patch, post
from litestar.params import JSONBody, QueryParameter

from concerto.accounts.services import Actor
from concerto.board import services as board
from concerto.board import suggestions
from concerto.board.schemas import (
    ActionRead,
    BoardItemRead,
    BoardRead,
    ContributionMove,
    DismissalCreate,
    DuplicateCreate,
    HistoryEntryRead,
    LikelyDuplicateRead,
    PlacementCreate,
    SimilarRead,
    SuggestedItemRead,
    SuggestedThemeRead,
    SuggestionsAccept,
    ThemeActionRead,
    ThemeCreate,
    ThemeMerge,
    ThemeMove,
    ThemeRead,
    ThemeSplit,
    ThemeUpdate,
)
from concerto.groups import services as groups
from concerto.groups.schemas import GroupRead
from concerto.labels import author_label
from concerto.web.dependencies import CONSULTATION_DEPENDENCIES, CurrentActor, CurrentConsultation
from concerto.validation import MAX_ID
from concerto.web.params import Id, Query
from concerto.web.schemas import given, read


def _item(item: board.BoardItem) -> BoardItemRead:
    return BoardItemRead(
        id=item.id,
        title=item.title,
        kind=item.kind,
        status=item.status,
        author_name=author_label(item.author_name),
        votes=item.votes,
        support=item.support,
        duplicates=[_item(duplicate) for duplicate in item.duplicates],
    )


def _board(state: board.Board) -> BoardRead:
    return BoardRead(
        group=read(state.group, GroupRead),
        themes=[
            ThemeRead(
                id=entry.theme["id"],
                title=entry.theme["title"],
                summary=entry.theme["summary"],
                summary_html=entry.theme["summary_html"],
                position=entry.theme["position"],
                items=[_item(item) for item in entry.items],
            )
            for entry in state.themes
        ],
        unthemed=[_item(item) for item in state.unthemed],
        history=[read(row, HistoryEntryRead) for row in state.history],
    )


async def _theme_action(actor: Actor, action_id: int) -> ThemeActionRead:
    """An action that created a theme, with the new theme's id (kept in its history details)."""
    entry = await board.action(actor, action_id)
    return ThemeActionRead(action_id=action_id, theme_id=entry["details"]["theme_id"])


class BoardApi(Controller):
    path = "/consultations/{slug:str}"
    tags = ["board"]
    dependencies = CONSULTATION_DEPENDENCIES

    # -- reading ----------------------------------------------------------------

    @get("/groups/{group_id:int}/board", summary="Read a working group's board")
    async def read_board(self, consultation: CurrentConsultation, actor: CurrentActor, group_id: Id) -> BoardRead:
        """Themes in order with their contributions (duplicates nested under their root), the
        contributions in no theme, and the latest history entries."""
        group = await groups.get(consultation["id"], group_id)
        return _board(await board.board(actor, group))

    @get("/groups/{group_id:int}/board/history", summary="Read a board's history")
    async def read_history(
        self, consultation: CurrentConsultation, actor: CurrentActor, group_id: Id
    ) -> list[HistoryEntryRead]:
        """The latest actions, newest first, with who made them and what undid them."""
        group = await groups.get(consultation["id"], group_id)
        return [read(row, HistoryEntryRead) for row in await board.history(actor, group["id"])]

    # -- themes -----------------------------------------------------------------

    @post("/groups/{group_id:int}/themes", summary="Create a theme")
    async def create_theme(self, actor: CurrentActor, group_id: Id, data: JSONBody[ThemeCreate]) -> ThemeActionRead:
        """Placed last on the board, optionally with contributions (and their duplicates) in it."""
        fields = given(data)
        contributions = fields.pop("contributions", [])
        return await _theme_action(actor, await board.create_theme(actor, group_id, fields, contributions))

    @patch("/themes/{theme_id:int}", summary="Rename a theme or change its summary")
    async def update_theme(self, actor: CurrentActor, theme_id: Id, data: JSONBody[ThemeUpdate]) -> ActionRead:
        """Send just the fields to change."""
        return ActionRead(action_id=await board.update_theme(actor, theme_id, given(data)))

    @post("/themes/{theme_id:int}/move", status_code=200, summary="Move a theme up or down")
    async def move_theme(self, actor: CurrentActor, theme_id: Id, data: JSONBody[ThemeMove]) -> ActionRead:
        return ActionRead(action_id=await board.move_theme(actor, theme_id, data.direction))

    @post("/themes/{theme_id:int}/merge", status_code=200, summary="Merge another theme into this one")
    async def merge_themes(self, actor: CurrentActor, theme_id: Id, data: JSONBody[ThemeMerge]) -> ActionRead:
        """The source theme's contributions join this one and the source theme is removed."""
        return ActionRead(action_id=await board.merge_themes(actor, theme_id, data.source))

    @post("/themes/{theme_id:int}/split", summary="Split some contributions off into a new theme")
    async def split_theme(self, actor: CurrentActor, theme_id: Id, data: JSONBody[ThemeSplit]) -> ThemeActionRead:
        """The new theme comes right after this one."""
        fields = given(data)
        contributions = fields.pop("contributions")
        return await _theme_action(actor, await board.split_theme(actor, theme_id, contributions, fields))

    @delete("/themes/{theme_id:int}", status_code=200, summary="Dissolve a theme")
    async def dissolve_theme(self, actor: CurrentActor, theme_id: Id) -> ActionRead:
        """Its contributions go back to “not in a theme”; undo brings it back."""
        return ActionRead(action_id=await board.dissolve_theme(actor, theme_id))

    # -- contributions on the board ---------------------------------------------

    @post("/groups/{group_id:int}/placements", status_code=200, summary="Put contributions in a theme or take them out")
    async def place(self, actor: CurrentActor, group_id: Id, data: JSONBody[PlacementCreate]) -> ActionRead:
        """Their duplicates move with them; theme null takes them out of any theme."""
        return ActionRead(action_id=await board.place(actor, group_id, data.contributions, data.theme))

    @post("/contributions/{contribution_id:int}/move", status_code=200, summary="Move a contribution to another group")
    async def move_to_group(
        self, actor: CurrentActor, contribution_id: Id, data: JSONBody[ContributionMove]
    ) -> ActionRead:
        """It leaves its theme and takes its duplicates and votes along."""
        return ActionRead(action_id=await board.move_to_group(actor, contribution_id, data.group))

    # -- duplicates -------------------------------------------------------------

    @post("/contributions/{contribution_id:int}/duplicate", status_code=200, summary="Group a contribution with another")
    async def mark_duplicate(
        self, actor: CurrentActor, contribution_id: Id, data: JSONBody[DuplicateCreate]
    ) -> ActionRead:
        """Both stay; a person who supported both counts once in the combined support."""
        return ActionRead(action_id=await board.mark_duplicate(actor, contribution_id, data.of))

    @delete("/contributions/{contribution_id:int}/duplicate", status_code=200, summary="Ungroup a contribution")
    async def unmark_duplicate(self, actor: CurrentActor, contribution_id: Id) -> ActionRead:
        return ActionRead(action_id=await board.unmark_duplicate(actor, contribution_id))

    @post("/duplicate-dismissals", summary="Say a suggested pair is not a duplicate")
    async def dismiss_pair(self, actor: CurrentActor, data: JSONBody[DismissalCreate]) -> ActionRead:
        """The pair is not suggested again."""
        return ActionRead(action_id=await board.dismiss_pair(actor, data.first, data.second))

    # -- undo -------------------------------------------------------------------

    @post("/board-actions/{action_id:int}/undo", status_code=200, summary="Undo a board action")
    async def undo(self, actor: CurrentActor, action_id: Id) -> ActionRead:
        """Undoing an undo redoes; refused when later actions changed the same rows."""
        return ActionRead(action_id=await board.undo(actor, action_id))


class SuggestionApi(Controller):
    """Suggestions for facilitators, and similar contributions for anyone writing one."""

    path = "/consultations/{slug:str}"
    tags = ["board"]
    dependencies = CONSULTATION_DEPENDENCIES

    @get("/groups/{group_id:int}/suggestions", summary="Suggested themes for the contributions not in a theme")
    async def suggested_themes(
        self,
        consultation: CurrentConsultation,
        actor: CurrentActor,
        group_id: Id,
        extent: Annotated[str, QueryParameter(name="scope", max_length=20)] = "group",
    ) -> list[SuggestedThemeRead]:
        """`scope=consultation` groups the contributions of every working group together."""
        group = await groups.get(consultation["id"], group_id)
        found = await suggestions.suggest_themes(actor, group, extent)
        return [
            SuggestedThemeRead(label=theme.label, items=[read(item, SuggestedItemRead) for item in theme.items])
            for theme in found
        ]

    @post("/groups/{group_id:int}/suggestions", summary="Accept suggested themes (one undoable action)")
    async def accept(
        self, consultation: CurrentConsultation, actor: CurrentActor, group_id: Id, data: JSONBody[SuggestionsAccept]
    ) -> ActionRead:
        group = await groups.get(consultation["id"], group_id)
        clusters = [{"title": cluster.title, "ids": cluster.ids, "bring": cluster.bring} for cluster in data.clusters]
        return ActionRead(action_id=await board.accept_suggestions(actor, group["id"], clusters))

    @get("/groups/{group_id:int}/likely-duplicates", summary="Likely duplicate pairs, not yet grouped nor dismissed")
    async def likely_duplicates(
        self, consultation: CurrentConsultation, actor: CurrentActor, group_id: Id
    ) -> list[LikelyDuplicateRead]:
        group = await groups.get(consultation["id"], group_id)
        return [
            LikelyDuplicateRead(
                first=read(pair.first, SuggestedItemRead), second=read(pair.second, SuggestedItemRead), score=pair.score
            )
            for pair in await suggestions.likely_duplicates(actor, group)
        ]

    @get("/similar", summary="Published contributions close to a text being written")
    async def similar(
        self, actor: CurrentActor, text: Query = "", group: Annotated[int | None, QueryParameter(ge=1, le=MAX_ID)] = None
    ) -> list[SimilarRead]:
        """Shown while someone writes, so they can support an existing one instead of repeating it."""
        return [read(row, SimilarRead) for row in await suggestions.similar(actor, text, group)]
