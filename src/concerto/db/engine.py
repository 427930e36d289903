"""The SQLite engine Concerto runs on: long-lived connections called inline.

Stock Piccolo opens a new aiosqlite connection (and thread) for every query
outside a transaction and for every transaction. Under load that is slow and
produces "database is locked" errors. This engine keeps Piccolo's query API and
results but:

* keeps two plain ``sqlite3`` connections open: one writer, one reader;
* calls them inline on the event loop (a statement takes microseconds; handing
  it to a thread costs more than running it);
* serialises writers behind one ``asyncio.Lock`` and starts every transaction
  with ``BEGIN IMMEDIATE``, so a read-then-write transaction never deadlocks;
* sends plain SELECTs outside a transaction to the reader (WAL lets it read
  while the writer writes);
* when another process holds the write lock, retries with ``asyncio.sleep``
  instead of blocking the event loop in SQLite's busy handler.

Code running on another event loop (Piccolo's ``run_sync`` helpers, the
migration CLI) falls back to the stock path.

This is the only module that knows about connections.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import sqlite3
import time
from typing import Any


from piccolo.engine.sqlite import (
    Savepoint,
    SQLiteEngine,
    SQLiteTransaction,
    TransactionType,
)
from piccolo.engine.base import validate_savepoint_name
from piccolo.querystring import QueryString

def _timestamptz_out(value: bytes) -> dt.datetime:
    return dt.datetime.fromisoformat(value.decode()).replace(tzinfo=dt.timezone.utc)


# sqlite3 converters are process-wide, so the stock path gets these too.
# INTEGER: Piccolo converts every integer through Decimal, to turn a stray
# "1.0" into 1; SQLite's INTEGER affinity already stores such values as
# integers, and sqlite3 returns them as int without any Python call.
sqlite3.converters.pop("INTEGER", None)
sqlite3.register_converter("BOOLEAN", lambda value: value == b"1")
sqlite3.register_converter("TIMESTAMPTZ", _timestamptz_out)

# How long a write waits for another process to release the database.
LOCK_WAIT_SECONDS = 30.0


class _RowsAsDicts:
    """A row factory that builds the column-name tuple once per statement.

    Piccolo's ``dict_factory`` re-reads ``cursor.description`` for every row,
    which costs more than the query itself on a 200-row page. Rows of one
    statement share one description object, so an identity check suffices
    (the inline connections are only used from the event loop's thread).
    """

    __slots__ = ("description", "names")

    def __init__(self) -> None:
        self.description = None
        self.names: tuple[str, ...] = ()

    def __call__(self, cursor: sqlite3.Cursor, row: tuple) -> dict:
        description = cursor.description
        if description is not self.description:
            self.description = description
            self.names = tuple(column[0] for column in description)
        return dict(zip(self.names, row))


def _is_locked(error: sqlite3.OperationalError) -> bool:
    message = str(error)
    return "database is locked" in message or "database is busy" in message


class _InlineSavepoint(Savepoint):
    async def rollback_to(self) -> None:
        self.transaction.connection.execute(f"ROLLBACK TO SAVEPOINT {self.name}")

    async def release(self) -> None:
        self.transaction.connection.execute(f"RELEASE SAVEPOINT {self.name}")


class InlineTransaction(SQLiteTransaction):
    """A write transaction on the engine's writer connection."""

    __slots__ = ("_stock",)

    engine: ConcertoSQLiteEngine

    def __init__(self, engine: ConcertoSQLiteEngine, transaction_type=TransactionType.immediate, allow_nested: bool = True):
        super().__init__(engine, transaction_type=transaction_type, allow_nested=allow_nested)
        self._stock = False

    async def __aenter__(self) -> SQLiteTransaction:
        if self._parent is not None:
            return self._parent
        if not self.engine._on_own_loop():
            self._stock = True
            return await super().__aenter__()
        await self.engine._write_lock.acquire()
        try:
            self.connection = self.engine._writer
            # IMMEDIATE even when asked for DEFERRED: a deferred transaction that
            # reads and then writes fails when another writer got in between.
            mode = "EXCLUSIVE" if self.transaction_type is TransactionType.exclusive else "IMMEDIATE"
            await self.engine._retry_locked(self.connection, f"BEGIN {mode}", ())
        except BaseException:
            self.engine._write_lock.release()
            raise
        self.context = self.engine.current_transaction.set(self)
        return self

    async def commit(self) -> None:
        if self._stock:
            return await super().commit()
        self.connection.execute("COMMIT")
        self._committed = True

    async def rollback(self) -> None:
        if self._stock:
            return await super().rollback()
        self.connection.execute("ROLLBACK")
        self._rolled_back = True

    async def savepoint(self, name: str | None = None) -> Savepoint:
        if self._stock:
            return await super().savepoint(name)
        name = name or f"savepoint_{self.get_savepoint_id()}"
        validate_savepoint_name(name)
        self.connection.execute(f"SAVEPOINT {name}")
        return _InlineSavepoint(name=name, transaction=self)

    async def __aexit__(self, exception_type, exception, traceback) -> bool:
        if self._parent is not None:
            return exception is None
        if self._stock:
            return await super().__aexit__(exception_type, exception, traceback)
        try:
            if exception is not None:
                if not self._rolled_back:
                    await self.rollback()
            elif not self._committed and not self._rolled_back:
                await self.commit()
        except BaseException:
            if self.connection.in_transaction:
                self.connection.execute("ROLLBACK")
            raise
        finally:
            self.engine.current_transaction.reset(self.context)
            self.engine._write_lock.release()
        return exception is None


class ConcertoSQLiteEngine(SQLiteEngine):
    """Piccolo's SQLite engine with persistent, inline connections."""

    __slots__ = ("_writer", "_reader", "_write_lock", "_loop")

    def __init__(self, path: str, **connection_kwargs: Any) -> None:
        super().__init__(path=path, **connection_kwargs)
        self._writer: sqlite3.Connection | None = None
        self._reader: sqlite3.Connection | None = None
        self._write_lock: asyncio.Lock | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    # -- connections -------------------------------------------------------

    def _connect(self, *, query_only: bool) -> sqlite3.Connection:
        kwargs = {**self.connection_kwargs, "check_same_thread": False, "timeout": 0}
        connection = sqlite3.connect(**kwargs)
        connection.row_factory = _RowsAsDicts()
        connection.execute("PRAGMA foreign_keys = ON")
        if query_only:
            # A reader never waits on the writer in WAL mode; a short busy
            # timeout covers the rare checkpoint/recovery moments.
            connection.execute("PRAGMA busy_timeout = 2000")
            connection.execute("PRAGMA query_only = ON")
        return connection

    def _open(self, loop: asyncio.AbstractEventLoop) -> None:
        self._close_connections()
        writer = self._connect(query_only=False)
        writer.execute("PRAGMA busy_timeout = 0")
        self._retry_locked_sync(writer, "PRAGMA journal_mode = WAL")
        writer.execute("PRAGMA synchronous = NORMAL")
        self._writer = writer
        self._reader = self._connect(query_only=True)
        self._write_lock = asyncio.Lock()
        self._loop = loop

    def _close_connections(self) -> None:
        for connection in (self._reader, self._writer):
            if connection is not None:
                connection.close()
        self._reader = self._writer = None
        self._loop = None

    def _on_own_loop(self) -> bool:
        """True when this call can use the inline connections."""
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return False
        if self._loop is loop:
            return True
        if self._loop is None or self._loop.is_closed():
            self._open(loop)
            return True
        return False

    async def close(self) -> None:
        self._close_connections()

    # -- running statements ---------------------------------------------------

    @staticmethod
    def _retry_locked_sync(connection: sqlite3.Connection, sql: str) -> None:
        deadline = time.monotonic() + LOCK_WAIT_SECONDS
        while True:
            try:
                connection.execute(sql)
                return
            except sqlite3.OperationalError as error:
                if not _is_locked(error) or time.monotonic() > deadline:
                    raise
                time.sleep(0.01)

    async def _retry_locked(self, connection: sqlite3.Connection, sql: str, args) -> list[dict]:
        delay = 0.001
        deadline = time.monotonic() + LOCK_WAIT_SECONDS
        while True:
            try:
                return connection.execute(sql, args).fetchall()
            except sqlite3.OperationalError as error:
                if not _is_locked(error) or time.monotonic() > deadline:
                    raise
            await asyncio.sleep(delay)
            delay = min(delay * 2, 0.05)

    async def _run(self, sql: str, args) -> list[dict]:
        transaction = self.current_transaction.get()
        if transaction is not None:
            return transaction.connection.execute(sql, args).fetchall()
        if sql.lstrip()[:6].upper() == "SELECT":
            return self._reader.execute(sql, args).fetchall()
        async with self._write_lock:
            return await self._retry_locked(self._writer, sql, args)

    async def run_querystring(self, querystring: QueryString, in_pool: bool = False):
        if not self._on_own_loop():
            return await super().run_querystring(querystring, in_pool=in_pool)
        sql, args = querystring.compile_string(engine_type=self.engine_type)
        if self.log_queries:
            self.print_query(query_id=self.get_query_id(), query=str(querystring))
        return await self._run(sql, args)

    async def run_ddl(self, ddl: str, in_pool: bool = False):
        if not self._on_own_loop():
            return await super().run_ddl(ddl, in_pool=in_pool)
        if self.log_queries:
            self.print_query(query_id=self.get_query_id(), query=ddl)
        return await self._run(ddl, ())

    def transaction(
        self,
        transaction_type: TransactionType = TransactionType.immediate,
        allow_nested: bool = True,
    ) -> InlineTransaction:
        return InlineTransaction(self, transaction_type=transaction_type, allow_nested=allow_nested)
