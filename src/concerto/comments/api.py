"""JSON API for comments: threads, replies, editing and moderation."""

from typing import Annotated

from litestar import Controller, get, patch, post
from litestar.params import JSONBody, QueryParameter

from concerto.comments import services as comments
from concerto.comments.schemas import (
    CommentCreate,
    CommentModeration,
    CommentNodeRead,
    CommentPageRead,
    CommentRead,
    CommentUpdate,
)
from concerto.contributions import services as contributions
from concerto.labels import author_label
from concerto.web.dependencies import CONSULTATION_DEPENDENCIES, CurrentActor, CurrentConsultation
from concerto.web.params import Id, IdempotencyKey
from concerto.web.schemas import given

Page = Annotated[int, QueryParameter(description="Page of top-level threads, from 1.")]


def _fields(row: dict) -> dict:
    """A comment row under the API's field names."""
    return {
        "id": row["id"],
        "contribution_id": row["contribution"],
        "parent_id": row["parent"],
        "depth": row["depth"],
        "author_id": row["author"],
        # A placeholder kept for its replies has no author; an anonymised one is named so.
        "author_name": author_label(row["author_name"]) if row["author"] is not None else "",
        "body": row["body"],
        "body_html": row["body_html"],
        "status": row["status"],
        "created_at": row["created_at"],
        "updated_at": row["updated_at"],
    }


def _node(node: comments.CommentNode) -> CommentNodeRead:
    return CommentNodeRead(**_fields(node.comment), replies=[_node(reply) for reply in node.replies])


class CommentApi(Controller):
    path = "/consultations/{slug:str}"
    tags = ["comments"]
    dependencies = CONSULTATION_DEPENDENCIES

    @get("/contributions/{contribution_id:int}/comments", summary="Read a contribution's comment threads")
    async def list_comments(
        self, consultation: CurrentConsultation, actor: CurrentActor, contribution_id: Id, page: Page = 1
    ) -> CommentPageRead:
        """One page of top-level threads, each with all its replies."""
        # Only the threads of a contribution this reader may see.
        await contributions.get(consultation["id"], contribution_id, actor)
        found = await comments.thread_page(actor, contribution_id, page)
        return CommentPageRead(
            threads=[_node(node) for node in found.threads], page=found.page, pages=found.pages, total=found.total
        )

    @post("/contributions/{contribution_id:int}/comments", summary="Comment on a contribution, or reply")
    async def create_comment(
        self, actor: CurrentActor, contribution_id: Id, data: JSONBody[CommentCreate], idempotency_key: IdempotencyKey = None
    ) -> CommentRead:
        """Participants and facilitators; give parent_id to reply (replies go three levels deep).

        Send an ``Idempotency-Key`` header to retry safely: the same key gives the same comment.
        """
        comment_id = await comments.add(actor, contribution_id, given(data), key=idempotency_key)
        return CommentRead(**_fields(await comments.get(actor, comment_id)))

    @patch("/comments/{comment_id:int}", summary="Edit your comment")
    async def update_comment(self, actor: CurrentActor, comment_id: Id, data: JSONBody[CommentUpdate]) -> CommentRead:
        """Its author only, while the consultation is open."""
        await comments.edit(actor, comment_id, given(data))
        return CommentRead(**_fields(await comments.get(actor, comment_id)))

    @post("/comments/{comment_id:int}/moderation", status_code=200, summary="Hide or restore a comment")
    async def moderate_comment(
        self, actor: CurrentActor, comment_id: Id, data: JSONBody[CommentModeration]
    ) -> CommentRead:
        """Facilitators only."""
        await comments.moderate(actor, comment_id, data.action)
        return CommentRead(**_fields(await comments.get(actor, comment_id)))
