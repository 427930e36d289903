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
