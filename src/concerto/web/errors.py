"""One place that turns every error into a French page or an RFC 9457 problem."""

from __future__ import annotations

import logging
from typing import Any

from litestar import MediaType, Request, Response
from litestar.exceptions import HTTPException, PermissionDeniedException, ValidationException
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
_SERVER = ("server-error", N_("Something went wrong on our side. Your action was not saved; please try again."))


def _translate_fields(fields: dict[str, tuple[str, dict[str, Any]]]) -> dict[str, str]:
    return {name: i18n.gettext(message, **params) for name, (message, params) in fields.items()}


def describe(exc: Exception) -> tuple[int, str, str, dict[str, str]]:
    """(status, code, translated message, translated field errors) for any exception."""
    if isinstance(exc, ConcertoError):
        return exc.status_code, exc.code, i18n.gettext(exc.message, **exc.params), _translate_fields(exc.fields)
    if isinstance(exc, PermissionDeniedException) and "CSRF" in str(exc.detail):
        code, message = _CSRF
        return 403, code, i18n.gettext(message), {}
    if isinstance(exc, HTTPException) and exc.status_code < 500:
        code, message = _HTTP_MESSAGES.get(exc.status_code, _HTTP_MESSAGES[400])
        fields: dict[str, str] = {}
        if isinstance(exc, ValidationException) and isinstance(exc.extra, list):
            for item in exc.extra:
                if isinstance(item, dict) and item.get("key"):
                    fields[str(item["key"])] = str(item.get("message", ""))
        return exc.status_code, code, i18n.gettext(message), fields
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
    if status >= 500:
        log.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    headers = {}
    if isinstance(exc, HTTPException) and exc.headers:
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
