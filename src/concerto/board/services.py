"""The facilitation board: themes, duplicates, moves between groups, history and undo.

Every action runs in one write transaction, is recorded with its change set
(see ``changes.py``) and announced to open boards and group pages once
committed. Only facilitators use the board.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from concerto import db
from concerto.accounts.services import Actor
from concerto.live import events
from concerto.board.changes import ChangeSet, revert
from concerto.errors import N_, Conflict, NotFound, field_error
from concerto.markdown import render_markdown
from concerto.tables import BoardAction, Contribution, DuplicateDismissal, Theme, Vote, WorkingGroup
from concerto.validation import FieldErrors, to_id
from concerto.votes import services as votes

THEME_TITLE_MAX = 140
THEME_SUMMARY_MAX = 2_000
HISTORY_LENGTH = 50
# One action names at most this many contributions: the write transaction stays
# short and the id list fits in one query on both engines.
MAX_SELECTION = 1_000
MAX_ACCEPTED_THEMES = 200  # suggested themes accepted in one action


# -- reading --------------------------------------------------------------------


@dataclass
class BoardItem:
    id: int
    title: str
    kind: str
    status: str
    author_name: str
    theme: int | None
    duplicate_of: int | None
    votes: int  # supporters of this contribution alone
    support: int = 0  # distinct supporters of it and its duplicates (roots only)
    duplicates: list[BoardItem] = field(default_factory=list)


@dataclass
class BoardTheme:
    theme: dict
    items: list[BoardItem]

    def of_kind(self, code: str) -> list[BoardItem]:
        return [item for item in self.items if item.kind == code]


@dataclass
class Board:
    group: dict
    themes: list[BoardTheme]
    unthemed: list[BoardItem]
    history: list[dict]

    @property
    def items(self) -> list[BoardItem]:
        return [item for theme in self.themes for item in theme.items] + self.unthemed


_ITEMS_SQL = """
SELECT c.id, c.title, k.code AS kind, c.status, p.display_name AS author_name, c.theme, c.duplicate_of,
       (SELECT COUNT(*) FROM vote v WHERE v.contribution = c.id) AS votes
FROM contribution c
JOIN contribution_kind k ON k.id = c.kind
JOIN participant p ON p.id = c.author
WHERE c.working_group = {} AND c.status <> 'withdrawn'
ORDER BY c.id
"""
async def themes_of(group_id: int) -> list[dict]:
    return await Theme.select(Theme.id, Theme.title, Theme.summary, Theme.summary_html, Theme.position).where(
        Theme.working_group == group_id
    ).order_by(Theme.position).order_by(Theme.id)


async def board(actor: Actor, group: dict) -> Board:
    actor.require_facilitator()
    rows = await Contribution.raw(_ITEMS_SQL, group["id"])
    support = await votes.combined_support(group["id"])
    items = {row["id"]: BoardItem(**row) for row in rows}
    roots: list[BoardItem] = []
    for item in items.values():
        root = items.get(item.duplicate_of) if item.duplicate_of else None
        if root is not None:
            root.duplicates.append(item)
        else:
            roots.append(item)
    for item in roots:
        item.support = support.get(item.id, 0)
    roots.sort(key=lambda item: (-item.support, item.id))
    themes = [BoardTheme(theme, []) for theme in await themes_of(group["id"])]
    by_id = {entry.theme["id"]: entry for entry in themes}
    unthemed = []
    for item in roots:
        (by_id[item.theme].items if item.theme in by_id else unthemed).append(item)
    return Board(group, themes, unthemed, await history(actor, group["id"]))


def _entries():
    return BoardAction.select(
        BoardAction.id,
        BoardAction.kind,
        BoardAction.details,
        BoardAction.created_at,
        BoardAction.undoes,
        BoardAction.undone_by,
        BoardAction.actor.display_name.as_alias("actor_name"),
    )


async def history(actor: Actor, group_id: int) -> list[dict]:
    actor.require_facilitator()
    rows = await _entries().where(BoardAction.working_group == group_id).order_by(
        BoardAction.id, ascending=False
    ).limit(HISTORY_LENGTH)
    for row in rows:
        row["details"] = json.loads(row["details"])
    return rows


async def action(actor: Actor, action_id: Any) -> dict:
    """One history entry of the consultation's boards (e.g. to read what an action created)."""
    actor.require_facilitator()
    action_id = to_id(action_id)
    row = None
    if action_id is not None:
        row = await _entries().where(
            (BoardAction.id == action_id) & (BoardAction.working_group.consultation == actor.consultation_id)
        ).first()
    if row is None:
        raise NotFound(N_("This action does not exist."))
    row["details"] = json.loads(row["details"])
    return row


# -- helpers ----------------------------------------------------------------------


async def _group(actor: Actor, group_id: int) -> dict:
    actor.require_facilitator()  # before any lookup: others learn nothing about the board
    group = await WorkingGroup.select(WorkingGroup.id, WorkingGroup.title).where(
        (WorkingGroup.id == group_id) & (WorkingGroup.consultation == actor.consultation_id)
    ).first()
    if group is None:
        raise NotFound(N_("This working group does not exist."))
    return group


async def _theme(actor: Actor, theme_id: Any) -> dict:
    actor.require_facilitator()
    theme_id = to_id(theme_id)
    row = None
    if theme_id is not None:
        row = await Theme.select(
            Theme.id, Theme.working_group, Theme.title, Theme.summary, Theme.summary_html, Theme.position, Theme.created_at
        ).where((Theme.id == theme_id) & (Theme.working_group.consultation == actor.consultation_id)).first()
    if row is None:
        raise NotFound(N_("This theme does not exist."))
    return row


async def _contributions(actor: Actor, group_id: int, ids: Iterable[Any]) -> list[dict]:
    """The named contributions, all in ``group_id`` and not withdrawn, or a clear refusal."""
    values = list(ids)
    if len(values) > MAX_SELECTION:
        raise field_error("contributions", N_("Choose at most %(max)s contributions at a time."), max=MAX_SELECTION)
    wanted = []
    for value in values:
        contribution_id = to_id(value)
        if contribution_id is None:
            raise field_error("contributions", N_("Choose contributions from this working group."))
        if contribution_id not in wanted:
            wanted.append(contribution_id)
    if not wanted:
        raise field_error("contributions", N_("Choose at least one contribution."))
    rows = await Contribution.select(
        Contribution.id, Contribution.working_group, Contribution.theme, Contribution.duplicate_of, Contribution.status
    ).where(Contribution.id.is_in(wanted) & (Contribution.consultation == actor.consultation_id))
    found = {row["id"]: row for row in rows}
    if len(found) != len(wanted) or any(
        row["working_group"] != group_id or row["status"] == "withdrawn" for row in found.values()
    ):
        raise field_error("contributions", N_("Choose contributions from this working group."))
    return [found[contribution_id] for contribution_id in wanted]


async def _families(rows: list[dict]) -> list[dict]:
    """The rows plus every contribution grouped with them: duplicates move with their root."""
    roots = {row["duplicate_of"] or row["id"] for row in rows}
    if not roots:
        return []
    return await Contribution.select(
        Contribution.id, Contribution.working_group, Contribution.theme, Contribution.duplicate_of
    ).where(Contribution.id.is_in(list(roots)) | Contribution.duplicate_of.is_in(list(roots)))


def _theme_fields(data: dict[str, Any], *, partial: bool) -> dict[str, Any]:
    errors = FieldErrors()
    values: dict[str, Any] = {}
    if not partial or "title" in data:
        values["title"] = errors.text("title", data.get("title"), max_length=THEME_TITLE_MAX)
    if not partial or "summary" in data:
        values["summary"] = errors.text("summary", data.get("summary"), max_length=THEME_SUMMARY_MAX, required=False)
        values["summary_html"] = render_markdown(values["summary"])
    errors.raise_if_any()
    return values


async def _record(actor: Actor, group_id: int, kind: str, details: dict[str, Any], changes: ChangeSet, **links: Any) -> int:
    rows = await BoardAction.insert(
        BoardAction(
            working_group=group_id,
            actor=actor.participant_id,
            kind=kind,
            details=json.dumps(details, ensure_ascii=False),
            changes=changes.to_json(),
            **links,
        )
    ).returning(BoardAction.id)
    return rows[0]["id"]


async def _next_position(group_id: int) -> int:
    last = await Theme.select(Theme.position).where(Theme.working_group == group_id).order_by(
        Theme.position, ascending=False
    ).first()
    return last["position"] + 1 if last else 0


async def _assign(changes: ChangeSet, rows: list[dict], theme_id: int | None) -> int:
    """Put contributions (with their duplicates) into a theme, or take them out (None)."""
    moved = 0
    for row in await _families(rows):
        if row["theme"] != theme_id:
            await changes.update("contribution", row["id"], "theme", row["theme"], theme_id)
            moved += 1
    return moved


async def _act(actor: Actor, group_id: int, kind: str, work) -> int:
    """Run ``work(changes) -> details`` in one transaction, record it, announce it."""
    actor.require_facilitator()
    async with db.write_transaction():
        changes = ChangeSet()
        details = await work(changes)
        if not changes:
            raise Conflict(N_("Nothing to change: the board is already like this."))
        action_id = await _record(actor, group_id, kind, details, changes)
    await events.board_changed(group_id, action_id)
    return action_id


# -- themes ---------------------------------------------------------------------


async def create_theme(actor: Actor, group_id: int, data: dict[str, Any], contribution_ids: Iterable[Any] = ()) -> int:
    """A new theme, optionally with contributions in it; returns the action id."""
    group = await _group(actor, group_id)
    values = _theme_fields(data, partial=False)
    ids = list(contribution_ids)

    async def work(changes: ChangeSet) -> dict:
        rows = await _contributions(actor, group["id"], ids) if ids else []
        theme_id = await changes.insert(
            "theme", {"working_group": group["id"], "position": await _next_position(group["id"]), **values}
        )
        count = await _assign(changes, rows, theme_id)
        return {"theme": values["title"], "theme_id": theme_id, "count": count}

    return await _act(actor, group["id"], "create_theme", work)


async def update_theme(actor: Actor, theme_id: Any, data: dict[str, Any]) -> int:
    """Rename a theme or change its summary."""
    theme = await _theme(actor, theme_id)
    values = _theme_fields(data, partial=True)

    async def work(changes: ChangeSet) -> dict:
        for name, value in values.items():
            await changes.update("theme", theme["id"], name, theme[name], value)
        return {"theme": values.get("title", theme["title"]), "before": theme["title"]}

    return await _act(actor, theme["working_group"], "update_theme", work)


async def move_theme(actor: Actor, theme_id: Any, direction: Any) -> int:
    """Move a theme one place up or down in its board."""
    theme = await _theme(actor, theme_id)
    if direction not in ("up", "down"):
        raise field_error("direction", N_("Choose one of the options offered."))

    async def work(changes: ChangeSet) -> dict:
        ordered = await themes_of(theme["working_group"])
        index = next(i for i, row in enumerate(ordered) if row["id"] == theme["id"])
        other = index - 1 if direction == "up" else index + 1
        if 0 <= other < len(ordered):
            ordered[index], ordered[other] = ordered[other], ordered[index]
        for position, row in enumerate(ordered):
            await changes.update("theme", row["id"], "position", row["position"], position)
        return {"theme": theme["title"], "direction": direction}

    return await _act(actor, theme["working_group"], "move_theme", work)


async def merge_themes(actor: Actor, target_id: Any, source_id: Any) -> int:
    """Move everything of ``source`` into ``target`` and remove ``source``."""
    target, source = await _theme(actor, target_id), await _theme(actor, source_id)
    if target["id"] == source["id"] or target["working_group"] != source["working_group"]:
        raise field_error("source", N_("Choose another theme of the same working group."))

    async def work(changes: ChangeSet) -> dict:
        rows = await Contribution.select(Contribution.id, Contribution.theme).where(Contribution.theme == source["id"])
        for row in rows:
            await changes.update("contribution", row["id"], "theme", source["id"], target["id"])
        await changes.delete("theme", source)
        return {"theme": target["title"], "source": source["title"], "count": len(rows)}

    return await _act(actor, target["working_group"], "merge_themes", work)


async def split_theme(actor: Actor, theme_id: Any, contribution_ids: Iterable[Any], data: dict[str, Any]) -> int:
    """Take some contributions of a theme into a new theme placed right after it."""
    theme = await _theme(actor, theme_id)
    values = _theme_fields(data, partial=False)
    ids = list(contribution_ids)

    async def work(changes: ChangeSet) -> dict:
        rows = await _contributions(actor, theme["working_group"], ids)
        if any(row["theme"] != theme["id"] for row in rows):
            raise field_error("contributions", N_("Choose contributions of the theme you split."))
        ordered = await themes_of(theme["working_group"])
        new_position = theme["position"] + 1
        for row in ordered:
            if row["position"] >= new_position:
                await changes.update("theme", row["id"], "position", row["position"], row["position"] + 1)
        new_id = await changes.insert(
            "theme", {"working_group": theme["working_group"], "position": new_position, **values}
        )
        count = await _assign(changes, rows, new_id)
        return {"theme": values["title"], "theme_id": new_id, "source": theme["title"], "count": count}

    return await _act(actor, theme["working_group"], "split_theme", work)


async def dissolve_theme(actor: Actor, theme_id: Any) -> int:
    """Remove a theme; its contributions go back to "not in a theme"."""
    theme = await _theme(actor, theme_id)

    async def work(changes: ChangeSet) -> dict:
        rows = await Contribution.select(Contribution.id, Contribution.theme).where(Contribution.theme == theme["id"])
        for row in rows:
            await changes.update("contribution", row["id"], "theme", theme["id"], None)
        await changes.delete("theme", theme)
        return {"theme": theme["title"], "count": len(rows)}

    return await _act(actor, theme["working_group"], "dissolve_theme", work)


# -- contributions on the board -------------------------------------------------


async def place(actor: Actor, group_id: int, contribution_ids: Iterable[Any], theme_id: Any) -> int:
    """Put contributions into a theme, move them to another, or take them out (theme None or "")."""
    group = await _group(actor, group_id)
    theme = None if theme_id in (None, "", "none") else await _theme(actor, theme_id)
    if theme is not None and theme["working_group"] != group["id"]:
        raise field_error("theme", N_("This theme does not exist."))
    ids = list(contribution_ids)

    async def work(changes: ChangeSet) -> dict:
        rows = await _contributions(actor, group["id"], ids)
        count = await _assign(changes, rows, theme["id"] if theme else None)
        return {"theme": theme["title"] if theme else None, "count": count}

    return await _act(actor, group["id"], "place", work)


async def move_to_group(actor: Actor, contribution_id: Any, target_group_id: Any) -> int:
    """Move a contribution (with its duplicates) to another working group of the consultation.

    It leaves its theme; its votes follow it, and count in the new group's budgets.
    """
    row = await _one_contribution(actor, contribution_id)
    source = await _group(actor, row["working_group"])
    target_id = to_id(target_group_id)
    target = await _group(actor, target_id) if target_id else None
    if target is None or target["id"] == source["id"]:
        raise field_error("group", N_("Choose another working group of this consultation."))

    async def work(changes: ChangeSet) -> dict:
        family = await _move_family(changes, row, target["id"])
        return {"title": row["title"], "group": target["title"], "count": len(family)}

    action_id = await _act(actor, source["id"], "move_to_group", work)
    await events.board_changed(target["id"], action_id)
    return action_id


async def _move_family(changes: ChangeSet, row: dict, target_id: int) -> list[dict]:
    """Move a contribution and, if it is a root, its duplicates to another group, out of any theme.

    Votes follow (they count in the new group's budgets); a duplicate moved alone leaves its
    group of duplicates. Returns the rows moved, with the theme they had.
    """
    family = await _families([row]) if row["duplicate_of"] is None else [row]
    if row["duplicate_of"] is not None:
        await changes.update("contribution", row["id"], "duplicate_of", row["duplicate_of"], None)
    for member in family:
        await changes.update("contribution", member["id"], "theme", member["theme"], None)
        await changes.update("contribution", member["id"], "working_group", member["working_group"], target_id)
        for vote in await Vote.select(Vote.id).where(Vote.contribution == member["id"]):
            await changes.update("vote", vote["id"], "working_group", member["working_group"], target_id)
    return family


async def _one_contribution(actor: Actor, contribution_id: Any) -> dict:
    actor.require_facilitator()
    contribution_id = to_id(contribution_id)
    row = None
    if contribution_id is not None:
        row = await Contribution.select(
            Contribution.id,
            Contribution.title,
            Contribution.working_group,
            Contribution.theme,
            Contribution.duplicate_of,
            Contribution.status,
        ).where((Contribution.id == contribution_id) & (Contribution.consultation == actor.consultation_id)).first()
    if row is None or row["status"] == "withdrawn":
        raise NotFound(N_("This contribution does not exist."))
    return row


# -- duplicates ---------------------------------------------------------------------


async def mark_duplicate(actor: Actor, contribution_id: Any, of_id: Any) -> int:
    """Group a contribution with another ("regroupée avec"): both stay, support counts once per person."""
    row = await _one_contribution(actor, contribution_id)
    other = await _one_contribution(actor, of_id)
    if other["working_group"] != row["working_group"]:
        raise field_error("of", N_("Choose a contribution of the same working group."))
    root_id = other["duplicate_of"] or other["id"]
    if root_id == row["id"] or row["duplicate_of"] == root_id:
        raise Conflict(N_("These contributions are already grouped together."))
    root = await _one_contribution(actor, root_id)

    async def work(changes: ChangeSet) -> dict:
        await changes.update("contribution", row["id"], "duplicate_of", row["duplicate_of"], root_id)
        # Whatever was grouped with this one now hangs on the same root.
        followers = await Contribution.select(Contribution.id, Contribution.theme).where(
            Contribution.duplicate_of == row["id"]
        )
        for follower in followers:
            await changes.update("contribution", follower["id"], "duplicate_of", row["id"], root_id)
        for member in [row, *followers]:
            await changes.update("contribution", member["id"], "theme", member["theme"], root["theme"])
        return {"title": row["title"], "root": root["title"]}

    return await _act(actor, row["working_group"], "mark_duplicate", work)


async def unmark_duplicate(actor: Actor, contribution_id: Any) -> int:
    row = await _one_contribution(actor, contribution_id)
    if row["duplicate_of"] is None:
        raise Conflict(N_("This contribution is not grouped with another."))

    async def work(changes: ChangeSet) -> dict:
        await changes.update("contribution", row["id"], "duplicate_of", row["duplicate_of"], None)
        return {"title": row["title"]}

    return await _act(actor, row["working_group"], "unmark_duplicate", work)


async def dismiss_pair(actor: Actor, first_id: Any, second_id: Any) -> int:
    """Say a suggested pair is not a duplicate, so it is not suggested again."""
    first, second = await _one_contribution(actor, first_id), await _one_contribution(actor, second_id)
    if first["id"] == second["id"] or first["working_group"] != second["working_group"]:
        raise field_error("second", N_("Choose a contribution of the same working group."))
    low, high = sorted((first["id"], second["id"]))

    async def work(changes: ChangeSet) -> dict:
        if not await DuplicateDismissal.exists().where(
            (DuplicateDismissal.first == low) & (DuplicateDismissal.second == high)
        ):
            await changes.insert("duplicate_dismissal", {"working_group": first["working_group"], "first": low, "second": high})
        return {"title": first["title"], "root": second["title"]}

    return await _act(actor, first["working_group"], "dismiss_pair", work)


async def dismissed_pairs(group_id: int) -> set[tuple[int, int]]:
    rows = await DuplicateDismissal.select(DuplicateDismissal.first, DuplicateDismissal.second).where(
        DuplicateDismissal.working_group == group_id
    )
    return {(row["first"], row["second"]) for row in rows}


# -- suggestions accepted -----------------------------------------------------------------


async def accept_suggestions(actor: Actor, group_id: int, clusters: list[dict[str, Any]]) -> int:
    """Create themes from suggested clusters, as one undoable action.

    Each cluster is {"title", "ids", "bring"}: ``ids`` are this group's contributions;
    ``bring`` (from a consultation-wide suggestion) are other groups' contributions the
    facilitator chose to move into this group, with their votes and duplicates, and into
    the new theme.
    """
    group = await _group(actor, group_id)
    if not clusters:
        raise field_error("clusters", N_("Choose at least one suggested theme."))
    if len(clusters) > MAX_ACCEPTED_THEMES:
        raise field_error("clusters", N_("Accept at most %(max)s themes at a time."), max=MAX_ACCEPTED_THEMES)
    prepared = []
    for cluster in clusters:
        values = _theme_fields({"title": cluster.get("title"), "summary": ""}, partial=False)
        prepared.append((values, list(cluster.get("ids") or []), list(cluster.get("bring") or [])))
    sources: set[int] = set()

    async def work(changes: ChangeSet) -> dict:
        position = await _next_position(group["id"])
        count = 0
        for values, ids, bring in prepared:
            rows = await _contributions(actor, group["id"], ids) if ids else []
            brought = await _from_other_groups(actor, group["id"], bring)
            if any(row["theme"] is not None for row in rows + brought):
                raise Conflict(N_("Some of these contributions were put in a theme meanwhile; ask for new suggestions."))
            if not rows and not brought:
                raise field_error("clusters", N_("Choose at least one contribution for each theme you accept."))
            # Roots first: a duplicate chosen with its root comes along with it and stays grouped.
            moved: set[int] = set()
            for row in sorted(brought, key=lambda row: row["duplicate_of"] is not None):
                if row["id"] in moved:
                    continue
                sources.add(row["working_group"])
                moved.update(member["id"] for member in await _move_family(changes, row, group["id"]))
                # Now a root in this group (a duplicate brought alone left its group of duplicates).
                rows.append({"id": row["id"], "duplicate_of": None, "theme": None})
            theme_id = await changes.insert("theme", {"working_group": group["id"], "position": position, **values})
            position += 1
            count += await _assign(changes, rows, theme_id)
        return {"themes": len(prepared), "count": count}

    action_id = await _act(actor, group["id"], "accept_suggestions", work)
    for source_id in sorted(sources):
        await events.board_changed(source_id, action_id)
    return action_id


async def _from_other_groups(actor: Actor, group_id: int, ids: Iterable[Any]) -> list[dict]:
    """Contributions of the consultation's other groups (not withdrawn), in one query, or a clear refusal."""
    wanted = list(dict.fromkeys(ids))
    if len(wanted) > MAX_SELECTION:
        raise field_error("contributions", N_("Choose at most %(max)s contributions at a time."), max=MAX_SELECTION)
    if not wanted:
        return []
    parsed = [to_id(value) for value in wanted]
    known = [contribution_id for contribution_id in parsed if contribution_id is not None]
    found = {
        row["id"]: row
        for row in await Contribution.select(
            Contribution.id, Contribution.working_group, Contribution.theme, Contribution.duplicate_of, Contribution.status
        ).where(Contribution.id.is_in(known or [0]) & (Contribution.consultation == actor.consultation_id))
    }
    if any(contribution_id not in found or found[contribution_id]["status"] == "withdrawn" for contribution_id in parsed):
        raise NotFound(N_("This contribution does not exist."))
    if any(found[contribution_id]["working_group"] == group_id for contribution_id in parsed):
        raise field_error("contributions", N_("Choose contributions from other working groups to bring here."))
    return [found[contribution_id] for contribution_id in parsed]


# -- undo ---------------------------------------------------------------------------


async def undo(actor: Actor, action_id: Any) -> int:
    """Undo one action (an undo can itself be undone: that is redo)."""
    actor.require_facilitator()
    action_id = to_id(action_id)
    async with db.write_transaction():
        action = None
        if action_id is not None:
            action = await BoardAction.select(
                BoardAction.id, BoardAction.working_group, BoardAction.kind, BoardAction.details, BoardAction.changes,
                BoardAction.undone_by,
            ).where(
                (BoardAction.id == action_id) & (BoardAction.working_group.consultation == actor.consultation_id)
            ).first()
        if action is None:
            raise NotFound(N_("This action does not exist."))
        if action["undone_by"] is not None:
            raise Conflict(N_("This action was already undone."))
        changes = await revert(json.loads(action["changes"]))
        details = {**json.loads(action["details"]), "undone_kind": action["kind"]}
        undo_id = await _record(actor, action["working_group"], "undo", details, changes, undoes=action["id"])
        await BoardAction.update({BoardAction.undone_by: undo_id}).where(BoardAction.id == action["id"])
    await events.board_changed(action["working_group"], undo_id)
    for change in changes.changes:
        # Undoing a move between groups refreshes the other group's pages too.
        if change["table"] == "contribution" and change.get("field") == "working_group":
            await events.board_changed(change["after"], undo_id)
    return undo_id

