"""The request class: JSON bodies that cannot be read are the client's error.

Litestar turns a malformed JSON body into a 400, but msgspec raises other
exceptions for two kinds of bad bodies that Litestar 2 lets through as server
errors: bytes that are not UTF-8 inside a string, and nesting deeper than the
decoder's recursion limit. Both are the sender's mistake, so they become the
same 400 « the body is not valid JSON » as any other unreadable body.
"""

from __future__ import annotations

from typing import Any

from litestar import Request
from litestar.exceptions import SerializationException


class ConcertoRequest(Request):
    async def json(self) -> Any:
        try:
            return await super().json()
        except (UnicodeDecodeError, RecursionError) as error:
            raise SerializationException(f"unreadable JSON body: {type(error).__name__}") from error
