"""Steering a live workshop: phases of one or all groups at once, steps with a countdown, schedules.

Facilitators only. Every change is one transaction and is announced to the
groups' open pages once committed.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from concerto import db
from concerto.accounts.services import Actor
from concerto.errors import N_, Conflict, NotFound
from concerto.live import announce
from concerto.live.steps import MAX_MINUTES, MAX_STEPS, STEP_KINDS, group_state, parse_steps
from concerto.tables import Consultation, PhaseSchedule, WorkingGroup
from concerto.validation import FieldErrors

PHASES = ("contributions", "voting")
_FLAG = {"contributions": "contributions_open", "voting": "voting_open"}
# A schedule can be set up to this far ahead.
MAX_SCHEDULE_DAYS = 366

_GROUPS_SQL = """
SELECT id, title, position, contributions_open, voting_open, vote_budget, step, timer_started_at, timer_ends_at
FROM working_group WHERE consultation = {} ORDER BY position, id
"""


async def steps_of(consultation_id: int) -> list[dict[str, Any]]:
    row = await Consultation.select(Consultation.steps).where(Consultation.id == consultation_id).first()
    if row is None:
        raise NotFound(N_("This consultation does not exist."))
    return parse_steps(row["steps"])


async def overview(consultation_id: int) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The sequence of steps, and every group with its title and live state."""
    steps = await steps_of(consultation_id)
    groups = await WorkingGroup.raw(_GROUPS_SQL, consultation_id)
    return steps, [{"title": group["title"], **group_state(group, steps)} for group in groups]


async def _target_groups(consultation_id: int, target: Any) -> list[int]:
    """``target``: "all", a group id (int or digits), or a list of them."""
    ids = [row["id"] for row in await WorkingGroup.raw(_GROUPS_SQL, consultation_id)]
    if target in ("all", None, ""):
        if not ids:
            raise Conflict(N_("This consultation has no working group yet."))
        return ids
    chosen = target if isinstance(target, list) else [target]
    found = []
    for value in chosen:
        try:
            group_id = int(value)
        except (TypeError, ValueError):
            group_id = 0
        if isinstance(value, bool) or group_id not in ids:
            raise NotFound(N_("This working group does not exist."))
        found.append(group_id)
    return sorted(set(found), key=ids.index)


def _flag_value(errors: FieldErrors, name: str, value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if value in ("1", "true", "on", "open"):
        return True
    if value in ("0", "false", "off", "closed"):
        return False
    errors.add(name, N_("Choose one of the options offered."))
    return False


async def set_phases(consultation: dict, actor: Actor, target: Any, data: dict[str, Any]) -> list[int]:
    """Open or close contributions and/or voting in one group or all of them; returns the groups changed."""
    actor.require_facilitator()
    errors = FieldErrors()
    values = {_FLAG[phase]: _flag_value(errors, _FLAG[phase], data[_FLAG[phase]]) for phase in PHASES if _FLAG[phase] in data}
    if not values and not errors.errors:
        errors.add("contributions_open", N_("Choose one of the options offered."))
    errors.raise_if_any()
    group_ids = await _target_groups(consultation["id"], target)
    async with db.write_transaction():
        await WorkingGroup.update(values).where(WorkingGroup.id.is_in(group_ids))
    await announce.phases_changed(group_ids)
    return group_ids


def _steps_fields(data: Any) -> list[dict[str, Any]]:
    errors = FieldErrors()
    if not isinstance(data, list) or not data:
        errors.add("steps", N_("Give at least one step."))
        errors.raise_if_any()
    if len(data) > MAX_STEPS:
        errors.add("steps", N_("At most %(max)s steps."), max=MAX_STEPS)
        errors.raise_if_any()
    steps = []
    for index, step in enumerate(data):
        step = step if isinstance(step, dict) else {}
        kind = errors.choice(f"kind_{index}", step.get("kind"), tuple(STEP_KINDS))
        minutes = errors.integer(f"minutes_{index}", step.get("minutes"), minimum=0, maximum=MAX_MINUTES, default=0)
        steps.append({"kind": kind, "minutes": minutes})
    errors.raise_if_any()
    return steps


async def save_steps(consultation: dict, actor: Actor, data: Any) -> list[dict[str, Any]]:
    """Replace the sequence of steps (a list of {"kind", "minutes"}); groups keep their current step number."""
    actor.require_facilitator()
    steps = _steps_fields(data)
    async with db.write_transaction():
        await Consultation.update({Consultation.steps: json.dumps(steps)}).where(Consultation.id == consultation["id"])
        # A group past the end of a shorter sequence is in no step any more.
        await WorkingGroup.update({WorkingGroup.step: None}).where(
            (WorkingGroup.consultation == consultation["id"]) & (WorkingGroup.step >= len(steps))
        )
    await announce.phases_changed([row["id"] for row in await WorkingGroup.raw(_GROUPS_SQL, consultation["id"])])
    return steps


async def start_step(consultation: dict, actor: Actor, index: Any, target: Any, *, close_on_time: bool = False) -> list[int]:
    """Put groups in step ``index``: its phases open, the others close, and its countdown starts.

    ``index`` "next" moves each group to the step after its own. With
    ``close_on_time``, the step's phases close by themselves when the countdown ends.
    """
    actor.require_facilitator()
    steps = await steps_of(consultation["id"])
    group_ids = await _target_groups(consultation["id"], target)
    groups = {row["id"]: row for row in await WorkingGroup.raw(_GROUPS_SQL, consultation["id"])}
    if index == "next":
        wanted = {gid: (groups[gid]["step"] + 1 if groups[gid]["step"] is not None else 0) for gid in group_ids}
    else:
        errors = FieldErrors()
        number = errors.integer("step", index, minimum=0, maximum=max(0, len(steps) - 1))
        errors.raise_if_any()
        wanted = dict.fromkeys(group_ids, number)
    wanted = {gid: number for gid, number in wanted.items() if number < len(steps)}
    if not wanted:
        raise Conflict(N_("These groups are already at the last step."))
    now = db.now()
    async with db.write_transaction():
        for gid, number in wanted.items():
            step = steps[number]
            kind = STEP_KINDS[step["kind"]]
            ends = now + dt.timedelta(minutes=step["minutes"]) if step["minutes"] else None
            await WorkingGroup.update(
                {
                    WorkingGroup.step: number,
                    WorkingGroup.contributions_open: kind.contributions_open,
                    WorkingGroup.voting_open: kind.voting_open,
                    WorkingGroup.timer_started_at: now if ends else None,
                    WorkingGroup.timer_ends_at: ends,
                }
            ).where(WorkingGroup.id == gid)
            await _drop_timer_schedules(gid)
            if close_on_time and ends is not None:
                for phase in PHASES:
                    if getattr(kind, _FLAG[phase]):
                        await PhaseSchedule.insert(
                            PhaseSchedule(
                                consultation=consultation["id"], working_group=gid, phase=phase, open=False, at=ends,
                                source="timer", created_by=actor.participant_id,
                            )
                        )
    await announce.phases_changed(list(wanted))
    return list(wanted)


async def _drop_timer_schedules(group_id: int) -> None:
    await PhaseSchedule.delete().where(
        (PhaseSchedule.working_group == group_id) & (PhaseSchedule.source == "timer") & PhaseSchedule.done_at.is_null()
    )


async def adjust_timer(consultation: dict, actor: Actor, target: Any, minutes: Any) -> list[int]:
    """Add (or take off) minutes to running countdowns; their automatic closing moves with them."""
    actor.require_facilitator()
    errors = FieldErrors()
    delta = errors.integer("minutes", minutes, minimum=-60, maximum=60)
    errors.raise_if_any()
    group_ids = await _target_groups(consultation["id"], target)
    groups = {row["id"]: row for row in await WorkingGroup.raw(_GROUPS_SQL, consultation["id"])}
    running = [gid for gid in group_ids if groups[gid]["timer_ends_at"] is not None]
    if not running:
        raise Conflict(N_("No countdown is running in these groups."))
    now = db.now()
    async with db.write_transaction():
        for gid in running:
            ends = max(now, _aware(groups[gid]["timer_ends_at"]) + dt.timedelta(minutes=delta))
            await WorkingGroup.update({WorkingGroup.timer_ends_at: ends}).where(WorkingGroup.id == gid)
            await PhaseSchedule.update({PhaseSchedule.at: ends}).where(
                (PhaseSchedule.working_group == gid) & (PhaseSchedule.source == "timer") & PhaseSchedule.done_at.is_null()
            )
    await announce.phases_changed(running)
    return running


async def stop_timer(consultation: dict, actor: Actor, target: Any) -> list[int]:
    """Stop countdowns (phases stay as they are, and nothing closes by itself any more)."""
    actor.require_facilitator()
    group_ids = await _target_groups(consultation["id"], target)
    async with db.write_transaction():
        await WorkingGroup.update({WorkingGroup.timer_started_at: None, WorkingGroup.timer_ends_at: None}).where(
            WorkingGroup.id.is_in(group_ids)
        )
        for gid in group_ids:
            await _drop_timer_schedules(gid)
    await announce.phases_changed(group_ids)
    return group_ids


def _aware(value: dt.datetime) -> dt.datetime:
    return value if value.tzinfo else value.replace(tzinfo=dt.timezone.utc)


# -- schedules ------------------------------------------------------------------


def parse_local_time(value: Any, errors: FieldErrors, field: str = "at") -> dt.datetime | None:
    """A ``datetime-local`` value (2026-03-14T10:45) in the configured time zone, as UTC; or an ISO time with offset."""
    from concerto.i18n import local_timezone

    if not isinstance(value, str) or not value.strip():
        errors.add(field, N_("This field is required."))
        return None
    try:
        moment = dt.datetime.fromisoformat(value.strip())
    except ValueError:
        errors.add(field, N_("Enter a date and time, e.g. 2026-03-14 10:45."))
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=local_timezone())
    return moment.astimezone(dt.timezone.utc)


async def add_schedule(consultation: dict, actor: Actor, data: dict[str, Any]) -> int:
    """Open or close a phase of one group (or all) at a given time."""
    actor.require_facilitator()
    errors = FieldErrors()
    phase = errors.choice("phase", data.get("phase"), PHASES)
    opening = _flag_value(errors, "open", data.get("open"))
    at = parse_local_time(data.get("at"), errors)
    now = db.now()
    if at is not None and not now - dt.timedelta(minutes=1) <= at <= now + dt.timedelta(days=MAX_SCHEDULE_DAYS):
        errors.add("at", N_("Choose a time in the future (within a year)."))
    errors.raise_if_any()
    target = data.get("group")
    group_id = None if target in ("all", None, "") else (await _target_groups(consultation["id"], target))[0]
    async with db.write_transaction():
        rows = await PhaseSchedule.insert(
            PhaseSchedule(
                consultation=consultation["id"], working_group=group_id, phase=phase, open=opening, at=at,
                source="plan", created_by=actor.participant_id,
            )
        ).returning(PhaseSchedule.id)
    return rows[0]["id"]


async def schedules(consultation_id: int) -> list[dict[str, Any]]:
    """What is still to happen, soonest first."""
    return await PhaseSchedule.select(
        PhaseSchedule.id,
        PhaseSchedule.working_group,
        PhaseSchedule.working_group.title.as_alias("group_title"),
        PhaseSchedule.phase,
        PhaseSchedule.open,
        PhaseSchedule.at,
        PhaseSchedule.source,
    ).where((PhaseSchedule.consultation == consultation_id) & PhaseSchedule.done_at.is_null()).order_by(PhaseSchedule.at)


async def cancel_schedule(consultation: dict, actor: Actor, schedule_id: int) -> None:
    actor.require_facilitator()
    async with db.write_transaction():
        row = await PhaseSchedule.select(PhaseSchedule.id).where(
            (PhaseSchedule.id == schedule_id) & (PhaseSchedule.consultation == consultation["id"]) & PhaseSchedule.done_at.is_null()
        ).first()
        if row is None:
            raise NotFound(N_("This scheduled change does not exist (it may have happened already)."))
        await PhaseSchedule.delete().where(PhaseSchedule.id == schedule_id)


_DUE_SQL = "SELECT id FROM phase_schedule WHERE done_at IS NULL AND at <= {} ORDER BY at, id LIMIT 100"
# Taking a due change: only one worker's UPDATE finds it still undone.
_TAKE_SQL = (
    "UPDATE phase_schedule SET done_at = {} WHERE id = {} AND done_at IS NULL"
    " RETURNING consultation, working_group, phase, open"
)


async def run_due(now: dt.datetime | None = None) -> int:
    """Apply every scheduled change whose time has come (each exactly once, whichever worker gets it)."""
    now = now or db.now()
    applied = 0
    for due in await PhaseSchedule.raw(_DUE_SQL, now):
        async with db.write_transaction():
            taken = await PhaseSchedule.raw(_TAKE_SQL, now, due["id"])
            if not taken:
                continue
            change = taken[0]
            where = (
                WorkingGroup.id == change["working_group"]
                if change["working_group"] is not None
                else WorkingGroup.consultation == change["consultation"]
            )
            group_ids = [row["id"] for row in await WorkingGroup.select(WorkingGroup.id).where(where)]
            await WorkingGroup.update({_FLAG[change["phase"]]: bool(change["open"])}).where(where)
        applied += 1
        await announce.phases_changed(group_ids)
    return applied
