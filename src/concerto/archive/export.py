"""Read a whole consultation into an archive (a plain dict, see ``schema.Archive``).

Rows get archive ids 1..n per table in database id order; rows that no longer
exist but that the board history or a published version still names get the
next ids and are listed under ``removed``. With ``pseudonymise`` participants
become « Participant N » (N their archive id) without organisation, also where
a published version shows authors. Facilitator accounts are never exported.
Anonymised participants stay as they are (no name, no organisation), and
``contains`` says, in figures and in a sentence, what personal data the archive holds.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from concerto import db
from concerto.archive import translate
from concerto.archive.schema import FORMAT, REMOVABLE, TABLES, VERSION, ArchiveError, exported_with, timestamp
from concerto.live.steps import parse_steps
from concerto.restitution.model import Document
from concerto.restitution.services import content_hash, options_dict, read_options
from concerto.tables import (
    BoardAction,
    Comment,
    Consultation,
    Contribution,
    ContributionKind,
    DuplicateDismissal,
    Meeting,
    Participant,
    PhaseSchedule,
    Restitution,
    RestitutionVersion,
    Theme,
    Vote,
    WorkingGroup,
)

PSEUDONYM = "Participant {number}"
UNKNOWN_AUTHOR = "Participant"  # a name in a published version that matches no participant


class LocalIds:
    """Database id -> archive id for one table: existing rows first, then removed ones."""

    def __init__(self, table: str, db_ids: Iterable[int]) -> None:
        self.table = table
        self.ids = {db_id: number for number, db_id in enumerate(sorted(db_ids), 1)}
        self.live = len(self.ids)
        self._removed: set[int] = set()

    def note(self, db_id: int) -> None:
        if db_id not in self.ids:
            self._removed.add(db_id)

    def number_removed(self) -> list[int]:
        for db_id in sorted(self._removed):
            self.ids[db_id] = len(self.ids) + 1
        self._removed.clear()
        return list(range(self.live + 1, len(self.ids) + 1))

    def __call__(self, db_id: int | None) -> int | None:
        if db_id is None:
            return None
        try:
            return self.ids[db_id]
        except KeyError:
            raise ArchiveError(f"the database is inconsistent: {self.table} {db_id} is not part of this consultation") from None


async def export_consultation(slug: str, *, pseudonymise: bool = False) -> dict[str, Any]:
    # One transaction, so every table is read from the same moment (a vote
    # cast meanwhile would otherwise name a contribution read too early).
    async with db.write_transaction():
        if db.is_postgres():
            await Consultation.raw("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        consultation = await Consultation.select(
            Consultation.id, Consultation.slug, Consultation.title, Consultation.summary, Consultation.status,
            Consultation.created_at, Consultation.show_organisations, Consultation.steps,
        ).where(Consultation.slug == slug).first()
        if consultation is None:
            raise ArchiveError(f"no consultation has the address (slug) {slug!r}")
        rows = await _read(consultation["id"])
    return _archive(consultation, rows, pseudonymise=pseudonymise)


async def _read(cid: int) -> dict[str, list[dict]]:
    in_groups = lambda table: table.working_group.consultation == cid  # noqa: E731
    in_contributions = lambda table: table.contribution.consultation == cid  # noqa: E731
    return {
        "kinds": await ContributionKind.select().where(ContributionKind.consultation == cid).order_by(ContributionKind.id),
        "meetings": await Meeting.select().where(Meeting.consultation == cid).order_by(Meeting.id),
        "groups": await WorkingGroup.select().where(WorkingGroup.consultation == cid).order_by(WorkingGroup.id),
        "participants": await Participant.select().where(Participant.consultation == cid).order_by(Participant.id),
        "themes": await Theme.select().where(in_groups(Theme)).order_by(Theme.id),
        "contributions": await Contribution.select().where(Contribution.consultation == cid).order_by(Contribution.id),
        "votes": await Vote.select().where(in_contributions(Vote)).order_by(Vote.id),
        "comments": await Comment.select().where(in_contributions(Comment)).order_by(Comment.id),
        "duplicate_dismissals": await DuplicateDismissal.select().where(in_groups(DuplicateDismissal)).order_by(
            DuplicateDismissal.id
        ),
        "board_actions": await BoardAction.select().where(in_groups(BoardAction)).order_by(BoardAction.id),
        "restitution": await Restitution.select().where(Restitution.consultation == cid),
        "schedules": await PhaseSchedule.select().where(
            (PhaseSchedule.consultation == cid) & (PhaseSchedule.source == "plan") & PhaseSchedule.done_at.is_null()
        ).order_by(PhaseSchedule.at, PhaseSchedule.id),
        "restitution_versions": await RestitutionVersion.select().where(RestitutionVersion.consultation == cid).order_by(
            RestitutionVersion.number
        ),
    }


def _archive(consultation: dict, rows: dict[str, list[dict]], *, pseudonymise: bool) -> dict[str, Any]:
    ids = {table: LocalIds(word, (row["id"] for row in rows[table])) for table, word in TABLES.items()}

    actions = [{**row, "details": json.loads(row["details"]), "changes": json.loads(row["changes"])} for row in rows["board_actions"]]
    versions = [{**row, "document": json.loads(row["document"])} for row in rows["restitution_versions"]]
    for version in versions:
        try:
            Document.from_dict(version["document"])
        except (KeyError, TypeError, ValueError) as error:
            raise ArchiveError(f"restitution version {version['number']} cannot be read ({error})") from None

    # First pass: note the ids that history and documents name but that are gone.
    def note(table: str, value: Any, where: str) -> Any:
        if type(value) is not int:
            raise ArchiveError(f"the database is inconsistent: {where} is not an id ({value!r})")
        ids[table].note(value)
        return value

    for action in actions:
        translate.map_changes(action["changes"], note, f"board action {action['id']} changes")
        translate.map_details(action["details"], note, f"board action {action['id']} details")
    for version in versions:
        translate.map_document(json.loads(json.dumps(version["document"])), note, f"restitution version {version['number']}")
    removed = {table: ids[table].number_removed() for table in REMOVABLE}

    def ref(table: str, value: Any, _where: str) -> Any:
        return ids[table](value)

    participants = ids["participants"]
    anonymous = {row["id"] for row in rows["participants"] if row["anonymised_at"] is not None}
    # An anonymised participant has no name to hide: they stay nameless rather than become « Participant N ».
    pseudonyms = {
        row["id"]: "" if row["id"] in anonymous else PSEUDONYM.format(number=participants(row["id"])) for row in rows["participants"]
    }
    by_name: dict[str, str] = {}
    for row in rows["participants"]:
        by_name.setdefault(row["display_name"], pseudonyms[row["id"]])
    authors = {row["id"]: row["author"] for row in rows["contributions"]}

    def author(name: str, contribution_id: Any) -> str:
        if contribution_id in authors:
            # An anonymised author is already shown as « anonymous » in published versions.
            return name if authors[contribution_id] in anonymous else pseudonyms[authors[contribution_id]]
        return by_name.get(name, UNKNOWN_AUTHOR) or name

    group, theme, contribution = ids["groups"], ids["themes"], ids["contributions"]
    live_groups = {row["id"] for row in rows["groups"]}
    restitution = rows["restitution"][0] if rows["restitution"] else None
    options = read_options(restitution["options"]) if restitution else None
    return {
        "format": FORMAT,
        "version": VERSION,
        "exported_with": exported_with(),
        "pseudonymised": pseudonymise,
        "consultation": {
            "slug": consultation["slug"],
            "title": consultation["title"],
            "summary": consultation["summary"],
            "status": consultation["status"],
            "created_at": timestamp(consultation["created_at"]),
            "show_organisations": consultation["show_organisations"],
            "steps": parse_steps(consultation["steps"]) if consultation["steps"] else None,
        },
        "kinds": [
            {"id": ids["kinds"](row["id"]), "code": row["code"], "label": row["label"], "position": row["position"]}
            for row in rows["kinds"]
        ],
        "meetings": [
            {
                "title": row["title"],
                "kind": row["kind"],
                "date": row["date"].isoformat() if row["date"] else None,
                "end_date": row["end_date"].isoformat() if row["end_date"] else None,
                "when": row["when"],
                "place": row["place"],
                "attendance": row["attendance"],
                "notes": row["notes"],
            }
            for row in rows["meetings"]
        ],
        "groups": [
            {
                "id": group(row["id"]),
                "title": row["title"],
                "description": row["description"],
                "position": row["position"],
                "contributions_open": row["contributions_open"],
                "voting_open": row["voting_open"],
                "vote_budget": row["vote_budget"],
            }
            for row in rows["groups"]
        ],
        "participants": [
            {
                "id": participants(row["id"]),
                "display_name": pseudonyms[row["id"]] if pseudonymise else row["display_name"],
                "organisation": "" if pseudonymise else row["organisation"],
                "role": row["role"],
                "created_at": timestamp(row["created_at"]),
                "anonymised_at": None if row["anonymised_at"] is None else timestamp(row["anonymised_at"]),
            }
            for row in rows["participants"]
        ],
        "themes": [
            {
                "id": theme(row["id"]),
                "group": group(row["working_group"]),
                "title": row["title"],
                "summary": row["summary"],
                "position": row["position"],
                "created_at": timestamp(row["created_at"]),
            }
            for row in rows["themes"]
        ],
        "contributions": [
            {
                "id": contribution(row["id"]),
                "group": group(row["working_group"]),
                "kind": ids["kinds"](row["kind"]),
                "author": participants(row["author"]),
                "title": row["title"],
                "body": row["body"],
                "status": row["status"],
                "theme": theme(row["theme"]),
                "duplicate_of": contribution(row["duplicate_of"]),
                "created_at": timestamp(row["created_at"]),
                "updated_at": timestamp(row["updated_at"]),
            }
            for row in rows["contributions"]
        ],
        "votes": [
            {
                "id": ids["votes"](row["id"]),
                "contribution": contribution(row["contribution"]),
                "participant": participants(row["participant"]),
                "created_at": timestamp(row["created_at"]),
            }
            for row in rows["votes"]
        ],
        "comments": [
            {
                "id": ids["comments"](row["id"]),
                "contribution": contribution(row["contribution"]),
                "parent": ids["comments"](row["parent"]),
                "author": participants(row["author"]),
                "body": row["body"],
                "status": row["status"],
                "highlighted": row["highlighted"],
                "created_at": timestamp(row["created_at"]),
                "updated_at": timestamp(row["updated_at"]),
            }
            for row in rows["comments"]
        ],
        "duplicate_dismissals": [
            {
                "id": ids["duplicate_dismissals"](row["id"]),
                "group": group(row["working_group"]),
                "first": contribution(row["first"]),
                "second": contribution(row["second"]),
            }
            for row in rows["duplicate_dismissals"]
        ],
        "board_actions": [
            {
                "id": ids["board_actions"](row["id"]),
                "group": group(row["working_group"]),
                "actor": participants(row["actor"]),
                "kind": row["kind"],
                "details": translate.map_details(row["details"], ref, f"board action {row['id']} details"),
                "changes": translate.map_changes(row["changes"], ref, f"board action {row['id']} changes"),
                "undoes": ids["board_actions"](row["undoes"]),
                "undone_by": ids["board_actions"](row["undone_by"]),
                "created_at": timestamp(row["created_at"]),
            }
            for row in actions
        ],
        "removed": removed,
        "restitution": None
        if restitution is None
        else {
            "introduction": restitution["introduction"],
            "context": restitution["context"],
            "figures_text": restitution["figures_text"],
            "next_steps": restitution["next_steps"],
            "options": {
                **options_dict(options),
                # Groups that no longer exist have no effect on the order: left out.
                "group_order": [group(group_id) for group_id in options.group_order if group_id in live_groups],
            },
            "updated_at": timestamp(restitution["updated_at"]),
        },
        "restitution_versions": [
            {
                "number": row["number"],
                "published_at": timestamp(row["published_at"]),
                "published_by": participants(row["published_by"]),
                "document": (
                    document := translate.map_document(
                        row["document"], ref, f"restitution version {row['number']}", author=author if pseudonymise else None
                    )
                ),
                # Pseudonymised, the document says other names: it gets the hash of what it now says.
                "content_hash": content_hash(document) if pseudonymise or not row["content_hash"] else row["content_hash"],
            }
            for row in versions
        ],
        "contains": contains(rows, pseudonymise=pseudonymise),
        "schedules": [
            {
                "group": None if row["working_group"] is None else group(row["working_group"]),
                "phase": row["phase"],
                "open": row["open"],
                "at": timestamp(row["at"]),
            }
            for row in rows["schedules"]
            if row["working_group"] is None or row["working_group"] in live_groups
        ],
    }


def contains(rows: dict[str, list[dict]], *, pseudonymise: bool) -> dict[str, Any]:
    """What personal data the archive holds, in figures and in a sentence (English and French)."""
    people = rows["participants"]
    anonymised = sum(row["anonymised_at"] is not None for row in people)
    kinds = []
    if not pseudonymise and any(row["display_name"] for row in people):
        kinds.append("names")
    if not pseudonymise and any(row["organisation"] for row in people):
        kinds.append("organisations")
    if rows["contributions"] or rows["comments"]:
        kinds.append("texts")
    if rows["votes"]:
        kinds.append("votes")
    if people:
        kinds.append("dates")
    if rows["board_actions"]:
        kinds.append("facilitation")
    words = {
        "names": ("names", "les noms"),
        "organisations": ("organisations", "les organisations"),
        "texts": ("the texts they wrote (contributions and comments)", "les textes écrits (contributions et commentaires)"),
        "votes": ("who supported what", "qui a soutenu quoi"),
        "dates": ("when each joined and acted", "les dates d’arrivée et de chaque action"),
        "facilitation": ("which facilitator did what on the boards", "qui, dans l’équipe d’animation, a fait quoi sur les tableaux"),
    }
    english = [words[kind][0] for kind in kinds]
    french = [words[kind][1] for kind in kinds]
    count_en = f"{len(people)} participant{'s' if len(people) != 1 else ''}" + (f" ({anonymised} anonymised)" if anonymised else "")
    count_fr = f"{len(people)} participant{'s' if len(people) > 1 else ''}" + (
        f" (dont {anonymised} anonymisé{'s' if anonymised > 1 else ''})" if anonymised else ""
    )
    en = f"This archive holds personal data of {count_en}: {_listed(english, 'and')}." if english else (
        f"This archive holds no personal data of its {count_en}."
    )
    fr = f"Cette archive contient des données personnelles de {count_fr} : {_listed(french, 'et')}." if french else (
        f"Cette archive ne contient aucune donnée personnelle de ses {count_fr}."
    )
    secrets_en = " It holds no account, e-mail address, password, invitation or personal link."
    secrets_fr = " Elle ne contient aucun compte, adresse électronique, mot de passe, lien d’invitation ni lien personnel."
    return {
        "personal_data": kinds,
        "participants": len(people),
        "anonymised_participants": anonymised,
        "contributions": len(rows["contributions"]),
        "comments": len(rows["comments"]),
        "votes": len(rows["votes"]),
        "summary": {"en": en + secrets_en, "fr": fr + secrets_fr},
    }


def _listed(parts: list[str], conjunction: str) -> str:
    return parts[0] if len(parts) == 1 else f"{', '.join(parts[:-1])} {conjunction} {parts[-1]}"
