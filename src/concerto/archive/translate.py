"""Ids inside JSON that Concerto stores: board change sets, history details, published documents.

The same walkers serve both directions. They take a ``ref(table, value, where)``
function that turns one id into the other kind (database id to archive id on
export, the reverse on import) or refuses it; ``where`` is the path used in
messages. Anything they do not know (a column, an ``…_id`` key) is refused
rather than copied, so a database id can never leak into an archive unnoticed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from concerto.archive.schema import ArchiveError

Ref = Callable[[str, Any, str], Any]


@dataclass(frozen=True)
class Column:
    kind: str  # ref | text | int | time
    target: str = ""  # for refs: the archive table
    null: bool = False


def _ref(target: str, *, null: bool = False) -> Column:
    return Column("ref", target, null)


TEXT, INT, TIME = Column("text"), Column("int"), Column("time")

# What board change sets may name, per table of ``board.changes.TABLES``.
HISTORY_COLUMNS: dict[str, dict[str, Column]] = {
    "theme": {
        "id": _ref("themes"),
        "working_group": _ref("groups"),
        "title": TEXT,
        "summary": TEXT,
        "position": INT,
        "created_at": TIME,
    },
    "contribution": {
        "id": _ref("contributions"),
        "working_group": _ref("groups"),
        "theme": _ref("themes", null=True),
        "duplicate_of": _ref("contributions", null=True),
    },
    "vote": {"id": _ref("votes"), "working_group": _ref("groups")},
    "duplicate_dismissal": {
        "id": _ref("duplicate_dismissals"),
        "working_group": _ref("groups"),
        "first": _ref("contributions"),
        "second": _ref("contributions"),
    },
}
# Rendered HTML is not archived: it is rendered again from its Markdown on import.
RENDERED = {("theme", "summary_html"): "summary"}


def _value(column: Column, value: Any, ref: Ref, where: str) -> Any:
    if value is None:
        if column.null:
            return None
        raise ArchiveError(f"{where}: must not be null")
    if column.kind == "ref":
        return ref(column.target, value, where)
    if column.kind == "text" and isinstance(value, str):
        return value
    if column.kind == "int" and type(value) is int:
        return value
    if column.kind == "time" and isinstance(value, str):
        try:
            dt.datetime.fromisoformat(value)
            return value
        except ValueError:
            pass
    raise ArchiveError(f"{where}: expected {'a date and time' if column.kind == 'time' else column.kind}, got {value!r}")


def map_changes(
    changes: list[dict[str, Any]], ref: Ref, where: str, *, render: Callable[[str], str] | None = None
) -> list[dict[str, Any]]:
    """A change set with its ids mapped.

    Without ``render`` (export) rendered HTML columns are left out; with it
    (import) they are rendered again next to their Markdown source.
    """
    mapped = []
    for index, change in enumerate(changes):
        here = f"{where}[{index}]"
        table = change["table"]
        columns = HISTORY_COLUMNS.get(table)
        if columns is None:
            raise ArchiveError(f"{here}.table: the board history names an unknown table {table!r}")
        out = {"op": change["op"], "table": table, "id": ref(columns["id"].target, change["id"], f"{here}.id")}
        if change["op"] == "update":
            field = change["field"]
            if (table, field) in RENDERED:
                continue
            column = columns.get(field)
            if column is None:
                raise ArchiveError(f"{here}.field: the board history names an unknown column {table}.{field}")
            out["field"] = field
            out["before"] = _value(column, change["before"], ref, f"{here}.before")
            out["after"] = _value(column, change["after"], ref, f"{here}.after")
            mapped.append(out)
            for (html_table, html_field), source in RENDERED.items():
                if render and table == html_table and field == source:
                    before, after = render(out["before"]), render(out["after"])
                    if before != after:  # as ChangeSet.update records it
                        mapped.append({**out, "field": html_field, "before": before, "after": after})
            continue
        row = {}
        for key, value in change["row"].items():
            if (table, key) in RENDERED:
                continue
            column = columns.get(key)
            if column is None:
                raise ArchiveError(f"{here}.row: the board history names an unknown column {table}.{key}")
            row[key] = _value(column, value, ref, f"{here}.row.{key}")
            for (html_table, html_field), source in RENDERED.items():
                if render and table == html_table and key == source:
                    row[html_field] = render(row[key])
        if row.get("id", out["id"]) != out["id"]:
            raise ArchiveError(f"{here}.row.id: differs from the change's id")
        out["row"] = row
        mapped.append(out)
    return mapped


# Keys of history details that hold ids; any other key ending in "_id" is refused.
DETAIL_REFS = {"theme_id": "themes"}


def map_details(details: dict[str, Any], ref: Ref, where: str) -> dict[str, Any]:
    mapped = {}
    for key, value in details.items():
        if key in DETAIL_REFS:
            value = ref(DETAIL_REFS[key], value, f"{where}.{key}")
        elif key.endswith("_id"):
            raise ArchiveError(f"{where}.{key}: the archive format does not know this reference")
        mapped[key] = value
    return mapped


Author = Callable[[str, Any], str]  # (name as published, contribution id) -> name to write


def map_document(document: dict[str, Any], ref: Ref, where: str, *, author: Author | None = None) -> dict[str, Any]:
    """A published restitution document with its contribution ids mapped (and names replaced).

    ``document`` must have the shape of ``restitution.model.Document`` (checked
    by the caller); it is changed in place and returned.
    """
    items: set[int] = set()  # id() of the dicts whose "id" is a contribution's
    for g, group in enumerate(document["groups"]):
        for t, theme in enumerate(group["themes"]):
            here = f"{where}.groups[{g}].themes[{t}]"
            for kind in ("acquis", "enjeux"):
                for i, item in enumerate(theme[kind]):
                    _item(item, ref, f"{here}.{kind}[{i}]", author)
                    items.add(id(item))
                    for j, grouped in enumerate(item["grouped"]):
                        _item(grouped, ref, f"{here}.{kind}[{i}].grouped[{j}]", author)
                        items.add(id(grouped))
            if author:
                for comment in theme["comments"]:
                    if comment["author"] is not None:
                        comment["author"] = author(comment["author"], None)
    _no_other_ids(document, items, where)
    return document


def _no_other_ids(value: Any, items: set[int], where: str) -> None:
    """Refuse ids this module does not map (e.g. a field added to the document model later)."""
    if isinstance(value, dict):
        for key, inner in value.items():
            if (key == "id" and id(value) not in items) or key.endswith("_id"):
                raise ArchiveError(f"{where}.{key}: the archive format does not know this reference")
            _no_other_ids(inner, items, f"{where}.{key}")
    elif isinstance(value, list):
        for index, inner in enumerate(value):
            _no_other_ids(inner, items, f"{where}[{index}]")


def _item(item: dict[str, Any], ref: Ref, where: str, author: Author | None) -> None:
    original = item["id"]
    item["id"] = ref("contributions", original, f"{where}.id")
    if author and item["author"] is not None:
        item["author"] = author(item["author"], original)
