"""One number per published version of a consultation's restitution."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine.finder import engine_finder

ID = "2026-11-23T15:50:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "restitution version numbers are unique per consultation"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="concerto", description=DESCRIPTION)

    async def add_index():
        await engine_finder().run_ddl(
            "CREATE UNIQUE INDEX restitution_version_number ON restitution_version (consultation, number)"
        )

    manager.add_raw(add_index)
    return manager
