"""A thin browser stand-in over an in-process HTTP client: cookies, CSRF, forms, API."""

from __future__ import annotations

import re
from typing import Any

import httpx
from httpx import Response


def http_client(app) -> httpx.AsyncClient:
    """An HTTP client that runs ``app`` on the test's own event loop.

    Litestar's AsyncTestClient runs the app in a portal thread with a second
    event loop, where the PostgreSQL pool (bound to the test's loop) cannot be
    used and SQLite falls back to a connection per query. The ``backend``
    fixture already connected the database, so the app needs no lifespan.
    """
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://testserver.local", follow_redirects=True
    )


class Browser:
    def __init__(self, client: httpx.AsyncClient) -> None:
        self.client = client

    async def csrf(self) -> str:
        token = self.client.cookies.get("csrftoken")
        if not token:
            await self.client.get("/")
            token = self.client.cookies.get("csrftoken")
        return token

    async def get(self, path: str, **kwargs: Any) -> Response:
        return await self.client.get(path, **kwargs)

    async def post(self, path: str, data: dict[str, Any] | None = None, *, fetch: bool = False) -> Response:
        """Submit a form as a browser would (CSRF token included), without following redirects."""
        form = {"_csrf_token": await self.csrf(), **(data or {})}
        headers = {"x-requested-with": "fetch"} if fetch else {}
        return await self.client.post(path, data=form, headers=headers, follow_redirects=False)

    async def api(self, method: str, path: str, json: Any = None, *, csrf: bool = True, **kwargs: Any) -> Response:
        headers = kwargs.pop("headers", {})
        if csrf:
            headers["x-csrftoken"] = await self.csrf()
        return await self.client.request(method, "/api/v1" + path, json=json, headers=headers, **kwargs)

    async def join(self, slug: str, token: str, name: str = "Camille", organisation: str = "") -> Response:
        response = await self.post(f"/c/{slug}/join/{token}", {"display_name": name, "organisation": organisation})
        assert response.status_code == 303, response.text
        return response

    async def login(self, email: str, password: str) -> Response:
        response = await self.post("/login", {"email": email, "password": password, "next": "/facilitation"})
        assert response.status_code == 303, response.text
        return response


def text_of(html: str) -> str:
    """Visible text of an HTML page, whitespace folded (for assertions on what users read)."""
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    text = re.sub(r"<[^>]+>", " ", html)
    text = text.replace("&#39;", "'").replace("&amp;", "&").replace("&quot;", '"').replace("&lt;", "<").replace("&gt;", ">")
    return " ".join(text.split())
