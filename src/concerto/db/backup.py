"""Backups of the configured database, taken while it runs, and restoring them.

SQLite goes through SQLite's online backup API, PostgreSQL through ``pg_dump
--format=custom`` (one snapshot of Concerto's schema), ``pg_restore`` and ``psql``.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import shutil
import sqlite3
import tempfile
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qsl, unquote, urlencode, urlsplit, urlunsplit

import asyncpg

from concerto import db
from concerto.db.migrate import migrate

SQLITE_MAGIC = b"SQLite format 3\x00"
PG_DUMP_MAGIC = b"PGDMP"
ENGINES = {"sqlite": "SQLite", "postgres": "PostgreSQL"}
BACKUP_KINDS = {"sqlite": "an SQLite backup", "postgres": "a PostgreSQL backup (pg_dump)"}

# Query parameters pg_dump and friends understand; asyncpg sends the others
# (e.g. search_path) as server settings, which libpq would reject.
_LIBPQ_PARAMS = {
    "application_name", "connect_timeout", "options", "passfile", "service", "sslcert", "sslcrl",
    "sslkey", "sslmode", "sslpassword", "sslrootcert", "target_session_attrs",
}  # fmt: skip
_TABLE_DATA = re.compile(r"^\d+; \d+ \d+ TABLE DATA (\S+) (\S+) ", re.MULTILINE)


class BackupError(Exception):
    """A backup or restore that was refused or failed; the message says why."""


@dataclass(frozen=True)
class Summary:
    """What a backup file holds, or what a restore put back."""

    database: str
    file: Path
    size: int
    tables: int
    rows: int


async def create_backup(url: str, file: Path) -> Summary:
    """Write a consistent backup of the database at ``url`` to ``file``."""
    # Written beside the target then renamed: a failed backup never replaces a good one.
    partial = file.with_name(f".{file.name}.partial")
    try:
        partial.unlink(missing_ok=True)
        # A backup holds personal data: readable by its owner only.
        os.close(os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except OSError as error:
        raise BackupError(f"cannot write {file}: {error.strerror or error}") from None
    try:
        if url.startswith("sqlite:"):
            database, tables, rows = await asyncio.to_thread(_backup_sqlite, db.sqlite_path(url), partial)
        else:
            database, tables, rows = await _backup_postgres(url, partial)
        partial.replace(file)
    except OSError as error:
        raise BackupError(f"cannot write {file}: {error.strerror or error}") from None
    finally:
        partial.unlink(missing_ok=True)
    return Summary(database, file, file.stat().st_size, tables, rows)


async def restore_backup(url: str, file: Path, *, force: bool = False) -> Summary:
    """Replace the database at ``url`` by the backup in ``file``, then migrate it forward.

    Refuses, changing nothing, a file that is not a whole backup for this kind of
    database, and a database that holds data unless ``force``.
    """
    kind = _backup_kind(file)
    wanted = "sqlite" if url.startswith("sqlite:") else "postgres"
    if kind != wanted:
        raise BackupError(f"{file} is {BACKUP_KINDS[kind]} but the configured database is {ENGINES[wanted]}; nothing was changed")
    if kind == "sqlite":
        database = await asyncio.to_thread(_restore_sqlite, db.sqlite_path(url), file, force)
    else:
        database = await _restore_postgres(url, file, force)
    try:
        async with db.connected(url):
            await migrate(quiet=True)
    except RuntimeError as error:
        raise BackupError(f"{file} was restored, but bringing its schema up to date failed: {error}") from None
    if kind == "sqlite":
        tables, rows = await asyncio.to_thread(_sqlite_counts_at, db.sqlite_path(url))
    else:
        async with _pg_connection(url) as connection:
            tables, rows = await _pg_counts(connection, await _pg_schema(connection))
    return Summary(database, file, file.stat().st_size, tables, rows)


def _backup_kind(file: Path) -> str:
    """``"sqlite"`` or ``"postgres"``, from the file's first bytes."""
    try:
        with file.open("rb") as handle:
            start = handle.read(len(SQLITE_MAGIC))
    except OSError as error:
        raise BackupError(f"cannot read {file}: {error.strerror or error}") from None
    if start.startswith(SQLITE_MAGIC):
        return "sqlite"
    if start.startswith(PG_DUMP_MAGIC):
        return "postgres"
    raise BackupError(f"{file} is not a Concerto backup (neither an SQLite database nor a pg_dump archive); nothing was changed")


# -- SQLite ------------------------------------------------------------------


def _open_sqlite(path: Path, *, read_only: bool) -> sqlite3.Connection:
    # Never create a database where one is missing (mode=rw/ro); a backup file is
    # never written to, so immutable=1 keeps SQLite from putting -wal/-shm files beside it.
    mode = "ro&immutable=1" if read_only else "rw"
    return sqlite3.connect(f"{path.resolve().as_uri()}?mode={mode}", uri=True, timeout=30)


def _sqlite_counts(connection: sqlite3.Connection) -> tuple[int, int]:
    names = [name for (name,) in connection.execute("SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")]
    rows = sum(connection.execute(f"SELECT count(*) FROM {_quote(name)}").fetchone()[0] for name in names)
    return len(names), rows


def _sqlite_counts_at(path: str) -> tuple[int, int]:
    connection = sqlite3.connect(path, timeout=30)
    try:
        return _sqlite_counts(connection)
    finally:
        connection.close()


def _backup_sqlite(path: str, partial: Path) -> tuple[str, int, int]:
    if not Path(path).is_file():
        raise BackupError(f"there is no database at {path}")
    source = _open_sqlite(Path(path), read_only=False)
    target = sqlite3.connect(partial)
    try:
        # One step (pages=-1) copies a single snapshot; WAL lets the server write meanwhile.
        source.backup(target)
        # The copy inherits WAL mode; a backup is better as one self-contained file.
        target.execute("PRAGMA journal_mode = DELETE")
        tables, rows = _sqlite_counts(target)
    except sqlite3.Error as error:
        raise BackupError(f"cannot back up {path}: {error}") from None
    finally:
        target.close()
        source.close()
    return path, tables, rows


def _check_sqlite_backup(file: Path) -> sqlite3.Connection:
    """An open, read-only connection to ``file`` once it is known to be a whole Concerto database."""
    with file.open("rb") as handle:
        header = handle.read(100)
    page_size = int.from_bytes(header[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    # The page count at offset 28 is only valid when bytes 24-27 and 92-95 agree;
    # otherwise the integrity check below finds missing pages.
    valid_count = len(header) == 100 and header[24:28] == header[92:96]
    expected = page_size * int.from_bytes(header[28:32], "big") if valid_count else 0
    if len(header) < 100 or file.stat().st_size < expected:
        raise BackupError(f"{file} is truncated (it is shorter than its header says); nothing was changed")
    connection = _open_sqlite(file, read_only=True)
    try:
        problems = [row[0] for row in connection.execute("PRAGMA integrity_check")]
        if problems != ["ok"]:
            raise BackupError(f"{file} is damaged ({problems[0]}); nothing was changed")
        if not connection.execute("SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = 'migration'").fetchone():
            raise BackupError(f"{file} is an SQLite database but not a Concerto one (it has no migration table); nothing was changed")
    except sqlite3.DatabaseError as error:
        connection.close()
        raise BackupError(f"{file} is damaged or truncated ({error}); nothing was changed") from None
    except BaseException:
        connection.close()
        raise
    return connection


def _restore_sqlite(path: str, file: Path, force: bool) -> str:
    source = _check_sqlite_backup(file)
    try:
        if Path(path).exists() and Path(path).samefile(file):
            raise BackupError(f"{file} is the configured database itself; nothing was changed")
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        target = sqlite3.connect(path, timeout=30)
        try:
            if not force:
                _refuse_if_data(path, _sqlite_rows_present(target))
            # One step, in one write transaction on the target: other connections
            # (a running server) see the old database or the new one, never a mix.
            source.backup(target)
        except sqlite3.Error as error:
            raise BackupError(f"cannot restore into {path}: {error}; nothing was changed") from None
        finally:
            target.close()
    finally:
        source.close()
    return path


def _sqlite_rows_present(connection: sqlite3.Connection) -> bool:
    names = [name for (name,) in connection.execute("SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")]
    return any(connection.execute(f"SELECT EXISTS (SELECT 1 FROM {_quote(name)})").fetchone()[0] for name in names if name != "migration")


def _refuse_if_data(database: str, present: bool) -> None:
    if present:
        raise BackupError(
            f"the database {database} already holds data; restoring would replace all of it. "
            "Run again with --force to overwrite it (nothing was changed)"
        )


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


# -- PostgreSQL ----------------------------------------------------------------


@contextlib.asynccontextmanager
async def _pg_connection(url: str):
    """One plain connection: pg_dump's snapshot must be exported and held by a known connection."""
    try:
        connection = await asyncpg.connect(url)
    except (OSError, asyncpg.PostgresError) as error:
        raise BackupError(f"cannot connect to {_describe(url)}: {error}") from None
    try:
        yield connection
    finally:
        await connection.close()


def _without_password(url: str) -> tuple[str, str | None]:
    parts = urlsplit(url)
    userinfo, _, host = parts.netloc.rpartition("@")
    user, _, password = userinfo.partition(":")
    netloc = f"{user}@{host}" if user else host
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, "")), (unquote(password) if password else None)


def _describe(url: str, schema: str | None = None) -> str:
    """The database as messages name it: no password, no query."""
    where = _without_password(url)[0].split("?", 1)[0]
    return f"{where} (schema {schema})" if schema else where


def _libpq(url: str) -> tuple[str, dict[str, str]]:
    """The URL as pg_dump/pg_restore/psql take it, and their environment (password kept off the command line)."""
    bare, password = _without_password(url)
    parts = urlsplit(bare)
    env = dict(os.environ)
    query = []
    for key, value in parse_qsl(parts.query):
        if key == "password":
            password = value
        elif key in _LIBPQ_PARAMS:
            query.append((key, value))
    if password is not None:
        env["PGPASSWORD"] = password
    return urlunsplit(parts._replace(query=urlencode(query))), env


def _tool(name: str, server_major: int) -> str:
    found = shutil.which(name)
    if found is None:
        raise BackupError(
            f"{name} was not found: install the PostgreSQL client tools, version {server_major} or newer "
            "(Debian/Ubuntu: apt install postgresql-client)"
        )
    return found


async def _run_tool(*args: str, env: dict[str, str]) -> tuple[int, str, str]:
    """The exit code, output and error output of a client tool."""
    process = await asyncio.create_subprocess_exec(
        *args, env=env, stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
    )
    stdout, stderr = await process.communicate()
    return process.returncode, stdout.decode(errors="replace"), stderr.decode(errors="replace").strip()


async def _pg_schema(connection: asyncpg.Connection) -> str:
    schema = await connection.fetchval("SELECT current_schema()")
    if schema is None:
        path = await connection.fetchval("SHOW search_path")
        raise BackupError(f"no schema of the search path ({path}) exists in this database: create it first")
    return schema


async def _pg_tables(connection: asyncpg.Connection, schema: str) -> list[str]:
    return [row["tablename"] for row in await connection.fetch("SELECT tablename FROM pg_tables WHERE schemaname = $1", schema)]


async def _pg_counts(connection: asyncpg.Connection, schema: str) -> tuple[int, int]:
    names = await _pg_tables(connection, schema)
    rows = 0
    for name in names:
        rows += await connection.fetchval(f"SELECT count(*) FROM {_quote(schema)}.{_quote(name)}")
    return len(names), rows


async def _pg_rows_present(connection: asyncpg.Connection, schema: str) -> bool:
    for name in await _pg_tables(connection, schema):
        if name != "migration" and await connection.fetchval(f"SELECT EXISTS (SELECT 1 FROM {_quote(schema)}.{_quote(name)})"):
            return True
    return False


async def _backup_postgres(url: str, partial: Path) -> tuple[str, int, int]:
    async with _pg_connection(url) as connection:
        pg_dump = _tool("pg_dump", connection.get_server_version().major)
        dsn, env = _libpq(url)
        # pg_dump reads the snapshot exported here, so the rows counted are the rows written.
        async with connection.transaction(isolation="repeatable_read", readonly=True):
            schema = await _pg_schema(connection)
            snapshot = await connection.fetchval("SELECT pg_export_snapshot()")
            code, _output, message = await _run_tool(
                pg_dump, "--format=custom", f"--schema={schema}", f"--snapshot={snapshot}", f"--file={partial}", f"--dbname={dsn}", env=env
            )
            if code != 0:
                raise BackupError(f"pg_dump failed: {message}")
            tables, rows = await _pg_counts(connection, schema)
    return _describe(url, schema), tables, rows


async def _dump_schema(pg_restore: str, file: Path, env: dict[str, str]) -> str:
    code, listing, message = await _run_tool(pg_restore, "--list", str(file), env=env)
    if code != 0:
        raise BackupError(f"{file} is damaged or truncated, or not an archive this pg_restore reads ({message}); nothing was changed")
    tables = _TABLE_DATA.findall(listing)
    schemas = sorted({schema for schema, _name in tables})
    if len(schemas) != 1 or (schemas[0], "migration") not in tables:
        raise BackupError(
            f"{file} is a pg_dump archive but not a Concerto one (concerto backup writes one schema holding Concerto's tables); "
            "nothing was changed"
        )
    return schemas[0]


async def _restore_postgres(url: str, file: Path, force: bool) -> str:
    dsn, env = _libpq(url)
    async with _pg_connection(url) as connection:
        major = connection.get_server_version().major
        pg_restore, psql = _tool("pg_restore", major), _tool("psql", major)
        target = await _pg_schema(connection)
        source = await _dump_schema(pg_restore, file, env)
        if source != target:
            raise BackupError(
                f"{file} holds the schema {source!r} but the configured database uses {target!r} "
                "(set search_path in the database URL to match); nothing was changed"
            )
        with tempfile.TemporaryDirectory(prefix="concerto-restore-") as scratch:
            script = Path(scratch) / "restore.sql"
            # Reading the whole archive first refuses a truncated or damaged file
            # before anything is touched.
            code, _output, message = await _run_tool(
                pg_restore, "--no-owner", "--no-privileges", f"--schema={source}", f"--file={script}", str(file), env=env
            )
            if code != 0:
                raise BackupError(f"{file} is damaged or truncated ({message}); nothing was changed")
            if not force:
                _refuse_if_data(_describe(url, target), await _pg_rows_present(connection, target))
            # The schema is dropped and recreated rather than cleaned object by object
            # (pg_restore --clean): a backup from an older version lacks the tables of
            # newer migrations, which --clean would leave behind. All of it runs in one
            # transaction: if any statement fails, nothing changes.
            code, _output, message = await _run_tool(
                psql, "--no-psqlrc", "--quiet", "--set=ON_ERROR_STOP=1", "--single-transaction",
                "--command=SET client_min_messages = warning",
                f"--command=DROP SCHEMA IF EXISTS {_quote(target)} CASCADE",
                f"--command=CREATE SCHEMA {_quote(target)}",
                f"--file={script}", f"--dbname={dsn}", env=env,
            )  # fmt: skip
            if code != 0:
                raise BackupError(f"restoring {file} failed and was rolled back, nothing was changed: {message}")
    return _describe(url, target)
