"""Helpers for HTML page handlers: render with flashes, redirect, read forms."""

from __future__ import annotations

import asyncio
import contextvars
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from litestar import MediaType, Request
from litestar.response import Redirect, Template
from litestar.response.base import ASGIResponse

from concerto.errors import ConcertoError
from concerto.web import session
from concerto.web.errors import describe


def render(request: Request, template: str, *, status_code: int = 200, **context: Any) -> Template:
    context["flashes"] = session.pop_flashes(request)
    context.setdefault("error", None)
    context.setdefault("field_errors", {})
    context.setdefault("form", {})
    return OffLoopTemplate(template, context=context, status_code=status_code, media_type=MediaType.HTML)


# Pages are rendered here, not on the event loop: a group page of a hundred contributions takes
# milliseconds of Jinja, and a busy process would otherwise hold the live updates' timers and
# every other request behind each render (Python switches threads every few milliseconds).
_RENDERERS = ThreadPoolExecutor(max_workers=2, thread_name_prefix="render")


class _RenderedOffLoop(ASGIResponse):
    """An HTML answer whose body is rendered in a worker thread when it is sent."""

    _should_set_content_length = False  # known once rendered

    def __init__(self, render: Any, **kwargs: Any) -> None:
        super().__init__(body=b"", **kwargs)
        self._render = render

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        context = contextvars.copy_context()  # the request's language goes with it
        self.body = await asyncio.get_running_loop().run_in_executor(_RENDERERS, context.run, self._render)
        self.headers["content-length"] = str(len(self.body))
        await super().__call__(scope, receive, send)


class OffLoopTemplate(Template):
    """Litestar's Template, rendered in a worker thread (same context, headers and cookies)."""

    def to_asgi_response(self, app: Any, request: Request, **kwargs: Any) -> ASGIResponse:
        headers = {**kwargs["headers"], **self.headers} if kwargs.get("headers") is not None else self.headers
        cookies = list(self.cookies) + list(kwargs.get("cookies") or ())
        context = self.create_template_context(request)
        template = request.app.template_engine.get_template(self.template_name)
        encoding = self.encoding
        return _RenderedOffLoop(
            lambda: template.render(**context).encode(encoding),
            background=self.background or kwargs.get("background"),
            cookies=cookies,
            encoded_headers=kwargs.get("encoded_headers"),
            encoding=encoding,
            headers=headers,
            is_head_response=kwargs.get("is_head_response", False),
            media_type=self.media_type or MediaType.HTML,
            status_code=self.status_code or kwargs.get("status_code"),
        )


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
