"""Votes: dot voting within a working group's budget, safe under concurrency."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from concerto import db, idempotency
from concerto.accounts.services import Actor
from concerto.errors import N_, Conflict, NotFound
from concerto.live import announce
from concerto.tables import Contribution, Participant, Vote


@dataclass(frozen=True, slots=True)
class VoteState:
    contribution_id: int
    votes: int  # supporters of the contribution
    voted: bool  # whether this participant supports it
    budget: int  # 0 = unlimited
    used: int  # this participant's votes in the group

    @property
    def remaining(self) -> int | None:
        return None if self.budget == 0 else max(0, self.budget - self.used)


# Participant's votes in the group that still count (their contribution is published).
_USED_SQL = """
SELECT v.contribution FROM vote v JOIN contribution c ON c.id = v.contribution
WHERE v.working_group = {} AND v.participant = {} AND c.status = 'published'
"""


# A person who supported a contribution and its duplicates ("regroupée avec") counts once.
_SUPPORT_SQL = """
SELECT COALESCE(c.duplicate_of, c.id) AS root, COUNT(DISTINCT v.participant) AS support
FROM vote v JOIN contribution c ON c.id = v.contribution
WHERE c.working_group = {} AND c.status = 'published'
GROUP BY COALESCE(c.duplicate_of, c.id)
"""


async def combined_support(group_id: int) -> dict[int, int]:
    """Root contribution id -> distinct supporters of it and its duplicates (published ones)."""
    return {row["root"]: row["support"] for row in await Vote.raw(_SUPPORT_SQL, group_id)}


async def votes_in_group(participant_id: int, group_id: int) -> set[int]:
    return {row["contribution"] for row in await Vote.raw(_USED_SQL, group_id, participant_id)}


# Voting is the busiest write in a workshop: its queries are plain SQL through
# raw(), which skips ~100 µs of query building per statement.
# One statement reads the rules and the participant's state: the vote is the
# busiest write of a workshop, and each statement costs more in Python than in SQLite.
_TARGET_SQL = """
SELECT c.status, c.working_group, c.duplicate_of, g.voting_open, g.vote_budget AS budget, k.status AS consultation_status,
       (SELECT COUNT(*) FROM contribution d WHERE d.duplicate_of = c.id) AS grouped,
       (SELECT COUNT(*) FROM vote v JOIN contribution u ON u.id = v.contribution
        WHERE v.working_group = c.working_group AND v.participant = {} AND u.status = 'published') AS used,
       (SELECT COUNT(*) FROM vote v WHERE v.contribution = c.id AND v.participant = {}) AS mine,
       (SELECT COUNT(*) FROM vote v WHERE v.contribution = c.id) AS votes
FROM contribution c
JOIN working_group g ON g.id = c.working_group
JOIN consultation k ON k.id = c.consultation
WHERE c.id = {} AND c.consultation = {}
"""
_INSERT_SQL = "INSERT INTO vote (contribution, participant, working_group, created_at) VALUES ({}, {}, {}, {})"
_DELETE_SQL = "DELETE FROM vote WHERE contribution = {} AND participant = {}"
_COUNT_SQL = "SELECT COUNT(*) AS n FROM vote WHERE contribution = {}"
_HOLD_SQL = "SELECT id FROM contribution WHERE id = {} FOR NO KEY UPDATE"
# A statement of its own, once the lock is held: in the locking statement the clock would be
# read when the row is scanned, before waiting for the lock, and order counts wrongly.
_CLOCK_SQL = "SELECT EXTRACT(EPOCH FROM clock_timestamp()) AS at"


async def _target(actor: Actor, participant_id: int, contribution_id: int) -> dict:
    """The contribution with its group's voting rules and this participant's votes, read inside the write."""
    rows = await Contribution.raw(_TARGET_SQL, participant_id, participant_id, contribution_id, actor.consultation_id)
    row = rows[0] if rows else None
    if row is None or row["status"] != "published":
        raise NotFound(N_("This contribution does not exist."))
    if row["consultation_status"] != "open":
        raise Conflict(N_("This consultation is not open for participation."))
    if not row["voting_open"]:
        raise Conflict(N_("Voting is closed in this working group."))
    return row


async def _count(contribution_id: int) -> int:
    return (await Vote.raw(_COUNT_SQL, contribution_id))[0]["n"]


async def _hold(contribution_id: int) -> float:
    """Take the contribution's turn for votes until the transaction ends; the moment of the count.

    Votes on one contribution change it one after the other (SQLite: every write
    transaction does; PostgreSQL: this row lock), so the count read inside the
    transaction plus its own change is exact, and a later moment always goes with
    a later count: pages keep the count of the latest moment, whatever order the
    messages of several workers arrive in. PostgreSQL's clock, read under the lock,
    serves every worker.
    """
    if not db.is_postgres():
        return time.time()
    await Contribution.raw(_HOLD_SQL, contribution_id)
    return float((await Contribution.raw(_CLOCK_SQL))[0]["at"])


async def _replayed(participant_id: int, contribution_id: int, key: str | None, kind: str, target: dict) -> VoteState | None:
    """The state to answer a retried request with (its key already seen), or None for a new request."""
    earlier = await idempotency.seen(participant_id, key, kind)
    if earlier is None:
        return None
    if earlier != contribution_id:
        raise Conflict(N_("This request key was already used for another request."))
    return VoteState(contribution_id, target["votes"], bool(target["mine"]), target["budget"], target["used"])


async def cast(actor: Actor, contribution_id: int, *, key: Any = None) -> VoteState:
    """Support a contribution; idempotent; refused once the group budget is spent.

    ``key`` (an idempotency key): a request sent again after a lost answer is not applied twice
    (even if the vote was withdrawn meanwhile).
    """
    participant_id = actor.require_participant()
    key = idempotency.checked(key)
    async with db.write_transaction():
        # Two requests from one participant run one after the other from here.
        await db.lock_for_update(Participant, participant_id)
        counted_at = await _hold(contribution_id)
        target = await _target(actor, participant_id, contribution_id)
        replay = await _replayed(participant_id, contribution_id, key, "vote", target)
        if replay is not None:
            return replay
        used = target["used"]
        if not target["mine"]:
            if target["budget"] and used >= target["budget"]:
                raise Conflict(
                    N_("You have used all %(budget)s of your votes in this working group. Withdraw one to support another contribution."),
                    budget=target["budget"],
                )
            await Vote.raw(_INSERT_SQL, contribution_id, participant_id, target["working_group"], db.now())
            used += 1
        await idempotency.remember(participant_id, key, "vote", contribution_id)
        votes = target["votes"] + (0 if target["mine"] else 1)
    state = VoteState(contribution_id, votes, True, target["budget"], used)
    if not target["mine"]:
        await _announce(participant_id, target, state, counted_at)
    return state


async def withdraw(actor: Actor, contribution_id: int, *, key: Any = None) -> VoteState:
    """Take a vote back while voting is open; idempotent."""
    participant_id = actor.require_participant()
    key = idempotency.checked(key)
    async with db.write_transaction():
        await db.lock_for_update(Participant, participant_id)
        counted_at = await _hold(contribution_id)
        target = await _target(actor, participant_id, contribution_id)
        replay = await _replayed(participant_id, contribution_id, key, "unvote", target)
        if replay is not None:
            return replay
        used = target["used"]
        if target["mine"]:
            await Vote.raw(_DELETE_SQL, contribution_id, participant_id)
            used -= 1
        await idempotency.remember(participant_id, key, "unvote", contribution_id)
        votes = target["votes"] - (1 if target["mine"] else 0)
    state = VoteState(contribution_id, votes, False, target["budget"], used)
    if target["mine"]:
        await _announce(participant_id, target, state, counted_at)
    return state


async def _announce(participant_id: int, target: dict, state: VoteState, counted_at: float) -> None:
    """The new count to the group's pages, the voter's budget to their other pages."""
    group_id = target["working_group"]
    root = target["duplicate_of"] or (state.contribution_id if target["grouped"] else None)
    await announce.votes_changed(group_id, state.contribution_id, state.votes, root, counted_at)
    announce.budget_changed(
        participant_id, group_id, state.budget, state.used, contribution_id=state.contribution_id, voted=state.voted
    )


async def state(actor: Actor, contribution_id: int, group: dict) -> VoteState:
    """How a contribution's votes look to this reader (for pages)."""
    used = await votes_in_group(actor.participant_id, group["id"]) if actor.participant_id else set()
    return VoteState(contribution_id, await _count(contribution_id), contribution_id in used, group["vote_budget"], len(used))
