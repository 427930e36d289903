"""Typed request parameters shared by page and API handlers."""

from __future__ import annotations

from typing import Annotated

from litestar.params import PathParameter, QueryParameter

from concerto.validation import MAX_ID

# Ids beyond the database's integer range would fail in the driver, not in a 404.
Id = Annotated[int, PathParameter(ge=1, le=MAX_ID)]
Slug = Annotated[str, PathParameter(max_length=60)]
# Listing options are read leniently by the services: any text is accepted here.
Query = Annotated[str, QueryParameter(max_length=200)]
Token = Annotated[str, PathParameter(max_length=100)]
