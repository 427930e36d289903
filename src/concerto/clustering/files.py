"""Reading a workshop's post-its from a spreadsheet export (CSV) or a JSON list, for ``concerto cluster``."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Hashable
from pathlib import Path

from concerto.clustering.model import Document, check_unique_ids

FORMATS = ("csv", "json")


class InputError(ValueError):
    """The file cannot be read as post-its; the message says why, for a person."""


def detect_format(path: Path, given: str | None) -> str:
    if given:
        return given
    suffix = path.suffix.lower().lstrip(".")
    if suffix in FORMATS:
        return suffix
    raise InputError(f"cannot tell the format of {path.name!r} from its extension: use --format csv or --format json")


def read_documents(path: Path, format: str | None = None) -> list[Document]:
    """The documents in ``path``; raises InputError for anything a user should fix."""
    kind = detect_format(path, format)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise InputError(f"no such file: {path}") from None
    except IsADirectoryError:
        raise InputError(f"{path} is a directory, not a file") from None
    except OSError as error:
        raise InputError(f"cannot read {path}: {error.strerror or error}") from None
    documents = _from_csv(_decode(data)) if kind == "csv" else _from_json(_decode(data))
    if not documents:
        raise InputError(f"{path.name} holds no post-its")
    try:
        check_unique_ids(documents)
    except ValueError as error:
        raise InputError(f"{error} (each id must appear once)") from None
    return documents


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Excel for Windows saves "CSV (séparateur : point-virgule)" in Windows-1252.
        return data.decode("cp1252", errors="replace")


def _from_csv(text: str) -> list[Document]:
    first_line = text.split("\n", 1)[0]
    delimiter = max((";", ",", "\t"), key=first_line.count)
    rows = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = next(rows)
    except StopIteration:
        raise InputError("the CSV file is empty: it needs a header row with the columns id,text") from None
    except csv.Error as error:
        raise InputError(f"not a readable CSV file: {error}") from None
    names = [name.strip().lower() for name in header]
    missing = [name for name in ("id", "text") if name not in names]
    if missing:
        found = ", ".join(repr(name) for name in names if name) or "none"
        raise InputError(f"missing column{'s' if len(missing) > 1 else ''} {', '.join(missing)} in the header row (found: {found})")
    at = {name: names.index(name) for name in ("id", "text", "kind") if name in names}
    documents = []
    try:
        for line_number, row in enumerate(rows, start=2):
            if not any(cell.strip() for cell in row):
                continue
            cells = row + [""] * (len(names) - len(row))
            identifier = cells[at["id"]].strip()
            if not identifier:
                raise InputError(f"line {line_number}: the id is empty")
            kind = cells[at["kind"]].strip() or None if "kind" in at else None
            documents.append(Document(identifier, cells[at["text"]], kind))
    except csv.Error as error:
        raise InputError(f"not a readable CSV file: {error}") from None
    return documents


def _from_json(text: str) -> list[Document]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise InputError(f"not valid JSON: {error.msg} (line {error.lineno}, column {error.colno})") from None
    if not isinstance(data, list):
        raise InputError('the JSON file must hold a list of objects like {"id": 1, "text": "..."}')
    documents = []
    for position, item in enumerate(data, start=1):
        if not isinstance(item, dict) or "id" not in item or "text" not in item:
            raise InputError(f'item {position}: expected an object with "id" and "text"')
        identifier, text, kind = item["id"], item["text"], item.get("kind")
        if not _is_id(identifier):
            raise InputError(f"item {position}: the id must be a string or a number, not {json.dumps(identifier)}")
        if text is None:
            text = ""
        if not isinstance(text, str):
            raise InputError(f'item {position}: "text" must be a string')
        documents.append(Document(identifier, text, kind if isinstance(kind, str) else None))
    return documents


def _is_id(value: object) -> bool:
    if isinstance(value, bool) or value is None:
        return False
    if isinstance(value, str):
        return bool(value.strip())
    return isinstance(value, (int, float)) and isinstance(value, Hashable)
