"""Multi-column indexes, which Piccolo's column definitions cannot express."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine.finder import engine_finder

ID = "2026-11-23T14:30:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "multi-column indexes"

INDEXES = (
    # One vote per participant and contribution.
    "CREATE UNIQUE INDEX vote_participant_contribution ON vote (participant, contribution)",
    # The budget check counts a participant's votes in one group.
    "CREATE INDEX vote_group_participant ON vote (working_group, participant)",
    "CREATE INDEX contribution_group_status ON contribution (working_group, status)",
    "CREATE INDEX comment_contribution_created ON comment (contribution, created_at)",
    "CREATE UNIQUE INDEX participant_consultation_account ON participant (consultation, account)",
    "CREATE UNIQUE INDEX contribution_kind_consultation_code ON contribution_kind (consultation, code)",
)


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="concerto", description=DESCRIPTION)

    async def add_indexes():
        engine = engine_finder()
        for statement in INDEXES:
            await engine.run_ddl(statement)

    manager.add_raw(add_indexes)
    return manager
