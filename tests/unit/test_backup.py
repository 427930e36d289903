"""`concerto backup` and `concerto restore`, run as a user runs them, on SQLite and PostgreSQL."""

from __future__ import annotations

import os
import sqlite3
import stat
import subprocess
import sys
import uuid
from pathlib import Path

import asyncpg
import pytest

from concerto import db
from concerto.tables import Contribution, Participant
from tests.conftest import POSTGRES_URL
from tests.factories import make_contribution, make_participant, make_world

# Runs the first migration only: the schema of an older Concerto.
FIRST_MIGRATION_ONLY = """
import asyncio
from piccolo.apps.migrations.commands.forwards import run_forwards
from piccolo.apps.migrations.tables import Migration
from concerto import db
from concerto.settings import get_settings

async def main():
    async with db.connected(get_settings().database_url):
        await Migration.create_table(if_not_exists=True)
        result = await run_forwards(app_name="concerto", migration_id="1")
        assert result.success, result.message

asyncio.run(main())
"""


def url_of(backend) -> str:
    return backend.url + (f"?search_path={backend.schema}" if backend.schema else "")


def concerto(url: str, *args: str, **env: str) -> subprocess.CompletedProcess:
    environment = {**os.environ, "CONCERTO_DATABASE_URL": url, **env}
    return subprocess.run([sys.executable, "-m", "concerto", *args], env=environment, capture_output=True, text=True, timeout=120)


async def snapshot() -> dict[str, list[dict]]:
    """Every row of every table of the test database, as stored."""
    engine = db.current()
    if db.is_postgres():
        listing = await engine.run_ddl("SELECT tablename AS name FROM pg_tables WHERE schemaname = current_schema()")
    else:
        listing = await engine.run_ddl("SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
    tables = {}
    for name in sorted(row["name"] for row in listing):
        tables[name] = sorted((dict(row) for row in await engine.run_ddl(f'SELECT * FROM "{name}"')), key=repr)
    return tables


async def some_data():
    world = await make_world()
    camille = await make_participant(world, "Camille")
    dominique = await make_participant(world, "Dominique")
    first = await make_contribution(world, camille, "Un fonds d'amorçage", body="Pour les *coopératives*.")
    await make_contribution(world, dominique, "Des locaux partagés")
    return world, camille, dominique, first


async def change_data(world, camille, dominique, first) -> None:
    await Contribution.update({Contribution.title: "Titre changé après la sauvegarde"}).where(Contribution.id == first)
    await Contribution.delete().where(Contribution.author == dominique.participant_id)
    await Participant.delete().where(Participant.id == dominique.participant_id)
    await make_contribution(world, camille, "Ajoutée après la sauvegarde")


async def test_round_trip_restores_every_row_as_it_was(database, tmp_path):
    data = await some_data()
    before = await snapshot()
    file = tmp_path / "concerto.backup"

    done = concerto(url_of(database), "backup", str(file))

    assert done.returncode == 0, done.stderr
    rows = sum(len(table) for table in before.values())
    assert f"{len(before)} tables, {rows:,} rows" in done.stdout and str(file) in done.stdout
    assert stat.S_IMODE(file.stat().st_mode) == 0o600  # it holds personal data
    assert list(tmp_path.iterdir()) == [file]  # no partial file left beside it
    await change_data(*data)
    assert await snapshot() != before

    restored = concerto(url_of(database), "restore", str(file), "--force")

    assert restored.returncode == 0, restored.stderr
    assert "Restored" in restored.stdout
    assert await snapshot() == before
    # Sequences came back too: a new row gets a fresh id, not one already used.
    world, camille, *_ = data
    new = await make_contribution(world, camille, "Après la restauration")
    assert new not in {row["id"] for row in before["contribution"]}


async def test_backup_is_one_snapshot_taken_while_the_server_writes(database, tmp_path):
    world, camille, *_ = await some_data()
    committed = await snapshot()
    file = tmp_path / "concerto.backup"
    async with db.write_transaction():
        await make_contribution(world, camille, "Pas encore enregistrée")
        # Another process backs up while this write is under way.
        done = concerto(url_of(database), "backup", str(file))
    assert done.returncode == 0, done.stderr
    await Contribution.delete(force=True)

    restored = concerto(url_of(database), "restore", str(file), "--force")

    assert restored.returncode == 0, restored.stderr
    assert await snapshot() == committed


async def test_restore_refuses_a_database_that_holds_data_without_force(database, tmp_path):
    data = await some_data()
    file = tmp_path / "concerto.backup"
    assert concerto(url_of(database), "backup", str(file)).returncode == 0
    await change_data(*data)
    changed = await snapshot()

    refused = concerto(url_of(database), "restore", str(file))

    assert refused.returncode == 2
    assert "already holds data" in refused.stderr and "--force" in refused.stderr
    assert await snapshot() == changed


async def another_applications_backup(database, file: Path) -> None:
    """A whole backup of the right kind, of a database that is not Concerto's."""
    if database.name == "sqlite":
        connection = sqlite3.connect(file)
        connection.execute("CREATE TABLE notes (text TEXT)")
        connection.execute("INSERT INTO notes VALUES ('une autre application')")
        connection.commit()
        connection.close()
        return
    schema = f"other_app_{uuid.uuid4().hex[:10]}"
    connection = await asyncpg.connect(POSTGRES_URL)
    try:
        await connection.execute(f"CREATE SCHEMA {schema}; CREATE TABLE {schema}.notes (text TEXT)")
        await connection.execute(f"INSERT INTO {schema}.notes VALUES ('une autre application')")
        subprocess.run(["pg_dump", "--format=custom", f"--schema={schema}", f"--file={file}", POSTGRES_URL], check=True)
    finally:
        await connection.execute(f"DROP SCHEMA {schema} CASCADE")
        await connection.close()


@pytest.mark.parametrize(
    ("damage", "said"),
    [
        ("garbage", "not a Concerto backup"),
        ("empty", "not a Concerto backup"),
        ("truncated", "truncated"),
        ("cut short", "truncated"),
        ("another application's backup", "not a Concerto one"),
    ],
)
async def test_restore_refuses_a_file_that_is_not_a_whole_backup(database, tmp_path, damage, said):
    await some_data()
    before = await snapshot()
    file = tmp_path / "concerto.backup"
    if damage == "garbage":
        file.write_bytes(os.urandom(64 * 1024))
    elif damage == "empty":
        file.write_bytes(b"")
    elif damage == "truncated":
        assert concerto(url_of(database), "backup", str(file)).returncode == 0
        file.write_bytes(file.read_bytes()[: file.stat().st_size // 2])
    elif damage == "cut short":  # the beginning (pg_dump's table of contents) is whole
        assert concerto(url_of(database), "backup", str(file)).returncode == 0
        file.write_bytes(file.read_bytes()[:-100])
    else:
        await another_applications_backup(database, file)

    # --force: only the checks of the file stand between it and the database.
    refused = concerto(url_of(database), "restore", str(file), "--force")

    assert refused.returncode == 2
    assert said in refused.stderr and "nothing was changed" in refused.stderr
    assert await snapshot() == before


async def _other_kind_backup(name: str, tmp_path: Path) -> Path:
    """A genuine Concerto backup made on the other kind of database."""
    file = tmp_path / f"other-{name}.backup"
    if name == "postgres":
        url = f"sqlite:///{tmp_path / 'other.sqlite3'}"
        assert concerto(url, "migrate").returncode == 0
        assert concerto(url, "backup", str(file)).returncode == 0
        return file
    if not POSTGRES_URL:
        pytest.skip("needs CONCERTO_TEST_POSTGRES_URL to make a PostgreSQL backup")
    schema = f"concerto_other_{uuid.uuid4().hex[:10]}"
    connection = await asyncpg.connect(POSTGRES_URL)
    try:
        await connection.execute(f"CREATE SCHEMA {schema}")
        url = f"{POSTGRES_URL}?search_path={schema}"
        assert concerto(url, "migrate").returncode == 0
        assert concerto(url, "backup", str(file)).returncode == 0
    finally:
        await connection.execute(f"DROP SCHEMA {schema} CASCADE")
        await connection.close()
    return file


async def test_restore_refuses_a_backup_of_the_other_kind_of_database(database, tmp_path):
    await some_data()
    before = await snapshot()
    file = await _other_kind_backup(database.name, tmp_path)

    refused = concerto(url_of(database), "restore", str(file), "--force")

    assert refused.returncode == 2
    expected = "is a PostgreSQL backup (pg_dump) but the configured database is SQLite"
    if database.name == "postgres":
        expected = "is an SQLite backup but the configured database is PostgreSQL"
    assert expected in refused.stderr and "nothing was changed" in refused.stderr
    assert await snapshot() == before


async def _older_backup(database, tmp_path: Path) -> Path:
    """A backup of an empty database on the first migration only, in the test database's schema."""
    file = tmp_path / "older.backup"
    if database.name == "sqlite":
        url = f"sqlite:///{tmp_path / 'older.sqlite3'}"
        subprocess.run([sys.executable, "-c", FIRST_MIGRATION_ONLY], env={**os.environ, "CONCERTO_DATABASE_URL": url}, check=True)
        assert concerto(url, "backup", str(file)).returncode == 0
        return file
    # A PostgreSQL backup restores into a schema of the same name: make it in another database.
    name = f"concerto_older_{uuid.uuid4().hex[:10]}"
    admin = await asyncpg.connect(POSTGRES_URL)
    try:
        await admin.execute(f"CREATE DATABASE {name}")
        base = POSTGRES_URL.rsplit("/", 1)[0] + f"/{name}"
        other = await asyncpg.connect(base)
        await other.execute(f"CREATE SCHEMA {database.schema}")
        await other.close()
        url = f"{base}?search_path={database.schema}"
        subprocess.run([sys.executable, "-c", FIRST_MIGRATION_ONLY], env={**os.environ, "CONCERTO_DATABASE_URL": url}, check=True)
        done = concerto(url, "backup", str(file))
        assert done.returncode == 0, done.stderr
    finally:
        await admin.execute(f"DROP DATABASE IF EXISTS {name}")
        await admin.close()
    return file


def migrations(tables: dict[str, list[dict]]) -> list[str]:
    return sorted(row["name"] for row in tables["migration"])


async def test_restoring_an_older_backup_brings_its_schema_up_to_date(database, tmp_path):
    await some_data()
    current = await snapshot()
    file = await _older_backup(database, tmp_path)

    restored = concerto(url_of(database), "restore", str(file), "--force")

    assert restored.returncode == 0, restored.stderr
    after = await snapshot()
    # Every table of today's schema, every migration recorded, and only the backup's (empty) data.
    assert after.keys() == current.keys()
    assert migrations(after) == migrations(current)
    assert after["contribution"] == [] and after["participant"] == []
    world = await make_world()
    assert await make_contribution(world, await make_participant(world))


async def test_backup_without_pg_dump_says_what_to_install(database, tmp_path):
    if database.name != "postgres":
        pytest.skip("pg_dump is only needed on PostgreSQL")
    file = tmp_path / "concerto.backup"

    failed = concerto(url_of(database), "backup", str(file), PATH=str(tmp_path))

    assert failed.returncode == 2
    assert "pg_dump was not found" in failed.stderr and "postgresql-client" in failed.stderr
    assert list(tmp_path.iterdir()) == []
