"""The restitution's texts and options, drafts, published versions and highlighted comments."""

from __future__ import annotations

import json
from typing import Any

from concerto import db
from concerto.accounts.services import Actor
from concerto.errors import N_, Conflict, NotFound, field_error
from concerto.restitution.build import Options, build_document
from concerto.restitution.model import Document
from concerto.tables import Comment, Restitution, RestitutionVersion, WorkingGroup
from concerto.validation import FieldErrors, to_id

TEXT_MAX = 50_000
MAX_MIN_SUPPORT = 100_000


async def settings(consultation_id: int) -> dict:
    """The texts and options (empty ones until facilitators write them)."""
    row = await Restitution.select().where(Restitution.consultation == consultation_id).first()
    if row is None:
        return {"introduction": "", "context": "", "next_steps": "", "options": Options()}
    return {**row, "options": read_options(row["options"])}


def read_options(raw: str | dict) -> Options:
    data = json.loads(raw) if isinstance(raw, str) else raw
    return Options(
        min_support=int(data.get("min_support", 0)),
        include_hidden=bool(data.get("include_hidden", False)),
        show_authors=bool(data.get("show_authors", False)),
        group_order=tuple(int(g) for g in data.get("group_order", ())),
    )


def _flag(value: Any) -> bool:
    if isinstance(value, str):
        return value.lower() in ("1", "true", "on", "yes")
    return bool(value)


async def update(consultation: dict, actor: Actor, data: dict[str, Any]) -> dict:
    """Save texts and options; anything not sent keeps its value."""
    actor.require_facilitator()
    current = await settings(consultation["id"])
    options = current["options"]
    errors = FieldErrors()
    values: dict[str, Any] = {}
    for name in ("introduction", "context", "next_steps"):
        if name in data:
            values[name] = errors.text(name, data[name], max_length=TEXT_MAX, required=False)
    min_support = options.min_support
    if "min_support" in data:
        min_support = errors.integer("min_support", data["min_support"], minimum=0, maximum=MAX_MIN_SUPPORT, default=0)
    group_order = options.group_order
    if "group_order" in data:
        raw = data["group_order"]
        ids = [to_id(value) for value in (raw if isinstance(raw, (list, tuple)) else [raw])]
        known = {row["id"] for row in await WorkingGroup.select(WorkingGroup.id).where(WorkingGroup.consultation == consultation["id"])}
        if any(value is None or value not in known for value in ids) or len(set(ids)) != len(ids):
            errors.add("group_order", N_("Choose working groups of this consultation, each once."))
        else:
            group_order = tuple(ids)
    errors.raise_if_any()
    new_options = {
        "min_support": min_support,
        "include_hidden": _flag(data["include_hidden"]) if "include_hidden" in data else options.include_hidden,
        "show_authors": _flag(data["show_authors"]) if "show_authors" in data else options.show_authors,
        "group_order": list(group_order),
    }
    async with db.write_transaction():
        exists = await Restitution.exists().where(Restitution.consultation == consultation["id"])
        row = {**values, "options": json.dumps(new_options), "updated_at": db.now()}
        if exists:
            await Restitution.update(row).where(Restitution.consultation == consultation["id"])
        else:
            await Restitution.insert(Restitution(consultation=consultation["id"], **row))
    return await settings(consultation["id"])


async def draft(consultation: dict, actor: Actor) -> Document:
    """The restitution as it would read now (facilitators only: it may show hidden items)."""
    actor.require_facilitator()
    return await _document(consultation)


async def _document(consultation: dict, *, version: int | None = None, published=None) -> Document:
    current = await settings(consultation["id"])
    return await build_document(
        consultation,
        introduction=current["introduction"],
        context=current["context"],
        next_steps=current["next_steps"],
        options=current["options"],
        version=version,
        published=published,
    )


async def _last_number(consultation_id: int) -> int:
    last = await RestitutionVersion.select(RestitutionVersion.number).where(
        RestitutionVersion.consultation == consultation_id
    ).order_by(RestitutionVersion.number, ascending=False).first()
    return last["number"] if last else 0


async def publish(consultation: dict, actor: Actor) -> int:
    """Freeze the restitution as the next numbered version; returns its number.

    The document is built before the write (it can take a second on a large
    consultation), so the write lock is held only for the insert.
    """
    actor.require_facilitator()
    number = await _last_number(consultation["id"]) + 1
    now = db.now()
    document = await _document(consultation, version=number, published=now.date())
    async with db.write_transaction():
        if await _last_number(consultation["id"]) + 1 != number:
            raise Conflict(N_("Another version was published at the same moment; publish again."))
        await RestitutionVersion.insert(
            RestitutionVersion(
                consultation=consultation["id"],
                number=number,
                published_at=now,
                published_by=actor.participant_id,
                document=json.dumps(document.to_dict(), ensure_ascii=False),
            )
        )
    return number


async def versions(consultation_id: int) -> list[dict]:
    return await RestitutionVersion.select(
        RestitutionVersion.number,
        RestitutionVersion.published_at,
        RestitutionVersion.published_by.display_name.as_alias("published_by"),
    ).where(RestitutionVersion.consultation == consultation_id).order_by(RestitutionVersion.number, ascending=False)


async def version(consultation_id: int, number: Any) -> Document:
    """A published version, exactly as it was frozen (anyone who can read the consultation)."""
    number = to_id(number)
    row = None
    if number is not None:
        row = await RestitutionVersion.select(RestitutionVersion.document).where(
            (RestitutionVersion.consultation == consultation_id) & (RestitutionVersion.number == number)
        ).first()
    if row is None:
        raise NotFound(N_("This version of the restitution does not exist."))
    return Document.from_dict(json.loads(row["document"]))


async def highlight(actor: Actor, comment_id: Any, on: Any) -> bool:
    """Choose (or un-choose) a comment to appear in the restitution."""
    actor.require_facilitator()
    comment_id = to_id(comment_id)
    value = _flag(on)
    async with db.write_transaction():
        row = None
        if comment_id is not None:
            row = await Comment.select(Comment.id, Comment.status).where(
                (Comment.id == comment_id) & (Comment.contribution.consultation == actor.consultation_id)
            ).first()
        if row is None:
            raise NotFound(N_("This comment does not exist."))
        if value and row["status"] != "published":
            raise field_error("comment", N_("A hidden comment cannot be highlighted."))
        await Comment.update({Comment.highlighted: value}).where(Comment.id == comment_id)
    return value
