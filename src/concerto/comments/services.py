"""Threaded comments on contributions (replies down to three levels)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from concerto import db, idempotency
from concerto.accounts.services import Actor
from concerto.errors import N_, Conflict, Forbidden, NotFound, field_error
from concerto.live import announce
from concerto.markdown import render_markdown
from concerto.tables import Comment, Contribution, Participant
from concerto.validation import FieldErrors, moderation_status, to_id

BODY_MAX = 5_000
MAX_DEPTH = 3
THREADS_PER_PAGE = 20

COMMENT_COLUMNS = (
    Comment.id,
    Comment.contribution,
    Comment.parent,
    Comment.depth,
    Comment.author,
    Comment.author.display_name.as_alias("author_name"),
    Comment.body,
    Comment.body_html,
    Comment.status,
    Comment.highlighted,
    Comment.created_at,
    Comment.updated_at,
)


@dataclass
class CommentNode:
    comment: dict
    replies: list[CommentNode] = field(default_factory=list)


@dataclass
class CommentPage:
    threads: list[CommentNode]
    page: int
    pages: int
    total: int  # visible comments in all threads



def _body(data: dict[str, Any]) -> str:
    errors = FieldErrors()
    body = errors.text("body", data.get("body"), max_length=BODY_MAX)
    errors.raise_if_any()
    return body


async def _open_contribution(actor: Actor, contribution_id: int) -> None:
    row = await Contribution.select(
        Contribution.status, Contribution.consultation.status.as_alias("consultation_status")
    ).where((Contribution.id == contribution_id) & (Contribution.consultation == actor.consultation_id)).first()
    if row is None or row["status"] != "published":
        raise NotFound(N_("This contribution does not exist."))
    if row["consultation_status"] != "open":
        raise Conflict(N_("This consultation is not open for participation."))


async def add(actor: Actor, contribution_id: int, data: dict[str, Any], *, key: Any = None) -> int:
    """Comment on a contribution (or reply); ``key``: an idempotency key, as for contributions."""
    author = actor.require_participant()
    body = _body(data)
    key = idempotency.checked(key)
    parent_id = data.get("parent_id")
    if parent_id in ("", None):
        parent_id = None
    else:
        parent_id = to_id(parent_id)
        if parent_id is None:
            raise field_error("parent_id", N_("The comment you are replying to does not exist."))
    async with db.write_transaction():
        if key is not None:
            await db.lock_for_update(Participant, author)
            earlier = await idempotency.seen(author, key, "comment")
            if earlier is not None:
                return earlier
        await _open_contribution(actor, contribution_id)
        depth = 1
        if parent_id is not None:
            parent = await Comment.select(Comment.depth, Comment.status).where(
                (Comment.id == parent_id) & (Comment.contribution == contribution_id)
            ).first()
            if parent is None or parent["status"] != "published":
                raise field_error("parent_id", N_("The comment you are replying to does not exist."))
            if parent["depth"] >= MAX_DEPTH:
                raise Conflict(N_("Replies go at most %(depth)s levels deep; reply higher up the thread."), depth=MAX_DEPTH)
            depth = parent["depth"] + 1
        rows = await Comment.insert(
            Comment(
                contribution=contribution_id,
                parent=parent_id,
                depth=depth,
                author=author,
                body=body,
                body_html=render_markdown(body),
            )
        ).returning(Comment.id)
        await idempotency.remember(author, key, "comment", rows[0]["id"])
    await announce.comments_changed(contribution_id)
    return rows[0]["id"]


async def _comment_in_consultation(actor: Actor, comment_id: int) -> dict:
    row = await Comment.select(
        Comment.author, Comment.status, Comment.contribution
    ).where((Comment.id == comment_id) & (Comment.contribution.consultation == actor.consultation_id)).first()
    if row is None or (row["status"] != "published" and not actor.is_facilitator):
        raise NotFound(N_("This comment does not exist."))
    return row


async def edit(actor: Actor, comment_id: int, data: dict[str, Any]) -> None:
    author = actor.require_participant()
    body = _body(data)
    async with db.write_transaction():
        row = await _comment_in_consultation(actor, comment_id)
        if row["author"] != author:
            raise Forbidden(N_("You can only change your own comments."))
        if row["status"] != "published":
            raise Conflict(N_("This comment can no longer be edited."))
        await _open_contribution(actor, row["contribution"])
        await Comment.update(
            {Comment.body: body, Comment.body_html: render_markdown(body), Comment.updated_at: db.now()}
        ).where(Comment.id == comment_id)
    await announce.comments_changed(row["contribution"])


async def moderate(actor: Actor, comment_id: int, action: Any) -> str:
    actor.require_facilitator()
    status = moderation_status(action)
    async with db.write_transaction():
        row = await _comment_in_consultation(actor, comment_id)
        await Comment.update({Comment.status: status}).where(Comment.id == comment_id)
    await announce.comments_changed(row["contribution"])
    return status


async def get(actor: Actor, comment_id: int) -> dict:
    row = await Comment.select(*COMMENT_COLUMNS).where(
        (Comment.id == comment_id) & (Comment.contribution.consultation == actor.consultation_id)
    ).first()
    if row is None or (row["status"] != "published" and not actor.is_facilitator):
        raise NotFound(N_("This comment does not exist."))
    return row


async def thread_page(actor: Actor, contribution_id: int, page: Any = 1) -> CommentPage:
    """One page of top-level threads, each with all its replies.

    Hidden comments keep their place for facilitators; for everyone else a
    hidden comment with visible replies shows as a placeholder, so the replies
    still make sense.
    """
    try:
        page = max(1, int(page))
    except (TypeError, ValueError):
        page = 1
    rows = await Comment.select(*COMMENT_COLUMNS).where(Comment.contribution == contribution_id).order_by(
        Comment.created_at
    ).order_by(Comment.id)
    nodes = {row["id"]: CommentNode(row) for row in rows}
    roots: list[CommentNode] = []
    for node in nodes.values():
        parent = node.comment["parent"]
        (nodes[parent].replies if parent in nodes else roots).append(node)
    if not actor.is_facilitator:
        roots = _prune_hidden(roots)
    total = sum(_count_visible(node) for node in roots)
    pages = max(1, -(-len(roots) // THREADS_PER_PAGE))
    page = min(page, pages)
    start = (page - 1) * THREADS_PER_PAGE
    return CommentPage(roots[start : start + THREADS_PER_PAGE], page, pages, total)


def _prune_hidden(nodes: list[CommentNode]) -> list[CommentNode]:
    kept = []
    for node in nodes:
        node.replies = _prune_hidden(node.replies)
        if node.comment["status"] == "published":
            kept.append(node)
        elif node.replies:
            node.comment = {**node.comment, "body": "", "body_html": "", "author": None, "author_name": ""}
            kept.append(node)
    return kept


def _count_visible(node: CommentNode) -> int:
    return (node.comment["status"] == "published") + sum(_count_visible(reply) for reply in node.replies)
