"""A workshop's sequence of steps (contribute → vote → discuss) and a group's live state.

Pure functions over stored values: no database, so pages, the API, events and
the scheduler agree on what a step opens and how a countdown reads.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from concerto.errors import N_


@dataclass(frozen=True)
class StepKind:
    code: str
    label: str  # msgid
    contributions_open: bool
    voting_open: bool


STEP_KINDS = {
    kind.code: kind
    for kind in (
        StepKind("contribute", N_("Contribute"), True, False),
        StepKind("vote", N_("Vote"), False, True),
        StepKind("discuss", N_("Discuss"), False, False),
    )
}
DEFAULT_STEPS = [{"kind": "contribute", "minutes": 15}, {"kind": "vote", "minutes": 10}, {"kind": "discuss", "minutes": 20}]
MAX_STEPS = 12
MAX_MINUTES = 600
# The countdown buttons of the control panel (minutes added; negative: taken off).
TIMER_ADJUSTMENTS = (-1, 1, 5)


def parse_steps(stored: str | None) -> list[dict[str, Any]]:
    """The consultation's sequence (the default one until facilitators change it); never raises."""
    try:
        steps = json.loads(stored) if stored else DEFAULT_STEPS
    except ValueError:
        steps = DEFAULT_STEPS
    if not isinstance(steps, list):
        steps = DEFAULT_STEPS
    return [
        {"kind": step["kind"], "minutes": int(step.get("minutes") or 0)}
        for step in steps[:MAX_STEPS]
        if isinstance(step, dict) and step.get("kind") in STEP_KINDS and isinstance(step.get("minutes", 0), int)
    ]


def _iso(value: dt.datetime | None) -> str | None:
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.timezone.utc)
    return value.isoformat(timespec="seconds")


def group_state(group: dict[str, Any], steps: list[dict[str, Any]]) -> dict[str, Any]:
    """What a group's pages show of its phases, step and countdown (also the ``phase`` event)."""
    index = group.get("step")
    step = steps[index] if isinstance(index, int) and 0 <= index < len(steps) else None
    return {
        "id": group["id"],
        "contributions_open": bool(group["contributions_open"]),
        "voting_open": bool(group["voting_open"]),
        "vote_budget": group["vote_budget"],
        "step": None if step is None else {"index": index, "kind": step["kind"], "number": index + 1, "of": len(steps)},
        "timer_started_at": _iso(group.get("timer_started_at")),
        "timer_ends_at": _iso(group.get("timer_ends_at")),
    }
