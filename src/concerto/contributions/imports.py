"""Typed-up post-its: contributions imported from a CSV or XLSX file, or a scribe's lines, all or nothing.

Three steps, each usable alone (the pages, the API and the command line call them):
``parse`` reads the file into ``Row``s (the cells as typed, with their spreadsheet
line numbers), ``validate`` resolves each row against the consultation into a
``Preview`` (what would be created, and every line's errors), and ``store``
writes a preview without errors in one transaction.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
import unicodedata
import warnings
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from concerto import db, i18n
from concerto.accounts.services import Actor
from concerto.consultations import services as consultations
from concerto.contributions.services import BODY_MAX, TITLE_MAX
from concerto.errors import N_, Conflict, Invalid, NotFound, field_error
from concerto.groups import services as groups
from concerto.live import announce
from concerto.markdown import plain_excerpt, render_markdown
from concerto.tables import Consultation, Contribution, ContributionKind, Participant, WorkingGroup
from concerto.validation import FieldErrors, to_id

MAX_ROWS = 5_000
MAX_FILE_BYTES = 4_000_000
# An .xlsx is a zip: refuse one that would inflate far beyond what 5,000 post-its need.
MAX_UNZIPPED_BYTES = 64_000_000
MAX_COLUMNS = 50
AUTHOR_MAX = 80  # Participant.display_name
# Lines without an author are all attributed to one participant of this name.
POSTIT_AUTHOR = "Post-it"
# Header names, compared once folded (case, accents and punctuation ignored).
HEADERS = {
    "title": ("titre", "title"),
    "body": ("texte", "text", "details", "detail", "description", "body"),
    "kind": ("type", "nature", "kind"),
    "group": ("groupe", "group", "groupe de travail", "working group"),
    "author": ("auteur", "author", "nom", "name"),
}
# Besides each kind's code and its current label: what people write on a sheet.
KIND_NAMES = {
    "acquis": ("acquis", "acquis a developper", "achievement", "achievements to build on"),
    "enjeu": ("enjeu", "nouvel enjeu", "nouveaux enjeux", "de nouveaux enjeux", "new challenge", "challenge"),
}
_ZIP = b"PK\x03\x04"
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .xls, and password-protected .xlsx
_CONTROL = re.compile(r"[\x01-\x08\x0e-\x1f\x7f]")
_ARTICLES = frozenset({"le", "la", "les", "l", "un", "une", "des", "de", "du", "d", "the", "a", "an"})
_INSERT_CHUNK = 200  # rows per INSERT: under both engines' limits on parameters


class FileRefused(Invalid):
    """The file (or the lines sent back for confirmation) cannot be read; nothing is imported."""

    code = "invalid-file"
    title = N_("This file cannot be imported")

    def __init__(self, reason: str, **params: Any) -> None:
        super().__init__(fields={"file": (reason, params)})


class ImportRefused(Invalid):
    """Some lines need correcting: the whole import is refused."""

    code = "invalid-lines"

    def __init__(self, errors: list[LineError]) -> None:
        super().__init__(
            N_("Nothing was imported: correct the lines with errors, then try again."),
            fields={f"lines[{error.line}].{error.field}": (error.message, error.params) for error in errors},
        )
        self.lines = errors


@dataclass(frozen=True, slots=True)
class Row:
    """One line of the file as typed (cells stripped), with its line number in the spreadsheet."""

    line: int
    title: str = ""
    body: str = ""
    kind: str = ""
    group: str = ""
    author: str = ""


@dataclass(frozen=True, slots=True)
class LineError:
    line: int
    field: str  # the column: title, body, kind, group or author
    message: str  # msgid
    params: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Item:
    """A contribution the import will create."""

    line: int
    group_id: int
    group_title: str
    kind_id: int
    kind_code: str
    kind_label: str
    title: str
    body: str
    author: str  # empty: the shared « Post-it » participant

    @property
    def excerpt(self) -> str:
        return plain_excerpt(self.body, 120)


@dataclass
class Preview:
    consultation_id: int
    rows: list[Row]
    items: list[Item]
    errors: list[LineError]
    default_group_id: int | None = None


# -- reading a file --------------------------------------------------------------


def parse(data: bytes, filename: str = "") -> list[Row]:
    """The post-its of a CSV or XLSX file; FileRefused says why when it cannot be read."""
    if len(data) > MAX_FILE_BYTES:
        raise FileRefused(N_("The file is too large (at most %(max)s MB)."), max=MAX_FILE_BYTES // 1_000_000)
    if not data.strip():
        raise FileRefused(N_("The file is empty."))
    suffix = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    if data.startswith(_ZIP):
        return _rows(_xlsx_lines(data))
    if data.startswith(_OLE) or suffix == "xls":
        raise FileRefused(N_("This is an old Excel file (.xls) or a password-protected one: save it as .xlsx or .csv, without a password, and try again."))
    if suffix in ("xlsx", "xlsm"):
        raise FileRefused(N_("This .xlsx file is damaged or is not really an Excel file."))
    return _rows(_csv_lines(_decode(data)))


def _decode(data: bytes) -> str:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Excel for Windows saves « CSV (séparateur : point-virgule) » in Windows-1252.
        text = data.decode("cp1252", errors="replace")
    # Text never holds NUL bytes, and hardly any control characters: binary files are full of both.
    sample = text[:65_536]
    if "\x00" in sample or len(_CONTROL.findall(sample)) > max(2, len(sample) // 200):
        raise FileRefused(N_("This file is neither a CSV file nor an Excel (.xlsx) file."))
    return text


def _csv_lines(text: str) -> Iterator[tuple[int, list[str]]]:
    header = next((line for line in text.splitlines() if line.strip()), "")
    delimiter = max((",", ";"), key=lambda candidate: _header_score(header, candidate))
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    number = 0
    try:
        # One record is one spreadsheet line, even when a cell holds line breaks.
        for number, cells in enumerate(reader, start=1):
            yield number, cells
    except csv.Error:
        raise FileRefused(N_("The file cannot be read as CSV after line %(line)s: check its quotes."), line=number) from None


def _header_score(header: str, delimiter: str) -> tuple[int, int]:
    """(known column names, cells) of the header line split by ``delimiter``."""
    try:
        cells = next(csv.reader([header], delimiter=delimiter), [])
    except csv.Error:
        return (0, 0)
    return (sum(_column(cell) is not None for cell in cells), len(cells))


def _xlsx_lines(data: bytes) -> Iterator[tuple[int, list[str]]]:
    from openpyxl import load_workbook

    damaged = N_("This .xlsx file is damaged or is not really an Excel file.")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            entries = archive.infolist()
            mimetype = archive.read("mimetype") if "mimetype" in archive.namelist() else b""
    except (zipfile.BadZipFile, OSError, ValueError, KeyError, RuntimeError, NotImplementedError, EOFError):
        raise FileRefused(damaged) from None
    if mimetype.startswith(b"application/vnd.oasis.opendocument"):
        raise FileRefused(N_("This is an OpenDocument file (.ods): save it as .xlsx or .csv and try again."))
    if sum(entry.file_size for entry in entries) > MAX_UNZIPPED_BYTES:
        raise FileRefused(N_("The file is too large (at most %(max)s MB)."), max=MAX_FILE_BYTES // 1_000_000)
    lines = []
    try:
        # openpyxl warns about styles and extensions it does not know; they change nothing here.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
            try:
                filled = 0
                for number, values in enumerate(workbook.worksheets[0].iter_rows(values_only=True, max_col=MAX_COLUMNS), start=1):
                    cells = [_cell_text(value) for value in values]
                    lines.append((number, cells))
                    filled += any(cells)
                    if filled > MAX_ROWS + 1:
                        break
            finally:
                workbook.close()
    except Exception:  # a third-party parser on an untrusted file: any failure means "cannot read it"
        raise FileRefused(damaged) from None
    return iter(lines)


def _cell_text(value: Any) -> str:
    """A cell as text: 12.0 → "12", a date → 2026-03-14."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ", timespec="minutes")
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    return str(value)


def _rows(lines: Iterable[tuple[int, list[str]]]) -> list[Row]:
    """Rows under the first non-blank line (the header), skipping blank lines."""
    positions: dict[str, int] | None = None
    rows: list[Row] = []
    for number, cells in lines:
        cells = [_clean(cell) for cell in cells]
        if not any(cells):
            continue
        if positions is None:
            positions = {}
            for index, cell in enumerate(cells):
                name = _column(cell)
                if name is not None:
                    positions.setdefault(name, index)
            if "title" not in positions:
                found = ", ".join(f"“{cell}”" for cell in cells if cell)[:200]
                raise FileRefused(
                    N_("The file has no title column: its first line must name the columns, such as titre;texte;type;groupe;auteur (found: %(found)s)."),
                    found=found,
                )
            continue
        if len(rows) == MAX_ROWS:
            raise FileRefused(N_("The file has more than %(max)s post-its: split it into several files."), max=MAX_ROWS)
        values = {name: cells[index] if index < len(cells) else "" for name, index in positions.items()}
        rows.append(Row(number, **values))
    if positions is None:
        raise FileRefused(N_("The file is empty."))
    if not rows:
        raise FileRefused(N_("The file has no post-its below its first line (the column names)."))
    return rows


def _clean(cell: Any) -> str:
    # NUL characters are never meant, and PostgreSQL refuses them.
    return str(cell).replace("\x00", "").replace("\r\n", "\n").replace("\r", "\n").strip()


def _fold(text: str) -> str:
    """Lowercase, accents and punctuation removed: « Détails : » → "details"."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return " ".join(re.sub(r"[^a-z0-9]+", " ", ascii_text.casefold()).split())


def _column(header: str) -> str | None:
    folded = _fold(header)
    return next((name for name, names in HEADERS.items() if folded in names), None)


def _words(text: str) -> str:
    """A kind's name reduced so that « Nouvel enjeu », « nouveaux enjeux » and « Les enjeux » can match."""
    words = []
    for word in _fold(text).split():
        if word in _ARTICLES:
            continue
        if len(word) > 3 and word[-1] in "sx":
            word = word[:-1]
        words.append("nouveau" if word in ("nouvel", "nouvelle") else word)
    return " ".join(words)


# -- validating -------------------------------------------------------------------


async def validate(consultation_id: int, rows: list[Row], default_group_id: int | None = None) -> Preview:
    """What importing ``rows`` would create in the consultation, and every line's errors."""
    if len(rows) > MAX_ROWS:
        raise FileRefused(N_("The file has more than %(max)s post-its: split it into several files."), max=MAX_ROWS)
    kinds = await consultations.kinds(consultation_id)
    group_rows = await groups.list_for(consultation_id)
    default = None
    if default_group_id is not None:
        default = next((group for group in group_rows if group["id"] == default_group_id), None)
        if default is None:
            raise field_error("group", N_("This working group does not exist."))
    find_kind = _kind_finder(kinds)
    choices = ", ".join(kind["label"] for kind in kinds)
    items, errors = [], []
    for row in rows:
        found: list[LineError] = []

        def refuse(column: str, message: str, **params: Any) -> None:
            found.append(LineError(row.line, column, message, params))

        if not row.title:
            refuse("title", N_("the title is empty."))
        elif len(row.title) > TITLE_MAX:
            refuse("title", N_("the title is too long (%(length)s characters; at most %(max)s)."), length=len(row.title), max=TITLE_MAX)
        if len(row.body) > BODY_MAX:
            refuse("body", N_("the text is too long (%(length)s characters; at most %(max)s)."), length=len(row.body), max=BODY_MAX)
        kind = find_kind(row.kind)
        if kind is None:
            if row.kind:
                refuse("kind", N_("unknown kind “%(value)s” (one of: %(choices)s)."), value=_shown(row.kind), choices=choices)
            else:
                refuse("kind", N_("the kind is missing (one of: %(choices)s)."), choices=choices)
        group = default
        if row.group:
            matches = _matching_groups(group_rows, row.group)
            group = matches[0] if len(matches) == 1 else None
            if not matches:
                refuse("group", N_("unknown working group “%(value)s”."), value=_shown(row.group))
            elif len(matches) > 1:
                numbers = ", ".join(str(match["id"]) for match in matches)
                refuse("group", N_("several working groups are called “%(value)s”: give the group's number instead (%(numbers)s)."), value=_shown(row.group), numbers=numbers)
        elif group is None:
            refuse("group", N_("the working group is missing: fill in the group column, or choose a group for the lines without one."))
        if len(row.author) > AUTHOR_MAX:
            refuse("author", N_("the author's name is too long (%(length)s characters; at most %(max)s)."), length=len(row.author), max=AUTHOR_MAX)
        if found:
            errors.extend(found)
        else:
            items.append(
                Item(row.line, group["id"], group["title"], kind["id"], kind["code"], kind["label"], row.title, row.body, row.author)
            )
    return Preview(consultation_id, list(rows), items, errors, default_group_id)


def _shown(value: str) -> str:
    """A cell quoted in a message, cut short."""
    return value if len(value) <= 60 else value[:59] + "…"


def _kind_finder(kinds: list[dict]):
    names: dict[str, dict | None] = {}
    defaults = dict(consultations.DEFAULT_KINDS)
    for kind in kinds:
        candidates = {kind["code"], kind["label"], *KIND_NAMES.get(kind["code"], ())}
        if kind["code"] in defaults:
            candidates |= {defaults[kind["code"]], i18n.translations("fr").gettext(defaults[kind["code"]])}
        for candidate in {_words(candidate) for candidate in candidates}:
            # A name two kinds share (after renaming) matches neither.
            names[candidate] = kind if names.get(candidate, kind) is kind else None
    return lambda value: names.get(_words(value)) if value else None


def _matching_groups(group_rows: list[dict], value: str) -> list[dict]:
    """Groups of the consultation by number, else by title (case, accents and punctuation ignored)."""
    number = to_id(value) if value.isdigit() else None
    by_id = [group for group in group_rows if group["id"] == number]
    return by_id or [group for group in group_rows if _fold(group["title"]) == _fold(value)]


async def find_group(consultation_id: int, value: str) -> int:
    """A group of the consultation named by its number or title (the command line's --group)."""
    matches = _matching_groups(await groups.list_for(consultation_id), _clean(value))
    if len(matches) != 1:
        raise field_error("group", N_("This working group does not exist.") if not matches else N_("Several working groups have this title: give the group's number."))
    return matches[0]["id"]


def explain(error: LineError) -> str:
    """The error in the reader's language, naming its line: « Ligne 4 : le titre est vide. »."""
    params = {
        key: i18n.format_number(value) if isinstance(value, int) and not isinstance(value, bool) else value
        for key, value in error.params.items()
    }
    return i18n.gettext("Line %(line)s: %(reason)s", line=error.line, reason=i18n.gettext(error.message, **params))


# -- the confirmation round trip ---------------------------------------------------


def rows_to_json(rows: list[Row]) -> str:
    """The rows a preview page sends back to be imported (validated again on arrival)."""
    return json.dumps([[row.line, row.title, row.body, row.kind, row.group, row.author] for row in rows], ensure_ascii=False, separators=(",", ":"))


def rows_from_json(text: Any) -> list[Row]:
    unreadable = N_("The lines to import could not be read back: upload the file again.")
    try:
        data = json.loads(text) if isinstance(text, str) else None
    except (ValueError, RecursionError):
        data = None
    if not isinstance(data, list) or not data:
        raise FileRefused(unreadable)
    if len(data) > MAX_ROWS:
        raise FileRefused(N_("The file has more than %(max)s post-its: split it into several files."), max=MAX_ROWS)
    rows = []
    for entry in data:
        if not (isinstance(entry, list) and len(entry) == 6 and type(entry[0]) is int and 1 <= entry[0] <= 10_000_000
                and all(isinstance(cell, str) for cell in entry[1:])):
            raise FileRefused(unreadable)
        rows.append(Row(entry[0], *(_clean(cell) for cell in entry[1:])))
    return rows


# -- storing ------------------------------------------------------------------------


async def store(actor: Actor, consultation: dict, preview: Preview) -> list[int]:
    """Create every contribution of an error-free preview in one transaction; their ids in file order.

    Facilitators only, while the consultation is a draft or open; the groups'
    contribution phases do not matter (typing up paper post-its after the
    workshop is the usual case).
    """
    actor.require_facilitator()
    if actor.consultation_id != consultation["id"] or preview.consultation_id != consultation["id"]:
        raise NotFound(N_("This consultation does not exist."))
    if preview.errors:
        raise ImportRefused(preview.errors)
    if not preview.items:
        raise FileRefused(N_("There is nothing to import."))
    ids: list[int] = []
    async with db.write_transaction():
        # Two imports at once would each create the « Post-it » participant.
        await db.lock_for_update(Consultation, consultation["id"])
        status = await Consultation.select(Consultation.status).where(Consultation.id == consultation["id"]).first()
        if status is None:
            raise NotFound(N_("This consultation does not exist."))
        if status["status"] == "closed":
            raise Conflict(N_("This consultation is closed: nothing can be added to it."))
        await _check_still_there(consultation["id"], preview.items)
        authors = await _authors(consultation["id"], {item.author or POSTIT_AUTHOR for item in preview.items})
        new = [
            Contribution(
                consultation=consultation["id"],
                working_group=item.group_id,
                kind=item.kind_id,
                author=authors[item.author or POSTIT_AUTHOR],
                title=item.title,
                body=item.body,
                body_html=render_markdown(item.body),
            )
            for item in preview.items
        ]
        for start in range(0, len(new), _INSERT_CHUNK):
            inserted = await Contribution.insert(*new[start : start + _INSERT_CHUNK]).returning(Contribution.id)
            # Ids grow in the order of the VALUES; RETURNING's own order is not promised.
            ids.extend(sorted(row["id"] for row in inserted))
    await announce.contributions_imported(ids)
    from concerto.board import suggestions  # suggestions import the board, which imports votes

    # Their sentence vectors are computed after the answer, not at the first suggestion.
    suggestions.remember_soon([{"id": i, "title": item.title, "body": item.body} for i, item in zip(ids, preview.items)])
    return ids


async def _check_still_there(consultation_id: int, items: list[Item]) -> None:
    """The preview's groups and kinds belong to the consultation (read inside the write)."""
    group_ids = {row["id"] for row in await WorkingGroup.select(WorkingGroup.id).where(WorkingGroup.consultation == consultation_id)}
    kind_ids = {row["id"] for row in await ContributionKind.select(ContributionKind.id).where(ContributionKind.consultation == consultation_id)}
    if any(item.group_id not in group_ids for item in items):
        raise NotFound(N_("This working group does not exist."))
    if any(item.kind_id not in kind_ids for item in items):
        raise Invalid(fields={"kind": (N_("Unknown kind of contribution."), {})})


async def _authors(consultation_id: int, names: set[str]) -> dict[str, int]:
    """A participant id per author name: the first one of that name without an account, else a new one."""
    existing = await Participant.select(Participant.id, Participant.display_name).where(
        (Participant.consultation == consultation_id) & Participant.account.is_null()
    ).order_by(Participant.id)
    found: dict[str, int] = {}
    for row in existing:
        if row["display_name"] in names:
            found.setdefault(row["display_name"], row["id"])
    missing = sorted(names - found.keys())
    for start in range(0, len(missing), _INSERT_CHUNK):
        rows = await Participant.insert(
            *[Participant(consultation=consultation_id, display_name=name) for name in missing[start : start + _INSERT_CHUNK]]
        ).returning(Participant.id, Participant.display_name)
        found.update({row["display_name"]: row["id"] for row in rows})
    return found


# -- the scribe's form ------------------------------------------------------------------


async def quick_entry(actor: Actor, consultation: dict, data: dict[str, Any]) -> list[int]:
    """Each non-empty line of ``data["lines"]`` becomes a contribution (its title), all or nothing."""
    actor.require_facilitator()
    errors = FieldErrors()
    group_id = to_id(data.get("group"))
    if group_id is None or not any(group["id"] == group_id for group in await groups.list_for(consultation["id"])):
        errors.add("group", N_("Choose the working group."))
    kind = data.get("kind")
    if not isinstance(kind, str) or kind not in {row["code"] for row in await consultations.kinds(consultation["id"])}:
        errors.add("kind", N_("Choose the kind of these post-its."))
    author = errors.text("author", data.get("author"), max_length=AUTHOR_MAX, required=False)
    text = data.get("lines")
    # Line numbers are those of the text box: blank lines count, nothing is stripped before splitting.
    text = text.replace("\x00", "").replace("\r\n", "\n").replace("\r", "\n") if isinstance(text, str) else ""
    rows = [
        Row(number, title=line.strip(), kind=str(kind), group=str(group_id), author=author)
        for number, line in enumerate(text.split("\n"), start=1)
        if line.strip()
    ]
    if not rows:
        errors.add("lines", N_("Type at least one post-it, one per line."))
    elif len(rows) > MAX_ROWS:
        errors.add("lines", N_("At most %(max)s post-its at a time."), max=MAX_ROWS)
    errors.raise_if_any()
    return await store(actor, consultation, await validate(consultation["id"], rows, group_id))
