"""Typed request parameters shared by page and API handlers."""

from __future__ import annotations

from typing import Annotated

from litestar.params import HeaderParameter, PathParameter, QueryParameter

from concerto.validation import MAX_ID

# Ids beyond the database's integer range would fail in the driver, not in a 404.
Id = Annotated[int, PathParameter(ge=1, le=MAX_ID)]
Slug = Annotated[str, PathParameter(max_length=60)]
# Listing options are read leniently by the services: any text is accepted here.
Query = Annotated[str, QueryParameter(max_length=200)]
Token = Annotated[str, PathParameter(max_length=100)]
# Sent again with a retried write (lost connection), so it is applied once; see concerto.idempotency.
IdempotencyKey = Annotated[
    str | None,
    HeaderParameter(
        name="idempotency-key",
        max_length=64,
        description="8 to 64 letters, digits, - or _: a retried request with the same key is applied once.",
    ),
]
