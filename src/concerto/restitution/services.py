"""The restitution's texts and options, drafts, published versions and highlighted comments."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Any

from concerto import db
from concerto.accounts.services import Actor
from concerto.errors import N_, Conflict, NotFound, field_error
from concerto.restitution.build import DEFAULT_FIGURES, FIGURES, SECTIONS, Options, build_document, labels
from concerto.restitution.model import Document
from concerto.tables import Comment, Restitution, RestitutionVersion, WorkingGroup
from concerto.validation import FieldErrors, to_id

TEXT_MAX = 50_000
MAX_MIN_SUPPORT = 100_000


TITLE_MAX = 200  # a subtitle, a section's title, the organiser
MAX_DECLARED = 1_000_000
_TEXTS = ("introduction", "context", "figures_text", "next_steps")


async def settings(consultation_id: int) -> dict:
    """The texts and options (empty ones until facilitators write them)."""
    row = await Restitution.select().where(Restitution.consultation == consultation_id).first()
    if row is None:
        return {"introduction": "", "context": "", "figures_text": "", "next_steps": "", "options": Options()}
    return {**row, "options": read_options(row["options"])}


def read_options(raw: str | dict) -> Options:
    data = json.loads(raw) if isinstance(raw, str) else raw

    def maybe(name: str) -> bool | None:
        return None if data.get(name) is None else bool(data[name])

    day = data.get("date")
    return Options(
        min_support=int(data.get("min_support", 0)),
        include_hidden=bool(data.get("include_hidden", False)),
        show_authors=bool(data.get("show_authors", False)),
        group_order=tuple(int(g) for g in data.get("group_order", ())),
        show_support=maybe("show_support"),
        show_chart=bool(data.get("show_chart", True)),
        figures=tuple(key for key in data.get("figures", DEFAULT_FIGURES) if key in FIGURES),
        declared_participants=None if data.get("declared_participants") is None else int(data["declared_participants"]),
        subtitle=str(data.get("subtitle", "")),
        date=dt.date.fromisoformat(day) if day else None,
        organiser=str(data.get("organiser", "")),
        titles=tuple((key, str(value)) for key, value in (data.get("titles") or {}).items() if key in SECTIONS),
        omitted=tuple(key for key in data.get("omitted", ()) if key in SECTIONS),
        csv_french=maybe("csv_french"),
    )


def options_dict(options: Options) -> dict[str, Any]:
    """The options as stored, and as the API shows them."""
    return {
        "min_support": options.min_support,
        "include_hidden": options.include_hidden,
        "show_authors": options.show_authors,
        "group_order": list(options.group_order),
        "show_support": options.show_support,
        "show_chart": options.show_chart,
        "figures": list(options.figures),
        "declared_participants": options.declared_participants,
        "subtitle": options.subtitle,
        "date": options.date.isoformat() if options.date else None,
        "organiser": options.organiser,
        "titles": dict(options.titles),
        "omitted": list(options.omitted),
        "csv_french": options.csv_french,
    }


_TRUE, _FALSE = ("1", "true", "on", "yes"), ("0", "false", "off", "no", "")


def _flag(value: Any) -> bool:
    if isinstance(value, str):
        return value.lower() in _TRUE
    return bool(value)


def _strict_flag(errors: FieldErrors, name: str, value: Any, *, nullable: bool = False) -> bool | None:
    """true/false (or "auto"/null where the option has an automatic choice), else a clear error."""
    if nullable and (value is None or value == "auto"):
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in _TRUE + _FALSE:
        return value.lower() in _TRUE
    errors.add(name, N_("Choose yes or no."))
    return None


def _names(errors: FieldErrors, name: str, value: Any, allowed: tuple[str, ...]) -> tuple[str, ...]:
    values = value if isinstance(value, (list, tuple)) else [value]
    if any(not isinstance(v, str) or v not in allowed for v in values) or len(set(values)) != len(values):
        errors.add(name, N_("Choose among the options offered, each once."))
        return ()
    return tuple(v for v in allowed if v in values)  # the document's order, not the order sent


async def update(consultation: dict, actor: Actor, data: dict[str, Any]) -> dict:
    """Save texts and options; anything not sent keeps its value (one field's error stores nothing)."""
    actor.require_facilitator()
    current = await settings(consultation["id"])
    stored = options_dict(current["options"])
    errors = FieldErrors()
    values: dict[str, Any] = {}
    for name in _TEXTS:
        if name in data:
            values[name] = errors.text(name, data[name], max_length=TEXT_MAX, required=False)
    if "min_support" in data:
        stored["min_support"] = errors.integer("min_support", data["min_support"], minimum=0, maximum=MAX_MIN_SUPPORT, default=0)
    if "group_order" in data:
        raw = data["group_order"]
        ids = [to_id(value) for value in (raw if isinstance(raw, (list, tuple)) else [raw])]
        known = {row["id"] for row in await WorkingGroup.select(WorkingGroup.id).where(WorkingGroup.consultation == consultation["id"])}
        if any(value is None or value not in known for value in ids) or len(set(ids)) != len(ids):
            errors.add("group_order", N_("Choose working groups of this consultation, each once."))
        else:
            stored["group_order"] = ids
    for name in ("include_hidden", "show_authors", "show_chart"):
        if name in data:
            stored[name] = _strict_flag(errors, name, data[name])
    for name in ("show_support", "csv_french"):
        if name in data:
            stored[name] = _strict_flag(errors, name, data[name], nullable=True)
    if "figures" in data:
        stored["figures"] = list(_names(errors, "figures", data["figures"] or [], FIGURES))
    if "omitted" in data:
        stored["omitted"] = list(_names(errors, "omitted", data["omitted"] or [], SECTIONS))
    if "declared_participants" in data:
        raw = data["declared_participants"]
        stored["declared_participants"] = (
            None if raw in (None, "") else errors.integer("declared_participants", raw, minimum=0, maximum=MAX_DECLARED)
        )
    for name in ("subtitle", "organiser"):
        if name in data:
            stored[name] = errors.text(name, data[name], max_length=TITLE_MAX, required=False)
    if "date" in data:
        raw = data["date"]
        if raw in (None, ""):
            stored["date"] = None
        else:
            try:
                stored["date"] = dt.date.fromisoformat(str(raw).strip()).isoformat()
            except ValueError:
                errors.add("date", N_("Enter a date such as 2026-10-14."))
    if "titles" in data:
        titles = data["titles"]
        if not isinstance(titles, dict) or any(key not in SECTIONS for key in titles):
            errors.add("titles", N_("Give titles only to the sections of the document."))
        else:
            for key, value in titles.items():
                title = errors.text(f"titles.{key}", value, max_length=TITLE_MAX, required=False)
                if title:
                    stored["titles"][key] = title
                else:
                    stored["titles"].pop(key, None)  # empty: the usual title
    errors.raise_if_any()
    async with db.write_transaction():
        exists = await Restitution.exists().where(Restitution.consultation == consultation["id"])
        row = {**values, "options": json.dumps(stored, ensure_ascii=False), "updated_at": db.now()}
        if exists:
            await Restitution.update(row).where(Restitution.consultation == consultation["id"])
        else:
            await Restitution.insert(Restitution(consultation=consultation["id"], **row))
    return await settings(consultation["id"])


def section_titles(options: Options) -> dict[str, str]:
    """Each section's title in the document: the facilitators' one, else the usual one."""
    words = labels()
    return {section: options.title(section) or getattr(words, section) for section in SECTIONS}


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
        figures_text=current["figures_text"],
        next_steps=current["next_steps"],
        options=current["options"],
        version=version,
        published=published,
    )


def content_hash(document: dict) -> str:
    """SHA-256 of what a published document says: its canonical JSON without database ids
    (which an archive renumbers), so the hash survives an export and an import."""

    def content(value: Any) -> Any:
        if isinstance(value, dict):
            return {key: content(item) for key, item in value.items() if key != "id"}
        if isinstance(value, list):
            return [content(item) for item in value]
        return value

    canonical = json.dumps(content(document), ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


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
    document = (await _document(consultation, version=number, published=now.date())).to_dict()
    async with db.write_transaction():
        if await _last_number(consultation["id"]) + 1 != number:
            raise Conflict(N_("Another version was published at the same moment; publish again."))
        await RestitutionVersion.insert(
            RestitutionVersion(
                consultation=consultation["id"],
                number=number,
                published_at=now,
                published_by=actor.participant_id,
                document=json.dumps(document, ensure_ascii=False),
                content_hash=content_hash(document),
            )
        )
    return number


async def versions(consultation_id: int) -> list[dict]:
    return await RestitutionVersion.select(
        RestitutionVersion.number,
        RestitutionVersion.published_at,
        RestitutionVersion.published_by.display_name.as_alias("published_by"),
        RestitutionVersion.content_hash,
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
