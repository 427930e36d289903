"""Consultations: settings, calendar, kinds, invitation and membership."""

from __future__ import annotations

import datetime as dt
import re
import secrets
import unicodedata
from typing import Any

from concerto import db
from concerto.accounts.services import ROLES, Actor, add_facilitator, get_account
from concerto.errors import N_, Conflict, Forbidden, NotAuthenticated, NotFound, field_error
from concerto.labels import meeting_kind_code, meeting_kind_label, meeting_when
from concerto.live import announce
from concerto.tables import Consultation, ContributionKind, Meeting, Participant, WorkingGroup
from concerto.validation import FieldErrors, matchable

STATUSES = ("draft", "open", "closed")
# Built-in kinds of calendar entries, translated when shown; facilitators may also type their own words.
MEETING_KINDS = ("rencontre", "atelier", "comite", "restitution", "webinaire", "seminaire", "reunion-publique")
# The two kinds the product is built around; labels can be renamed.
DEFAULT_KINDS = (
    ("acquis", N_("Achievements to build on")),
    ("enjeu", N_("New challenges")),
)
KIND_CODES = tuple(code for code, _label in DEFAULT_KINDS)
_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")

CONSULTATION_COLUMNS = (
    Consultation.id,
    Consultation.slug,
    Consultation.title,
    Consultation.summary,
    Consultation.status,
    Consultation.created_at,
    Consultation.show_organisations,
)
# Hot-path reads (every consultation page and API call) are plain SQL through
# Piccolo's raw(): a select() costs ~100 µs of query building, raw() ~15 µs.
_BY_SLUG_SQL = "SELECT id, slug, title, summary, status, created_at, show_organisations FROM consultation WHERE slug = {}"
_KINDS_SQL = "SELECT id, code, label FROM contribution_kind WHERE consultation = {} ORDER BY position"


def slugify(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:60].strip("-")


def new_invite_token() -> str:
    return secrets.token_urlsafe(18)


# Unambiguous on a projector and typed on a phone (no 0/O, 1/I/L); as in migration 0008.
JOIN_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
JOIN_CODE_LENGTH = 6


def new_join_code() -> str:
    """The short invitation (/j/CODE); 31⁶ ≈ 900 million codes, tried at the write rate limit at most."""
    return "".join(secrets.choice(JOIN_ALPHABET) for _ in range(JOIN_CODE_LENGTH))


async def unused_join_code() -> str:
    while True:
        code = new_join_code()
        if not await Consultation.exists().where(Consultation.join_code == code):
            return code


# -- reading ------------------------------------------------------------------


async def get_by_slug(slug: str) -> dict:
    rows = await Consultation.raw(_BY_SLUG_SQL, slug) if matchable(slug) else []
    if not rows:
        raise NotFound(N_("This consultation does not exist."))
    consultation = rows[0]
    consultation["show_organisations"] = bool(consultation["show_organisations"])  # SQLite's raw() gives 0 or 1
    return consultation


async def get_by_id(consultation_id: int) -> dict:
    consultation = await Consultation.select(*CONSULTATION_COLUMNS).where(Consultation.id == consultation_id).first()
    if consultation is None:
        raise NotFound(N_("This consultation does not exist."))
    return consultation


def require_visible(consultation: dict, actor: Actor) -> None:
    """Drafts are for facilitators only; say "not found" so drafts stay private."""
    if consultation["status"] == "draft" and not actor.is_facilitator:
        raise NotFound(N_("This consultation does not exist."))


def require_open(consultation: dict) -> None:
    if consultation["status"] != "open":
        raise Conflict(N_("This consultation is not open for participation."))


async def list_visible(account_id: int | None) -> list[dict]:
    """Open and closed consultations, plus the drafts this account facilitates."""
    query = Consultation.select(*CONSULTATION_COLUMNS).order_by(Consultation.created_at, ascending=False)
    rows = await query
    if account_id is None:
        return [row for row in rows if row["status"] != "draft"]
    account = await get_account(account_id)
    if account and account["is_admin"]:
        return rows
    mine = {
        row["consultation"]
        for row in await Participant.select(Participant.consultation).where(
            (Participant.account == account_id) & (Participant.role == "facilitator")
        )
    }
    return [row for row in rows if row["status"] != "draft" or row["id"] in mine]


async def kinds(consultation_id: int) -> list[dict]:
    return await ContributionKind.raw(_KINDS_SQL, consultation_id)


async def invite_token(consultation_id: int, actor: Actor) -> str:
    actor.require_facilitator()
    row = await Consultation.select(Consultation.invite_token).where(Consultation.id == consultation_id).first()
    return row["invite_token"]


async def meetings(consultation_id: int) -> list[dict]:
    """The calendar: dated entries by date, then undated future steps in the order they were added."""
    rows = await Meeting.select().where(Meeting.consultation == consultation_id).order_by(Meeting.id)
    # Sorted here: SQLite puts NULL dates first, PostgreSQL last.
    return sorted(rows, key=lambda row: (row["date"] is None, row["date"] or dt.date.min, row["id"]))


async def calendar(consultation_id: int) -> list[dict]:
    """The calendar as pages show it: each entry with when it takes place, in words (« du 26 au 30 janvier 2015 »)."""
    return [{**row, "when_text": meeting_when(row)} for row in await meetings(consultation_id)]


async def meeting_kind_suggestions(consultation_id: int) -> list[str]:
    """What the kind field proposes: the built-in kinds, then the facilitators' own ones used in this consultation."""
    used = await Meeting.select(Meeting.kind).where(Meeting.consultation == consultation_id).distinct()
    builtin = [meeting_kind_label(code) for code in MEETING_KINDS]
    own = sorted({row["kind"] for row in used if row["kind"] not in MEETING_KINDS}, key=str.casefold)
    return builtin + [kind for kind in own if kind not in builtin]


async def meeting(consultation_id: int, meeting_id: int) -> dict:
    row = await Meeting.select().where((Meeting.id == meeting_id) & (Meeting.consultation == consultation_id)).first()
    if row is None:
        raise NotFound(N_("This meeting does not exist."))
    return row


PARTICIPANT_COLUMNS = (
    Participant.id,
    Participant.display_name,
    Participant.organisation,
    Participant.role,
    Participant.created_at,
    Participant.account,
    Participant.anonymised_at,
)


async def participants(consultation_id: int, actor: Actor) -> list[dict]:
    actor.require_facilitator()
    return await Participant.select(*PARTICIPANT_COLUMNS).where(Participant.consultation == consultation_id).order_by(
        Participant.display_name
    )


async def participant(consultation_id: int, actor: Actor, participant_id: int) -> dict:
    actor.require_facilitator()
    row = await Participant.select(*PARTICIPANT_COLUMNS).where(
        (Participant.id == participant_id) & (Participant.consultation == consultation_id)
    ).first()
    if row is None:
        raise NotFound(N_("This participant does not exist."))
    return row


# -- consultation ---------------------------------------------------------------


def _consultation_fields(data: dict[str, Any], *, partial: bool) -> dict[str, Any]:
    errors = FieldErrors()
    values: dict[str, Any] = {}
    if not partial or "title" in data:
        values["title"] = errors.text("title", data.get("title"), max_length=200)
    if not partial or "summary" in data:
        values["summary"] = errors.text("summary", data.get("summary"), max_length=20_000, required=False)
    if "status" in data or not partial:
        values["status"] = errors.choice("status", data.get("status", "draft"), STATUSES)
    if "show_organisations" in data:
        values["show_organisations"] = _flag(errors, "show_organisations", data["show_organisations"])
    if data.get("slug") not in (None, ""):
        slug = errors.text("slug", data.get("slug"), max_length=60).lower()
        if slug and not _SLUG.match(slug):
            errors.add("slug", N_("Use lowercase letters, digits and hyphens only."))
        values["slug"] = slug
    errors.raise_if_any()
    return values


def _flag(errors: FieldErrors, field: str, value: Any) -> bool:
    """A yes/no setting: a JSON boolean, or a form's checkbox ("1"/"0", "on", "true"...)."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("1", "true", "on", "yes", "0", "false", "off", "no", ""):
        return value.strip().lower() in ("1", "true", "on", "yes")
    errors.add(field, N_("Choose one of the options offered."))
    return False


async def create(account_id: int, data: dict[str, Any]) -> dict:
    """Create a consultation with the two default kinds; its creator facilitates it."""
    account = await get_account(account_id)
    if account is None:
        raise Forbidden(N_("Sign in to create a consultation."))
    values = _consultation_fields(data, partial=False)
    slug = values.pop("slug", None) or slugify(values["title"]) or "consultation"
    async with db.write_transaction():
        if await Consultation.exists().where(Consultation.slug == slug):
            if data.get("slug"):
                raise field_error("slug", N_("This address is already used by another consultation."))
            slug = f"{slug[:52]}-{secrets.token_hex(3)}"
        rows = await Consultation.insert(
            Consultation(slug=slug, invite_token=new_invite_token(), join_code=await unused_join_code(), **values)
        ).returning(Consultation.id)
        consultation_id = rows[0]["id"]
        await ContributionKind.insert(
            *[
                ContributionKind(consultation=consultation_id, code=code, label=_default_label(code), position=index)
                for index, (code, _label) in enumerate(DEFAULT_KINDS)
            ]
        )
        await add_facilitator(consultation_id, account)
    return await get_by_id(consultation_id)


def _default_label(code: str) -> str:
    from concerto.i18n import gettext

    return gettext(dict(DEFAULT_KINDS)[code])


async def update(consultation: dict, actor: Actor, data: dict[str, Any]) -> dict:
    actor.require_facilitator()
    values = _consultation_fields(data, partial=True)
    async with db.write_transaction():
        before = await Consultation.select(Consultation.show_organisations).where(Consultation.id == consultation["id"]).first()
        if "slug" in values and values["slug"] != consultation["slug"]:
            if await Consultation.exists().where(Consultation.slug == values["slug"]):
                raise field_error("slug", N_("This address is already used by another consultation."))
        if values:
            await Consultation.update(values).where(Consultation.id == consultation["id"])
    updated = await get_by_id(consultation["id"])
    if updated["status"] != consultation["status"]:
        announce.consultation_changed(consultation["id"], updated["status"])
    if updated["show_organisations"] != before["show_organisations"]:
        # Names on open pages gain or lose their organisation.
        groups = await WorkingGroup.select(WorkingGroup.id).where(WorkingGroup.consultation == consultation["id"])
        await announce.authors_changed([row["id"] for row in groups])
    return updated


async def rotate_invite(consultation: dict, actor: Actor) -> str:
    """A new invitation link and short code; the old ones stop working (joined people stay)."""
    actor.require_facilitator()
    token = new_invite_token()
    async with db.write_transaction():
        await Consultation.update(
            {Consultation.invite_token: token, Consultation.join_code: await unused_join_code()}
        ).where(Consultation.id == consultation["id"])
    return token


async def invitation(consultation_id: int, actor: Actor) -> dict:
    """The invitation token and its short code (facilitators only)."""
    actor.require_facilitator()
    row = await Consultation.select(Consultation.invite_token, Consultation.join_code).where(
        Consultation.id == consultation_id
    ).first()
    return {"token": row["invite_token"], "code": row["join_code"]}


async def by_join_code(code: Any) -> dict | None:
    """The consultation and its invitation token for a short code (any case), or None."""
    if not isinstance(code, str) or not matchable(code) or len(code) > 12:
        return None
    return await Consultation.select(Consultation.slug, Consultation.invite_token).where(
        Consultation.join_code == code.strip().upper()
    ).first()


async def rename_kinds(consultation: dict, actor: Actor, labels: dict[str, Any]) -> list[dict]:
    actor.require_facilitator()
    errors = FieldErrors()
    cleaned = {}
    for code in KIND_CODES:
        if code in labels:
            cleaned[code] = errors.text(f"label_{code}", labels[code], max_length=80)
    for code in labels:
        if code not in KIND_CODES:
            errors.add(f"label_{code}", N_("Unknown kind of contribution."))
    errors.raise_if_any()
    async with db.write_transaction():
        for code, label in cleaned.items():
            await ContributionKind.update({ContributionKind.label: label}).where(
                (ContributionKind.consultation == consultation["id"]) & (ContributionKind.code == code)
            )
    return await kinds(consultation["id"])


# -- joining and roles ----------------------------------------------------------


def require_not_joined(actor: Actor) -> None:
    """Joining twice from the same browser keeps the first identity (and its votes)."""
    if actor.participant_id is not None:
        raise Conflict(N_("You have already joined this consultation as %(name)s."), name=actor.display_name)


async def check_invitation(consultation: dict, token: Any) -> None:
    """Refuse a wrong or replaced invitation token, and consultations not open."""
    row = await Consultation.select(Consultation.invite_token).where(Consultation.id == consultation["id"]).first()
    if not isinstance(token, str) or not secrets.compare_digest(row["invite_token"].encode(), token.encode()):
        raise Forbidden(N_("This invitation link is not valid (it may have been replaced). Ask the facilitators for the current one."))
    if consultation["status"] != "open":
        raise Conflict(N_("This consultation is not open for participation."))


async def join(consultation: dict, actor: Actor, token: str, display_name: Any, organisation: Any) -> int:
    """Create a participant from the invitation link; returns their id."""
    require_not_joined(actor)
    await check_invitation(consultation, token)
    errors = FieldErrors()
    display_name = errors.text("display_name", display_name, max_length=80)
    organisation = errors.text("organisation", organisation, max_length=120, required=False)
    errors.raise_if_any()
    rows = await Participant.insert(
        Participant(consultation=consultation["id"], display_name=display_name, organisation=organisation)
    ).returning(Participant.id)
    return rows[0]["id"]


# -- personal return links ------------------------------------------------------------


async def return_token(consultation_id: int, actor: Actor, *, replace: bool = False) -> str:
    """The participant's own return link secret (made on first use); ``replace`` revokes the previous one."""
    if actor.participant_id is None:
        raise NotAuthenticated(N_("Join the consultation with your invitation link to take part."))
    async with db.write_transaction():
        row = await Participant.select(Participant.return_token).where(
            (Participant.id == actor.participant_id) & (Participant.consultation == consultation_id)
        ).first()
        if row is None:
            raise NotFound(N_("This participant does not exist."))
        token = row["return_token"]
        if token is None or replace:
            token = secrets.token_urlsafe(24)
            await Participant.update({Participant.return_token: token}).where(Participant.id == actor.participant_id)
    return token


async def participant_by_return_token(consultation: dict, token: Any) -> dict:
    """Who a personal return link belongs to; refuses unknown or replaced links (and closed doors: drafts)."""
    if not isinstance(token, str) or not matchable(token) or len(token) < 16:
        row = None
    else:
        row = await Participant.select(Participant.id, Participant.display_name, Participant.return_token).where(
            (Participant.consultation == consultation["id"]) & (Participant.return_token == token)
        ).first()
    if row is None or not secrets.compare_digest(row["return_token"].encode(), token.encode()):
        raise Forbidden(N_("This personal link is not valid (it may have been replaced)."))
    return row


async def set_role(consultation: dict, actor: Actor, participant_id: int, role: Any) -> None:
    actor.require_facilitator()
    errors = FieldErrors()
    role = errors.choice("role", role, ROLES)
    errors.raise_if_any()
    if participant_id == actor.participant_id and role != "facilitator":
        raise Conflict(N_("You cannot remove your own facilitator role."))
    async with db.write_transaction():
        row = await Participant.select(Participant.anonymised_at).where(
            (Participant.id == participant_id) & (Participant.consultation == consultation["id"])
        ).first()
        if row is None:
            raise NotFound(N_("This participant does not exist."))
        if row["anonymised_at"] is not None:
            raise Conflict(N_("This participant is anonymous: nobody takes part under this place any more."))
        await Participant.update({Participant.role: role}).where(Participant.id == participant_id)


# -- calendar -----------------------------------------------------------------

MEETING_KIND_MAX = 60
MEETING_WHEN_MAX = 60


def _date(errors: FieldErrors, field: str, raw: Any) -> dt.date | None:
    if raw is None or isinstance(raw, str) and not raw.strip():
        return None
    if isinstance(raw, dt.date):
        return raw
    try:
        return dt.date.fromisoformat(str(raw).strip())
    except ValueError:
        errors.add(field, N_("Enter a date such as 2026-10-14."))
        return None


def _kind(errors: FieldErrors, raw: Any) -> str:
    """A built-in code when the words name one (« Comité », « committee », comite), else the facilitators' words."""
    text = " ".join(errors.text("kind", raw, max_length=MEETING_KIND_MAX, required=False).split())
    if not text:
        return "rencontre"
    return meeting_kind_code(text) or text


def _meeting_fields(data: dict[str, Any], *, partial: bool) -> dict[str, Any]:
    errors = FieldErrors()
    values: dict[str, Any] = {}
    if not partial or "title" in data:
        values["title"] = errors.text("title", data.get("title"), max_length=200)
    if not partial or "kind" in data:
        values["kind"] = _kind(errors, data.get("kind"))
    for field in ("date", "end_date"):
        if not partial or field in data:
            values[field] = _date(errors, field, data.get(field))
    if not partial or "when" in data:
        values["when"] = " ".join(errors.text("when", data.get("when"), max_length=MEETING_WHEN_MAX, required=False).split())
    if not partial or "place" in data:
        values["place"] = errors.text("place", data.get("place"), max_length=200, required=False)
    if not partial or "attendance" in data:
        raw = data.get("attendance")
        values["attendance"] = (
            None if raw in (None, "") else errors.integer("attendance", raw, minimum=0, maximum=1_000_000)
        )
    if not partial or "notes" in data:
        values["notes"] = errors.text("notes", data.get("notes"), max_length=5_000, required=False)
    errors.raise_if_any()
    return values


def _check_dates(entry: dict[str, Any]) -> None:
    """One of date and when is needed; an end date follows its start date."""
    errors = FieldErrors()
    date, end_date = entry.get("date"), entry.get("end_date")
    if date is None and not entry.get("when"):
        errors.add("date", N_("Give a date, or say when in words (such as “March–April 2015”)."))
    if end_date is not None and date is None:
        errors.add("end_date", N_("An end date needs a start date."))
    elif end_date is not None and end_date < date:
        errors.add("end_date", N_("The end date cannot be before the start date."))
    errors.raise_if_any()


async def add_meeting(consultation: dict, actor: Actor, data: dict[str, Any]) -> int:
    actor.require_facilitator()
    values = _meeting_fields(data, partial=False)
    _check_dates(values)
    rows = await Meeting.insert(Meeting(consultation=consultation["id"], **values)).returning(Meeting.id)
    return rows[0]["id"]


async def update_meeting(consultation: dict, actor: Actor, meeting_id: int, data: dict[str, Any]) -> None:
    actor.require_facilitator()
    values = _meeting_fields(data, partial=True)
    async with db.write_transaction():
        current = await meeting(consultation["id"], meeting_id)
        _check_dates({**current, **values})
        if values:
            await Meeting.update(values).where(Meeting.id == meeting_id)


async def delete_meeting(consultation: dict, actor: Actor, meeting_id: int) -> None:
    actor.require_facilitator()
    async with db.write_transaction():
        await meeting(consultation["id"], meeting_id)
        await Meeting.delete().where(Meeting.id == meeting_id)
