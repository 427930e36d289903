"""A real Concerto server in a subprocess (for the browser tests and the multi-worker live tests)."""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from pathlib import Path

import asyncpg

POSTGRES_URL = os.environ.get("CONCERTO_TEST_POSTGRES_URL")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Server:
    def __init__(self, database_url: str, tmp: Path, **env: str) -> None:
        self.port = _free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.env = {
            **os.environ,
            "CONCERTO_DATABASE_URL": database_url,
            "CONCERTO_PORT": str(self.port),
            "CONCERTO_SECRET_KEY": "e2e-secret-key-0123456789-0123456789",
            "CONCERTO_WRITE_RATE_LIMIT": "10000",
            **env,
        }
        self.log = open(tmp / "server.log", "w+")
        self.process: subprocess.Popen | None = None
        self.killable = False

    def concerto(self, *args: str) -> str:
        done = subprocess.run(
            [sys.executable, "-m", "concerto", *args], env=self.env, capture_output=True, text=True, timeout=120
        )
        assert done.returncode == 0, done.stderr
        return done.stdout

    def start(self, *, killable: bool = False) -> None:
        """``killable``: in a process group of its own, so that ``kill()`` ends it and its workers at once."""
        self.process = subprocess.Popen(
            [sys.executable, "-m", "concerto", "serve"],
            env=self.env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=killable,
        )
        self.killable = killable
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

    def kill(self) -> None:
        """SIGKILL to the server and its workers, as a crash or the OOM killer would: no graceful shutdown."""
        assert self.process and self.killable, "start(killable=True) first: its process group is not ours"
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()

    def stop(self) -> None:
        if self.process:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:  # e.g. a failed test left a live stream open
                if self.killable:
                    self.kill()
                else:
                    self.process.kill()
                    self.process.wait()
        self.log.seek(0)
        output = self.log.read()
        self.log.close()
        assert "Traceback" not in output, output


def schema(action: str, name: str) -> None:
    """CREATE or DROP a schema (in a thread: an event loop may be running here)."""

    async def run() -> None:
        connection = await asyncpg.connect(POSTGRES_URL)
        try:
            await connection.execute(f"{action} SCHEMA {name}{' CASCADE' if action == 'DROP' else ''}")
        finally:
            await connection.close()

    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, run()).result()




@contextlib.contextmanager
def served_demo(tmp: Path, backend: str, *, killable: bool = False, **env: str):
    """The demo consultation served by a real ``concerto serve``; yields (server, participant invitation link).

    ``backend``: "sqlite" (a file in ``tmp``) or "postgres" (a schema of its own, dropped after).
    ``killable``: the server runs in a process group of its own (see ``Server.kill()``).
    """
    name = None
    if backend == "postgres":
        name = f"concerto_served_{uuid.uuid4().hex[:8]}"
        schema("CREATE", name)
        url = f"{POSTGRES_URL}?search_path={name}"
    else:
        url = f"sqlite:///{tmp / 'served.sqlite3'}"
    server = Server(url, tmp, **env)
    link = re.search(r"Participant link:\s+(\S+)", server.concerto("demo", "--no-serve")).group(1)
    server.start(killable=killable)
    try:
        yield server, link
    finally:
        server.stop()
        if name:
            schema("DROP", name)
