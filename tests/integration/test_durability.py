"""What the server acknowledged is stored: a killed server loses nothing, and vote budgets hold under 200 requests at once.

The kill test runs a real ``concerto serve`` (SQLite with one worker and with
two, PostgreSQL with two) under writes from participants who joined through the
invitation link (tests/durability.py), records every answer 2xx with what it
acknowledged, kills the server's process group with SIGKILL in the middle of the
load, restarts it on the same database and compares what is stored with what was
acknowledged; then the writes left unanswered are sent again with their
idempotency keys, as the page's outbox does, and must be stored exactly once.

A process kill, not a power loss, is what is tested. SQLite runs inside the
killed process, in ``journal_mode=WAL`` with ``synchronous=NORMAL``: a COMMIT
writes the transaction to the WAL file (in the operating system's cache) before
the answer leaves, and the WAL is replayed when the database is next opened, so a
killed process loses nothing it acknowledged; only a power loss or an operating
system crash can lose the last transactions (SQLite then syncs at checkpoints,
not at every commit). PostgreSQL keeps running while Concerto is killed: what is
tested there is that Concerto answers only after PostgreSQL acknowledged the
COMMIT (which, with its defaults ``fsync=on`` and ``synchronous_commit=on``,
also survives a power loss).
"""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

import httpx
import pytest

from concerto.web.errors import PROBLEM_TYPE_BASE
from tests.durability import (
    API,
    BUDGET,
    SLUG,
    Ledger,
    compare,
    csrf,
    join_writers,
    load_until_killed,
    send_unanswered_again,
    stored_rows,
)
from tests.integration.test_live_server import participant
from tests.server import POSTGRES_URL, Server, served_demo

# Two workers: requests then really run at the same time (one worker's event loop alone
# runs each SQLite write from start to end without letting another one in).
SEVERAL_WORKERS = [
    pytest.param("sqlite", {"CONCERTO_WORKERS": "2"}, id="sqlite-2-workers"),
    *([pytest.param("postgres", {"CONCERTO_WORKERS": "2"}, id="postgres-2-workers")] if POSTGRES_URL else []),
]
KILL_AFTER = (40, 150, 90)  # acknowledged writes before each kill


@pytest.mark.parametrize("backend, env", [pytest.param("sqlite", {}, id="sqlite-1-worker"), *SEVERAL_WORKERS])
async def test_a_killed_server_keeps_every_write_it_acknowledged(tmp_path, backend, env):
    ledger, refused, unanswered = Ledger(), 0, 0
    with served_demo(tmp_path, backend, killable=True, **env) as (server, link):
        for run, kill_after in enumerate(KILL_AFTER):
            writers = await join_writers(server, link, run)
            try:
                await load_until_killed(server, writers, ledger, kill_after, seed=run)
                assert not ledger.unexpected, ledger.unexpected
                acknowledged, refused = ledger.acknowledged, refused + ledger.refused
                server.start(killable=True)  # the same database, no repair step
                after_restart = compare(server, ledger)
                assert not after_restart.problems, after_restart.problems
                unanswered += after_restart.figures["unanswered at the kill"]
                print(f"\n{backend} run {run}: {acknowledged} writes acknowledged, then SIGKILL; after the restart, in all: "
                      + ", ".join(f"{name} {value}" for name, value in after_restart.figures.items()))
                assert acknowledged >= kill_after

                # The outbox sends each unanswered write again with its key: now everything is answered, and stored once.
                await send_unanswered_again(writers, ledger)
                assert not ledger.unexpected, ledger.unexpected
                settled = compare(server, ledger)
                assert not settled.problems, settled.problems
            finally:
                for writer in writers:
                    await writer.client.aclose()
        assert refused > 0, "nobody reached the budget"
        assert unanswered > 0, "no kill ever landed in the middle of a request"


# -- vote budgets under 200 requests at once -------------------------------------


def problem(response: httpx.Response, status: int, code: str) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert body["type"] == PROBLEM_TYPE_BASE + code, body
    return body


def import_contributions(server: Server, tmp: Path, group: int, titles: list[str]) -> list[int]:
    """Typed-up post-its through ``concerto import-contributions`` (the server keeps running); their ids."""
    sheet = tmp / "postits.csv"
    sheet.write_text("titre,type\n" + "".join(f"{title},enjeu\n" for title in titles), encoding="utf-8")
    server.concerto("import-contributions", SLUG, str(sheet), "--group", str(group))
    quoted = ", ".join("'" + title.replace("'", "''") + "'" for title in titles)
    ids = [row["id"] for row in stored_rows(server, f"SELECT id FROM contribution WHERE title IN ({quoted}) ORDER BY id")]
    assert len(ids) == len(titles)
    return ids


@pytest.mark.parametrize("backend, env", SEVERAL_WORKERS)
async def test_two_hundred_votes_at_once_from_one_participant_spend_exactly_the_budget(tmp_path, backend, env):
    with served_demo(tmp_path, backend, **env) as (server, link):
        targets = import_contributions(server, tmp_path, 1, [f"Pile {n}" for n in range(200)])
        voter = await participant(server.base, link, "Zoé Pressée")
        try:
            # 200 connections of one browser (one session): the requests are all in the server at once.
            async with httpx.AsyncClient(
                base_url=server.base, cookies=voter.cookies, timeout=60, limits=httpx.Limits(max_connections=200)
            ) as burst:
                answers = await asyncio.gather(
                    *(burst.put(f"{API}/contributions/{target}/vote", headers=csrf(voter)) for target in targets)
                )
        finally:
            await voter.aclose()
        accepted = {target: answer.json() for target, answer in zip(targets, answers) if answer.status_code == 200}
        refused = [problem(answer, 409, "conflict") for answer in answers if answer.status_code != 200]
        assert len(accepted) == BUDGET and len(refused) == 200 - BUDGET
        assert sorted(state["used"] for state in accepted.values()) == list(range(1, BUDGET + 1))  # one after the other
        assert all(
            body["detail"]
            == f"Vous avez utilisé tous vos votes dans ce groupe de travail ({BUDGET}). Retirez-en un pour soutenir une autre contribution."
            for body in refused
        )
        stored = stored_rows(
            server, "SELECT v.contribution FROM vote v JOIN participant p ON p.id = v.participant WHERE p.display_name = 'Zoé Pressée'"
        )
        assert sorted(row["contribution"] for row in stored) == sorted(accepted)


@pytest.mark.parametrize("backend, env", SEVERAL_WORKERS)
async def test_two_hundred_participants_voting_at_once_for_one_contribution_are_all_counted(tmp_path, backend, env):
    with served_demo(tmp_path, backend, **env) as (server, link):
        (target,) = import_contributions(server, tmp_path, 2, ["Une idée très populaire"])
        gate = asyncio.Semaphore(20)

        async def join(n: int) -> httpx.AsyncClient:
            async with gate:
                return await participant(server.base, link, f"Foule {n}")

        people = await asyncio.gather(*(join(n) for n in range(200)))
        try:
            for wave in ("first", "again"):  # the second wave: everyone clicks again, nothing changes
                answers = await asyncio.gather(
                    *(client.put(f"{API}/contributions/{target}/vote", headers=csrf(client), timeout=60) for client in people)
                )
                assert [answer.status_code for answer in answers] == [200] * 200, wave
                counts = [answer.json()["votes"] for answer in answers]
                # Each vote counted with all those before it: every count from 1 to 200 once, then 200 each time.
                assert sorted(counts) == (list(range(1, 201)) if wave == "first" else [200] * 200), wave
            stored = stored_rows(server, f"SELECT COUNT(*) AS n, COUNT(DISTINCT participant) AS people FROM vote WHERE contribution = {target}")
            assert stored == [{"n": 200, "people": 200}]
            page = await people[0].get(f"/c/{SLUG}/contributions/{target}")  # what everyone reads
            assert re.search(rf'data-vote="{target}">\s*<span class="votes"><strong data-votes>200</strong>', page.text)
        finally:
            for client in people:
                await client.aclose()
