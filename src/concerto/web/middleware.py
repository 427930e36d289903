"""Per-request language, chosen before anything else runs (error pages included)."""

from __future__ import annotations

from http.cookies import SimpleCookie

from litestar.types import ASGIApp, Receive, Scope, Send

from concerto import i18n

LANGUAGE_COOKIE = "lang"


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", ()):
        if key == name:
            return value.decode("latin-1")
    return None


def cookie(scope: Scope, name: str) -> str | None:
    """One cookie of the request, read before Litestar parses them (middleware runs first)."""
    # HTTP/2 may split cookies over several headers.
    header = "; ".join(value.decode("latin-1") for key, value in scope.get("headers", ()) if key == b"cookie")
    if not header or name not in header:
        return None
    morsel = SimpleCookie(header).get(name)
    return morsel.value if morsel else None


def locale_middleware(app: ASGIApp, default_locale: str = i18n.DEFAULT_LOCALE) -> ASGIApp:
    """French unless the reader chose otherwise (cookie); API clients may ask with Accept-Language."""

    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            locale = i18n.normalise_locale(cookie(scope, LANGUAGE_COOKIE))
            if locale is None and scope["path"].startswith("/api/"):
                locale = i18n.accept_language_choice(_header(scope, b"accept-language"))
            i18n.set_locale(locale or default_locale)
        await app(scope, receive, send)

    return middleware
