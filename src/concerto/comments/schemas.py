"""API schemas for threaded comments."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from msgspec import Struct

from concerto.web.schemas import Input, described

Body = Annotated[str, described("Markdown (raw HTML is not rendered).", "Bonne idée, à relier au fonds régional.")]


class CommentCreate(Input):
    body: Body
    parent_id: Annotated[int | None, described("The comment this one replies to.")] = None


class CommentUpdate(Input):
    body: Body


class CommentModeration(Input):
    action: Annotated[str, described("hide or restore.", "hide")]


class CommentRead(Struct):
    id: int
    contribution_id: int
    parent_id: int | None
    depth: Annotated[int, described("1 for a top-level comment, up to 3 for replies.")]
    author_id: Annotated[int | None, described("Null for a hidden comment kept so its replies make sense.")]
    author_name: Annotated[str, described("Empty for a hidden comment kept so its replies make sense.")]
    body: str
    body_html: str
    status: Annotated[str, described("published or hidden.")]
    created_at: dt.datetime
    updated_at: dt.datetime


class CommentNodeRead(CommentRead):
    replies: list[CommentNodeRead]


class CommentPageRead(Struct):
    threads: list[CommentNodeRead]
    page: int
    pages: int
    total: Annotated[int, described("Visible comments in all threads.")]
