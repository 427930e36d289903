"""A real Concerto server (subprocess) with the demo loaded, and Debian's Chromium."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from tests.server import served_demo

CHROMIUM = Path("/usr/bin/chromium")
POSTGRES_URL = os.environ.get("CONCERTO_TEST_POSTGRES_URL")


def _require_chromium() -> None:
    if CHROMIUM.exists():
        return
    message = "Debian's Chromium is not installed (/usr/bin/chromium): apt-get install -y chromium"
    if os.environ.get("CONCERTO_TEST_REQUIRE_BROWSER"):
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture(scope="module", params=["sqlite", *(["postgres"] if POSTGRES_URL else [])])
def demo_server(request, tmp_path_factory):
    """A served demo consultation; yields (server, participant invitation link)."""
    _require_chromium()
    with served_demo(tmp_path_factory.mktemp("e2e"), request.param) as served:
        yield served


@pytest.fixture(scope="module")
def chromium():
    _require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


def sign_in_as_facilitator(page, server) -> None:
    """The demo's facilitator signs in with the keyboard."""
    from playwright.sync_api import expect

    page.goto(f"{server.base}/login")
    page.get_by_label("Adresse électronique").fill("animation@concerto.example")
    page.get_by_label("Mot de passe").fill("concerto-demo")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile("/facilitation"))
