"""Board actions as change sets: applied, recorded, and undone.

Every board action (move, merge, split, mark as duplicate…) is a list of row
changes. Applying it writes the rows; recording it keeps the list in
``board_action.changes``; undoing it applies the changes backwards after
checking that no later action changed the same rows (otherwise undoing would
silently overwrite newer work, so it is refused with an explanation).
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from typing import Any

from piccolo.columns import ForeignKey
from piccolo.table import Table

from concerto import db
from concerto.errors import N_, Conflict
from concerto.tables import Contribution, DuplicateDismissal, Theme, Vote

# The tables a board action may touch, by the name stored in the history.
TABLES: dict[str, type[Table]] = {
    "theme": Theme,
    "contribution": Contribution,
    "duplicate_dismissal": DuplicateDismissal,
    # A contribution moved to another group takes its votes along (budgets are per group).
    "vote": Vote,
}


@dataclass
class ChangeSet:
    """The row changes of one action, in the order they were made."""

    changes: list[dict[str, Any]] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.changes)

    async def update(self, table: str, row_id: int, field_name: str, before: Any, after: Any) -> None:
        if before == after:
            return
        await TABLES[table].update({field_name: after}).where(TABLES[table]._meta.primary_key == row_id)
        self.changes.append({"op": "update", "table": table, "id": row_id, "field": field_name, "before": before, "after": after})

    async def insert(self, table: str, values: dict[str, Any]) -> int:
        model = TABLES[table]
        fresh = await _fresh_id(table)
        if fresh is not None:
            values = {**values, "id": fresh}
        rows = await model.insert(model(**values)).returning(model._meta.primary_key)
        row_id = rows[0]["id"]
        self.changes.append({"op": "insert", "table": table, "id": row_id, "row": _jsonable({**values, "id": row_id})})
        return row_id

    async def delete(self, table: str, row: dict[str, Any]) -> None:
        model = TABLES[table]
        await model.delete().where(model._meta.primary_key == row["id"])
        await _raise_floor(table, row["id"])
        self.changes.append({"op": "delete", "table": table, "id": row["id"], "row": _jsonable(row)})

    def to_json(self) -> str:
        return json.dumps(self.changes, ensure_ascii=False, default=str)


# SQLite hands the id of a deleted row to the next insert when it was the highest
# (its tables have no AUTOINCREMENT). The history names rows by id, so ids of the
# rows board actions create and delete must never come back: ``id_floor`` keeps
# the highest id ever deleted per table. PostgreSQL's sequences never go back.
_FLOOR_SQL = "SELECT floor FROM id_floor WHERE name = {}"
_RAISE_FLOOR_SQL = (
    "INSERT INTO id_floor (name, floor) VALUES ({}, {}) "
    "ON CONFLICT (name) DO UPDATE SET floor = MAX(id_floor.floor, excluded.floor)"
)


async def _fresh_id(table: str) -> int | None:
    if db.is_postgres():
        return None
    model = TABLES[table]
    top = (await model.raw(f"SELECT MAX(id) AS top FROM {model._meta.tablename}"))[0]["top"] or 0
    floor = await model.raw(_FLOOR_SQL, table)
    return max(top, floor[0]["floor"] if floor else 0) + 1


async def _raise_floor(table: str, row_id: int) -> None:
    if not db.is_postgres():
        await TABLES[table].raw(_RAISE_FLOOR_SQL, table, row_id)


def _jsonable(row: dict[str, Any]) -> dict[str, Any]:
    return {key: (value.isoformat() if hasattr(value, "isoformat") else value) for key, value in row.items()}


def _restore(row: dict[str, Any]) -> dict[str, Any]:
    """A row read back from JSON, with its timestamps as datetimes again."""
    values = dict(row)
    if isinstance(values.get("created_at"), str):
        values["created_at"] = dt.datetime.fromisoformat(values["created_at"])
    return values


async def _current(table: str, row_id: int, field_name: str) -> tuple[bool, Any]:
    model = TABLES[table]
    row = await model.select(getattr(model, field_name)).where(model._meta.primary_key == row_id).first()
    return (row is not None, row[field_name] if row else None)


async def _still_used(table: str, row_id: int) -> bool:
    """Whether later actions put contributions in a theme this undo would remove.

    Deleting it would take them out silently (the foreign key sets null), and
    nothing would record it: undoing the undo could not put them back.
    """
    return table == "theme" and await Contribution.exists().where(Contribution.theme == row_id)


async def _references_gone(model: type[Table], values: dict[str, Any], found: set[tuple[str, Any]]) -> bool:
    """Whether a value to write back points to a row that no longer exists.

    A contribution taken out of a theme that a later action then dissolved:
    putting it back would name a theme that is gone. ``found`` remembers the rows
    already seen during this undo (a merge of 200 contributions names one theme).
    """
    for name, value in values.items():
        column = model._meta.get_column_by_name(name)
        if value is None or not isinstance(column, ForeignKey):
            continue
        target = column._foreign_key_meta.resolved_references
        key = (target._meta.tablename, value)
        if key not in found:
            if not await target.exists().where(target._meta.primary_key == value):
                return True
            found.add(key)
    return False


async def revert(recorded: list[dict[str, Any]]) -> ChangeSet:
    """Apply ``recorded`` backwards; returns the change set of the undo itself."""
    undo = ChangeSet()
    found: set[tuple[str, Any]] = set()
    for change in reversed(recorded):
        table, row_id = change["table"], change["id"]
        model = TABLES[table]
        if change["op"] == "update":
            exists, value = await _current(table, row_id, change["field"])
            if not exists or value != change["after"] or await _references_gone(model, {change["field"]: change["before"]}, found):
                raise Conflict(N_("Later changes touched the same contributions or themes; undo those first."))
            await undo.update(table, row_id, change["field"], change["after"], change["before"])
        elif change["op"] == "insert":
            if not await model.exists().where(model._meta.primary_key == row_id) or await _still_used(table, row_id):
                raise Conflict(N_("Later changes touched the same contributions or themes; undo those first."))
            row = await model.select().where(model._meta.primary_key == row_id).first()
            await undo.delete(table, row)
        else:  # delete: put the row back with its id, so references to it work again
            if await model.exists().where(model._meta.primary_key == row_id) or await _references_gone(model, change["row"], found):
                raise Conflict(N_("Later changes touched the same contributions or themes; undo those first."))
            values = _restore(change["row"])
            await model.insert(model(**values))
            undo.changes.append({"op": "insert", "table": table, "id": row_id, "row": change["row"]})
    return undo

