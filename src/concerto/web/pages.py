"""Helpers for HTML page handlers: render with flashes, redirect, read forms."""

from __future__ import annotations

from typing import Any

from litestar import MediaType, Request
from litestar.response import Redirect, Template

from concerto.errors import ConcertoError
from concerto.web import session
from concerto.web.errors import describe


def render(request: Request, template: str, *, status_code: int = 200, **context: Any) -> Template:
    context["flashes"] = session.pop_flashes(request)
    context.setdefault("error", None)
    context.setdefault("field_errors", {})
    context.setdefault("form", {})
    return Template(template, context=context, status_code=status_code, media_type=MediaType.HTML)


def render_form_error(request: Request, template: str, error: ConcertoError, form: dict, **context: Any) -> Template:
    """The same form again, with what was typed and the reasons it was refused."""
    status, _code, message, fields = describe(error)
    return render(request, template, status_code=status, form=form, error=message, field_errors=fields, **context)


def redirect(path: str) -> Redirect:
    # 303: the browser follows with a GET, so a reload never re-posts the form.
    return Redirect(path=path, status_code=303)


def wants_fragment(request: Request) -> bool:
    """True for the progressive-enhancement fetch() calls made by concerto.js."""
    return request.headers.get("x-requested-with") == "fetch"


async def read_form(request: Request) -> dict[str, Any]:
    form = await request.form()
    return {key: form.get(key) for key in form.keys() if key != "_csrf_token"}
