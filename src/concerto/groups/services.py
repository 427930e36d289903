"""Working groups (axes): their settings, phases and overview figures."""

from __future__ import annotations

from typing import Any

from piccolo.query.functions.aggregate import Count

from concerto import db
from concerto.accounts.services import Actor
from concerto.errors import N_, NotFound
from concerto.live import announce
from concerto.tables import Contribution, Vote, WorkingGroup
from concerto.validation import FieldErrors

DEFAULT_VOTE_BUDGET = 5
MAX_VOTE_BUDGET = 100

GROUP_COLUMNS = (
    WorkingGroup.id,
    WorkingGroup.consultation,
    WorkingGroup.title,
    WorkingGroup.description,
    WorkingGroup.position,
    WorkingGroup.contributions_open,
    WorkingGroup.voting_open,
    WorkingGroup.vote_budget,
)


# Read on every group page and API call: plain SQL (see consultations.services).
_GET_SQL = (
    "SELECT id, consultation, title, description, position, contributions_open, voting_open, vote_budget"
    " FROM working_group WHERE id = {} AND consultation = {}"
)


async def get(consultation_id: int, group_id: int) -> dict:
    rows = await WorkingGroup.raw(_GET_SQL, group_id, consultation_id)
    if not rows:
        raise NotFound(N_("This working group does not exist."))
    return rows[0]


async def get_any(group_id: int) -> dict:
    """A group whatever its consultation (for API routes keyed by group id)."""
    group = await WorkingGroup.select(*GROUP_COLUMNS).where(WorkingGroup.id == group_id).first()
    if group is None:
        raise NotFound(N_("This working group does not exist."))
    return group


async def list_for(consultation_id: int) -> list[dict]:
    return await WorkingGroup.select(*GROUP_COLUMNS).where(WorkingGroup.consultation == consultation_id).order_by(
        WorkingGroup.position
    ).order_by(WorkingGroup.id)


async def overview(consultation_id: int) -> list[dict]:
    """Groups with their published contributions per kind and their votes."""
    groups = await list_for(consultation_id)
    by_kind = await Contribution.select(
        Contribution.working_group, Contribution.kind.code.as_alias("kind_code"), Count(alias="n")
    ).where(
        (Contribution.consultation == consultation_id) & (Contribution.status == "published")
    ).group_by(Contribution.working_group, Contribution.kind.code)
    votes = await Vote.select(Vote.working_group, Count(alias="n")).where(
        (Vote.contribution.consultation == consultation_id) & (Vote.contribution.status == "published")
    ).group_by(Vote.working_group)
    vote_counts = {row["working_group"]: row["n"] for row in votes}
    for group in groups:
        group["counts"] = {
            row["kind_code"]: row["n"] for row in by_kind if row["working_group"] == group["id"]
        }
        group["contributions"] = sum(group["counts"].values())
        group["votes"] = vote_counts.get(group["id"], 0)
    return groups


def _group_fields(data: dict[str, Any], *, partial: bool) -> dict[str, Any]:
    errors = FieldErrors()
    values: dict[str, Any] = {}
    if not partial or "title" in data:
        values["title"] = errors.text("title", data.get("title"), max_length=200)
    if not partial or "description" in data:
        values["description"] = errors.text("description", data.get("description"), max_length=5_000, required=False)
    if "position" in data:
        values["position"] = errors.integer("position", data["position"], minimum=0, maximum=10_000)
    for flag in ("contributions_open", "voting_open"):
        if flag in data:
            value = data[flag]
            if isinstance(value, str):
                value = value.lower() in ("1", "true", "on", "yes")
            if not isinstance(value, bool):
                errors.add(flag, N_("Choose one of the options offered."))
            values[flag] = bool(value)
    if not partial or "vote_budget" in data:
        values["vote_budget"] = errors.integer(
            "vote_budget", data.get("vote_budget"), minimum=0, maximum=MAX_VOTE_BUDGET, default=DEFAULT_VOTE_BUDGET
        )
    errors.raise_if_any()
    return values


async def create(consultation: dict, actor: Actor, data: dict[str, Any]) -> dict:
    actor.require_facilitator()
    values = _group_fields(data, partial=False)
    # A workshop starts by contributing: voting opens when the facilitators say so.
    values.setdefault("voting_open", False)
    async with db.write_transaction():
        if "position" not in values:
            last = await WorkingGroup.select(WorkingGroup.position).where(
                WorkingGroup.consultation == consultation["id"]
            ).order_by(WorkingGroup.position, ascending=False).first()
            values["position"] = (last["position"] + 1) if last else 0
        rows = await WorkingGroup.insert(WorkingGroup(consultation=consultation["id"], **values)).returning(
            WorkingGroup.id
        )
    return await get(consultation["id"], rows[0]["id"])


async def update(consultation: dict, actor: Actor, group_id: int, data: dict[str, Any]) -> dict:
    actor.require_facilitator()
    values = _group_fields(data, partial=True)
    async with db.write_transaction():
        before = await get(consultation["id"], group_id)
        if values:
            await WorkingGroup.update(values).where(WorkingGroup.id == group_id)
    after = await get(consultation["id"], group_id)
    if any(before[name] != after[name] for name in ("contributions_open", "voting_open", "vote_budget")):
        await announce.phases_changed([group_id])
    return after
