"""Writes under a server that gets killed: what was acknowledged, what is stored, and the two compared.

Used by tests/integration/test_durability.py and bench/durability.py. Participants
join through the invitation link and write as the page's script does: one request
at a time, each with its own idempotency key; a write left without an answer is sent
again with the same key once the server is back (the page's offline outbox).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import random
import re
import sqlite3
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field

import asyncpg
import httpx

from tests.integration.test_live_server import participant
from tests.server import Server

SLUG = "ess-2027"
API = f"/api/v1/consultations/{SLUG}"
BUDGET = 5  # the demo's open groups (1 to 3)
OPEN_GROUPS = (1, 2, 3)
TITLE_PREFIX = "Durable "


def stored_rows(server: Server, sql: str) -> list[dict]:
    """Rows read straight from the server's database (not through the server)."""
    url = server.env["CONCERTO_DATABASE_URL"]
    if url.startswith("sqlite:"):
        connection = sqlite3.connect(url.removeprefix("sqlite:///"))
        connection.row_factory = sqlite3.Row
        try:
            return [dict(row) for row in connection.execute(sql)]
        finally:
            connection.close()

    async def run() -> list[dict]:
        connection = await asyncpg.connect(url)  # its ?search_path= is passed on as a server setting
        try:
            return [dict(row) for row in await connection.fetch(sql)]
        finally:
            await connection.close()

    with concurrent.futures.ThreadPoolExecutor(1) as pool:  # the caller's event loop is running
        return pool.submit(asyncio.run, run()).result()


def csrf(client: httpx.AsyncClient) -> dict[str, str]:
    return {"x-csrftoken": client.cookies["csrftoken"]}


@dataclass
class Unanswered:
    """A write whose answer never came: ``sent`` unless the connection was refused outright."""

    action: str  # post, cast or withdraw
    target: str | int  # the title posted, or the contribution voted for
    key: str
    sent: bool


@dataclass
class Writer:
    """One participant of one group."""

    name: str
    group: int
    client: httpx.AsyncClient
    held: set[int] = field(default_factory=set)  # contributions it supports, as acknowledged
    unanswered: Unanswered | None = None


@dataclass
class Ledger:
    """What the server acknowledged, over every run against one database."""

    contributions: dict[int, str] = field(default_factory=dict)  # id in the answer -> title sent
    votes: dict[tuple[str, int], bool] = field(default_factory=dict)  # (participant, contribution) -> voted, as last acknowledged
    people: set[str] = field(default_factory=set)  # participants whose joining was acknowledged
    unanswered: list[tuple[str, Unanswered]] = field(default_factory=list)  # (participant, write) of the last kill
    acknowledged: int = 0  # answers 2xx to writes, this run
    refused: int = 0  # votes refused over budget (409), this run
    unexpected: list[str] = field(default_factory=list)

    def answered(self, writer: Writer, action: str, target: str | int, response: httpx.Response) -> None:
        """Record an answer: what a 2xx acknowledged, or a refusal the rules call for."""
        if action == "post" and response.status_code == 201:
            self.contributions[response.json()["id"]] = target
        elif action != "post" and response.status_code == 200:
            voted = action == "cast"
            if response.json()["voted"] is not voted:
                self.unexpected.append(f"{action} {target} by {writer.name}: {response.json()}")
            self.votes[(writer.name, target)] = voted
            (writer.held.add if voted else writer.held.discard)(target)
            if len(writer.held) > BUDGET:
                self.unexpected.append(f"{writer.name} was allowed a vote beyond the budget")
        elif action == "cast" and response.status_code == 409 and len(writer.held) == BUDGET:
            self.refused += 1
            return
        else:
            self.unexpected.append(f"{action} {target} by {writer.name}: {response.status_code} {response.text[:300]}")
            return
        self.acknowledged += 1


def send(writer: Writer, action: str, target: str | int, key: str):
    headers = {**csrf(writer.client), "idempotency-key": key}
    if action == "post":
        body = {"kind": "enjeu", "title": target}
        return writer.client.post(f"{API}/groups/{writer.group}/contributions", json=body, headers=headers)
    method = writer.client.put if action == "cast" else writer.client.delete
    return method(f"{API}/contributions/{target}/vote", headers=headers)


async def group_contributions(client: httpx.AsyncClient, group: int) -> list[int]:
    page = await client.get(f"/c/{SLUG}/g/{group}")
    assert page.status_code == 200
    return sorted({int(found) for found in re.findall(r'data-vote="(\d+)"', page.text)} - {0})  # 0: the live card template


async def join_writers(server: Server, link: str, run: int, count: int = 9) -> list[Writer]:
    writers = []
    for index in range(count):
        name = f"Personne {run}.{index}"
        writers.append(Writer(name, OPEN_GROUPS[index % len(OPEN_GROUPS)], await participant(server.base, link, name)))
    return writers


async def write_until_killed(writer: Writer, ledger: Ledger, targets: dict[int, list[int]], rng: random.Random) -> None:
    """Post, vote, withdraw, and sometimes try beyond the budget, until the server stops answering."""
    while True:
        roll = rng.random()
        if roll < 0.35:
            action, target = "post", f"{TITLE_PREFIX}{writer.name} n°{uuid.uuid4().hex[:6]}"
        elif writer.held and (len(writer.held) == BUDGET and roll < 0.8 or roll < 0.5):
            action, target = "withdraw", rng.choice(sorted(writer.held))
        else:  # a vote; at the budget it must be refused
            action, target = "cast", rng.choice([target for target in targets[writer.group] if target not in writer.held])
        key = uuid.uuid4().hex
        try:
            response = await send(writer, action, target, key)
        except httpx.TransportError as error:
            # A refused connection sent nothing; any other failure may come after the server got the request.
            writer.unanswered = Unanswered(action, target, key, sent=not isinstance(error, httpx.ConnectError))
            return
        ledger.answered(writer, action, target, response)
        if action == "post" and response.status_code == 201:
            targets[writer.group].append(response.json()["id"])


async def load_until_killed(server: Server, writers: list[Writer], ledger: Ledger, kill_after: int, seed: int) -> None:
    """The writers write together; once ``kill_after`` writes are acknowledged, SIGKILL to the server's group."""
    rng = random.Random(seed)
    targets = {group: await group_contributions(writers[0].client, group) for group in OPEN_GROUPS}
    ledger.people.update(writer.name for writer in writers)
    ledger.acknowledged = ledger.refused = 0
    load = [asyncio.create_task(write_until_killed(writer, ledger, targets, rng)) for writer in writers]
    try:
        deadline = time.monotonic() + 30
        while ledger.acknowledged < kill_after:
            if time.monotonic() > deadline or any(task.done() for task in load):
                raise AssertionError(f"the load stopped early: {ledger.unexpected}")
            await asyncio.sleep(0.002)
        server.kill()  # several writers are waiting for an answer at this moment
        await asyncio.wait_for(asyncio.gather(*load), 15)
    finally:
        for task in load:
            task.cancel()
    ledger.unanswered = [(writer.name, writer.unanswered) for writer in writers if writer.unanswered]


async def send_unanswered_again(writers: list[Writer], ledger: Ledger) -> None:
    """The outbox after the restart: each unanswered write again, with its key; the answers are acknowledgements."""
    for writer in writers:
        if writer.unanswered:
            write, writer.unanswered = writer.unanswered, None
            ledger.answered(writer, write.action, write.target, await send(writer, write.action, write.target, write.key))
    ledger.unanswered = []


@dataclass
class Comparison:
    figures: dict[str, int]
    problems: list[str]


def compare(server: Server, ledger: Ledger) -> Comparison:
    """What is stored against what was acknowledged.

    Problems: an acknowledged write missing, anything stored twice, a participant
    over budget, a write stored that nobody sent. A write left unanswered may be
    stored or not (the server may have committed it before dying).
    """
    problems = []
    stored = {row["id"]: row["title"] for row in stored_rows(server, f"SELECT id, title FROM contribution WHERE title LIKE '{TITLE_PREFIX}%'")}
    lost_contributions = {cid: title for cid, title in ledger.contributions.items() if stored.get(cid) != title}
    if lost_contributions:
        problems.append(f"acknowledged contributions missing: {lost_contributions}")
    titles = Counter(stored.values())
    if twice := [title for title, count in titles.items() if count > 1]:
        problems.append(f"contributions stored twice: {twice}")
    doubtful = {write.target: write for _name, write in ledger.unanswered if write.sent}
    if strays := set(titles) - set(ledger.contributions.values()) - {t for t, w in doubtful.items() if w.action == "post"}:
        problems.append(f"contributions stored that were never acknowledged nor left unanswered: {strays}")

    votes = Counter(
        (row["display_name"], row["contribution"])
        for row in stored_rows(server, "SELECT p.display_name, v.contribution FROM vote v JOIN participant p ON p.id = v.participant")
    )
    if twice := [pair for pair, count in votes.items() if count > 1]:
        problems.append(f"votes stored twice: {twice}")
    in_doubt = {(name, write.target): write.action == "cast" for name, write in ledger.unanswered if write.sent and write.action != "post"}
    lost_votes = {
        pair: voted for pair, voted in ledger.votes.items() if (pair in votes) != voted and in_doubt.get(pair) != (pair in votes)
    }
    if lost_votes:
        problems.append(f"votes (True) or withdrawals (False) acknowledged but not stored: {lost_votes}")
    ours = {pair for pair in votes if pair[0] in ledger.people}
    if strays := {pair for pair in ours if not ledger.votes.get(pair) and not in_doubt.get(pair)}:
        problems.append(f"votes stored that were never acknowledged nor left unanswered: {strays}")

    spent = stored_rows(
        server,
        "SELECT p.display_name, v.working_group, COUNT(*) AS n FROM vote v JOIN participant p ON p.id = v.participant "
        "GROUP BY p.display_name, v.working_group",
    )
    if over := [row for row in spent if row["n"] > BUDGET]:
        problems.append(f"participants over budget: {over}")
    joined = {row["display_name"] for row in stored_rows(server, "SELECT display_name FROM participant")}
    if ledger.people - joined:
        problems.append(f"participants whose joining was acknowledged, missing: {ledger.people - joined}")

    sent = [write for _name, write in ledger.unanswered if write.sent]
    applied = sum(
        1
        for name, write in ledger.unanswered
        if write.sent and (write.target in titles if write.action == "post" else ((name, write.target) in votes) == (write.action == "cast"))
    )
    return Comparison(
        {
            "contributions acknowledged": len(ledger.contributions),
            "contributions lost": len(lost_contributions),
            "votes held as acknowledged": sum(ledger.votes.values()),
            "vote changes lost": len(lost_votes),
            "unanswered at the kill": len(sent),
            "of which stored anyway": applied,
        },
        problems,
    )
