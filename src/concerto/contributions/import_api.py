"""JSON API for typed-up post-its: import contributions from a CSV or XLSX file, or preview the import."""

import asyncio
from dataclasses import dataclass
from typing import Annotated

from litestar import Controller, Response, post
from litestar.datastructures import UploadFile
from litestar.params import MultipartBody
from msgspec import Struct

from concerto.contributions import imports
from concerto.web.dependencies import CONSULTATION_DEPENDENCIES, CurrentActor, CurrentConsultation
from concerto.web.schemas import described


@dataclass
class ImportUpload:
    file: UploadFile
    group: int | None = None
    dry_run: bool = False


class ImportLineRead(Struct):
    line: Annotated[int, described("The line in the spreadsheet (its first line, the column names, is 1).", 2)]
    group_id: int
    group: Annotated[str, described("The working group's title.")]
    kind: Annotated[str, described("The kind's code: acquis or enjeu.", "acquis")]
    kind_label: str
    title: str
    body: str
    author: Annotated[str, described("The author's name; empty for the shared « Post-it » participant.")]


class ImportErrorRead(Struct):
    line: int
    field: Annotated[str, described("The column: title, body, kind, group or author.", "kind")]
    message: Annotated[str, described("What to correct, naming the line, in the reader's language.")]


class ImportRead(Struct):
    dry_run: bool
    lines: Annotated[list[ImportLineRead], described("The contributions the file creates (or would create).")]
    errors: Annotated[list[ImportErrorRead], described("Every line's errors (a dry run only: otherwise they are a 422 problem).")]
    created: Annotated[list[int], described("The new contributions' ids, in the file's order; empty for a dry run.")]


def _read(preview: imports.Preview, *, dry_run: bool, created: list[int]) -> ImportRead:
    return ImportRead(
        dry_run=dry_run,
        lines=[
            ImportLineRead(
                item.line, item.group_id, item.group_title, item.kind_code, item.kind_label, item.title, item.body, item.author
            )
            for item in preview.items
        ],
        errors=[ImportErrorRead(error.line, error.field, imports.explain(error)) for error in preview.errors],
        created=created,
    )


class ImportApi(Controller):
    path = "/consultations/{slug:str}"
    tags = ["contributions"]
    dependencies = CONSULTATION_DEPENDENCIES

    @post(
        "/imports",
        summary="Import contributions from a CSV or XLSX file",
        request_max_body_size=imports.MAX_FILE_BYTES + 100_000,
        status_code=201,
    )
    async def import_contributions(
        self, consultation: CurrentConsultation, actor: CurrentActor, data: MultipartBody[ImportUpload]
    ) -> Response[ImportRead]:
        """Facilitators only. A multipart form: ``file`` (.csv or .xlsx, first line naming the columns
        titre/title, texte/body, type/kind, groupe/group, auteur/author), ``group`` (the working group
        of lines without one) and ``dry_run``. A dry run answers 200 with the preview and every line's
        errors; otherwise the import is all or nothing: 201 with the new ids, or a 422 problem whose
        ``errors`` name each line (``lines[4].kind``) and nothing is stored.
        """
        actor.require_facilitator()
        try:
            content, filename = await data.file.read(), data.file.filename or ""
        finally:
            await data.file.close()
        rows = await asyncio.to_thread(imports.parse, content, filename)
        preview = await imports.validate(consultation["id"], rows, data.group)
        if data.dry_run:
            return Response(_read(preview, dry_run=True, created=[]), status_code=200)
        created = await imports.store(actor, consultation, preview)
        return Response(_read(preview, dry_run=False, created=created), status_code=201)
