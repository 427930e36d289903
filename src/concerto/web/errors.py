"""One place that turns every error into a French page or an RFC 9457 problem."""

from __future__ import annotations

import logging
import re
from typing import Any

from litestar import MediaType, Request, Response
from litestar.exceptions import HTTPException, PermissionDeniedException, SerializationException, ValidationException
from litestar.response import Template

from concerto import i18n
from concerto.errors import N_, ConcertoError

log = logging.getLogger("concerto")

PROBLEM_TYPE_BASE = "https://concerto.example/problems/"

# Framework errors (routing, parsing, CSRF, rate limits) in words a person understands.
_HTTP_MESSAGES = {
    400: ("bad-request", N_("The request could not be understood. Check what you entered and try again.")),
    401: ("not-authenticated", N_("You need to join the consultation or sign in first")),
    403: ("forbidden", N_("You are not allowed to do this")),
    404: ("not-found", N_("This page or item does not exist")),
    405: ("method-not-allowed", N_("This action is not available at this address.")),
    409: ("conflict", N_("This action is not possible right now")),
    413: ("too-large", N_("What you sent is too large.")),
    415: ("unsupported-media-type", N_("This type of content is not accepted here.")),
    429: ("too-many-requests", N_("Too many actions in a short time; wait a moment and try again")),
}
_CSRF = ("csrf-failed", N_("This form has expired or did not come from Concerto. Reload the page and try again."))
_CSRF_API = N_("Missing or wrong CSRF token: send the value of the csrftoken cookie in the x-csrftoken header.")
_SERVER = ("server-error", N_("Something went wrong on our side. Your action was not saved; please try again."))


# Litestar reports wrong parameters and JSON bodies with msgspec's English messages;
# these patterns turn them into the sentences the services already use.
_NOT_JSON = N_("What you sent is not valid JSON.")
_BODY_NOT_OBJECT = N_("What you sent must be a JSON object with the expected fields.")
_WRONG_TYPE = {
    "str": N_("This field must be text."),
    "int": N_("Enter a whole number."),
    "float": N_("Enter a number."),
    "bool": N_("Choose true or false."),
    "object": N_("This field must be a JSON object."),
    "array": N_("This field must be a list."),
}
_INVALID_VALUE = N_("This value is not valid.")
_EXPECTED = re.compile(r"^Expected `(?P<type>\w+)[^`]*`, got `\w+`")
_BOUND = re.compile(r"^Expected `(?P<type>\w+)`(?P<length> of length)? (?P<op>[<>]=?) (?P<bound>-?\d+)$")
_MISSING = re.compile(r"^Object missing required field `(?P<field>[^`]+)`")
_UNKNOWN = re.compile(r"^Object contains unknown field `(?P<field>[^`]+)`")


def _field_message(text: str) -> tuple[str, str | None, dict[str, Any]]:
    """(msgid, field named in the message or None, params) for one msgspec message."""
    if match := _MISSING.match(text):
        return N_("This field is required."), match["field"], {}
    if match := _UNKNOWN.match(text):
        return N_("This field is not accepted here."), match["field"], {}
    if match := _EXPECTED.match(text):
        return _WRONG_TYPE.get(match["type"], _INVALID_VALUE), None, {}
    if match := _BOUND.match(text):
        bound = int(match["bound"]) + {"<": -1, ">": 1}.get(match["op"], 0)
        if match["length"]:
            if match["op"].startswith("<"):
                return N_("This field is too long (at most %(max)s characters)."), None, {"max": bound}
            return N_("This field is required."), None, {}
        if match["op"].startswith("<"):
            return N_("Enter a number no greater than %(max)s."), None, {"max": bound}
        return N_("Enter a number no less than %(min)s."), None, {"min": bound}
    if text.startswith("Invalid enum value"):
        return N_("Choose one of the options offered."), None, {}
    return _INVALID_VALUE, None, {}


def _describe_validation(items: list) -> tuple[int, str, str, dict[str, str]]:
    """A 400 for parameters or a body of the wrong shape, with a readable reason per field."""
    code, message = _HTTP_MESSAGES[400]
    fields: dict[str, str] = {}
    for item in items:
        if not isinstance(item, dict):
            continue
        msgid, named, params = _field_message(str(item.get("message", "")))
        key = named or str(item.get("key") or "")
        if not named and item.get("source") == "body" and key == "data":
            # The body itself is missing or is not an object.
            message = _BODY_NOT_OBJECT
            continue
        fields.setdefault(key or "body", _translate(msgid, params))
    return 400, code, i18n.gettext(message), fields


def _translate(message: str, params: dict[str, Any]) -> str:
    """The message in the reader's language, numbers written their way (1 000 000 in French)."""
    shown = {
        key: i18n.format_number(value) if isinstance(value, int) and not isinstance(value, bool) else value
        for key, value in params.items()
    }
    return i18n.gettext(message, **shown)


def _translate_fields(fields: dict[str, tuple[str, dict[str, Any]]]) -> dict[str, str]:
    return {name: _translate(message, params) for name, (message, params) in fields.items()}


def _lost_reference(exc: Exception) -> bool:
    """A write that names a row deleted meanwhile (a participant erased while their vote was on its way).

    Both databases check foreign keys at the statement; the services read the rows
    first, so this is only the race with a concurrent delete: the state refused it.
    """
    import sqlite3

    try:
        from asyncpg.exceptions import ForeignKeyViolationError
    except ImportError:  # pragma: no cover - asyncpg is a dependency
        ForeignKeyViolationError = ()  # noqa: N806
    if isinstance(exc, ForeignKeyViolationError):
        return True
    return isinstance(exc, sqlite3.IntegrityError) and "FOREIGN KEY" in str(exc)


def describe(exc: Exception) -> tuple[int, str, str, dict[str, str]]:
    """(status, code, translated message, translated field errors) for any exception."""
    if _lost_reference(exc):
        log.warning("write refused: it names a row deleted meanwhile (%s)", exc)
        code, message = _HTTP_MESSAGES[409]
        return 409, code, i18n.gettext(message), {}
    if isinstance(exc, ConcertoError):
        return exc.status_code, exc.code, _translate(exc.message, exc.params), _translate_fields(exc.fields)
    if isinstance(exc, PermissionDeniedException) and "CSRF" in str(exc.detail):
        code, message = _CSRF
        return 403, code, i18n.gettext(message), {}
    if isinstance(exc, ValidationException) and isinstance(exc.extra, list):
        return _describe_validation(exc.extra)
    if isinstance(exc, HTTPException) and exc.status_code < 500:
        code, message = _HTTP_MESSAGES.get(exc.status_code, _HTTP_MESSAGES[400])
        if isinstance(exc.__cause__, SerializationException):
            # Litestar could not decode the body (malformed JSON, a number out of range).
            message = _NOT_JSON
        return exc.status_code, code, i18n.gettext(message), {}
    code, message = _SERVER
    return 500, code, i18n.gettext(message), {}


def wants_problem(request: Request) -> bool:
    """API calls, and the page forms concerto.js submits with fetch()."""
    return request.url.path.startswith("/api/") or request.headers.get("x-requested-with") == "fetch"


def problem_response(status: int, code: str, message: str, fields: dict[str, str], instance: str) -> Response:
    body: dict[str, Any] = {
        "type": PROBLEM_TYPE_BASE + code,
        "title": message,
        "status": status,
        "detail": message,
        "instance": instance,
    }
    if fields:
        body["errors"] = fields
        body["detail"] = " ".join(f"{name}: {text}" for name, text in fields.items())
    return Response(body, status_code=status, media_type="application/problem+json")


def handle_exception(request: Request, exc: Exception) -> Response:
    status, code, message, fields = describe(exc)
    if code == _CSRF[0] and request.url.path.startswith("/api/"):
        message = i18n.gettext(_CSRF_API)
    if status >= 500:
        log.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    headers = {}
    if isinstance(exc, (HTTPException, ConcertoError)) and exc.headers:
        headers.update(exc.headers)
    if wants_problem(request):
        response = problem_response(status, code, message, fields, request.url.path)
        response.headers.update(headers)
        return response
    return Template(
        "errors/error.html",
        context={"status": status, "message": message, "fields": fields},
        status_code=status,
        media_type=MediaType.HTML,
        headers=headers,
    )
