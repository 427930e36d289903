"""Restitution pages: the facilitators' editor and downloads, and the published versions."""

from __future__ import annotations

import asyncio

from litestar import Controller, Request, get, post
from litestar.response import Redirect, Response, Template

from concerto import i18n
from concerto.errors import N_, ConcertoError, NotFound
from concerto.groups import services as groups
from concerto.markdown import render_markdown
from concerto.restitution import exporters
from concerto.restitution import services as restitution
from concerto.restitution.build import FIGURES, SECTIONS, Options
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


def _choice(value: bool | None) -> str:
    return "auto" if value is None else "1" if value else "0"


def _figure_choices() -> list[tuple[str, str]]:
    """Each headline figure with what it counts, for the editor's checkboxes."""
    _ = i18n.gettext
    return [
        ("participants", _("Participants (people who joined, not the facilitators, plus those declared below)")),
        ("meetings", _("Meetings held (calendar entries with a known attendance)")),
        ("attendance", _("Attendances at the meetings (the sum of each meeting's attendance)")),
        ("contributors", _("Contributors")),
        ("contributions", _("Contributions")),
        ("votes", _("Votes")),
        ("supporters", _("People who voted")),
        ("comments", _("Comments")),
    ]


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

    @staticmethod
    def _form(current: dict) -> dict:
        """The form's fields as saved (the names the page posts, see ``save``)."""
        options = current["options"]
        form = {
            "introduction": current["introduction"],
            "context": current["context"],
            "figures_text": current["figures_text"],
            "next_steps": current["next_steps"],
            "min_support": options.min_support,
            "include_hidden": options.include_hidden,
            "show_authors": options.show_authors,
            "subtitle": options.subtitle,
            "date": options.date.isoformat() if options.date else "",
            "organiser": options.organiser,
            "declared_participants": "" if options.declared_participants is None else options.declared_participants,
            "show_support": _choice(options.show_support),
            "show_chart": options.show_chart,
            "csv_french": _choice(options.csv_french),
        }
        for section in SECTIONS:
            form[f"title_{section}"] = options.title(section)
            form[f"include_{section}"] = section not in options.omitted
        for key in FIGURES:
            form[f"figure_{key}"] = key in options.figures
        return form

    async def _context(self, consultation: dict, actor, form: dict | None = None) -> dict:
        current = await restitution.settings(consultation["id"])
        options = current["options"]
        usual = restitution.section_titles(Options())
        ordered = {group_id: index for index, group_id in enumerate(options.group_order)}
        group_rows = sorted(
            await groups.list_for(consultation["id"]),
            key=lambda group: (ordered.get(group["id"], len(ordered)), group["position"], group["id"]),
        )
        return {
            "consultation": consultation,
            "actor": actor,
            "form": form or self._form(current),
            "sections": [(section, usual[section]) for section in SECTIONS],
            "figure_choices": _figure_choices(),
            "groups": group_rows,
            "versions": await restitution.versions(consultation["id"]),
            "formats": exporters.all_exporters(),
        }

    @post("/facilitation/restitution", name="restitution-save")
    async def save(self, request: Request, consultation: CurrentConsultation, actor: CurrentActor) -> Template | Redirect:
        form = await read_form(request)
        fields = ("introduction", "context", "figures_text", "next_steps", "min_support", "subtitle", "date", "organiser", "declared_participants")
        data = {key: form.get(key, "") for key in fields}
        # Unticked checkboxes are absent from the form.
        for name in ("include_hidden", "show_authors", "show_chart"):
            data[name] = form.get(name) == "1"
        for name in ("show_support", "csv_french"):
            data[name] = form.get(name, "auto")  # "auto", "1" or "0": the service reads them
        data["titles"] = {section: form.get(f"title_{section}", "") for section in SECTIONS}
        data["omitted"] = [section for section in SECTIONS if form.get(f"include_{section}") != "1"]
        data["figures"] = [key for key in FIGURES if form.get(f"figure_{key}") == "1"]
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
