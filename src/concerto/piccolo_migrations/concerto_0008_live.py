"""Live workshop mode: idempotency keys, phase schedules, steps and timers, short join codes, return links.

Written as plain DDL (the same statements on both engines but for the primary
key): the tables are small and additive, and Piccolo's auto-migrations on
SQLite are weak (see conventions).
"""

import secrets

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine.finder import engine_finder

ID = "2026-12-02T09:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "live workshop: request keys, phase schedules, steps, timers, join codes, return links"

# Unambiguous on a projector and typed on a phone (no 0/O, 1/I/L).
JOIN_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"


def _fk(table: str, *, null_on_delete: bool = False) -> str:
    action = "SET NULL" if null_on_delete else "CASCADE"
    return f'INTEGER REFERENCES "{table}" ("id") ON DELETE {action} ON UPDATE CASCADE DEFAULT null'


def statements(postgres: bool) -> list[str]:
    pk = '"id" SERIAL PRIMARY KEY' if postgres else '"id" INTEGER PRIMARY KEY NOT NULL'
    return [
        f'CREATE TABLE "request_key" ({pk}, "participant" {_fk("participant")}, "key" VARCHAR(64) NOT NULL DEFAULT \'\', '
        '"kind" VARCHAR(20) NOT NULL DEFAULT \'\', "target" INTEGER NOT NULL DEFAULT 0, '
        '"created_at" TIMESTAMPTZ NOT NULL DEFAULT current_timestamp)',
        'CREATE UNIQUE INDEX "request_key_participant_key" ON "request_key" ("participant", "key")',
        'CREATE INDEX "request_key_created_at" ON "request_key" ("created_at")',
        f'CREATE TABLE "phase_schedule" ({pk}, "consultation" {_fk("consultation")}, "working_group" {_fk("working_group")}, '
        '"phase" VARCHAR(20) NOT NULL DEFAULT \'\', "open" BOOLEAN NOT NULL DEFAULT false, '
        '"at" TIMESTAMPTZ NOT NULL DEFAULT current_timestamp, "source" VARCHAR(10) NOT NULL DEFAULT \'plan\', '
        f'"created_by" {_fk("participant", null_on_delete=True)}, "done_at" TIMESTAMPTZ DEFAULT null)',
        'CREATE INDEX "phase_schedule_consultation" ON "phase_schedule" ("consultation")',
        'CREATE INDEX "phase_schedule_due" ON "phase_schedule" ("done_at", "at")',
        'ALTER TABLE "working_group" ADD COLUMN "step" INTEGER DEFAULT null',
        'ALTER TABLE "working_group" ADD COLUMN "timer_started_at" TIMESTAMPTZ DEFAULT null',
        'ALTER TABLE "working_group" ADD COLUMN "timer_ends_at" TIMESTAMPTZ DEFAULT null',
        'ALTER TABLE "consultation" ADD COLUMN "join_code" VARCHAR(12) NOT NULL DEFAULT \'\'',
        'ALTER TABLE "consultation" ADD COLUMN "steps" TEXT NOT NULL DEFAULT \'\'',
        'ALTER TABLE "participant" ADD COLUMN "return_token" VARCHAR(40) DEFAULT null',
        'CREATE UNIQUE INDEX "participant_return_token" ON "participant" ("return_token")',
    ]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="concerto", description=DESCRIPTION)

    async def run():
        engine = engine_finder()
        for statement in statements(engine.engine_type == "postgres"):
            await engine.run_ddl(statement)
        # Existing consultations get their short code before codes become unique.
        rows = await engine.run_ddl('SELECT "id" FROM "consultation"')
        used: set[str] = set()
        for row in rows or []:
            code = ""
            while not code or code in used:
                code = "".join(secrets.choice(JOIN_ALPHABET) for _ in range(6))
            used.add(code)
            await engine.run_ddl(f"UPDATE \"consultation\" SET \"join_code\" = '{code}' WHERE \"id\" = {int(row['id'])}")
        await engine.run_ddl('CREATE UNIQUE INDEX "consultation_join_code" ON "consultation" ("join_code")')

    manager.add_raw(run)
    return manager
