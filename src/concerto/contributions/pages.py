"""Pages for one contribution: create, read with comments, edit, withdraw, vote, moderate."""

from __future__ import annotations

from litestar import Controller, Request, get, post
from litestar.response import Redirect, Template

from concerto.comments import services as comments
from concerto.contributions import services as contributions
from concerto.errors import N_, ConcertoError
from concerto.groups import services as groups
from concerto.groups.pages import group_page_context
from concerto.live.state import read_state
from concerto.votes import services as votes
from concerto.web import session
from concerto.web.dependencies import CONSULTATION_DEPENDENCIES, CurrentActor, CurrentConsultation
from concerto.web.pages import read_form, redirect, render, render_form_error
from concerto.web.params import Id, Query


def contribution_url(consultation: dict, contribution_id: int) -> str:
    return f"/c/{consultation['slug']}/contributions/{contribution_id}"


async def contribution_page_context(consultation: CurrentConsultation, actor: CurrentActor, contribution_id: int, page: str = "1") -> dict:
    contribution = await contributions.get(consultation["id"], contribution_id, actor)
    group = await groups.get(consultation["id"], contribution["working_group"])
    return {
        "consultation": consultation,
        "actor": actor,
        "contribution": contribution,
        "group": group,
        "vote": await votes.state(actor, contribution_id, group),
        "live": await read_state(group["id"]),
        "comments": await comments.thread_page(actor, contribution_id, page),
        "form": {},
    }


class ContributionPages(Controller):
    path = "/c/{slug:str}"
    include_in_schema = False
    dependencies = CONSULTATION_DEPENDENCIES

    @post("/g/{group_id:int}/contributions", name="contribution-create")
    async def create(
        self, request: Request, consultation: CurrentConsultation, actor: CurrentActor, group_id: Id
    ) -> Template | Redirect:
        form = await read_form(request)
        group = await groups.get(consultation["id"], group_id)
        try:
            contribution_id = await contributions.create(actor, group, form, key=form.get("request_key"))
        except ConcertoError as error:
            context = await group_page_context(consultation, actor, group_id)
            return render_form_error(request, "groups/page.html", error, form, **context)
        session.flash(request, N_("Your contribution is published. Thank you!"))
        return redirect(f"/c/{consultation['slug']}/g/{group_id}#contribution-{contribution_id}")

    @get("/contributions/{contribution_id:int}", name="contribution")
    async def detail(
        self, request: Request, consultation: CurrentConsultation, actor: CurrentActor, contribution_id: Id, page: Query = "1"
    ) -> Template:
        return render(request, "contributions/page.html", **await contribution_page_context(consultation, actor, contribution_id, page))

    @get("/contributions/{contribution_id:int}/edit", name="contribution-edit")
    async def edit_form(self, request: Request, consultation: CurrentConsultation, actor: CurrentActor, contribution_id: Id) -> Template:
        contribution = await contributions.get(consultation["id"], contribution_id, actor)
        return render(
            request,
            "contributions/edit.html",
            consultation=consultation,
            actor=actor,
            contribution=contribution,
            form={"title": contribution["title"], "body": contribution["body"]},
        )

    @post("/contributions/{contribution_id:int}/edit", name="contribution-update")
    async def update(
        self, request: Request, consultation: CurrentConsultation, actor: CurrentActor, contribution_id: Id
    ) -> Template | Redirect:
        form = await read_form(request)
        try:
            await contributions.update(actor, contribution_id, {"title": form.get("title"), "body": form.get("body")})
        except ConcertoError as error:
            contribution = await contributions.get(consultation["id"], contribution_id, actor)
            return render_form_error(
                request, "contributions/edit.html", error, form, consultation=consultation, actor=actor, contribution=contribution
            )
        session.flash(request, N_("Your changes are saved."))
        return redirect(contribution_url(consultation, contribution_id))

    @post("/contributions/{contribution_id:int}/withdraw", name="contribution-withdraw")
    async def withdraw(self, request: Request, consultation: CurrentConsultation, actor: CurrentActor, contribution_id: Id) -> Redirect:
        await contributions.withdraw(actor, contribution_id)
        session.flash(request, N_("Your contribution is withdrawn. Its votes no longer count."), "info")
        return redirect(contribution_url(consultation, contribution_id))

    @post("/contributions/{contribution_id:int}/moderate", name="contribution-moderate")
    async def moderate(self, request: Request, consultation: CurrentConsultation, actor: CurrentActor, contribution_id: Id) -> Redirect:
        form = await read_form(request)
        status = await contributions.moderate(actor, contribution_id, form.get("action"))
        message = N_("The contribution is hidden from participants.") if status == "hidden" else N_("The contribution is visible again.")
        session.flash(request, message, "info")
        return redirect(contribution_url(consultation, contribution_id))

    @post("/contributions/{contribution_id:int}/vote", name="contribution-vote")
    async def vote(self, request: Request, consultation: CurrentConsultation, actor: CurrentActor, contribution_id: Id) -> Redirect:
        """The no-JavaScript vote button; with JavaScript the API is called instead."""
        form = await read_form(request)
        if form.get("action") == "withdraw":
            await votes.withdraw(actor, contribution_id)
            session.flash(request, N_("Your vote is withdrawn."), "info")
        else:
            await votes.cast(actor, contribution_id)
            session.flash(request, N_("Your vote is counted."))
        back = form.get("next")
        if isinstance(back, str) and back.startswith("/") and not back.startswith("//"):
            back = f"{back.split('#')[0]}#contribution-{contribution_id}"
        else:
            back = contribution_url(consultation, contribution_id)
        return redirect(back)
