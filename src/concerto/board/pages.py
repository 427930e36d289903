"""The facilitation board pages: every action is a plain form (keyboard, no JavaScript);
concerto-board.js adds drag-and-drop on top by submitting the same forms.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from litestar import Controller, Request, get, post
from litestar.response import Redirect, Template

from concerto.accounts.services import Actor
from concerto.board import suggestions
from concerto.board import services as board
from concerto.consultations import services as consultations
from concerto.errors import N_, ConcertoError
from concerto.groups import services as groups
from concerto.web import session
from concerto.web.dependencies import CONSULTATION_DEPENDENCIES, CurrentActor, CurrentConsultation
from concerto.web.pages import redirect, render, render_form_error, wants_fragment
from concerto.web.params import Id, Query

SUGGESTION_FIELDS = 60  # at most this many suggested themes are read back from a form


async def read_form_lists(request: Request) -> tuple[dict[str, Any], Any]:
    """The form as single values, plus the multi-dict for repeated fields (checkboxes)."""
    form = await request.form()
    return {key: form.get(key) for key in form.keys() if key != "_csrf_token"}, form


async def board_context(
    consultation: dict, actor: Actor, group_id: int, *, suggest: str = "", duplicates: str = ""
) -> dict[str, Any]:
    group = await groups.get(consultation["id"], group_id)
    state = await board.board(actor, group)
    context: dict[str, Any] = {
        "consultation": consultation,
        "actor": actor,
        "group": group,
        "board": state,
        "kinds": {kind["code"]: kind["label"] for kind in await consultations.kinds(consultation["id"])},
        "groups": [g for g in await groups.list_for(consultation["id"]) if g["id"] != group["id"]],
        "suggested": None,
        "scope": None,
        "pairs": None,
    }
    if suggest in suggestions.SCOPES:
        context["suggested"] = await suggestions.suggest_themes(actor, group, suggest)
        context["scope"] = suggest
    if duplicates:
        context["pairs"] = await suggestions.likely_duplicates(actor, group)
    return context


class BoardPages(Controller):
    path = "/c/{slug:str}/g/{group_id:int}"
    include_in_schema = False
    dependencies = CONSULTATION_DEPENDENCIES

    @get("/board", name="board")
    async def page(
        self,
        request: Request,
        consultation: CurrentConsultation,
        actor: CurrentActor,
        group_id: Id,
        suggest: Query = "",
        duplicates: Query = "",
    ) -> Template:
        context = await board_context(consultation, actor, group_id, suggest=suggest, duplicates=duplicates)
        template = "board/_board.html" if wants_fragment(request) else "board/page.html"
        return render(request, template, **context)

    async def _do(
        self,
        request: Request,
        consultation: dict,
        actor: Actor,
        group_id: int,
        action: Callable[[dict, Any], Awaitable[Any]],
        done: str,
    ) -> Template | Redirect:
        """Run one board action from a form; back to the board, or the board with the reason it was refused."""
        form, multi = await read_form_lists(request)
        try:
            await action(form, multi)
        except ConcertoError as error:
            if wants_fragment(request):
                raise  # concerto-board.js shows the problem's message
            context = await board_context(consultation, actor, group_id)
            return render_form_error(request, "board/page.html", error, form, **context)
        if wants_fragment(request):
            return render(request, "board/_board.html", **await board_context(consultation, actor, group_id))
        session.flash(request, done)
        return redirect(f"/c/{consultation['slug']}/g/{group_id}/board#board")

    @post("/board/themes", name="board-theme-create")
    async def create_theme(self, request: Request, consultation: CurrentConsultation, actor: CurrentActor, group_id: Id) -> Template | Redirect:
        async def action(form: dict, multi: Any) -> None:
            await board.create_theme(actor, group_id, form, multi.getall("contributions", []))

        return await self._do(request, consultation, actor, group_id, action, N_("Theme created."))

    @post("/board/themes/{theme_id:int}/edit", name="board-theme-edit")
    async def edit_theme(self, request: Request, consultation: CurrentConsultation, actor: CurrentActor, group_id: Id, theme_id: Id) -> Template | Redirect:
        async def action(form: dict, _multi: Any) -> None:
            await board.update_theme(actor, theme_id, {key: form[key] for key in ("title", "summary") if key in form})

        return await self._do(request, consultation, actor, group_id, action, N_("Theme saved."))

    @post("/board/themes/{theme_id:int}/move", name="board-theme-move")
    async def move_theme(self, request: Request, consultation: CurrentConsultation, actor: CurrentActor, group_id: Id, theme_id: Id) -> Template | Redirect:
        async def action(form: dict, _multi: Any) -> None:
            await board.move_theme(actor, theme_id, form.get("direction"))

        return await self._do(request, consultation, actor, group_id, action, N_("Theme moved."))

    @post("/board/themes/{theme_id:int}/merge", name="board-theme-merge")
    async def merge_themes(self, request: Request, consultation: CurrentConsultation, actor: CurrentActor, group_id: Id, theme_id: Id) -> Template | Redirect:
        async def action(form: dict, _multi: Any) -> None:
            await board.merge_themes(actor, theme_id, form.get("source"))

        return await self._do(request, consultation, actor, group_id, action, N_("Themes merged."))

    @post("/board/themes/{theme_id:int}/split", name="board-theme-split")
    async def split_theme(self, request: Request, consultation: CurrentConsultation, actor: CurrentActor, group_id: Id, theme_id: Id) -> Template | Redirect:
        async def action(form: dict, multi: Any) -> None:
            await board.split_theme(actor, theme_id, multi.getall("contributions", []), form)

        return await self._do(request, consultation, actor, group_id, action, N_("Theme split."))

    @post("/board/themes/{theme_id:int}/dissolve", name="board-theme-dissolve")
    async def dissolve_theme(self, request: Request, consultation: CurrentConsultation, actor: CurrentActor, group_id: Id, theme_id: Id) -> Template | Redirect:
        async def action(_form: dict, _multi: Any) -> None:
            await board.dissolve_theme(actor, theme_id)

        return await self._do(request, consultation, actor, group_id, action, N_("Theme removed; its contributions are no longer in a theme."))

    @post("/board/place", name="board-place")
    async def place(self, request: Request, consultation: CurrentConsultation, actor: CurrentActor, group_id: Id) -> Template | Redirect:
        async def action(form: dict, multi: Any) -> None:
            await board.place(actor, group_id, multi.getall("contributions", []), form.get("theme"))

        return await self._do(request, consultation, actor, group_id, action, N_("Contribution moved."))

    @post("/board/contributions/{contribution_id:int}/duplicate", name="board-duplicate")
    async def duplicate(self, request: Request, consultation: CurrentConsultation, actor: CurrentActor, group_id: Id, contribution_id: Id) -> Template | Redirect:
        async def action(form: dict, _multi: Any) -> None:
            await board.mark_duplicate(actor, contribution_id, form.get("of"))

        return await self._do(request, consultation, actor, group_id, action, N_("Contributions grouped: each supporter now counts once."))

    @post("/board/contributions/{contribution_id:int}/unduplicate", name="board-unduplicate")
    async def unduplicate(self, request: Request, consultation: CurrentConsultation, actor: CurrentActor, group_id: Id, contribution_id: Id) -> Template | Redirect:
        async def action(_form: dict, _multi: Any) -> None:
            await board.unmark_duplicate(actor, contribution_id)

        return await self._do(request, consultation, actor, group_id, action, N_("The contribution is no longer grouped."))

    @post("/board/contributions/{contribution_id:int}/move-group", name="board-move-group")
    async def move_group(self, request: Request, consultation: CurrentConsultation, actor: CurrentActor, group_id: Id, contribution_id: Id) -> Template | Redirect:
        async def action(form: dict, _multi: Any) -> None:
            await board.move_to_group(actor, contribution_id, form.get("group"))

        return await self._do(request, consultation, actor, group_id, action, N_("Contribution moved to the other working group."))

    @post("/board/dismiss", name="board-dismiss")
    async def dismiss(self, request: Request, consultation: CurrentConsultation, actor: CurrentActor, group_id: Id) -> Template | Redirect:
        async def action(form: dict, _multi: Any) -> None:
            await board.dismiss_pair(actor, form.get("first"), form.get("second"))

        return await self._do(request, consultation, actor, group_id, action, N_("Noted: these two are not suggested as duplicates again."))

    @post("/board/suggestions", name="board-suggestions-accept")
    async def accept(self, request: Request, consultation: CurrentConsultation, actor: CurrentActor, group_id: Id) -> Template | Redirect:
        """Accept every suggested theme of the form, or only the one whose button was pressed."""

        async def action(form: dict, multi: Any) -> None:
            only = form.get("only")
            clusters = [
                {"title": form.get(f"title-{index}"), "ids": multi.getall(f"ids-{index}", []), "bring": multi.getall(f"bring-{index}", [])}
                for index in range(SUGGESTION_FIELDS)
                if f"title-{index}" in form and (only in (None, "") or only == str(index))
            ]
            await board.accept_suggestions(actor, group_id, [cluster for cluster in clusters if cluster["ids"] or cluster["bring"]])

        return await self._do(request, consultation, actor, group_id, action, N_("Suggested themes added to the board."))

    @post("/board/undo/{action_id:int}", name="board-undo")
    async def undo(self, request: Request, consultation: CurrentConsultation, actor: CurrentActor, group_id: Id, action_id: Id) -> Template | Redirect:
        async def action(_form: dict, _multi: Any) -> None:
            await board.undo(actor, action_id)

        return await self._do(request, consultation, actor, group_id, action, N_("Action undone."))
