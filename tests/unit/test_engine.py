"""The inline SQLite engine: same results as Piccolo's, transactions, locking."""

from __future__ import annotations

import asyncio
import sqlite3
import threading

import pytest
from piccolo.engine.sqlite import SQLiteEngine
from piccolo.querystring import QueryString

from concerto.db.engine import ConcertoSQLiteEngine

SCHEMA = "CREATE TABLE item (id INTEGER PRIMARY KEY, name VARCHAR(50), done BOOLEAN, at TIMESTAMPTZ)"


def q(sql: str, *args) -> QueryString:
    return QueryString(sql, *args)


@pytest.fixture
async def engine(tmp_path):
    engine = ConcertoSQLiteEngine(path=str(tmp_path / "engine.sqlite3"))
    await engine.run_ddl(SCHEMA)
    yield engine
    await engine.close()


async def test_results_match_stock_piccolo(engine):
    import datetime as dt

    moment = dt.datetime(2026, 10, 14, 9, 30, tzinfo=dt.timezone.utc)
    await engine.run_querystring(q("INSERT INTO item (name, done, at) VALUES ({}, {}, {})", "atelier", True, moment))
    stock = SQLiteEngine(path=engine.path)
    ours = await engine.run_querystring(q("SELECT * FROM item"))
    theirs = await stock.run_querystring(q("SELECT * FROM item"))
    assert ours == theirs == [{"id": 1, "name": "atelier", "done": True, "at": moment}]


async def test_insert_returning_inside_and_outside_transactions(engine):
    outside = await engine.run_querystring(q("INSERT INTO item (name) VALUES ({}) RETURNING id", "a"))
    async with engine.transaction():
        inside = await engine.run_querystring(q("INSERT INTO item (name) VALUES ({}) RETURNING id", "b"))
    assert (outside, inside) == ([{"id": 1}], [{"id": 2}])


async def test_failed_transaction_rolls_back_and_releases_the_writer(engine):
    with pytest.raises(RuntimeError):
        async with engine.transaction():
            await engine.run_querystring(q("INSERT INTO item (name) VALUES ({})", "lost"))
            raise RuntimeError("boom")
    assert await engine.run_querystring(q("SELECT COUNT(*) AS n FROM item")) == [{"n": 0}]
    # The writer lock was released: a new write goes through at once.
    await asyncio.wait_for(engine.run_querystring(q("INSERT INTO item (name) VALUES ({})", "kept")), 1)
    assert not engine._writer.in_transaction


async def test_nested_transaction_joins_the_outer_one(engine):
    with pytest.raises(ValueError):
        async with engine.transaction():
            await engine.run_querystring(q("INSERT INTO item (name) VALUES ({})", "outer"))
            async with engine.transaction():
                await engine.run_querystring(q("INSERT INTO item (name) VALUES ({})", "inner"))
            raise ValueError
    assert await engine.run_querystring(q("SELECT COUNT(*) AS n FROM item")) == [{"n": 0}]


async def test_savepoint_rollback(engine):
    async with engine.transaction() as transaction:
        await engine.run_querystring(q("INSERT INTO item (name) VALUES ({})", "kept"))
        savepoint = await transaction.savepoint()
        await engine.run_querystring(q("INSERT INTO item (name) VALUES ({})", "undone"))
        await savepoint.rollback_to()
    rows = await engine.run_querystring(q("SELECT name FROM item"))
    assert rows == [{"name": "kept"}]


async def test_concurrent_transactions_are_serialised_without_lost_updates(engine):
    await engine.run_querystring(q("INSERT INTO item (name) VALUES ('counter')"))
    await engine.run_ddl("ALTER TABLE item ADD COLUMN n INTEGER DEFAULT 0")

    async def increment():
        async with engine.transaction():
            row = await engine.run_querystring(q("SELECT n FROM item WHERE id = 1"))
            await asyncio.sleep(0)  # let the others try to interleave
            await engine.run_querystring(q("UPDATE item SET n = {} WHERE id = 1", row[0]["n"] + 1))

    await asyncio.gather(*(increment() for _ in range(100)))
    assert await engine.run_querystring(q("SELECT n FROM item WHERE id = 1")) == [{"n": 100}]


async def test_reads_outside_transactions_see_committed_writes(engine):
    async with engine.transaction():
        await engine.run_querystring(q("INSERT INTO item (name) VALUES ({})", "visible"))
    assert await engine.run_querystring(q("SELECT name FROM item")) == [{"name": "visible"}]


async def test_another_process_holding_the_lock_makes_writes_wait_not_fail(engine):
    """A second connection (as another worker would) holds the write lock for a while."""
    other = sqlite3.connect(engine.path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    progress = []

    async def ticker():
        for _ in range(5):
            progress.append(1)
            await asyncio.sleep(0.02)

    async def release_later():
        await asyncio.sleep(0.15)
        other.execute("INSERT INTO item (name) VALUES ('other process')")
        other.execute("COMMIT")

    async def write():
        async with engine.transaction():
            await engine.run_querystring(q("INSERT INTO item (name) VALUES ({})", "ours"))

    await asyncio.gather(write(), ticker(), release_later())
    other.close()
    names = [row["name"] for row in await engine.run_querystring(q("SELECT name FROM item ORDER BY id"))]
    assert names == ["other process", "ours"]
    # The event loop kept running while the write waited.
    assert len(progress) == 5


async def test_calls_from_another_event_loop_use_the_stock_path(engine):
    await engine.run_querystring(q("INSERT INTO item (name) VALUES ('x')"))
    result = {}

    def in_thread():
        async def work():
            async with engine.transaction():
                await engine.run_querystring(q("INSERT INTO item (name) VALUES ('from thread')"))
            return await engine.run_querystring(q("SELECT COUNT(*) AS n FROM item"))

        result["rows"] = asyncio.run(work())

    thread = threading.Thread(target=in_thread)
    thread.start()
    await asyncio.to_thread(thread.join)
    assert result["rows"] == [{"n": 2}]
    assert await engine.run_querystring(q("SELECT COUNT(*) AS n FROM item")) == [{"n": 2}]


async def test_database_uses_wal(engine):
    await engine.run_querystring(q("SELECT 1"))
    assert engine._writer.execute("PRAGMA journal_mode").fetchone() == {"journal_mode": "wal"}
