"""The server under test, run as a user would, and what /proc says about it."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

SECRET_KEY = "concerto-bench-secret-key-not-for-production-0123456789"
# High enough that one load generator on one IP is never throttled; the
# middleware still runs on every request.
WRITE_RATE_LIMIT = 10_000_000


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(workdir: Path, database_url: str, port: int) -> subprocess.Popen:
    # Production settings: nothing from the caller's CONCERTO_* leaks in (no debug).
    env = {key: value for key, value in os.environ.items() if not key.startswith("CONCERTO_")}
    env.update(
        CONCERTO_DATABASE_URL=database_url,
        CONCERTO_SECRET_KEY=SECRET_KEY,
        CONCERTO_HOST="127.0.0.1",
        CONCERTO_PORT=str(port),
        CONCERTO_WORKERS="1",
        CONCERTO_WRITE_RATE_LIMIT=str(WRITE_RATE_LIMIT),
        CONCERTO_BENCH_ROUTES="1",
    )
    executable = Path(sys.executable).parent / "concerto"
    log = open(workdir / "server.log", "wb")
    # Its own session: Ctrl+C reaches us, and we stop the server cleanly.
    return subprocess.Popen(
        [str(executable), "serve"], env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )


def stop_server(server: subprocess.Popen) -> None:
    if server.poll() is not None:
        return
    for sig, wait in ((signal.SIGINT, 15), (signal.SIGTERM, 5), (signal.SIGKILL, 5)):
        try:
            os.killpg(server.pid, sig)
        except ProcessLookupError:
            return
        try:
            server.wait(wait)
            return
        except subprocess.TimeoutExpired:
            continue


def wait_until_up(base: str, server: subprocess.Popen, workdir: Path, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"the server stopped (exit {server.returncode}):\n{(workdir / 'server.log').read_text()[-3000:]}")
        try:
            if httpx.get(base + "/_bench/empty", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise SystemExit(f"the server did not answer within {timeout:.0f} s")


def descendants(pid: int) -> list[int]:
    """``pid`` and every process below it (granian's workers)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
            children.setdefault(ppid, []).append(int(entry.name))
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        todo.extend(children.get(current, []))
    return found


def cpu_seconds(pids: list[int]) -> float:
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / ticks
    return total


def machine_busy_seconds() -> float:
    """CPU time the whole machine spent busy (all cores), from /proc/stat."""
    fields = [int(value) for value in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]]
    idle = fields[3] + fields[4]  # idle + iowait
    return (sum(fields) - idle) / os.sysconf("SC_CLK_TCK")


def status_field(pid: int, name: str) -> str:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(name + ":"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return "?"
