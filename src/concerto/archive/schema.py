"""The archive format, version 2: msgspec Structs that an archive must match exactly.

Unknown fields, missing fields and wrong types are refused with the path of the
offending value (``contributions[12].group: expected `int`, got `str```).
References between records are checked afterwards by the importer. See
``docs/archive-format.md`` for the prose version of this module.

Version 2 added what the archive says about the personal data it holds
(``contains``), the consultation's ``show_organisations`` and participants'
``anonymised_at``. Version 1 archives still import: these are optional for them
(and taken as absent: nothing said, organisations not shown, nobody anonymised),
required for version 2.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from importlib import metadata
from typing import Annotated, Any, Literal

import msgspec
from msgspec import Meta

FORMAT = "concerto-archive"
VERSION = 3
# Versions this Concerto reads, and the top-level / per-record keys each added.
READABLE_VERSIONS = (1, 2, 3)
# Version 3 (issue 11) added keys that all have a default, so none is required: calendar entries'
# end_date and when, consultation.steps, schedules, the restitution's new options and figures_text,
# published versions' content_hash. An older Concerto refuses such an archive with a request to upgrade.
ADDED_IN_2 = {"": ("contains",), "consultation": ("show_organisations",), "participants": ("anonymised_at",)}
SLUG_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
_INT_MAX = 2**31 - 1  # PostgreSQL's integer


class ArchiveError(Exception):
    """An archive cannot be written or read; the message says why, in plain English."""


# -- value types ---------------------------------------------------------------

LocalId = Annotated[int, Meta(ge=1, le=_INT_MAX)]
Count = Annotated[int, Meta(ge=0, le=_INT_MAX)]
Position = Annotated[int, Meta(ge=-_INT_MAX, le=_INT_MAX)]
Timestamp = Annotated[dt.datetime, Meta(tz=True)]
Slug = Annotated[str, Meta(min_length=1, max_length=60, pattern=SLUG_PATTERN)]


# Strings no longer than their database column (PostgreSQL enforces varchar lengths).
Text30 = Annotated[str, Meta(max_length=30)]
Text60 = Annotated[str, Meta(max_length=60)]
Text80 = Annotated[str, Meta(max_length=80)]
Text120 = Annotated[str, Meta(max_length=120)]
Text140 = Annotated[str, Meta(max_length=140)]
Text200 = Annotated[str, Meta(max_length=200)]


class Record(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    pass


class StepRecord(Record):
    """One step of the live workshop's sequence (concerto.live.steps)."""

    kind: Literal["contribute", "vote", "discuss"]
    minutes: Annotated[int, Meta(ge=0, le=600)]


class ConsultationRecord(Record):
    slug: Slug
    title: Text200
    summary: str
    status: Literal["draft", "open", "closed"]
    created_at: Timestamp
    show_organisations: bool = False  # version 2
    # The live workshop's sequence of steps; None: the default one (absent from older archives).
    steps: Annotated[list[StepRecord], Meta(max_length=12)] | None = None


class ScheduleRecord(Record):
    """A phase to open or close at a planned time, for one group or (group null) all of them."""

    group: LocalId | None
    phase: Literal["contributions", "voting"]
    open: bool
    at: Timestamp


class KindRecord(Record):
    id: LocalId
    code: Literal["acquis", "enjeu"]
    label: Text80
    position: Position


class MeetingRecord(Record):
    title: Text200
    # A built-in code (consultations.services.MEETING_KINDS) or the facilitators' own words.
    kind: Text60
    date: dt.date | None  # None for a future step said in words (when); one of the two is set
    place: Text200
    attendance: Count | None
    notes: str
    # Since migration 0011; absent from older archives.
    end_date: dt.date | None = None
    when: Text60 = ""


class GroupRecord(Record):
    id: LocalId
    title: Text200
    description: str
    position: Position
    contributions_open: bool
    voting_open: bool
    vote_budget: Count


class ParticipantRecord(Record):
    id: LocalId
    display_name: Text80
    organisation: Text120
    role: Literal["participant", "facilitator", "observer"]
    created_at: Timestamp
    # Version 2: when the name and organisation were wiped (they are then empty).
    anonymised_at: Timestamp | None = None


class ThemeRecord(Record):
    id: LocalId
    group: LocalId
    title: Text140
    summary: str
    position: Position
    created_at: Timestamp


class ContributionRecord(Record):
    id: LocalId
    group: LocalId
    kind: LocalId
    author: LocalId
    title: Text200
    body: str
    status: Literal["published", "hidden", "withdrawn"]
    theme: LocalId | None
    duplicate_of: LocalId | None
    created_at: Timestamp
    updated_at: Timestamp


class VoteRecord(Record):
    id: LocalId
    contribution: LocalId
    participant: LocalId
    created_at: Timestamp


class CommentRecord(Record):
    id: LocalId
    contribution: LocalId
    parent: LocalId | None
    author: LocalId
    body: str
    status: Literal["published", "hidden"]
    highlighted: bool
    created_at: Timestamp
    updated_at: Timestamp


class DismissalRecord(Record):
    id: LocalId
    group: LocalId
    first: LocalId
    second: LocalId


# Board history change sets keep the database's table and column names (that is
# how ``board.changes`` reads them back); only the ids in them are archive ids.
HistoryTable = Literal["theme", "contribution", "vote", "duplicate_dismissal"]


class UpdateChange(Record, tag_field="op", tag="update"):
    table: HistoryTable
    id: LocalId
    field: str
    before: Any
    after: Any


class InsertChange(Record, tag_field="op", tag="insert"):
    table: HistoryTable
    id: LocalId
    row: dict[str, Any]


class DeleteChange(Record, tag_field="op", tag="delete"):
    table: HistoryTable
    id: LocalId
    row: dict[str, Any]


class BoardActionRecord(Record):
    id: LocalId
    group: LocalId
    actor: LocalId
    kind: Text30
    details: dict[str, Any]
    changes: list[UpdateChange | InsertChange | DeleteChange]
    undoes: LocalId | None
    undone_by: LocalId | None
    created_at: Timestamp


class Removed(Record):
    """Archive ids of rows that no longer exist but that the history or a published version names."""

    groups: list[LocalId]
    themes: list[LocalId]
    contributions: list[LocalId]
    votes: list[LocalId]
    duplicate_dismissals: list[LocalId]


class RestitutionOptions(Record):
    min_support: Count
    include_hidden: bool
    show_authors: bool
    group_order: list[LocalId]
    # Since format 2 of the restitution document; defaults for older archives.
    show_support: bool | None = None
    show_chart: bool = True
    figures: list[str] | None = None
    declared_participants: Count | None = None
    subtitle: Text200 = ""
    date: str | None = None
    organiser: Text200 = ""
    titles: dict[str, Text200] = msgspec.field(default_factory=dict)
    omitted: list[str] = msgspec.field(default_factory=list)
    csv_french: bool | None = None


class RestitutionRecord(Record):
    introduction: str
    context: str
    next_steps: str
    options: RestitutionOptions
    updated_at: Timestamp
    figures_text: str = ""  # since migration 0012


class VersionRecord(Record):
    number: Annotated[int, Meta(ge=1, le=_INT_MAX)]
    published_at: Timestamp
    published_by: LocalId | None
    document: dict[str, Any]  # restitution.model.Document, with archive contribution ids
    # restitution.services.content_hash of the document (absent in archives made before)
    content_hash: Annotated[str, Meta(pattern="^[0-9a-f]{64}$")] | None = None


class Summary(Record):
    """A sentence for people saying what the archive holds, in English and French."""

    en: str
    fr: str


class Contains(Record):
    """What personal data the archive holds (version 2); its counts must match the records."""

    personal_data: list[Literal["names", "organisations", "texts", "votes", "dates", "facilitation"]]
    participants: Count
    anonymised_participants: Count
    contributions: Count
    comments: Count
    votes: Count
    summary: Summary


class Archive(Record):
    format: Literal["concerto-archive"]
    version: Literal[1, 2, 3]
    exported_with: str
    pseudonymised: bool
    consultation: ConsultationRecord
    kinds: list[KindRecord]
    meetings: list[MeetingRecord]
    groups: list[GroupRecord]
    participants: list[ParticipantRecord]
    themes: list[ThemeRecord]
    contributions: list[ContributionRecord]
    votes: list[VoteRecord]
    comments: list[CommentRecord]
    duplicate_dismissals: list[DismissalRecord]
    board_actions: list[BoardActionRecord]
    removed: Removed
    restitution: RestitutionRecord | None
    restitution_versions: list[VersionRecord]
    contains: Contains | None = None  # version 2 (required there)
    # Planned phase changes still to come (a step's countdown is not archived); absent from older archives.
    schedules: list[ScheduleRecord] = msgspec.field(default_factory=list)


# The tables that have archive ids, in the order records are written, with the
# word used for one of them in messages.
TABLES: dict[str, str] = {
    "kinds": "kind",
    "groups": "group",
    "participants": "participant",
    "themes": "theme",
    "contributions": "contribution",
    "votes": "vote",
    "comments": "comment",
    "duplicate_dismissals": "duplicate dismissal",
    "board_actions": "board action",
}


# The tables whose rows the history or a published version may name after they are gone.
REMOVABLE = tuple(Removed.__struct_fields__)


# -- reading and writing -----------------------------------------------------------


def exported_with() -> str:
    try:
        return f"Concerto {metadata.version('concerto')}"
    except metadata.PackageNotFoundError:
        return "Concerto"


def timestamp(value: dt.datetime) -> str:
    """How the archive writes a moment: UTC, microseconds, ``Z`` (so two exports agree)."""
    return value.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def dumps(archive: dict) -> bytes:
    """The archive as written to a file: indented UTF-8 JSON in the exporter's key order."""
    return (json.dumps(archive, ensure_ascii=False, indent=2) + "\n").encode()


def parse(raw: bytes) -> Any:
    """The JSON in ``raw``, or a clear refusal (a truncated file is the usual cause)."""
    try:
        return msgspec.json.decode(raw)
    except msgspec.DecodeError as error:
        raise ArchiveError(f"the file is truncated or not JSON ({_lower(str(error))})") from None


def validate(data: Any) -> Archive:
    """``data`` as an Archive, checked field by field (references are the importer's job)."""
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise ArchiveError(f'this is not a Concerto archive (it should be a JSON object with "format": "{FORMAT}")')
    version = data.get("version")
    if type(version) is not int:
        raise ArchiveError('the archive has no valid "version" (a whole number)')
    if version > VERSION:
        raise ArchiveError(
            f"the archive is in format version {version}, newer than this Concerto understands "
            f"(version {VERSION}): upgrade Concerto to import it"
        )
    if version not in READABLE_VERSIONS:
        readable = ", ".join(str(number) for number in READABLE_VERSIONS)
        raise ArchiveError(f"the archive format version {version} does not exist (this Concerto reads versions {readable})")
    try:
        archive = msgspec.convert(data, Archive)
    except msgspec.ValidationError as error:
        raise ArchiveError(describe_validation(error)) from None
    if version >= 2:
        _require_added_keys(data)
    return archive


def _require_added_keys(data: dict) -> None:
    """Version 2's keys are optional in the Structs (for version 1) but required in version 2."""
    for where, keys in ADDED_IN_2.items():
        records = [data] if where == "" else [data[where]] if isinstance(data[where], dict) else data[where]
        for index, record in enumerate(records):
            for key in keys:
                if key not in record:
                    path = "" if where == "" else f"{where}: " if isinstance(data[where], dict) else f"{where}[{index}]: "
                    raise ArchiveError(f"{path}object missing required field `{key}` (required in version 2)")


_AT = re.compile(r"^(?P<message>.*) - at `\$(?P<path>.*)`$", re.DOTALL)


def describe_validation(error: msgspec.ValidationError) -> str:
    """msgspec's "Expected `int`, got `str` - at `$.votes[0].id`" as "votes[0].id: expected `int`, got `str`"."""
    text = str(error)
    found = _AT.match(text)
    if found is None:
        return _lower(text)
    return f"{found['path'].lstrip('.')}: {_lower(found['message'])}"


def _lower(text: str) -> str:
    return text[:1].lower() + text[1:]
