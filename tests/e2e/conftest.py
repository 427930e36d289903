"""A real Concerto server (subprocess) with the demo loaded, and Debian's Chromium."""

from __future__ import annotations

import asyncio
import concurrent.futures
import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from pathlib import Path

import asyncpg
import pytest

CHROMIUM = Path("/usr/bin/chromium")
POSTGRES_URL = os.environ.get("CONCERTO_TEST_POSTGRES_URL")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _require_chromium() -> None:
    if CHROMIUM.exists():
        return
    message = "Debian's Chromium is not installed (/usr/bin/chromium): apt-get install -y chromium"
    if os.environ.get("CONCERTO_TEST_REQUIRE_BROWSER"):
        pytest.fail(message)
    pytest.skip(message)


class Server:
    def __init__(self, database_url: str, tmp: Path) -> None:
        self.port = _free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.env = {
            **os.environ,
            "CONCERTO_DATABASE_URL": database_url,
            "CONCERTO_PORT": str(self.port),
            "CONCERTO_SECRET_KEY": "e2e-secret-key-0123456789-0123456789",
            "CONCERTO_WRITE_RATE_LIMIT": "10000",
        }
        self.log = open(tmp / "server.log", "w+")
        self.process: subprocess.Popen | None = None

    def concerto(self, *args: str) -> str:
        done = subprocess.run(
            [sys.executable, "-m", "concerto", *args], env=self.env, capture_output=True, text=True, timeout=120
        )
        assert done.returncode == 0, done.stderr
        return done.stdout

    def start(self) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "concerto", "serve"], env=self.env, stdout=self.log, stderr=subprocess.STDOUT
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(self.base + "/", timeout=1) as response:
                    if response.status == 200:
                        return
            except OSError:
                time.sleep(0.2)
        self.log.seek(0)
        raise RuntimeError("Concerto did not start:\n" + self.log.read())

    def stop(self) -> None:
        if self.process:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:  # e.g. a failed test left a live stream open
                self.process.kill()
                self.process.wait()
        self.log.seek(0)
        output = self.log.read()
        self.log.close()
        assert "Traceback" not in output, output


def _schema(action: str, name: str) -> None:
    """CREATE or DROP a schema (in a thread: an event loop may be running here)."""

    async def run() -> None:
        connection = await asyncpg.connect(POSTGRES_URL)
        try:
            await connection.execute(f"{action} SCHEMA {name}{' CASCADE' if action == 'DROP' else ''}")
        finally:
            await connection.close()

    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, run()).result()


@pytest.fixture(scope="module", params=["sqlite", *(["postgres"] if POSTGRES_URL else [])])
def demo_server(request, tmp_path_factory):
    """A served demo consultation; yields (server, participant invitation link)."""
    _require_chromium()
    tmp = tmp_path_factory.mktemp("e2e")
    schema = None
    if request.param == "sqlite":
        url = f"sqlite:///{tmp / 'e2e.sqlite3'}"
    else:
        schema = f"concerto_e2e_{uuid.uuid4().hex[:8]}"
        _schema("CREATE", schema)
        url = f"{POSTGRES_URL}?search_path={schema}"
    server = Server(url, tmp)
    output = server.concerto("demo", "--no-serve")
    link = re.search(r"Participant link:\s+(\S+)", output).group(1)
    server.start()
    try:
        yield server, link
    finally:
        server.stop()
        if schema:
            _schema("DROP", schema)


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
