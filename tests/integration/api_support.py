"""Helpers for the JSON API tests: problem documents, stored rows, signed-in browsers."""

from __future__ import annotations

from typing import Any

from httpx import Response

from concerto.tables import ALL_TABLES
from concerto.web.errors import PROBLEM_TYPE_BASE
from tests.browser import Browser
from tests.factories import PASSWORD, World


def scope(world: World) -> str:
    """The API path of a world's consultation."""
    return f"/consultations/{world.consultation['slug']}"


def problem(response: Response, status: int, code: str) -> dict[str, Any]:
    """The RFC 9457 document of a refused request, after checking its status and type."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json"), response.headers
    body = response.json()
    assert body["type"] == PROBLEM_TYPE_BASE + code, body
    assert body["status"] == status and body["instance"] == response.request.url.path
    return body


def ok(response: Response, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json() if response.content else None


# Who is connected, not what anyone wrote: sessions start with sign-ins and joins, and a
# refused sign-in is counted on purpose (tests/integration/test_sessions.py covers both).
_BOOKKEEPING = ("web_session", "login_failure")


async def stored() -> dict[str, int]:
    """Row counts of every table of content, to prove a refused request stored nothing."""
    return {table._meta.tablename: await table.count() for table in ALL_TABLES if table._meta.tablename not in _BOOKKEEPING}


async def joined(new_browser, world: World, name: str = "Camille", organisation: str = "") -> Browser:
    """A new browser that joined the world's consultation through the API."""
    browser = await new_browser()
    body = {"token": world.token, "display_name": name, "organisation": organisation}
    ok(await browser.api("POST", f"{scope(world)}/join", body), 201)
    return browser


async def signed_in(new_browser, email: str) -> Browser:
    """A new browser signed in through the API with the factories' password."""
    browser = await new_browser()
    ok(await browser.api("POST", "/session", {"email": email, "password": PASSWORD}), 201)
    return browser
