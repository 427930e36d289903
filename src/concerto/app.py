"""The one place the application is assembled."""

from __future__ import annotations

import gc
import hashlib
from contextlib import asynccontextmanager

from litestar import Litestar, Router
from litestar.datastructures import State
from litestar.config.csrf import CSRFConfig
from litestar.middleware.session.client_side import CookieBackendConfig
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import SwaggerRenderPlugin
from litestar.static_files import create_static_files_router

from concerto import db
from concerto.accounts.pages import AccountPages
from concerto.board import suggestions
from concerto.board.pages import BoardPages
from concerto.api import API_HANDLERS
from concerto.comments.pages import CommentPages
from concerto.consultations.facilitation import FacilitationPages, FacilitatorHome
from concerto.consultations.pages import ConsultationPages, PublicPages
from concerto.contributions.import_pages import ImportPages
from concerto.contributions.pages import ContributionPages
from concerto.groups.pages import GroupPages
from concerto.live import events
from concerto.live import scheduler
from concerto.live.control import ControlPages
from concerto.live.streams import StreamPages
from concerto.live.wall import JoinShortcut, WallPages
from concerto.restitution.pages import RestitutionPages
from concerto.settings import Settings, get_settings
from concerto.web.errors import handle_exception
from concerto.web.headers import security_headers
from concerto.web.middleware import locale_middleware
from concerto.web.rate_limit import WriteRateLimit
from concerto.web.session_guard import SessionGuard
from concerto.web.request import ConcertoRequest
from concerto.web.templating import template_config

PAGES = [PublicPages, AccountPages, ConsultationPages, GroupPages, ContributionPages, CommentPages, FacilitatorHome, FacilitationPages, BoardPages, RestitutionPages, StreamPages, WallPages, JoinShortcut, ControlPages, ImportPages]


def _identify(scope) -> str:
    """Who is writing: per person where the session says who it is (a whole workshop may share one IP)."""
    session = scope.get("session") or {}
    if session.get("account"):
        return f"account:{session['account']}"
    if session.get("joined"):
        return "participant:" + ",".join(str(v) for v in sorted(session["joined"].values()))
    client = scope.get("client")
    return f"ip:{client[0] if client else 'unknown'}"


def _rate_limit(settings: Settings) -> list:
    if settings.write_rate_limit <= 0:
        return []
    return [lambda app: WriteRateLimit(app, settings.write_rate_limit, _identify)]


def create_app(settings: Settings | None = None) -> Litestar:
    settings = settings or get_settings()
    secret = hashlib.sha256(settings.secret_key.encode()).digest()

    @asynccontextmanager
    async def database(_app: Litestar):
        await db.connect(settings.database_url)
        # Start-up objects (routes, templates, catalogs) never die: moving them
        # out of the collector's sight halves the time it spends on each page.
        gc.collect()
        gc.freeze()
        try:
            async with scheduler.running(), suggestions.encoding():
                yield
        finally:
            gc.unfreeze()
            await db.disconnect()

    route_handlers = [
        *PAGES,
        Router(path="/api/v1", route_handlers=API_HANDLERS, tags=["api"]),
        create_static_files_router(path="/static", directories=[settings.static_dir], include_in_schema=False),
    ]
    if settings.bench_routes:
        from concerto.bench_routes import BENCH_HANDLERS

        route_handlers.extend(BENCH_HANDLERS)

    return Litestar(
        route_handlers=route_handlers,
        plugins=[events.plugin_for(settings)],
        lifespan=[database],
        middleware=[
            lambda app: locale_middleware(app, settings.default_locale),
            CookieBackendConfig(secret=secret, secure=settings.secure_cookies, samesite="lax").middleware,
            SessionGuard,
            *_rate_limit(settings),
        ],
        csrf_config=CSRFConfig(
            secret=settings.secret_key, cookie_secure=settings.secure_cookies, cookie_samesite="lax", exclude=["/static"]
        ),
        template_config=template_config(settings),
        exception_handlers={Exception: handle_exception},
        before_send=[security_headers],
        openapi_config=OpenAPIConfig(
            title="Concerto API",
            version="1",
            path="/schema",
            render_plugins=[SwaggerRenderPlugin()],
        ),
        state=State({"settings": settings}),
        request_class=ConcertoRequest,
        request_max_body_size=1_000_000,
        debug=settings.debug,
    )
