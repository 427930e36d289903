"""Reading a group's live state (phases, vote budget, step, countdown) in one statement."""

from __future__ import annotations

from typing import Any

from concerto.live.steps import group_state, parse_steps
from concerto.tables import WorkingGroup

_STATE_SQL = """
SELECT g.id, g.contributions_open, g.voting_open, g.vote_budget, g.step, g.timer_started_at, g.timer_ends_at, k.steps
FROM working_group g JOIN consultation k ON k.id = g.consultation WHERE g.id = {}
"""


async def read_state(group_id: int) -> dict[str, Any] | None:
    """What the group's pages show of its phases, step and countdown (None: no such group)."""
    rows = await WorkingGroup.raw(_STATE_SQL, group_id)
    return group_state(rows[0], parse_steps(rows[0]["steps"])) if rows else None
