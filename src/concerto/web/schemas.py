"""What every API schema module shares: partial input and field descriptions."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any, TypeVar

import msgspec
from msgspec import UNSET, Meta, Struct

S = TypeVar("S", bound=Struct)


class Input(Struct, forbid_unknown_fields=True, kw_only=True):
    """Base of request bodies: a misspelt field is refused rather than silently ignored."""


def given(data: Struct) -> dict[str, Any]:
    """The fields a client actually sent, as the dict services take (unsent ones left out)."""
    return {name: value for name in data.__struct_fields__ if (value := getattr(data, name)) is not UNSET}


def described(text: str, *examples: Any) -> Meta:
    """Documentation for one field in the OpenAPI schema (constraints stay in the services)."""
    schema: dict[str, Any] = {"description": text}
    if examples:
        schema["examples"] = list(examples)
    return Meta(extra_json_schema=schema)


def read(row: Mapping[str, Any], schema: type[S]) -> S:
    """A service's row as an API schema (extra columns are left out)."""
    return msgspec.convert(row, schema, strict=False)



class Problem(Struct):
    """An error, as RFC 9457 problem details (``application/problem+json``), in the reader's language."""

    type: Annotated[str, described("What kind of problem, as a URI ending in a stable code.", "https://concerto.example/problems/invalid-input")]
    title: Annotated[str, described("What went wrong, for a person (French unless Accept-Language asks for English).")]
    status: Annotated[int, described("The HTTP status, repeated.", 422)]
    detail: Annotated[str, described("The same, with each refused field and its reason when there are some.")]
    instance: Annotated[str, described("The address that was called.")]
    errors: Annotated[dict[str, str] | None, described("Refused fields, each with its reason.", {"title": "Ce champ est obligatoire."})] = None


# Every API operation may answer these; documented once for all (see concerto.api).
PROBLEM_STATUSES = {
    400: "The body or a parameter could not be read (not JSON, wrong type, unknown field).",
    401: "Join the consultation or sign in first.",
    403: "Not allowed for this person, or the CSRF header is missing (send the csrftoken cookie's value in x-csrftoken).",
    404: "The consultation or the item does not exist, or is not visible to this person.",
    409: "Not possible in the current state (phase closed, vote budget used, later changes to undo first...).",
    413: "The body is too large.",
    422: "Some fields need correcting: see errors.",
    429: "Too many writes in a short time; wait and try again.",
}
