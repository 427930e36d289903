"""Database access: which engine, how to open it, how to write safely.

Everything outside this package uses Piccolo's query API and the two helpers
``write_transaction()`` and ``lock_for_update()``, which hide the differences
between SQLite and PostgreSQL.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from piccolo.engine.base import Engine
from piccolo.engine.postgres import PostgresEngine
from piccolo.engine.sqlite import TransactionType
from piccolo.table import Table

from concerto.db.engine import ConcertoSQLiteEngine

_engine: Engine | None = None
_url: str | None = None
_users = 0


def sqlite_path(url: str) -> str:
    """The file path in ``sqlite:///relative`` or ``sqlite:////absolute``."""
    path = unquote(url.removeprefix("sqlite://").removeprefix("/"))
    if url.startswith("sqlite:////"):
        path = "/" + path.lstrip("/")
    return path


def create_engine(url: str, *, schema: str | None = None) -> Engine:
    """An engine for a ``sqlite:///`` or ``postgresql://`` URL (not connected yet)."""
    if url.startswith("sqlite:"):
        path = sqlite_path(url)
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        return ConcertoSQLiteEngine(path=path)
    if url.startswith(("postgres://", "postgresql://")):
        parts = urlsplit(url)
        if not parts.path.strip("/"):
            raise ValueError("the PostgreSQL URL must name a database, e.g. postgresql://user@host/concerto")
        config: dict[str, Any] = {"dsn": url}
        if schema:
            config["server_settings"] = {"search_path": schema}
        return PostgresEngine(config=config)
    raise ValueError(f"unsupported database URL {url!r}: use sqlite:///path or postgresql://…")


def all_tables() -> tuple[type[Table], ...]:
    from piccolo.apps.migrations.tables import Migration

    from concerto.tables import ALL_TABLES

    return (*ALL_TABLES, Migration)


def bind(engine: Engine) -> None:
    """Point every table, and Piccolo's own lookups, at ``engine``."""
    global _engine
    from concerto import piccolo_conf

    piccolo_conf.DB = engine
    for table in all_tables():
        table._meta.db = engine
    _engine = engine


def current() -> Engine:
    if _engine is None:
        raise RuntimeError("the database is not connected: call concerto.db.connect() first")
    return _engine


async def connect(url: str, *, schema: str | None = None) -> Engine:
    """Open (or share) the engine for ``url``; pair every call with ``disconnect()``."""
    global _users, _url
    if _engine is not None and _users > 0:
        if url != _url:
            raise RuntimeError(f"already connected to {_url}; cannot also connect to {url}")
        _users += 1
        return _engine
    engine = create_engine(url, schema=schema)
    if isinstance(engine, PostgresEngine):
        await engine.start_connection_pool(min_size=1, max_size=20)
    bind(engine)
    _users, _url = 1, url
    return engine


async def disconnect() -> None:
    global _users, _engine
    _users = max(0, _users - 1)
    if _users or _engine is None:
        return
    engine, _engine = _engine, None
    if isinstance(engine, PostgresEngine):
        await engine.close_connection_pool()
    elif isinstance(engine, ConcertoSQLiteEngine):
        await engine.close()


def is_postgres() -> bool:
    return isinstance(current(), PostgresEngine)


def write_transaction():
    """A transaction for work that writes: IMMEDIATE on SQLite, plain on PostgreSQL."""
    engine = current()
    if isinstance(engine, PostgresEngine):
        return engine.transaction()
    return engine.transaction(transaction_type=TransactionType.immediate)


async def lock_for_update(table: type[Table], pk: int) -> None:
    """Serialise concurrent writers on one row until the transaction ends.

    PostgreSQL takes a row lock; SQLite needs nothing since its write
    transactions already run one at a time.
    """
    if is_postgres():
        await table.select(table._meta.primary_key).where(table._meta.primary_key == pk).lock_rows()


def now() -> dt.datetime:
    """The current time as stored: timezone-aware UTC."""
    return dt.datetime.now(dt.timezone.utc)


@contextlib.asynccontextmanager
async def connected(url: str, *, schema: str | None = None):
    engine = await connect(url, schema=schema)
    try:
        yield engine
    finally:
        await disconnect()
