"""Comment forms: add (top level or reply), edit, moderate."""

from __future__ import annotations

from litestar import Controller, Request, get, post
from litestar.response import Redirect, Template

from concerto.comments import services as comments
from concerto.contributions.pages import contribution_page_context, contribution_url
from concerto.errors import N_, ConcertoError
from concerto.web import session
from concerto.web.dependencies import CONSULTATION_DEPENDENCIES, CurrentActor, CurrentConsultation
from concerto.web.pages import read_form, redirect, render, render_form_error, wants_fragment
from concerto.web.params import Id


class CommentPages(Controller):
    path = "/c/{slug:str}"
    include_in_schema = False
    dependencies = CONSULTATION_DEPENDENCIES

    @post("/contributions/{contribution_id:int}/comments", name="comment-create")
    async def create(
        self, request: Request, consultation: CurrentConsultation, actor: CurrentActor, contribution_id: Id
    ) -> Template | Redirect:
        form = await read_form(request)
        try:
            comment_id = await comments.add(actor, contribution_id, form, key=form.get("request_key"))
        except ConcertoError as error:
            if wants_fragment(request):
                raise
            context = await contribution_page_context(consultation, actor, contribution_id)
            context.pop("form")  # what was typed is sent back instead
            context["reply_to"] = form.get("parent_id")
            return render_form_error(request, "contributions/page.html", error, form, **context)
        if wants_fragment(request):
            # concerto.js inserts the new comment where the form was.
            comment = await comments.get(actor, comment_id)
            node = comments.CommentNode(comment)
            return render(
                request, "comments/_comment.html", status_code=201, node=node, consultation=consultation, actor=actor, contribution_id=contribution_id
            )
        session.flash(request, N_("Your comment is published."))
        return redirect(f"{contribution_url(consultation, contribution_id)}#comment-{comment_id}")

    @get("/comments/{comment_id:int}/edit", name="comment-edit")
    async def edit_form(self, request: Request, consultation: CurrentConsultation, actor: CurrentActor, comment_id: Id) -> Template:
        comment = await comments.get(actor, comment_id)
        return render(
            request, "comments/edit.html", consultation=consultation, actor=actor, comment=comment, form={"body": comment["body"]}
        )

    @post("/comments/{comment_id:int}/edit", name="comment-update")
    async def update(self, request: Request, consultation: CurrentConsultation, actor: CurrentActor, comment_id: Id) -> Template | Redirect:
        form = await read_form(request)
        comment = await comments.get(actor, comment_id)
        try:
            await comments.edit(actor, comment_id, form)
        except ConcertoError as error:
            return render_form_error(
                request, "comments/edit.html", error, form, consultation=consultation, actor=actor, comment=comment
            )
        session.flash(request, N_("Your changes are saved."))
        return redirect(f"{contribution_url(consultation, comment['contribution'])}#comment-{comment_id}")

    @post("/comments/{comment_id:int}/moderate", name="comment-moderate")
    async def moderate(self, request: Request, consultation: CurrentConsultation, actor: CurrentActor, comment_id: Id) -> Redirect:
        form = await read_form(request)
        comment = await comments.get(actor, comment_id)
        status = await comments.moderate(actor, comment_id, form.get("action"))
        message = N_("The comment is hidden from participants.") if status == "hidden" else N_("The comment is visible again.")
        session.flash(request, message, "info")
        return redirect(f"{contribution_url(consultation, comment['contribution'])}#comment-{comment_id}")
