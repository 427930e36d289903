"""Contributions: proposing, editing, withdrawing, moderating and listing."""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

from concerto import db, idempotency
from concerto.accounts.services import Actor
from concerto.errors import N_, Conflict, Forbidden, NotFound
from concerto.live import announce
from concerto.markdown import render_markdown
from concerto.tables import Contribution, ContributionKind, Participant, WorkingGroup
from concerto.validation import FieldErrors, moderation_status, matchable

TITLE_MAX = 200
BODY_MAX = 5_000
SORTS = ("votes", "newest")
PER_PAGE_CHOICES = (50, 100, 200)
DEFAULT_PER_PAGE = 50



def validate_text(data: dict[str, Any], errors: FieldErrors, *, partial: bool = False) -> dict[str, Any]:
    values: dict[str, Any] = {}
    if not partial or "title" in data:
        values["title"] = errors.text("title", data.get("title"), max_length=TITLE_MAX)
    if not partial or "body" in data:
        values["body"] = errors.text("body", data.get("body"), max_length=BODY_MAX, required=False)
    return values


async def _kind_id(consultation_id: int, code: Any, errors: FieldErrors) -> int | None:
    if not isinstance(code, str) or not code:
        errors.add("kind", N_("Choose whether this is an achievement or a new challenge."))
        return None
    row = None if not matchable(code) else await ContributionKind.select(ContributionKind.id).where(
        (ContributionKind.consultation == consultation_id) & (ContributionKind.code == code)
    ).first()
    if row is None:
        errors.add("kind", N_("Unknown kind of contribution."))
        return None
    return row["id"]


async def _group_phase(group_id: int) -> dict:
    """The group's phase switches and its consultation's status, read inside the write."""
    row = await WorkingGroup.select(
        WorkingGroup.contributions_open,
        WorkingGroup.voting_open,
        WorkingGroup.consultation.status.as_alias("consultation_status"),
        WorkingGroup.consultation.show_organisations.as_alias("show_organisations"),
    ).where(WorkingGroup.id == group_id).first()
    if row is None:
        raise NotFound(N_("This working group does not exist."))
    return row


def _require_contributions_open(phase: dict, actor: Actor) -> None:
    """Open consultations take contributions; a draft only from its facilitators, who prepare it."""
    preparing = phase["consultation_status"] == "draft" and actor.is_facilitator
    if phase["consultation_status"] != "open" and not preparing:
        raise Conflict(N_("This consultation is not open for participation."))
    if not phase["contributions_open"]:
        raise Conflict(N_("Contributions are closed in this working group."))


def _remember_vectors(row: dict) -> None:
    from concerto.board import suggestions  # suggestions import the board, which imports votes

    suggestions.remember_soon([row])


async def create(actor: Actor, group: dict, data: dict[str, Any], *, key: Any = None) -> int:
    """Publish a contribution in a group; returns its id.

    ``key`` (an idempotency key): a second request with the same key stores
    nothing and returns the first one's contribution.
    """
    author = actor.require_participant()
    if group["consultation"] != actor.consultation_id:
        raise NotFound(N_("This working group does not exist."))
    errors = FieldErrors()
    values = validate_text(data, errors)
    kind_id = await _kind_id(actor.consultation_id, data.get("kind"), errors)
    errors.raise_if_any()
    key = idempotency.checked(key)
    body_html = render_markdown(values["body"])
    now = db.now()
    async with db.write_transaction():
        if key is not None:
            await db.lock_for_update(Participant, author)
            earlier = await idempotency.seen(author, key, "contribution")
            if earlier is not None:
                return earlier
        phase = await _group_phase(group["id"])
        _require_contributions_open(phase, actor)
        rows = await Contribution.insert(
            Contribution(
                consultation=actor.consultation_id,
                working_group=group["id"],
                kind=kind_id,
                author=author,
                body_html=body_html,
                created_at=now,
                updated_at=now,
                **values,
            )
        ).returning(Contribution.id)
        contribution_id = rows[0]["id"]
        await idempotency.remember(author, key, "contribution", contribution_id)
    _remember_vectors({"id": contribution_id, **values})
    announce.contribution_created(
        {
            "id": contribution_id,
            "working_group": group["id"],
            "status": "published",
            "kind": kind_id,
            "kind_code": data["kind"],
            "title": values["title"],
            "body_html": body_html,
            "author_name": actor.display_name,
            "author_organisation": await _organisation(author) if phase["show_organisations"] else "",
            "created_at": now,
        }
    )
    return contribution_id


async def _organisation(participant_id: int) -> str:
    row = await Participant.select(Participant.organisation).where(Participant.id == participant_id).first()
    return row["organisation"] if row else ""


async def get(consultation_id: int, contribution_id: int, actor: Actor) -> dict:
    """One contribution as its reader may see it (hidden ones only for facilitators and the author)."""
    row = await Contribution.select(
        Contribution.id,
        Contribution.working_group,
        Contribution.kind.code.as_alias("kind"),
        Contribution.kind.label.as_alias("kind_label"),
        Contribution.author,
        Contribution.author.display_name.as_alias("author_name"),
        Contribution.author.organisation.as_alias("author_organisation"),
        Contribution.title,
        Contribution.body,
        Contribution.body_html,
        Contribution.status,
        Contribution.created_at,
        Contribution.updated_at,
        Contribution.consultation.show_organisations.as_alias("show_organisations"),
    ).where((Contribution.id == contribution_id) & (Contribution.consultation == consultation_id)).first()
    if row is None or not _can_see(row, actor):
        raise NotFound(N_("This contribution does not exist."))
    if not row.pop("show_organisations"):
        row["author_organisation"] = ""  # the consultation does not show organisations
    return row


async def consultation_of(contribution_id: int) -> int:
    row = await Contribution.select(Contribution.consultation).where(Contribution.id == contribution_id).first()
    if row is None:
        raise NotFound(N_("This contribution does not exist."))
    return row["consultation"]


def _can_see(row: dict, actor: Actor) -> bool:
    return row["status"] == "published" or actor.is_facilitator or (
        actor.participant_id is not None and row["author"] == actor.participant_id
    )


async def _own(actor: Actor, contribution_id: int) -> dict:
    author = actor.require_participant()
    row = await Contribution.select(
        Contribution.author, Contribution.status, Contribution.working_group, Contribution.title, Contribution.body
    ).where((Contribution.id == contribution_id) & (Contribution.consultation == actor.consultation_id)).first()
    if row is None or not _can_see(row, actor):
        raise NotFound(N_("This contribution does not exist."))
    if row["author"] != author:
        raise Forbidden(N_("You can only change your own contributions."))
    return row


async def update(actor: Actor, contribution_id: int, data: dict[str, Any]) -> None:
    errors = FieldErrors()
    values = validate_text(data, errors, partial=True)
    if "kind" in data:
        values["kind"] = await _kind_id(actor.consultation_id, data["kind"], errors)
    errors.raise_if_any()
    async with db.write_transaction():
        row = await _own(actor, contribution_id)
        if row["status"] != "published":
            raise Conflict(N_("This contribution can no longer be edited."))
        _require_contributions_open(await _group_phase(row["working_group"]), actor)
        if "body" in values:
            values["body_html"] = render_markdown(values["body"])
        if values:
            values["updated_at"] = db.now()
            await Contribution.update(values).where(Contribution.id == contribution_id)
    if "title" in values or "body" in values:
        _remember_vectors({**row, **values, "id": contribution_id})
    await announce.contribution_changed(contribution_id)


async def withdraw(actor: Actor, contribution_id: int) -> None:
    """The author takes a contribution back; its votes stop counting."""
    async with db.write_transaction():
        row = await _own(actor, contribution_id)
        if row["status"] == "withdrawn":
            return
        _require_contributions_open(await _group_phase(row["working_group"]), actor)
        await Contribution.update({Contribution.status: "withdrawn", Contribution.updated_at: db.now()}).where(
            Contribution.id == contribution_id
        )
    await announce.contribution_changed(contribution_id, budgets=True)


async def moderate(actor: Actor, contribution_id: int, action: Any) -> str:
    """Facilitators hide a contribution or restore it; returns the new status."""
    actor.require_facilitator()
    status = moderation_status(action)
    async with db.write_transaction():
        row = await Contribution.select(Contribution.status).where(
            (Contribution.id == contribution_id) & (Contribution.consultation == actor.consultation_id)
        ).first()
        if row is None:
            raise NotFound(N_("This contribution does not exist."))
        if row["status"] == "withdrawn":
            raise Conflict(N_("Its author withdrew this contribution; it cannot be hidden or restored."))
        await Contribution.update({Contribution.status: status}).where(Contribution.id == contribution_id)
    if status != row["status"]:
        await announce.contribution_changed(contribution_id, budgets=True)
    return status


# -- listing --------------------------------------------------------------------


@dataclass
class Column:
    kind: dict
    items: list[dict]
    total: int


@dataclass
class Section:
    """A theme of the board (or, with ``theme`` None, what is not in a theme yet)."""

    theme: dict | None
    columns: list[Column]


@dataclass
class GroupListing:
    """What the group page lists: pages of two kind columns, or every item by theme.

    Once facilitators have made themes or grouped duplicates, the page shows
    the whole group under its themes (``sections``), each root contribution
    with its duplicates and their combined support; before that, it is paged
    kind columns (``columns``).
    """

    columns: list[Column]
    sort: str
    page: int
    per_page: int
    pages: int
    sections: list[Section] = field(default_factory=list)
    my_votes: set[int] = field(default_factory=set)
    votes_used: int = 0


_ITEM_COLUMNS = """c.id, c.title, c.body_html, c.status, c.kind, c.theme, c.duplicate_of,%(detail)s
       p.display_name AS author_name, p.organisation AS author_organisation,
       (SELECT COUNT(*) FROM vote v WHERE v.contribution = c.id) AS votes,
       (SELECT COUNT(*) FROM comment m WHERE m.contribution = c.id AND m.status = 'published') AS comments"""
_LIST_SQL = """
SELECT """ + _ITEM_COLUMNS + """
FROM contribution c JOIN participant p ON p.id = c.author
WHERE c.working_group = {} AND c.kind = {} AND %(visible)s
ORDER BY %(order)s
LIMIT {} OFFSET {}
"""
# The theme view lists a whole group; beyond this many, the newest are left out.
THEME_VIEW_LIMIT = 2_000
_ALL_SQL = """
SELECT """ + _ITEM_COLUMNS + """
FROM contribution c JOIN participant p ON p.id = c.author
WHERE c.working_group = {} AND %(visible)s
ORDER BY %(order)s
LIMIT """ + str(THEME_VIEW_LIMIT)
_COUNT_SQL = """
SELECT c.kind, COUNT(*) AS n, COUNT(c.duplicate_of) AS duplicates FROM contribution c
WHERE c.working_group = {} AND %(visible)s
GROUP BY c.kind
"""
_THEMES_SQL = "SELECT id, title, summary_html, position FROM theme WHERE working_group = {} ORDER BY position, id"
_ORDERS = {"votes": "votes DESC, c.id DESC", "newest": "c.id DESC"}


def _visibility(actor: Actor) -> tuple[str, list[Any]]:
    """SQL for "what this reader may see", as a template and its arguments."""
    if actor.is_facilitator:
        return "c.status <> 'withdrawn'", []
    if actor.participant_id is not None:
        return "(c.status = 'published' OR c.author = {})", [actor.participant_id]
    return "c.status = 'published'", []


def page_arguments(sort: Any, page: Any, per_page: Any) -> tuple[str, int, int]:
    """Tolerant reading of listing options: anything odd falls back to the default."""
    sort = sort if sort in SORTS else "votes"
    try:
        page = max(1, min(int(page), 100_000))
    except (TypeError, ValueError):
        page = 1
    try:
        per_page = int(per_page)
    except (TypeError, ValueError):
        per_page = DEFAULT_PER_PAGE
    return sort, page, per_page if per_page in PER_PAGE_CHOICES else DEFAULT_PER_PAGE


async def list_group(
    actor: Actor,
    group: dict,
    kinds: list[dict],
    *,
    sort: Any = "votes",
    page: Any = 1,
    per_page: Any = 50,
    detailed: bool = False,
) -> GroupListing:
    """The group's contributions as the group page shows them (see ``GroupListing``).

    ``detailed`` adds ``created_at`` and ``author`` (the API shows them; the
    page does not, and converting 200 timestamps is a tenth of its time).
    """
    from concerto.votes.services import votes_in_group

    sort, page, per_page = page_arguments(sort, page, per_page)
    # Kind labels can be renamed without touching the group: they are part of the key.
    key = (group["id"], sort, page, per_page, detailed, tuple((kind["id"], kind["label"]) for kind in kinds))
    version = await _shared_version(actor, group["id"])
    cached = _listings.get(key) if version is not None else None
    if cached is not None and cached[0] == version:
        _listings.move_to_end(key)
        columns, sections, pages = cached[1]
    else:
        columns, sections, pages = await _listing(actor, group, kinds, sort, page, per_page, detailed)
        if version is not None:
            _listings[key] = (version, (columns, sections, pages))
            while len(_listings) > LISTING_CACHE_SIZE:
                _listings.popitem(last=False)
    listing = GroupListing(columns, sort, page, per_page, pages, sections=sections)
    if actor.participant_id is not None:
        listing.my_votes = await votes_in_group(actor.participant_id, group["id"])
        listing.votes_used = len(listing.my_votes)
    return listing


async def _listing(
    actor: Actor, group: dict, kinds: list[dict], sort: str, page: int, per_page: int, detailed: bool
) -> tuple[list[Column], list[Section], int]:
    """(kind columns, theme sections, pages) read from the database."""
    from concerto.votes.services import combined_support

    visible, visible_args = _visibility(actor)
    counts = await Contribution.raw(_COUNT_SQL % {"visible": visible}, group["id"], *visible_args)
    totals = {row["kind"]: row["n"] for row in counts}
    themes = await Contribution.raw(_THEMES_SQL, group["id"])
    detail = " c.created_at, c.author," if detailed else ""
    if themes or any(row["duplicates"] for row in counts):
        sql = _ALL_SQL % {"visible": visible, "order": _ORDERS[sort], "detail": detail}
        rows = await Contribution.raw(sql, group["id"], *visible_args)
        support = await combined_support(group["id"])
        return [], _by_theme(rows, themes, kinds, totals, support, sort), 1
    sql = _LIST_SQL % {"visible": visible, "order": _ORDERS[sort], "detail": detail}
    columns = []
    for kind in kinds:
        items = await Contribution.raw(sql, group["id"], kind["id"], *visible_args, per_page, (page - 1) * per_page)
        for item in items:
            item["support"], item["duplicates"] = item["votes"], []
        columns.append(Column(kind=kind, items=items, total=totals.get(kind["id"], 0)))
    most = max((column.total for column in columns), default=0)
    return columns, [], max(1, -(-most // per_page))


# The group page is read far more than written: on SQLite its listing is kept
# per process, keyed by the group's version, which triggers bump on any change
# to the group's contributions, votes, comments or themes (migration 0007).
# Only the view everyone shares is cached: facilitators, and participants who
# have their own hidden or withdrawn contributions in the group, read through.
# PostgreSQL has no such triggers (they would serialise votes on the group
# row), so there every page is read from the database.
LISTING_CACHE_SIZE = 256
_listings: OrderedDict[tuple, tuple[int, tuple]] = OrderedDict()
# The version is read here, in the same query as the reader's own unpublished
# contributions, rather than taken from a group dict that may be older.
_VERSION_SQL = """
SELECT g.version, (SELECT COUNT(*) FROM contribution c
                   WHERE c.working_group = g.id AND c.author = {} AND c.status <> 'published') AS own_unpublished
FROM working_group g WHERE g.id = {}
"""


async def _shared_version(actor: Actor, group_id: int) -> int | None:
    """The group's version when this reader sees the shared view (None: read through)."""
    if db.is_postgres() or actor.is_facilitator:
        return None
    rows = await Contribution.raw(_VERSION_SQL, actor.participant_id or 0, group_id)
    if not rows or rows[0]["own_unpublished"]:
        return None
    return rows[0]["version"]


def _by_theme(
    rows: list[dict], themes: list[dict], kinds: list[dict], totals: dict, support: dict[int, int], sort: str
) -> list[Section]:
    """Root contributions (with their duplicates nested) under their themes, then the rest."""
    by_id = {row["id"]: row for row in rows}
    roots = []
    for row in rows:
        row["duplicates"] = []
        row["support"] = support.get(row["id"], 0) if row["status"] == "published" else row["votes"]
    for row in rows:
        root = by_id.get(row["duplicate_of"]) if row["duplicate_of"] else None
        (root["duplicates"] if root is not None else roots).append(row)
    if sort == "votes":
        roots.sort(key=lambda row: (-row["support"], -row["id"]))
    sections = []
    for theme in [*themes, None]:
        theme_id = theme["id"] if theme else None
        known = {t["id"] for t in themes}
        members = [row for row in roots if (row["theme"] if row["theme"] in known else None) == theme_id]
        if theme is None and not members:
            continue
        columns = [
            Column(kind=kind, items=[row for row in members if row["kind"] == kind["id"]], total=totals.get(kind["id"], 0))
            for kind in kinds
        ]
        sections.append(Section(theme, columns))
    return sections
