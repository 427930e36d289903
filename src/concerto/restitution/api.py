"""JSON API for the restitution: every text and option the editor has, drafts, publishing.

Facilitators only, but for the published versions, which anyone who can read
the consultation can list (their files are at stable links).
"""

from __future__ import annotations

from litestar import Controller, get, post, put
from litestar.params import JSONBody
from litestar.response import Response

from concerto.restitution import exporters
from concerto.restitution import services as restitution
from concerto.restitution.pages import export_response
from concerto.restitution.schemas import HighlightRead, HighlightUpdate, RestitutionRead, RestitutionUpdate, VersionRead
from concerto.web.dependencies import CONSULTATION_DEPENDENCIES, CurrentActor, CurrentConsultation
from concerto.web.params import Id, Slug
from concerto.web.schemas import given


def _version(slug: str, row: dict) -> VersionRead:
    return VersionRead(
        number=row["number"],
        published_at=row["published_at"],
        published_by=row["published_by"],
        content_hash=row["content_hash"],
        links={
            exporter.name: f"/c/{slug}/restitution/versions/{row['number']}/{exporter.name}"
            for exporter in exporters.all_exporters()
        },
    )


async def _read(consultation: dict) -> RestitutionRead:
    current = await restitution.settings(consultation["id"])
    options = restitution.options_dict(current["options"])
    slug = consultation["slug"]
    return RestitutionRead(
        introduction=current["introduction"],
        context=current["context"],
        figures_text=current["figures_text"],
        next_steps=current["next_steps"],
        **{**options, "date": current["options"].date},
        section_titles=restitution.section_titles(current["options"]),
        drafts={exporter.name: f"/api/v1/consultations/{slug}/restitution/draft/{exporter.name}" for exporter in exporters.all_exporters()},
        versions=[_version(slug, row) for row in await restitution.versions(consultation["id"])],
    )


class RestitutionApi(Controller):
    path = "/consultations/{slug:str}/restitution"
    tags = ["restitution"]
    dependencies = CONSULTATION_DEPENDENCIES

    @get("", summary="Read the restitution's texts and options")
    async def read_restitution(self, consultation: CurrentConsultation, actor: CurrentActor) -> RestitutionRead:
        """Everything the editor page shows, with the draft's download links and the published versions."""
        actor.require_facilitator()
        return await _read(consultation)

    @put("", summary="Change the restitution's texts and options")
    async def update_restitution(
        self, consultation: CurrentConsultation, actor: CurrentActor, data: JSONBody[RestitutionUpdate]
    ) -> RestitutionRead:
        """Send just what changes. Any invalid field: nothing is stored, each field says why."""
        fields = given(data)
        if "titles" in fields:
            fields["titles"] = given(fields["titles"])
        await restitution.update(consultation, actor, fields)
        return await _read(consultation)

    @put("/comments/{comment_id:int}", summary="Highlight a comment in the restitution, or not")
    async def highlight(self, actor: CurrentActor, comment_id: Id, data: JSONBody[HighlightUpdate]) -> HighlightRead:
        """What each comment's « Mettre en avant dans la restitution » does; a hidden comment cannot be highlighted."""
        return HighlightRead(comment_id=comment_id, highlighted=await restitution.highlight(actor, comment_id, data.highlighted))

    @get("/draft/{format_name:str}", summary="Download the draft in one format", media_type="application/octet-stream")
    async def draft(self, consultation: CurrentConsultation, actor: CurrentActor, format_name: Slug) -> Response:
        """odt, docx, pdf, html, md, csv or json: the restitution as it reads now (saved texts)."""
        document = await restitution.draft(consultation, actor)
        return await export_response(document, format_name, f"restitution-{consultation['slug']}-brouillon")

    @get("/versions", summary="List the published versions")
    async def list_versions(self, consultation: CurrentConsultation) -> list[VersionRead]:
        """Newest first, each with its content hash and stable download links."""
        return [_version(consultation["slug"], row) for row in await restitution.versions(consultation["id"])]

    @post("/versions", summary="Publish the restitution as a new version")
    async def publish(self, consultation: CurrentConsultation, actor: CurrentActor) -> VersionRead:
        """Freezes the document as it reads now, as the next numbered version; it never changes after."""
        number = await restitution.publish(consultation, actor)
        rows = await restitution.versions(consultation["id"])
        return _version(consultation["slug"], next(row for row in rows if row["number"] == number))

    @get("/versions/{number:int}", summary="Read a published version's document")
    async def read_version(self, consultation: CurrentConsultation, number: Id) -> Response:
        """The frozen document as JSON (the same as its json download)."""
        document = await restitution.version(consultation["id"], number)
        return await export_response(document, "json", f"restitution-{consultation['slug']}-v{number}")
