"""Restitution pages: the facilitators' editor and downloads, and the published versions."""

from __future__ import annotations

import asyncio

from litestar import Controller, Request, get, post
from litestar.response import Redirect, Response, Template

from concerto.errors import N_, ConcertoError, NotFound
from concerto.groups import services as groups
from concerto.markdown import render_markdown
from concerto.restitution import exporters
from concerto.restitution import services as restitution
from concerto.restitution.model import Document
from concerto.web import session
from concerto.web.dependencies import CONSULTATION_DEPENDENCIES, CurrentActor, CurrentConsultation
from concerto.web.pages import read_form, redirect, render, render_form_error
from concerto.web.params import Id, Slug


async def export_response(document: Document, format_name: str, filename: str) -> Response:
    """The document in one format, as a download (rendered in a thread: PDF takes seconds)."""
    exporter = exporters.get(format_name)
    if exporter is None:
        raise NotFound(N_("This export format does not exist."))
    try:
        content = await asyncio.to_thread(exporter.render, document)
    except RuntimeError as error:  # an exporter that cannot run here says why
        raise ConcertoError(str(error)) from error
    return Response(
        content,
        media_type=exporter.media_type,
        headers={"content-disposition": f'attachment; filename="{filename}.{exporter.extension}"'},
    )


class RestitutionPages(Controller):
    path = "/c/{slug:str}"
    include_in_schema = False
    dependencies = CONSULTATION_DEPENDENCIES

    @get("/restitution", name="restitution")
    async def public(self, request: Request, consultation: CurrentConsultation, actor: CurrentActor) -> Template:
        return render(
            request,
            "restitution/public.html",
            consultation=consultation,
            actor=actor,
            versions=await restitution.versions(consultation["id"]),
            formats=exporters.all_exporters(),
        )

    @get("/restitution/versions/{number:int}/{format_name:str}", name="restitution-version")
    async def version(self, consultation: CurrentConsultation, number: Id, format_name: Slug) -> Response:
        """A published version's stable link: the same file every time."""
        document = await restitution.version(consultation["id"], number)
        return await export_response(document, format_name, f"restitution-{consultation['slug']}-v{number}")

    @get("/facilitation/restitution", name="restitution-editor")
    async def editor(self, request: Request, consultation: CurrentConsultation, actor: CurrentActor) -> Template:
        actor.require_facilitator()
        return render(request, "restitution/editor.html", **await self._context(consultation, actor))

    async def _context(self, consultation: dict, actor, form: dict | None = None) -> dict:
        current = await restitution.settings(consultation["id"])
        options = current["options"]
        ordered = {group_id: index for index, group_id in enumerate(options.group_order)}
        group_rows = sorted(
            await groups.list_for(consultation["id"]),
            key=lambda group: (ordered.get(group["id"], len(ordered)), group["position"], group["id"]),
        )
        return {
            "consultation": consultation,
            "actor": actor,
            "form": form
            or {
                "introduction": current["introduction"],
                "context": current["context"],
                "next_steps": current["next_steps"],
                "min_support": options.min_support,
                "include_hidden": options.include_hidden,
                "show_authors": options.show_authors,
            },
            "groups": group_rows,
            "versions": await restitution.versions(consultation["id"]),
            "formats": exporters.all_exporters(),
        }

    @post("/facilitation/restitution", name="restitution-save")
    async def save(self, request: Request, consultation: CurrentConsultation, actor: CurrentActor) -> Template | Redirect:
        form = await read_form(request)
        data = {key: form.get(key, "") for key in ("introduction", "context", "next_steps", "min_support")}
        # Unticked checkboxes are absent from the form.
        data["include_hidden"] = form.get("include_hidden") == "1"
        data["show_authors"] = form.get("show_authors") == "1"
        numbered = [(value, key.removeprefix("order_")) for key, value in form.items() if key.startswith("order_")]
        if numbered:
            # Groups sorted by the numbers typed; ties keep the page's order. Bad numbers sort last.
            def rank(entry: tuple[str, str]) -> float:
                try:
                    return float(entry[0])
                except (TypeError, ValueError):
                    return float("inf")

            data["group_order"] = [group_id for _value, group_id in sorted(numbered, key=rank)]
        try:
            await restitution.update(consultation, actor, data)
        except ConcertoError as error:
            context = await self._context(consultation, actor, form)
            context.pop("form")
            return render_form_error(request, "restitution/editor.html", error, form, **context)
        session.flash(request, N_("Restitution saved."))
        return redirect(f"/c/{consultation['slug']}/facilitation/restitution")

    @post("/facilitation/restitution/preview", name="restitution-preview", status_code=200)
    async def preview(self, request: Request, consultation: CurrentConsultation, actor: CurrentActor) -> Response:
        """The live preview of one text (the same renderer as everywhere)."""
        actor.require_facilitator()
        form = await read_form(request)
        text = form.get("text") if isinstance(form.get("text"), str) else ""
        return Response(render_markdown(text[: restitution.TEXT_MAX]), media_type="text/html; charset=utf-8")

    @get("/facilitation/restitution/draft/{format_name:str}", name="restitution-draft")
    async def draft(self, consultation: CurrentConsultation, actor: CurrentActor, format_name: Slug) -> Response:
        document = await restitution.draft(consultation, actor)
        return await export_response(document, format_name, f"restitution-{consultation['slug']}-brouillon")

    @post("/facilitation/restitution/publish", name="restitution-publish")
    async def publish(self, request: Request, consultation: CurrentConsultation, actor: CurrentActor) -> Redirect:
        number = await restitution.publish(consultation, actor)
        session.flash(request, N_("Version %(number)s is published; its links will never change."), number=number)
        return redirect(f"/c/{consultation['slug']}/facilitation/restitution#versions")

    @post("/comments/{comment_id:int}/highlight", name="comment-highlight")
    async def highlight(self, request: Request, consultation: CurrentConsultation, actor: CurrentActor, comment_id: Id) -> Redirect:
        form = await read_form(request)
        on = await restitution.highlight(actor, comment_id, form.get("on"))
        message = N_("This comment will appear in the restitution.") if on else N_("This comment will no longer appear in the restitution.")
        session.flash(request, message, "info")
        back = form.get("next")
        if not isinstance(back, str) or not back.startswith("/") or back.startswith("//"):
            back = f"/c/{consultation['slug']}"
        return redirect(back)
