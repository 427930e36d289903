"""What each change tells the open pages: the events the services publish after they commit.

Every payload here is what any reader of the channel may see (see events.py);
a contribution that is not published is announced by its id and status only.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from concerto.live import events
from concerto.live.state import read_state
from concerto.tables import Contribution

# Card fields of one contribution, as the group page lists them.
_CARD_SQL = """
SELECT c.id, c.working_group, c.consultation, c.kind, k.code AS kind_code, c.title, c.body_html, c.status, c.theme,
       c.duplicate_of, c.author, c.created_at, p.display_name AS author_name,
       CASE WHEN s.show_organisations THEN p.organisation ELSE '' END AS author_organisation,
       (SELECT COUNT(*) FROM vote v WHERE v.contribution = c.id) AS votes,
       (SELECT COUNT(*) FROM comment m WHERE m.contribution = c.id AND m.status = 'published') AS comments
FROM contribution c JOIN participant p ON p.id = c.author JOIN contribution_kind k ON k.id = c.kind
JOIN consultation s ON s.id = c.consultation
WHERE c.id = {}
"""
# Each supporter of a contribution, with the votes they still have in use in its group.
_VOTERS_SQL = """
SELECT v.participant, g.vote_budget AS budget,
       (SELECT COUNT(*) FROM vote w JOIN contribution u ON u.id = w.contribution
        WHERE w.working_group = v.working_group AND w.participant = v.participant AND u.status = 'published') AS used
FROM vote v JOIN working_group g ON g.id = v.working_group
WHERE v.contribution = {}
"""
_ROOT_SUPPORT_SQL = """
SELECT COUNT(DISTINCT v.participant) AS support FROM vote v JOIN contribution c ON c.id = v.contribution
WHERE (c.id = {} OR c.duplicate_of = {}) AND c.status = 'published'
"""
_COMMENTS_SQL = """
SELECT c.working_group, (SELECT COUNT(*) FROM comment m WHERE m.contribution = c.id AND m.status = 'published') AS comments
FROM contribution c WHERE c.id = {}
"""


def card(row: dict[str, Any], *, new: bool = False) -> dict[str, Any]:
    """The event that puts a published contribution on every open page (or takes it off)."""
    if row["status"] != "published":
        return {"type": "contribution", "id": row["id"], "status": row["status"]}
    created = row["created_at"]
    return {
        "type": "contribution",
        "id": row["id"],
        "status": "published",
        "new": new,
        "kind": row["kind"],
        "kind_code": row["kind_code"],
        "title": row["title"],
        "body_html": row["body_html"],
        "author_name": row["author_name"],  # empty for an anonymised participant
        # Only where the consultation shows organisations (the query and the writer decide).
        "author_organisation": row.get("author_organisation") or "",
        "votes": row.get("votes", 0),
        "comments": row.get("comments", 0),
        "theme": row.get("theme"),
        "duplicate_of": row.get("duplicate_of"),
        "created_at": created.isoformat() if isinstance(created, dt.datetime) else created,
    }


def contribution_created(row: dict[str, Any]) -> None:
    """A new contribution, from what its write already knows (no query on the busiest path)."""
    events.to_group(row["working_group"], card(row, new=True), key=("contribution", row["id"]))


# Beyond this many at once (an imported spreadsheet), pages read themselves again instead.
BULK = 50


async def contributions_imported(ids: list[int]) -> None:
    """Contributions typed up from paper: each arrives live, or, for a big batch, every page reads itself again."""
    if len(ids) > BULK:
        rows = await Contribution.select(Contribution.working_group).where(Contribution.id.is_in(ids)).distinct()
        for row in rows:
            events.to_group(row["working_group"], {"type": "board", "action": None})
        return
    for contribution_id in ids:
        rows = await Contribution.raw(_CARD_SQL, contribution_id)
        if rows:
            events.to_group(rows[0]["working_group"], card(rows[0], new=True), key=("contribution", contribution_id))


async def contribution_changed(contribution_id: int, *, budgets: bool = False) -> None:
    """An edited, withdrawn, hidden or restored contribution.

    ``budgets``: its status changed, so its supporters' remaining votes did too.
    """
    rows = await Contribution.raw(_CARD_SQL, contribution_id)
    if not rows:
        return
    row = rows[0]
    events.to_group(row["working_group"], card(row), key=("contribution", row["id"]))
    events.to_participant(row["author"], {"type": "own", "id": row["id"], "status": row["status"]})
    if budgets:
        for voter in await Contribution.raw(_VOTERS_SQL, contribution_id):
            budget_changed(voter["participant"], row["working_group"], voter["budget"], voter["used"])


def budget_changed(participant_id: int, group_id: int, budget: int, used: int, *, contribution_id: int | None = None, voted: bool | None = None) -> None:
    """The person's own votes in a group, for their other open pages."""
    event: dict[str, Any] = {
        "type": "budget",
        "group": group_id,
        "budget": budget,
        "used": used,
        "remaining": None if budget == 0 else max(0, budget - used),
    }
    if contribution_id is not None:
        event.update(id=contribution_id, voted=voted)
    events.to_participant(participant_id, event)


async def votes_changed(group_id: int, contribution_id: int, votes: int, root: int | None, counted_at: float) -> None:
    """A contribution's supporters; for a grouped one, its root's combined support too.

    ``counted_at``: when the count was read (after the vote's commit). Several
    workers publish counts of one contribution, each after its own pause: a page
    keeps the count read last, so a late message never puts an older count back.
    """
    event: dict[str, Any] = {"type": "votes", "id": contribution_id, "votes": votes, "at": counted_at}
    if root is not None:
        rows = await Contribution.raw(_ROOT_SUPPORT_SQL, root, root)
        event.update(root=root, support=rows[0]["support"])
    events.to_group(group_id, event, key=("votes", contribution_id))


async def comments_changed(contribution_id: int) -> None:
    rows = await Contribution.raw(_COMMENTS_SQL, contribution_id)
    if rows:
        events.to_group(
            rows[0]["working_group"],
            {"type": "comments", "contribution": contribution_id, "count": rows[0]["comments"]},
            key=("comments", contribution_id),
        )


async def phases_changed(group_ids: list[int]) -> None:
    """Groups' phases, vote budget, step or countdown changed."""
    for group_id in group_ids:
        state = await read_state(group_id)
        if state is not None:
            events.to_group(group_id, {"type": "phase", **state}, key="phase")


def consultation_changed(consultation_id: int, status: str) -> None:
    events.to_consultation(consultation_id, {"type": "consultation", "status": status})


async def authors_changed(group_ids: list[int]) -> None:
    """Names shown in these groups changed (a participant was anonymised or erased): their pages read themselves again."""
    for group_id in group_ids:
        events.to_group(group_id, {"type": "redraw"})


async def budget_of(participant_id: int, group_id: int) -> None:
    """The person's votes in use in a group, read again (some of their votes were removed)."""
    from concerto.tables import WorkingGroup
    from concerto.votes.services import votes_in_group

    group = await WorkingGroup.select(WorkingGroup.vote_budget).where(WorkingGroup.id == group_id).first()
    if group is not None:
        budget_changed(participant_id, group_id, group["vote_budget"], len(await votes_in_group(participant_id, group_id)))
