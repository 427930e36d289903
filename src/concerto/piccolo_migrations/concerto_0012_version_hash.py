"""Published restitutions carry the hash of their content.

* ``restitution_version.content_hash``: SHA-256 of the frozen document (see
  ``restitution.services.content_hash``), written when a version is published
  and checked when an archive brings versions back: an archive whose version
  says something else than when it was published is refused. Versions
  published before this migration get theirs computed here, from what they hold.
* ``restitution.figures_text``: the facilitators' words at the top of the
  participation figures (« Au total, 60 participants sur les quatre rencontres »).
"""

import json

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine.finder import engine_finder

ID = "2026-12-02T19:30:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "restitution versions: content hash; a text for the participation figures"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="concerto", description=DESCRIPTION)

    async def run():
        from concerto.restitution.services import content_hash

        engine = engine_finder()
        await engine.run_ddl('ALTER TABLE "restitution_version" ADD COLUMN "content_hash" VARCHAR(64) NOT NULL DEFAULT \'\'')
        await engine.run_ddl('ALTER TABLE "restitution" ADD COLUMN "figures_text" TEXT NOT NULL DEFAULT \'\'')
        from concerto.tables import RestitutionVersion

        for row in await RestitutionVersion.raw('SELECT "id", "document" FROM "restitution_version"'):
            await RestitutionVersion.raw(
                'UPDATE "restitution_version" SET "content_hash" = {} WHERE "id" = {}',
                content_hash(json.loads(row["document"])),
                row["id"],
            )

    manager.add_raw(run)
    return manager
