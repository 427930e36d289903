"""The writers and readers of bench/live.py: keep-alive connections sending a mix of requests.

Each connection sends one request at a time, choosing its kind by weight
(deterministic: a seeded random generator). Votes come from one shared pool
of prepared requests, each sent at most once, so every vote is a real,
budget-checked insert; when the pool runs out the vote counts as an error
("pool exhausted"), never as a repeat. At the end of the duration no new
request starts and those in flight are waited for (up to the timeout), so
every write's outcome is known.
"""

from __future__ import annotations

import asyncio
import json
import random
import time
from collections import Counter, deque
from dataclasses import dataclass, field

import numpy as np

from live_delivery import Write
from live_http import Connection, connect, request_bytes
from live_world import Answered

TIMEOUT = 10.0


@dataclass
class Prepared:
    raw: bytes
    writer: str = ""  # the participant's name (stored-row checks)
    target: int = 0  # the contribution voted for


@dataclass
class Kind:
    label: str
    expected: int
    latencies: list[float] = field(default_factory=list)  # answered within the duration, seconds
    statuses: Counter = field(default_factory=Counter)
    failures: Counter = field(default_factory=Counter)  # timeouts, lost connections, pool exhausted

    @property
    def errors(self) -> int:
        return sum(count for status, count in self.statuses.items() if status != self.expected) + sum(self.failures.values())


class Sources:
    """Where each kind of request comes from: votes once each, reads and posts in turn."""

    def __init__(self, host: str, slug: str, group_id: int) -> None:
        self.host, self.slug, self.group_id = host, slug, group_id
        self.votes: deque[Prepared] = deque()
        self.reads: list[Prepared] = []
        self.posts: list[Prepared] = []
        self.turn = Counter()

    def add_votes(self, lines: list[tuple], voters: dict[str, str]) -> None:
        """bench/run.py's vote lines (method, path, cookie, csrf, body); ``voters``: cookie -> name."""
        for method, path, cookie, csrf, _body in lines:
            target = int(path.rstrip("/").split("/")[-2])
            self.votes.append(Prepared(request_bytes(method, path, self.host, cookie=cookie, csrf=csrf), voters[cookie], target))

    def add_readers(self, readers: list[tuple[str, str]]) -> None:
        """(name, cookie) of people who read the group page."""
        path = f"/c/{self.slug}/g/{self.group_id}"
        self.reads += [Prepared(request_bytes("GET", path, self.host, cookie=cookie), name) for name, cookie in readers]

    def add_posts(self, posts: list[tuple[str, str, str, dict]]) -> None:
        """(name, cookie, csrf, JSON body) of contributions to post through the API."""
        path = f"/api/v1/consultations/{self.slug}/groups/{self.group_id}/contributions"
        for name, cookie, csrf, data in posts:
            body = json.dumps(data, ensure_ascii=False).encode()
            raw = request_bytes("POST", path, self.host, cookie=cookie, csrf=csrf, body=body, content_type="application/json")
            self.posts.append(Prepared(raw, name))

    def next(self, kind: str) -> Prepared | None:
        if kind == "vote":
            return self.votes.popleft() if self.votes else None
        pool = self.reads if kind == "read" else self.posts
        self.turn[kind] += 1
        return pool[self.turn[kind] % len(pool)]


EXPECTED = {"read": 200, "vote": 200, "post": 201}


@dataclass
class LoadResult:
    seconds: float
    kinds: dict[str, Kind]
    writes: list[Write]
    answered: Answered

    def rate(self, kind: str) -> float:
        return len(self.kinds[kind].latencies) / self.seconds

    def percentile(self, kind: str, q: float) -> float:
        latencies = self.kinds[kind].latencies
        return float(np.percentile(latencies, q)) * 1000 if latencies else float("nan")


async def run_load(
    host: str, port: int, sources: Sources, mix: dict[str, float], *, connections: int, seconds: float, answered: Answered,
    seed: int = 2027, rate: float | None = None,
) -> LoadResult:
    """``connections`` keep-alive connections sending ``mix`` for ``seconds``: each as fast as
    answers come (closed loop, the server saturated), or together ``rate`` requests a second
    (open loop, a room of a given size) when ``rate`` is given."""
    kinds = {kind: Kind(kind, EXPECTED[kind]) for kind in mix}
    writes: list[Write] = []
    names, weights = list(mix), list(mix.values())
    rng = random.Random(seed)
    started = time.monotonic()
    deadline = started + seconds

    interval = connections / rate if rate else 0.0

    async def one_connection() -> None:
        connection: Connection | None = None
        next_at = started + rng.random() * interval
        while time.monotonic() < deadline:
            if rate:
                await asyncio.sleep(max(0.0, next_at - time.monotonic()))
                next_at += interval
                if time.monotonic() >= deadline:
                    break
            kind = rng.choices(names, weights)[0]
            record = kinds[kind]
            prepared = sources.next(kind)
            if prepared is None:
                record.failures["pool exhausted"] += 1
                await asyncio.sleep(0.01)
                continue
            sent = time.monotonic()
            try:
                if connection is None or connection.lost:
                    connection = await asyncio.wait_for(connect(host, port), TIMEOUT)
                response = await connection.send(prepared.raw, TIMEOUT)
            except (OSError, asyncio.TimeoutError) as error:
                record.failures["timeout" if isinstance(error, asyncio.TimeoutError) else "connection error"] += 1
                if kind == "vote":
                    answered.unknown_votes += 1
                elif kind == "post":
                    answered.unknown_posts += 1
                if connection is not None:
                    connection.close()
                connection = None
                continue
            record.statuses[response.status] += 1
            if response.arrived <= deadline:
                record.latencies.append(response.arrived - sent)
            if response.status == record.expected and kind != "read":
                body = json.loads(response.body)
                if kind == "vote":
                    writes.append(Write("votes", prepared.target, body["votes"], response.arrived))
                    answered.votes.append((prepared.writer, prepared.target))
                else:
                    writes.append(Write("contribution", body["id"], 0, response.arrived))
                    answered.posts.append(body["id"])
        if connection is not None:
            connection.close()

    await asyncio.gather(*(one_connection() for _ in range(connections)))
    return LoadResult(seconds, kinds, writes, answered)


async def one_write(host: str, port: int, prepared: Prepared, kind: str, answered: Answered) -> tuple[Write | None, int, float]:
    """A single write on a fresh connection: (its write, its status, when it was sent)."""
    connection = await connect(host, port)
    try:
        sent = time.monotonic()
        response = await connection.send(prepared.raw, TIMEOUT)
    finally:
        connection.close()
    if response.status != EXPECTED[kind]:
        return None, response.status, sent
    body = json.loads(response.body)
    if kind == "vote":
        answered.votes.append((prepared.writer, prepared.target))
        return Write("votes", prepared.target, body["votes"], response.arrived), response.status, sent
    answered.posts.append(body["id"])
    return Write("contribution", body["id"], 0, response.arrived), response.status, sent
