"""A version per working group, bumped by triggers on SQLite (the group page's cache key).

Every insert, update or delete of a vote, contribution, comment or theme gives
the working group it belongs to a new version, taken from one counter for the
whole database: versions never repeat, even for a group that reuses the id of a
deleted one. Triggers cannot be forgotten
by a new write path, which a version bumped in Python could. PostgreSQL gets
the column but no triggers: there the group page is not cached, since bumping
one row per vote would serialise every vote of a group on that row.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Integer
from piccolo.engine.finder import engine_finder

ID = "2026-11-23T17:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "working group version for the group page cache"

BUMP = (
    "UPDATE change_counter SET n = n + 1 WHERE id = 1; "
    "UPDATE working_group SET version = (SELECT n FROM change_counter WHERE id = 1) WHERE id = {group};"
)
# (table, how a row names its group)
SOURCES = {
    "vote": "{row}.working_group",
    "contribution": "{row}.working_group",
    "theme": "{row}.working_group",
    "comment": "(SELECT working_group FROM contribution WHERE id = {row}.contribution)",
}


def trigger_statements() -> list[str]:
    statements = []
    for table, group in SOURCES.items():
        statements.append(
            f"CREATE TRIGGER {table}_insert_bumps_group AFTER INSERT ON {table} BEGIN "
            + BUMP.format(group=group.format(row="NEW"))
            + " END"
        )
        statements.append(
            f"CREATE TRIGGER {table}_delete_bumps_group AFTER DELETE ON {table} BEGIN "
            + BUMP.format(group=group.format(row="OLD"))
            + " END"
        )
        statements.append(
            f"CREATE TRIGGER {table}_update_bumps_group AFTER UPDATE ON {table} BEGIN "
            + BUMP.format(group=group.format(row="OLD"))
            + " "
            + BUMP.format(group=group.format(row="NEW"))
            + " END"
        )
    return statements


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="concerto", description=DESCRIPTION)
    manager.add_column(
        table_class_name="WorkingGroup",
        tablename="working_group",
        column_name="version",
        db_column_name="version",
        column_class_name="Integer",
        column_class=Integer,
        params={"default": 0, "null": False, "primary_key": False, "unique": False, "index": False},
        schema=None,
    )

    async def triggers():
        engine = engine_finder()
        if engine.engine_type != "sqlite":
            return
        await engine.run_ddl("CREATE TABLE change_counter (id INTEGER PRIMARY KEY CHECK (id = 1), n INTEGER NOT NULL)")
        await engine.run_ddl("INSERT INTO change_counter (id, n) VALUES (1, 0)")
        for statement in trigger_statements():
            await engine.run_ddl(statement)

    manager.add_raw(triggers)
    return manager
