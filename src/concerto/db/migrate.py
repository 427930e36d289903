"""Run Piccolo's migrations forward on the connected engine."""

from __future__ import annotations

import contextlib
import io


async def migrate(*, quiet: bool = False) -> None:
    from piccolo.apps.migrations.commands.forwards import run_forwards
    from piccolo.apps.migrations.tables import Migration

    # Piccolo looks for its table in any schema; create ours where the search
    # path points, so one PostgreSQL database can hold several schemas.
    await Migration.create_table(if_not_exists=True)
    output = io.StringIO()
    with contextlib.redirect_stdout(output) if quiet else contextlib.nullcontext():
        result = await run_forwards(app_name="concerto", migration_id="all", fake=False)
    if not result.success:
        raise RuntimeError(f"migrations failed: {result.message}\n{output.getvalue()}")


def ddl_forwards(migration_id: str, description: str, statements):
    """The ``forwards()`` of a migration that only runs plain DDL: ``statements(postgres)`` in order."""

    async def forwards():
        from piccolo.apps.migrations.auto.migration_manager import MigrationManager
        from piccolo.engine.finder import engine_finder

        manager = MigrationManager(migration_id=migration_id, app_name="concerto", description=description)

        async def run():
            engine = engine_finder()
            for statement in statements(engine.engine_type == "postgres"):
                await engine.run_ddl(statement)

        manager.add_raw(run)
        return manager

    return forwards
