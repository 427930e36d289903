"""Domain errors raised by services and turned into pages or problem details.

Messages are English msgids marked with ``N_`` and translated when shown, so a
service never needs to know who is reading.
"""

from __future__ import annotations

from typing import Any


def N_(message: str) -> str:
    """Mark a string for translation without translating it yet."""
    return message


class ConcertoError(Exception):
    status_code = 400
    code = "invalid-request"
    title = N_("The request cannot be processed")
    headers: dict[str, str] = {}  # sent with the answer (e.g. retry-after)

    def __init__(
        self,
        message: str | None = None,
        *,
        fields: dict[str, tuple[str, dict[str, Any]]] | None = None,
        **params: Any,
    ) -> None:
        self.message = message or self.title
        # Field name -> (msgid, params), for forms that show errors by each input.
        self.fields = fields or {}
        self.params = params
        super().__init__(self.message)


class Invalid(ConcertoError):
    status_code = 422
    code = "invalid-input"
    title = N_("Some fields need correcting")


class NotFound(ConcertoError):
    status_code = 404
    code = "not-found"
    title = N_("This page or item does not exist")


class NotAuthenticated(ConcertoError):
    status_code = 401
    code = "not-authenticated"
    title = N_("You need to join the consultation or sign in first")


class Forbidden(ConcertoError):
    status_code = 403
    code = "forbidden"
    title = N_("You are not allowed to do this")


class Conflict(ConcertoError):
    """The request is valid but the current state refuses it (phase closed, budget spent)."""

    status_code = 409
    code = "conflict"
    title = N_("This action is not possible right now")


class RateLimited(ConcertoError):
    status_code = 429
    code = "too-many-requests"
    title = N_("Too many actions in a short time; wait a moment and try again")


def field_error(field: str, message: str, **params: Any) -> Invalid:
    return Invalid(fields={field: (message, params)})
