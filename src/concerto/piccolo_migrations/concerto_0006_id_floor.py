"""Ids of board rows never come back on SQLite (see concerto.board.changes)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine.finder import engine_finder

ID = "2026-11-23T16:10:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "highest deleted id per board table"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="concerto", description=DESCRIPTION)

    async def create():
        await engine_finder().run_ddl("CREATE TABLE id_floor (name VARCHAR(60) PRIMARY KEY, floor INTEGER NOT NULL)")

    manager.add_raw(create)
    return manager
