"""Typed request parameters shared by page and API handlers."""

from __future__ import annotations

from typing import Annotated

from litestar.params import Parameter

from concerto.validation import MAX_ID

# Ids beyond the database's integer range would fail in the driver, not in a 404.
Id = Annotated[int, Parameter(ge=1, le=MAX_ID)]
Slug = Annotated[str, Parameter(max_length=60)]
