"""Recreate a consultation from an archive: check everything first, then write it in one transaction.

Checks, in order: the JSON shape (``schema.validate``), archive ids unique per
table, and every reference pointing at a record of the right table. Only then
does the write start; it takes new database ids for every archive id (from the
PostgreSQL sequences, or above SQLite's current maximum), so references can be
written directly and later rows never reuse an id the history still names. Any
failure rolls the whole import back.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Iterable
from typing import Any

import msgspec
from piccolo.table import Table

from concerto import db
from concerto.archive import translate
from concerto.archive.schema import REMOVABLE, SLUG_PATTERN, TABLES, Archive, ArchiveError, validate
from concerto.consultations.services import get_by_id, new_invite_token, unused_join_code
from concerto.markdown import render_markdown
from concerto.restitution.model import Document
from concerto.restitution.services import content_hash
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

MODELS: dict[str, type[Table]] = {
    "kinds": ContributionKind,
    "groups": WorkingGroup,
    "participants": Participant,
    "themes": Theme,
    "contributions": Contribution,
    "votes": Vote,
    "comments": Comment,
    "duplicate_dismissals": DuplicateDismissal,
    "board_actions": BoardAction,
}
CHUNK = 500  # rows per INSERT: well under both engines' limits on parameters


async def import_consultation(data: Any, *, slug: str | None = None) -> dict:
    """Import ``data`` (a parsed archive) as a new consultation; returns it.

    ``slug`` replaces the archive's address, e.g. to import a copy next to the
    original. Raises ArchiveError, with nothing stored, when anything is wrong.
    """
    archive = validate(data)
    if slug is not None and not (isinstance(slug, str) and len(slug) <= 60 and re.match(SLUG_PATTERN, slug)):
        raise ArchiveError(f"{slug!r} is not a valid address (slug): use lowercase letters, digits and hyphens, at most 60")
    slug = slug or archive.consultation.slug
    _check(archive)
    try:
        async with db.write_transaction():
            if await Consultation.exists().where(Consultation.slug == slug):
                raise ArchiveError(
                    f"a consultation with the address (slug) {slug!r} already exists; "
                    "import the archive under another one with --slug NEW-SLUG"
                )
            consultation_id = await _write(archive, slug)
    except ArchiveError:
        raise
    except Exception as error:  # e.g. a constraint the checks above did not foresee
        raise ArchiveError(f"the import failed and was rolled back ({error})") from error
    return await get_by_id(consultation_id)


# -- checks ---------------------------------------------------------------------------


def _check(archive: Archive) -> None:
    live: dict[str, set[int]] = {}
    for table in TABLES:
        live[table] = _unique((record.id for record in getattr(archive, table)), f"{table}[{{}}].id", "duplicate id {}")
    _check_contains(archive)
    named = {table: set(ids) for table, ids in live.items()}
    for table in REMOVABLE:
        removed = _unique(getattr(archive.removed, table), f"removed.{table}[{{}}]", "duplicate id {}")
        for index, value in enumerate(getattr(archive.removed, table)):
            if value in live[table]:
                raise ArchiveError(f"removed.{table}[{index}]: {value} is also the id of a {TABLES[table]} of the archive")
        named[table] |= removed

    def need(table: str, value: int | None, where: str) -> None:
        if value is not None and value not in live[table]:
            raise ArchiveError(f"{where}: unknown {TABLES[table]} {value}")

    def named_ref(table: str, value: Any, where: str) -> Any:
        if type(value) is not int or value not in named[table]:
            raise ArchiveError(f"{where}: unknown {TABLES[table]} {value!r}")
        return value

    codes = set()
    for i, kind in enumerate(archive.kinds):
        if kind.code in codes:
            raise ArchiveError(f"kinds[{i}].code: a second kind {kind.code!r}")
        codes.add(kind.code)
    for i, meeting in enumerate(archive.meetings):
        if meeting.date is None and not meeting.when.strip():
            raise ArchiveError(f"meetings[{i}]: a date or when (in words) is needed")
        if meeting.end_date is not None and (meeting.date is None or meeting.end_date < meeting.date):
            raise ArchiveError(f"meetings[{i}].end_date: must be on or after date")
    for i, theme in enumerate(archive.themes):
        need("groups", theme.group, f"themes[{i}].group")
    for i, item in enumerate(archive.contributions):
        here = f"contributions[{i}]"
        need("groups", item.group, f"{here}.group")
        need("kinds", item.kind, f"{here}.kind")
        need("participants", item.author, f"{here}.author")
        need("themes", item.theme, f"{here}.theme")
        need("contributions", item.duplicate_of, f"{here}.duplicate_of")
        if item.duplicate_of == item.id:
            raise ArchiveError(f"{here}.duplicate_of: a contribution cannot be grouped with itself")
    pairs = set()
    for i, vote in enumerate(archive.votes):
        need("contributions", vote.contribution, f"votes[{i}].contribution")
        need("participants", vote.participant, f"votes[{i}].participant")
        if (vote.participant, vote.contribution) in pairs:
            raise ArchiveError(f"votes[{i}]: participant {vote.participant} already supports contribution {vote.contribution}")
        pairs.add((vote.participant, vote.contribution))
    on = {comment.id: comment.contribution for comment in archive.comments}
    for i, comment in enumerate(archive.comments):
        need("contributions", comment.contribution, f"comments[{i}].contribution")
        need("participants", comment.author, f"comments[{i}].author")
        need("comments", comment.parent, f"comments[{i}].parent")
        if comment.parent is not None and (comment.parent >= comment.id or on[comment.parent] != comment.contribution):
            raise ArchiveError(f"comments[{i}].parent: must be an earlier comment (smaller id) on the same contribution")
    for i, pair in enumerate(archive.duplicate_dismissals):
        need("groups", pair.group, f"duplicate_dismissals[{i}].group")
        need("contributions", pair.first, f"duplicate_dismissals[{i}].first")
        need("contributions", pair.second, f"duplicate_dismissals[{i}].second")
    for i, schedule in enumerate(archive.schedules):
        need("groups", schedule.group, f"schedules[{i}].group")
    for i, action in enumerate(archive.board_actions):
        here = f"board_actions[{i}]"
        need("groups", action.group, f"{here}.group")
        need("participants", action.actor, f"{here}.actor")
        need("board_actions", action.undoes, f"{here}.undoes")
        need("board_actions", action.undone_by, f"{here}.undone_by")
        translate.map_details(action.details, named_ref, f"{here}.details")
        translate.map_changes(_changes(action), named_ref, f"{here}.changes")
    if archive.restitution is not None:
        order = archive.restitution.options.group_order
        for i, group_id in enumerate(order):
            need("groups", group_id, f"restitution.options.group_order[{i}]")
        if len(set(order)) != len(order):
            raise ArchiveError("restitution.options.group_order: a group is listed twice")
    _unique((version.number for version in archive.restitution_versions), "restitution_versions[{}].number", "duplicate number {}")
    for i, version in enumerate(archive.restitution_versions):
        here = f"restitution_versions[{i}]"
        need("participants", version.published_by, f"{here}.published_by")
        try:
            Document.from_dict(version.document)
        except (KeyError, TypeError, ValueError, AttributeError) as error:
            raise ArchiveError(f"{here}.document: not a restitution document ({error!r})") from None
        # A published version is immutable: an archive whose document was changed since is refused.
        if version.content_hash is not None and content_hash(version.document) != version.content_hash:
            raise ArchiveError(
                f"{here}.document: this published version was changed after it was published "
                "(its content does not match its content_hash); published versions cannot be changed"
            )
        translate.map_document(copy.deepcopy(version.document), named_ref, f"{here}.document")


def _check_contains(archive: Archive) -> None:
    """Anonymised participants have no name; what the archive says it holds is what it holds (version 2)."""
    for i, p in enumerate(archive.participants):
        if p.anonymised_at is not None and (p.display_name or p.organisation):
            raise ArchiveError(f"participants[{i}]: an anonymised participant has no name or organisation")
    said = archive.contains
    if said is None:
        return
    found = {
        "participants": len(archive.participants),
        "anonymised_participants": sum(p.anonymised_at is not None for p in archive.participants),
        "contributions": len(archive.contributions),
        "comments": len(archive.comments),
        "votes": len(archive.votes),
    }
    for key, count in found.items():
        if getattr(said, key) != count:
            raise ArchiveError(f"contains.{key}: says {getattr(said, key)}, but the archive holds {count}")


def _unique(values: Iterable[int], where: str, problem: str) -> set[int]:
    seen: set[int] = set()
    for index, value in enumerate(values):
        if value in seen:
            raise ArchiveError(f"{where.format(index)}: {problem.format(value)}")
        seen.add(value)
    return seen


def _changes(action) -> list[dict[str, Any]]:
    return [msgspec.to_builtins(change) for change in action.changes]


# -- writing ---------------------------------------------------------------------------


async def _reserve(model: type[Table], count: int) -> list[int]:
    """``count`` new ids for ``model``'s rows, increasing, that nothing else will take."""
    if count == 0:
        return []
    name = model._meta.tablename
    if db.is_postgres():
        rows = await model.raw(
            f"SELECT nextval(pg_get_serial_sequence('{name}', 'id')) AS id FROM generate_series(1, {{}})", count
        )
        return sorted(row["id"] for row in rows)
    # SQLite gives a new row max(id) + 1; ids the board history ever used are kept
    # out of reach by ``id_floor`` (see concerto.board.changes), which we raise too.
    top = (await model.raw(f"SELECT COALESCE(MAX(id), 0) AS top FROM {name}"))[0]["top"]
    floor = await model.raw("SELECT floor FROM id_floor WHERE name = {}", name)
    start = max(top, floor[0]["floor"] if floor else 0)
    await model.raw(
        "INSERT INTO id_floor (name, floor) VALUES ({}, {}) "
        "ON CONFLICT (name) DO UPDATE SET floor = MAX(id_floor.floor, excluded.floor)",
        name,
        start + count,
    )
    return list(range(start + 1, start + count + 1))


async def _insert(model: type[Table], rows: list[Table]) -> None:
    for start in range(0, len(rows), CHUNK):
        await model.insert(*rows[start : start + CHUNK])


async def _write(archive: Archive, slug: str) -> int:
    source = archive.consultation
    rows = await Consultation.insert(
        Consultation(
            slug=slug,
            title=source.title,
            summary=source.summary,
            status=source.status,
            invite_token=new_invite_token(),  # tokens are secrets: never archived
            join_code=await unused_join_code(),
            created_at=source.created_at,
            show_organisations=source.show_organisations,
            steps="" if source.steps is None else json.dumps(msgspec.to_builtins(source.steps)),
        )
    ).returning(Consultation.id)
    cid = rows[0]["id"]

    # Removed rows take the lowest new ids, so on SQLite the maximum is a live
    # row and no future row can take an id the history names.
    ids: dict[str, dict[int, int]] = {}
    for table, model in MODELS.items():
        removed = sorted(getattr(archive.removed, table)) if table in REMOVABLE else []
        records = sorted(record.id for record in getattr(archive, table))
        reserved = await _reserve(model, len(removed) + len(records))
        ids[table] = dict(zip([*removed, *records], reserved))

    def ref(table: str, value: Any, _where: str = "") -> Any:
        return None if value is None else ids[table][value]

    def by_id(records):
        return sorted(records, key=lambda record: record.id)

    await _insert(ContributionKind, [
        ContributionKind(id=ref("kinds", k.id), consultation=cid, code=k.code, label=k.label, position=k.position)
        for k in by_id(archive.kinds)
    ])
    await _insert(Meeting, [
        Meeting(
            consultation=cid, title=m.title, kind=m.kind, date=m.date, end_date=m.end_date, when=m.when,
            place=m.place, attendance=m.attendance, notes=m.notes,
        )
        for m in archive.meetings
    ])
    await _insert(WorkingGroup, [
        WorkingGroup(
            id=ref("groups", g.id), consultation=cid, title=g.title, description=g.description, position=g.position,
            contributions_open=g.contributions_open, voting_open=g.voting_open, vote_budget=g.vote_budget,
        )
        for g in by_id(archive.groups)
    ])
    await _insert(Participant, [
        Participant(
            id=ref("participants", p.id), consultation=cid, display_name=p.display_name, organisation=p.organisation,
            role=p.role, account=None, created_at=p.created_at, anonymised_at=p.anonymised_at,
        )
        for p in by_id(archive.participants)
    ])
    await _insert(Theme, [
        Theme(
            id=ref("themes", t.id), working_group=ref("groups", t.group), title=t.title, summary=t.summary,
            summary_html=render_markdown(t.summary), position=t.position, created_at=t.created_at,
        )
        for t in by_id(archive.themes)
    ])
    await _insert(Contribution, [
        Contribution(
            id=ref("contributions", c.id), consultation=cid, working_group=ref("groups", c.group), kind=ref("kinds", c.kind),
            author=ref("participants", c.author), title=c.title, body=c.body, body_html=render_markdown(c.body),
            status=c.status, created_at=c.created_at, updated_at=c.updated_at, theme=ref("themes", c.theme),
            duplicate_of=None,  # set below: it may name a contribution written later
        )
        for c in by_id(archive.contributions)
    ])
    for c in archive.contributions:
        if c.duplicate_of is not None:
            await Contribution.update({Contribution.duplicate_of: ref("contributions", c.duplicate_of)}).where(
                Contribution.id == ref("contributions", c.id)
            )
    group_of = {c.id: c.group for c in archive.contributions}
    await _insert(Vote, [
        Vote(
            id=ref("votes", v.id), contribution=ref("contributions", v.contribution),
            participant=ref("participants", v.participant), working_group=ref("groups", group_of[v.contribution]),
            created_at=v.created_at,
        )
        for v in by_id(archive.votes)
    ])
    depth: dict[int, int] = {}
    comments = []
    for m in by_id(archive.comments):
        depth[m.id] = depth[m.parent] + 1 if m.parent is not None else 1
        comments.append(
            Comment(
                id=ref("comments", m.id), contribution=ref("contributions", m.contribution), parent=ref("comments", m.parent),
                depth=depth[m.id], author=ref("participants", m.author), body=m.body, body_html=render_markdown(m.body),
                status=m.status, highlighted=m.highlighted, created_at=m.created_at, updated_at=m.updated_at,
            )
        )
    await _insert(Comment, comments)
    await _insert(DuplicateDismissal, [
        DuplicateDismissal(
            id=ref("duplicate_dismissals", d.id), working_group=ref("groups", d.group),
            first=ref("contributions", d.first), second=ref("contributions", d.second),
        )
        for d in by_id(archive.duplicate_dismissals)
    ])
    await _insert(BoardAction, [
        BoardAction(
            id=ref("board_actions", a.id), working_group=ref("groups", a.group), actor=ref("participants", a.actor),
            kind=a.kind,
            details=json.dumps(translate.map_details(a.details, ref, ""), ensure_ascii=False),
            changes=json.dumps(translate.map_changes(_changes(a), ref, "", render=render_markdown), ensure_ascii=False),
            created_at=a.created_at,
        )
        for a in by_id(archive.board_actions)
    ])
    for a in archive.board_actions:  # links go both ways: written once every action exists
        if a.undoes is not None or a.undone_by is not None:
            await BoardAction.update(
                {BoardAction.undoes: ref("board_actions", a.undoes), BoardAction.undone_by: ref("board_actions", a.undone_by)}
            ).where(BoardAction.id == ref("board_actions", a.id))
    await _insert(PhaseSchedule, [
        PhaseSchedule(
            consultation=cid, working_group=None if s.group is None else ref("groups", s.group), phase=s.phase,
            open=s.open, at=s.at, source="plan",
        )
        for s in archive.schedules
    ])
    if archive.restitution is not None:
        r = archive.restitution
        options = {
            **{key: value for key, value in msgspec.structs.asdict(r.options).items() if value is not None},
            "group_order": [ref("groups", g) for g in r.options.group_order],
        }
        await Restitution.insert(
            Restitution(
                consultation=cid, introduction=r.introduction, context=r.context, figures_text=r.figures_text,
                next_steps=r.next_steps,
                options=json.dumps(options), updated_at=r.updated_at,
            )
        )
    await _insert(RestitutionVersion, [
        RestitutionVersion(
            consultation=cid, number=v.number, published_at=v.published_at, published_by=ref("participants", v.published_by),
            document=json.dumps(translate.map_document(copy.deepcopy(v.document), ref, ""), ensure_ascii=False),
            content_hash=content_hash(v.document),
        )
        for v in archive.restitution_versions
    ])
    return cid
