"""bench/live.py's world: world.py's consultation with voting open, its own PostgreSQL database,
the server of server.py with more workers, and what was stored.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import types
from dataclasses import dataclass, field
from pathlib import Path

import server as bench_server
from server import descendants, status_field
from world import Seeded, seed


async def seed_with_voting_open(database_url: str) -> Seeded:
    """world.seed(), with its groups created with voting open.

    Since the live workshop mode, new groups start with voting closed, and
    world.seed() casts its seed votes right after creating them: it stops with
    "Voting is closed in this working group". Until world.py opens voting
    itself, its groups.create() is given ``voting_open`` here (world.py's own
    value, should it pass one, wins).
    """
    from concerto.groups import services as groups

    create = groups.create

    async def create_with_voting_open(consultation: dict, actor, data: dict) -> dict:
        return await create(consultation, actor, {"voting_open": True, **data})

    groups.create = create_with_voting_open
    try:
        return await seed(database_url)
    finally:
        groups.create = create


@contextlib.asynccontextmanager
async def postgres_database(admin_url: str, *, keep: bool):
    """A fresh database next to ``admin_url``'s, dropped afterwards (unless ``keep``); yields its URL."""
    import asyncpg

    name = f"concerto_live_bench_{os.getpid()}"
    admin = await asyncpg.connect(admin_url)
    try:
        await admin.execute(f"DROP DATABASE IF EXISTS {name}")
        await admin.execute(f"CREATE DATABASE {name}")
    finally:
        await admin.close()
    try:
        yield admin_url.rsplit("/", 1)[0] + "/" + name
    finally:
        if not keep:
            admin = await asyncpg.connect(admin_url)
            try:
                await admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
            finally:
                await admin.close()


def start_server(workdir: Path, database_url: str, port: int, *, workers: int, extra_env: dict[str, str]) -> subprocess.Popen:
    """server.start_server() with ``workers`` processes and ``extra_env`` on top of its environment.

    server.start_server() pins CONCERTO_WORKERS=1 and drops every CONCERTO_*
    of ours; rather than build the command and environment a second time, the
    Popen it makes gets the additions.
    """
    popen = subprocess.Popen

    def popen_with_env(command, *, env, **kwargs):
        return popen(command, env={**env, "CONCERTO_WORKERS": str(workers), **extra_env}, **kwargs)

    bench_server.subprocess = types.SimpleNamespace(Popen=popen_with_env, STDOUT=subprocess.STDOUT)
    try:
        return bench_server.start_server(workdir, database_url, port)
    finally:
        bench_server.subprocess = subprocess


def worker_pids(server: subprocess.Popen) -> list[int]:
    """granian's worker processes (every process below the main one)."""
    return sorted(pid for pid in descendants(server.pid) if pid != server.pid)


def rss_mib(pid: int) -> float:
    value = status_field(pid, "VmRSS")
    return int(value.split()[0]) / 1024 if value != "?" else float("nan")


# -- what was stored -------------------------------------------------------------------


@dataclass
class Answered:
    """The writes the loaders saw answered, to find again in the database."""

    votes: list[tuple[str, int]] = field(default_factory=list)  # (voter's name, contribution) answered 200
    posts: list[int] = field(default_factory=list)  # contribution ids answered 201
    unknown_votes: int = 0  # sent, but no answer (timeout, connection lost): stored or not
    unknown_posts: int = 0


@dataclass
class Stored:
    vote_rows: int
    votes_missing: int  # answered 200 but not in the database
    over_budget: int
    duplicates: int
    new_contributions: int
    posts_missing: int


_VOTES_SQL = """
SELECT p.display_name AS name, v.contribution FROM vote v JOIN participant p ON p.id = v.participant
WHERE v.working_group = {}
"""
_OVER_BUDGET_SQL = """
SELECT COUNT(*) AS n FROM (SELECT participant FROM vote WHERE working_group = {} GROUP BY participant HAVING COUNT(*) > {}) AS over
"""
_DUPLICATES_SQL = """
SELECT COUNT(*) AS n FROM (SELECT participant FROM vote WHERE working_group = {} GROUP BY participant, contribution HAVING COUNT(*) > 1) AS twice
"""
_CONTRIBUTIONS_SQL = "SELECT id FROM contribution WHERE working_group = {} AND status = 'published'"


async def stored(database_url: str, seeded: Seeded, answered: Answered) -> Stored:
    """Every 2xx write found again; budgets and uniqueness as the database has them."""
    from concerto import db
    from concerto.tables import Vote

    async with db.connected(database_url):
        group, budget = seeded.write_group, seeded.write_budget
        votes = {(row["name"], row["contribution"]) for row in await Vote.raw(_VOTES_SQL, group)}
        vote_rows = (await Vote.raw("SELECT COUNT(*) AS n FROM vote WHERE working_group = {}", group))[0]["n"]
        over = (await Vote.raw(_OVER_BUDGET_SQL, group, budget))[0]["n"]
        twice = (await Vote.raw(_DUPLICATES_SQL, group))[0]["n"]
        contributions = {row["id"] for row in await Vote.raw(_CONTRIBUTIONS_SQL, group)}
    return Stored(
        vote_rows=vote_rows,
        votes_missing=sum(1 for pair in answered.votes if pair not in votes),
        over_budget=over,
        duplicates=twice,
        new_contributions=len(contributions - set(seeded.write_contributions)),
        posts_missing=sum(1 for post in answered.posts if post not in contributions),
    )
