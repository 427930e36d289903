"""Facilitator pages for typed-up post-its: a file import (upload, preview, confirm) and the scribe's quick entry."""

from __future__ import annotations

import asyncio
from typing import Any
from urllib.parse import urlencode

from litestar import Controller, Request, get, post
from litestar.datastructures import UploadFile
from litestar.response import Redirect, Template

from concerto.accounts.services import Actor
from concerto.consultations import services as consultations
from concerto.contributions import imports
from concerto.errors import N_, ConcertoError, field_error
from concerto.groups import services as groups
from concerto.i18n import ngettext
from concerto.validation import to_id
from concerto.web import session
from concerto.web.dependencies import CONSULTATION_DEPENDENCIES, CurrentActor, CurrentConsultation
from concerto.web.errors import describe
from concerto.web.pages import redirect, render
from concerto.web.params import Query

# Room for the file and the form around it; the file's own limit is checked by imports.parse.
UPLOAD_BODY_MAX = imports.MAX_FILE_BYTES + 100_000
# The confirmation sends the rows back as JSON: a little more than the file itself.
CONFIRM_BODY_MAX = 2 * imports.MAX_FILE_BYTES


def _url(consultation: dict, rest: str = "") -> str:
    return f"/c/{consultation['slug']}/facilitation/import{rest}"


async def _upload(value: Any) -> tuple[bytes, str]:
    """The bytes and name of an uploaded file (a browser sends an empty, nameless part when none is chosen)."""
    if not isinstance(value, UploadFile) or not value.filename:
        raise imports.FileRefused(N_("Choose a CSV or XLSX file to import."))
    try:
        return await value.read(), value.filename
    finally:
        await value.close()


def _default_group(value: Any) -> int | None:
    if value in (None, ""):
        return None
    group_id = to_id(value)
    if group_id is None:
        raise field_error("group", N_("This working group does not exist."))
    return group_id


def _problem(error: ConcertoError, section: str) -> tuple[int, dict]:
    """(status, what the page shows): the message, each field's reason, each line's."""
    status, _code, message, fields = describe(error)
    lines = [imports.explain(line) for line in getattr(error, "lines", [])]
    shown = {name: text for name, text in fields.items() if not name.startswith("lines[")}
    return status, {"message": message, "fields": shown, "lines": lines, "section": section}


class ImportPages(Controller):
    path = "/c/{slug:str}/facilitation/import"
    include_in_schema = False
    dependencies = CONSULTATION_DEPENDENCIES

    async def _page(
        self,
        request: Request,
        consultation: dict,
        actor: Actor,
        *,
        mode: str = "page",
        status_code: int = 200,
        **context: Any,
    ) -> Template:
        actor.require_facilitator()
        group_rows = await groups.list_for(consultation["id"])
        context.setdefault("quick", {})
        context.setdefault("file_form", {})
        context.setdefault("problem", None)
        context.setdefault("preview", None)
        return render(
            request,
            "facilitation/import.html",
            status_code=status_code,
            consultation=consultation,
            actor=actor,
            groups=group_rows,
            group_options=[(str(group["id"]), group["title"]) for group in group_rows],
            kinds=await consultations.kinds(consultation["id"]),
            mode=mode,
            max_rows=imports.MAX_ROWS,
            title_max=imports.TITLE_MAX,
            **context,
        )

    @get("/", name="facilitation-import")
    async def page(self, request: Request, consultation: CurrentConsultation, actor: CurrentActor) -> Template:
        return await self._page(request, consultation, actor)

    @get("/quick", name="facilitation-import-quick")
    async def quick_page(
        self, request: Request, consultation: CurrentConsultation, actor: CurrentActor, group: Query = "", kind: Query = ""
    ) -> Template:
        """The scribe's form alone; after each batch it comes back with the same group and kind."""
        return await self._page(request, consultation, actor, mode="quick", quick={"group": group, "kind": kind})

    @post("/quick", name="facilitation-import-quick-save")
    async def quick_save(self, request: Request, consultation: CurrentConsultation, actor: CurrentActor) -> Template | Redirect:
        actor.require_facilitator()
        form = await request.form()
        typed = {key: form.get(key) for key in ("group", "kind", "author", "lines")}
        try:
            ids = await imports.quick_entry(actor, consultation, typed)
        except ConcertoError as error:
            status, problem = _problem(error, "quick")
            shown = {key: value if isinstance(value, str) else "" for key, value in typed.items()}
            return await self._page(request, consultation, actor, mode="quick", status_code=status, quick=shown, problem=problem)
        session.flash(request, ngettext("%(num)s post-it added.", "%(num)s post-its added.", len(ids)))
        return redirect(_url(consultation, "/quick?" + urlencode({"group": to_id(typed["group"]), "kind": typed["kind"]})))

    @post("/preview", name="facilitation-import-preview", request_max_body_size=UPLOAD_BODY_MAX)
    async def preview(self, request: Request, consultation: CurrentConsultation, actor: CurrentActor) -> Template:
        actor.require_facilitator()
        form = await request.form()
        group = form.get("group")
        file_form = {"group": group if isinstance(group, str) else ""}
        try:
            data, filename = await _upload(form.get("file"))
            default = _default_group(group)
            # Reading a large .xlsx takes a moment: not on the event loop.
            rows = await asyncio.to_thread(imports.parse, data, filename)
            preview = await imports.validate(consultation["id"], rows, default)
        except ConcertoError as error:
            status, problem = _problem(error, "file")
            return await self._page(request, consultation, actor, status_code=status, file_form=file_form, problem=problem)
        return await self._preview_page(request, consultation, actor, preview, file_form)

    async def _preview_page(self, request: Request, consultation: dict, actor: Actor, preview: imports.Preview, file_form: dict) -> Template:
        problem = None
        if preview.errors:
            problem = {
                "message": ngettext(
                    "Nothing can be imported yet: %(num)s error to correct in the file.",
                    "Nothing can be imported yet: %(num)s errors to correct in the file.",
                    len(preview.errors),
                ),
                "fields": {},
                "lines": [imports.explain(error) for error in preview.errors],
                "section": "file",
            }
        return await self._page(
            request,
            consultation,
            actor,
            mode="preview",
            status_code=422 if preview.errors else 200,
            preview=preview,
            rows_json=imports.rows_to_json(preview.rows),
            file_form=file_form,
            problem=problem,
        )

    @post("/confirm", name="facilitation-import-confirm", request_max_body_size=CONFIRM_BODY_MAX)
    async def confirm(self, request: Request, consultation: CurrentConsultation, actor: CurrentActor) -> Template | Redirect:
        """Import the rows the preview sent back, validated again: nothing from the page is trusted."""
        actor.require_facilitator()
        form = await request.form()
        group = form.get("group")
        file_form = {"group": group if isinstance(group, str) else ""}
        try:
            rows = imports.rows_from_json(form.get("rows"))
            preview = await imports.validate(consultation["id"], rows, _default_group(group))
            if preview.errors:
                return await self._preview_page(request, consultation, actor, preview, file_form)
            ids = await imports.store(actor, consultation, preview)
        except ConcertoError as error:
            status, problem = _problem(error, "file")
            return await self._page(request, consultation, actor, status_code=status, file_form=file_form, problem=problem)
        session.flash(request, ngettext("%(num)s contribution imported.", "%(num)s contributions imported.", len(ids)))
        return redirect(f"/c/{consultation['slug']}/facilitation")
