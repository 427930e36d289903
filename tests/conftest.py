"""Fixtures: every database test runs on SQLite and, when configured, PostgreSQL.

``CONCERTO_TEST_POSTGRES_URL`` (e.g. postgresql://postgres@127.0.0.1:5432/test)
adds the PostgreSQL half; each run works in its own schema, dropped at the end.
"""

from __future__ import annotations

import os
import uuid
from dataclasses import dataclass

# Settings are read once; fix them before Concerto is imported.
os.environ.setdefault("CONCERTO_SECRET_KEY", "test-secret-key-that-is-long-enough-0123456789")
os.environ.setdefault("CONCERTO_DATABASE_URL", "sqlite:////nonexistent/never-used.sqlite3")

import asyncpg
import httpx
import pytest

from concerto import db, i18n
from concerto.app import create_app
from concerto.db.migrate import migrate
from concerto.settings import Settings
from concerto.tables import ALL_TABLES

from tests.browser import Browser, http_client

POSTGRES_URL = os.environ.get("CONCERTO_TEST_POSTGRES_URL")
BACKENDS = ["sqlite", *(["postgres"] if POSTGRES_URL else [])]


@dataclass(frozen=True)
class Backend:
    name: str
    url: str
    schema: str | None = None


async def _postgres_schema(action: str, schema: str) -> None:
    connection = await asyncpg.connect(POSTGRES_URL)
    try:
        await connection.execute(f"{action} SCHEMA {schema}{' CASCADE' if action == 'DROP' else ''}")
    finally:
        await connection.close()


@pytest.fixture(scope="session", params=BACKENDS)
async def backend(request, tmp_path_factory):
    """A migrated database for the whole session, one per backend."""
    if request.param == "sqlite":
        found = Backend("sqlite", f"sqlite:///{tmp_path_factory.mktemp('db') / 'concerto.sqlite3'}")
    else:
        found = Backend("postgres", POSTGRES_URL, f"concerto_test_{uuid.uuid4().hex[:10]}")
        await _postgres_schema("CREATE", found.schema)
    await db.connect(found.url, schema=found.schema)
    try:
        await migrate(quiet=True)
        yield found
    finally:
        await db.disconnect()
        if found.schema:
            await _postgres_schema("DROP", found.schema)


async def empty_tables(backend: Backend) -> None:
    names = ", ".join(table._meta.tablename for table in ALL_TABLES)
    engine = db.current()
    if backend.name == "postgres":
        await engine.run_ddl(f"TRUNCATE {names} RESTART IDENTITY CASCADE")
    else:
        async with db.write_transaction():
            for table in reversed(ALL_TABLES):
                await engine.run_ddl(f"DELETE FROM {table._meta.tablename}")


@pytest.fixture
async def database(backend):
    """An empty database (schema kept), in French."""
    await empty_tables(backend)
    i18n.set_locale("fr")
    yield backend


@pytest.fixture(scope="session")
def settings(backend, tmp_path_factory) -> Settings:
    return Settings(
        database_url=backend.url,
        secret_key="test-secret-key-that-is-long-enough-0123456789",
        # Tests post quickly from one client; the rate limit has its own test.
        write_rate_limit=100_000,
    )


@pytest.fixture(scope="session")
async def app(settings):
    return create_app(settings)


@pytest.fixture
async def client(app, database):
    async with http_client(app) as test_client:
        yield test_client


@pytest.fixture
async def browser(app, database):
    """A browser-like client: keeps cookies and sends CSRF tokens."""
    async with http_client(app) as test_client:
        yield Browser(test_client)


@pytest.fixture
async def new_browser(app, database):
    """A factory for more browsers (other participants) in the same test."""
    clients: list[httpx.AsyncClient] = []

    async def make() -> Browser:
        clients.append(http_client(app))
        return Browser(clients[-1])

    yield make
    for test_client in clients:
        await test_client.aclose()
