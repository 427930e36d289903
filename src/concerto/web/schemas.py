"""What every API schema module shares: partial input and field descriptions."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

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
