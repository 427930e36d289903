"""A participant's personal data: reading it all, erasing it, and facilitators anonymising someone.

Erasing and anonymising never edit a participant's row in place: a new row
without name or organisation (``anonymised_at`` set) takes over what is kept —
contributions, comments, and for a facilitator's anonymisation the votes — and
the old row is deleted. Every browser session and personal return link named
the old row, so all of them stop working at once, whoever holds them; and
since the new row's id is higher, no later participant can be given the old
id (SQLite reuses the highest id of a deleted row).

The rules:

* a participant (or observer) erases their own data from their personal page,
  choosing to keep their contributions and comments anonymously or to remove
  them; their votes go in both cases;
* facilitators anonymise a participant or observer (name and organisation
  wiped, everything they wrote and their votes kept, shown as « anonymous »);
* neither applies to a facilitator (themselves included) nor to a place linked
  to a facilitator account: a facilitator's role is changed first, by another
  facilitator, and accounts are an administrator's business.

Published restitution versions stay as they were published, except that the
person's name, where it was shown, is replaced by « anonymous ».
"""

from __future__ import annotations

import json
from collections import defaultdict
from typing import Any

from concerto import db, i18n
from concerto.accounts.services import Actor
from concerto.errors import N_, Conflict, NotAuthenticated, NotFound, field_error
from concerto.labels import ANONYMOUS
from concerto.live import announce
from concerto.tables import (
    BoardAction,
    Comment,
    Contribution,
    DuplicateDismissal,
    Participant,
    PhaseSchedule,
    RequestKey,
    RestitutionVersion,
    Vote,
    WorkingGroup,
)

# What happens to what the person wrote when they erase their data.
ERASE_CHOICES = ("anonymise", "remove")
DATA_FORMAT = "concerto-personal-data"
DATA_VERSION = 1


# -- reading ---------------------------------------------------------------------------


async def my_data(consultation: dict, actor: Actor) -> dict[str, Any]:
    """Everything stored about the actor in this consultation, and nothing about anyone else."""
    participant_id = _require_joined(actor)
    person = await Participant.select().where(
        (Participant.id == participant_id) & (Participant.consultation == consultation["id"])
    ).first()
    if person is None:
        raise NotFound(N_("This participant does not exist."))
    groups = {
        row["id"]: row["title"]
        for row in await WorkingGroup.select(WorkingGroup.id, WorkingGroup.title).where(
            WorkingGroup.consultation == consultation["id"]
        )
    }
    written = await Contribution.select(
        Contribution.id,
        Contribution.working_group,
        Contribution.kind.code.as_alias("kind"),
        Contribution.title,
        Contribution.body,
        Contribution.status,
        Contribution.theme.title.as_alias("theme"),
        Contribution.duplicate_of,
        Contribution.created_at,
        Contribution.updated_at,
    ).where(Contribution.author == participant_id).order_by(Contribution.id)
    comments = await Comment.select(
        Comment.id,
        Comment.contribution,
        Comment.parent,
        Comment.body,
        Comment.status,
        Comment.highlighted,
        Comment.created_at,
        Comment.updated_at,
    ).where(Comment.author == participant_id).order_by(Comment.id)
    votes = await Vote.select(Vote.contribution, Vote.working_group, Vote.created_at).where(
        Vote.participant == participant_id
    ).order_by(Vote.id)
    # Titles of the contributions they commented on or supported, when anyone may read them
    # (someone else's hidden or withdrawn contribution is named by its number only).
    named = {row["contribution"] for row in comments} | {row["contribution"] for row in votes}
    titles = {
        row["id"]: row["title"]
        for row in await Contribution.select(Contribution.id, Contribution.title).where(
            Contribution.id.is_in(sorted(named) or [0])
            & ((Contribution.status == "published") | (Contribution.author == participant_id))
        )
    }
    actions = await BoardAction.select(
        BoardAction.id, BoardAction.working_group, BoardAction.kind, BoardAction.created_at, BoardAction.undone_by
    ).where(BoardAction.actor == participant_id).order_by(BoardAction.id)
    schedules = await PhaseSchedule.select(
        PhaseSchedule.working_group, PhaseSchedule.phase, PhaseSchedule.open, PhaseSchedule.at, PhaseSchedule.done_at
    ).where(PhaseSchedule.created_by == participant_id).order_by(PhaseSchedule.id)
    published = await RestitutionVersion.select(RestitutionVersion.number, RestitutionVersion.published_at).where(
        RestitutionVersion.published_by == participant_id
    ).order_by(RestitutionVersion.number)
    keys = await RequestKey.count().where(RequestKey.participant == participant_id)

    def group(group_id: int | None) -> dict | None:
        return None if group_id is None else {"id": group_id, "title": groups.get(group_id, "")}

    def target(contribution_id: int) -> dict:
        return {"id": contribution_id, "title": titles.get(contribution_id)}

    return {
        "format": DATA_FORMAT,
        "version": DATA_VERSION,
        "generated_at": db.now(),
        "about": i18n.gettext(
            "Everything Concerto stores about you in this consultation. It names no one else: other people's "
            "contributions appear only by their number and title."
        ),
        "consultation": {"slug": consultation["slug"], "title": consultation["title"]},
        "participant": {
            "display_name": person["display_name"],
            "organisation": person["organisation"],
            "organisation_shown": bool(consultation.get("show_organisations")),
            "role": person["role"],
            "joined_at": person["created_at"],
            "personal_link": person["return_token"] is not None,
            "facilitator_account": person["account"] is not None,
        },
        "contributions": [
            {
                "id": row["id"],
                "group": group(row["working_group"]),
                "kind": row["kind"],
                "title": row["title"],
                "body": row["body"],
                "status": row["status"],
                "theme": row["theme"],
                "grouped_with": row["duplicate_of"],
                "created_at": row["created_at"],
                "updated_at": row["updated_at"],
            }
            for row in written
        ],
        "comments": [
            {
                "id": row["id"],
                "contribution": target(row["contribution"]),
                "reply_to": row["parent"],
                "body": row["body"],
                "status": row["status"],
                "highlighted": row["highlighted"],
                "created_at": row["created_at"],
                "updated_at": row["updated_at"],
            }
            for row in comments
        ],
        "votes": [
            {"contribution": target(row["contribution"]), "group": group(row["working_group"]), "created_at": row["created_at"]}
            for row in votes
        ],
        "board_actions": [
            {
                "id": row["id"],
                "group": group(row["working_group"]),
                "kind": row["kind"],
                "undone": row["undone_by"] is not None,
                "created_at": row["created_at"],
            }
            for row in actions
        ],
        "phase_changes": [
            {
                "group": group(row["working_group"]),
                "phase": row["phase"],
                "open": row["open"],
                "at": row["at"],
                "done_at": row["done_at"],
            }
            for row in schedules
        ],
        "restitution_versions": [
            {"number": row["number"], "published_at": row["published_at"]} for row in published
        ],
        "request_keys": {
            "count": keys,
            "about": i18n.gettext(
                "Technical keys that make a request sent twice (after a lost connection) count once; "
                "each names only the kind of action and the item."
            ),
        },
    }


async def counts(participant_id: int) -> dict[str, int]:
    """How much the person wrote and supported (what the erasure page tells them)."""
    return {
        "contributions": await Contribution.count().where(Contribution.author == participant_id),
        "comments": await Comment.count().where(Comment.author == participant_id),
        "votes": await Vote.count().where(Vote.participant == participant_id),
    }


async def published_versions(consultation_id: int) -> int:
    """How many restitution versions are published (they keep the texts as published)."""
    return await RestitutionVersion.count().where(RestitutionVersion.consultation == consultation_id)


def _require_joined(actor: Actor) -> int:
    if actor.participant_id is None:
        raise NotAuthenticated(N_("Join the consultation with your invitation link to take part."))
    return actor.participant_id


# -- erasing and anonymising -----------------------------------------------------------------


def erase_refusal(person: dict) -> str | None:
    """Why this person cannot erase their own data here (None: they can)."""
    if person["role"] == "facilitator":
        return N_("Facilitators cannot erase their data here: another facilitator first gives you the participant role.")
    if person["account"] is not None:
        return N_("This place belongs to a facilitator account: its data is not erased or anonymised here.")
    return None


def anonymise_refusal(actor: Actor, person: dict) -> str | None:
    """Why a facilitator cannot anonymise this person (None: they can)."""
    if person["anonymised_at"] is not None:
        return N_("This participant is already anonymous.")
    if person["id"] == actor.participant_id:
        return N_("You cannot anonymise yourself.")
    if person["role"] == "facilitator":
        return N_("Facilitators are not anonymised: give them the participant role first.")
    if person["account"] is not None:
        return N_("This place belongs to a facilitator account: its data is not erased or anonymised here.")
    return None


async def own_refusal(consultation: dict, actor: Actor) -> str | None:
    """``erase_refusal`` for the actor, read from their row (for the confirmation page)."""
    return erase_refusal(await _person(consultation, _require_joined(actor)))


async def erase(consultation: dict, actor: Actor, choice: Any) -> dict[str, int | str]:
    """The actor's own erasure: ``choice`` says whether their texts stay (anonymous) or go.

    Returns what was done, in counts. The caller ends the browser's session for
    this participant (the row it named no longer exists anyway).
    """
    participant_id = _require_joined(actor)
    async with db.write_transaction():
        await db.lock_for_update(Participant, participant_id)
        person = await _person(consultation, participant_id)
        refusal = erase_refusal(person)
        if refusal is not None:
            raise Conflict(refusal)
        if choice not in ERASE_CHOICES:
            raise field_error("contributions", N_("Choose what happens to your contributions and comments."))
        removed = await _remove_writings(person) if choice == "remove" else _Removed()
        await _scrub_published(consultation["id"], person, removed.contributions)
        kept = await _replace(person, keep_votes=False)
    if removed.texts:
        from concerto.board import suggestions

        await suggestions.forget(removed.texts)
    await _announce(removed, kept)
    return {
        "contributions": "removed" if choice == "remove" else "anonymised",
        "removed_contributions": len(removed.contributions),
        "removed_comments": removed.comments,
        "anonymous_contributions": kept.contributions,
        "anonymous_comments": kept.comments,
        "removed_votes": kept.votes_removed,
    }


async def anonymise(consultation: dict, actor: Actor, participant_id: int) -> int:
    """A facilitator wipes a participant's name and organisation; returns the anonymous row's id."""
    actor.require_facilitator()
    async with db.write_transaction():
        await db.lock_for_update(Participant, participant_id)
        person = await _person(consultation, participant_id)
        refusal = anonymise_refusal(actor, person)
        if refusal is not None:
            raise Conflict(refusal)
        await _scrub_published(consultation["id"], person, [])
        kept = await _replace(person, keep_votes=True)
    await _announce(_Removed(), kept)
    return kept.participant_id


async def _person(consultation: dict, participant_id: int) -> dict:
    person = await Participant.select().where(
        (Participant.id == participant_id) & (Participant.consultation == consultation["id"])
    ).first()
    if person is None:
        raise NotFound(N_("This participant does not exist."))
    return person


class _Removed:
    """What a « remove » erasure deleted: the person's contributions, and the votes of others that named them."""

    def __init__(self) -> None:
        self.contributions: list[int] = []
        self.texts: list[dict] = []  # title and body of each: their stored sentence vectors go too
        self.comments = 0
        self.groups: set[int] = set()
        self.voters: set[tuple[int, int]] = set()  # (participant, group) whose votes in use changed


class _Kept:
    def __init__(self, participant_id: int) -> None:
        self.participant_id = participant_id
        self.contributions = 0
        self.comments = 0
        self.votes_removed = 0
        self.groups: set[int] = set()


async def _remove_writings(person: dict) -> _Removed:
    """Delete the person's contributions (with the votes and comments under them) and comments.

    A comment of theirs that someone else answered stays as an empty, hidden
    placeholder, so the answers keep their place (as a hidden comment's do).
    """
    removed = _Removed()
    pid = person["id"]
    own = await Contribution.select(
        Contribution.id, Contribution.working_group, Contribution.title, Contribution.body, Contribution.kind.code.as_alias("kind")
    ).where(Contribution.author == pid)
    removed.contributions = [row["id"] for row in own]
    removed.texts = own
    removed.groups = {row["working_group"] for row in own}
    if removed.contributions:
        ids = removed.contributions
        for row in await Vote.select(Vote.participant, Vote.working_group).where(
            Vote.contribution.is_in(ids) & (Vote.participant != pid)
        ):
            removed.voters.add((row["participant"], row["working_group"]))
        removed.comments += await Comment.count().where(Comment.contribution.is_in(ids) & (Comment.author == pid))
        await Vote.delete().where(Vote.contribution.is_in(ids))
        await Comment.delete().where(Comment.contribution.is_in(ids))
        await DuplicateDismissal.delete().where(DuplicateDismissal.first.is_in(ids) | DuplicateDismissal.second.is_in(ids))
        await Contribution.update({Contribution.duplicate_of: None}).where(Contribution.duplicate_of.is_in(ids))
        await Contribution.delete().where(Contribution.id.is_in(ids))

    mine = await Comment.select(Comment.id, Comment.contribution).where(Comment.author == pid)
    if not mine:
        return removed
    threads = await Comment.select(Comment.id, Comment.parent, Comment.author, Comment.contribution.working_group.as_alias("group")).where(
        Comment.contribution.is_in(sorted({row["contribution"] for row in mine}))
    )
    children: dict[int, list[dict]] = defaultdict(list)
    for row in threads:
        if row["parent"] is not None:
            children[row["parent"]].append(row)

    def answered_by_others(comment_id: int) -> bool:
        return any(child["author"] != pid or answered_by_others(child["id"]) for child in children[comment_id])

    own_ids = {row["id"] for row in mine}
    placeholders = [comment_id for comment_id in own_ids if answered_by_others(comment_id)]
    gone = sorted(own_ids - set(placeholders))
    removed.groups |= {row["group"] for row in threads if row["id"] in own_ids}
    removed.comments += len(gone)
    if placeholders:
        await Comment.update(
            {Comment.body: "", Comment.body_html: "", Comment.status: "hidden", Comment.highlighted: False}
        ).where(Comment.id.is_in(placeholders))
    if gone:
        # Replies under a removed comment are the person's own too (else it would be a placeholder).
        await Comment.delete().where(Comment.id.is_in(gone))
    return removed


async def _replace(person: dict, *, keep_votes: bool) -> _Kept:
    """A new, anonymous row takes over what is kept of ``person``; the old row goes."""
    old = person["id"]
    rows = await Participant.insert(
        Participant(
            consultation=person["consultation"],
            display_name="",
            organisation="",
            role=person["role"],
            account=None,
            return_token=None,
            created_at=person["created_at"],
            anonymised_at=db.now(),
        )
    ).returning(Participant.id)
    new = rows[0]["id"]
    kept = _Kept(new)
    groups = await Contribution.select(Contribution.working_group).where(Contribution.author == old).distinct()
    kept.groups = {row["working_group"] for row in groups}
    kept.contributions = await Contribution.count().where(Contribution.author == old)
    kept.comments = await Comment.count().where(Comment.author == old)
    commented = await Comment.select(Comment.contribution.working_group.as_alias("group")).where(Comment.author == old).distinct()
    kept.groups |= {row["group"] for row in commented}
    voted = await Vote.select(Vote.working_group).where(Vote.participant == old).distinct()
    kept.groups |= {row["working_group"] for row in voted}
    await Contribution.update({Contribution.author: new}).where(Contribution.author == old)
    await Comment.update({Comment.author: new}).where(Comment.author == old)
    if keep_votes:
        await Vote.update({Vote.participant: new}).where(Vote.participant == old)
    else:
        kept.votes_removed = await Vote.count().where(Vote.participant == old)
        await Vote.delete().where(Vote.participant == old)
    await BoardAction.update({BoardAction.actor: new}).where(BoardAction.actor == old)
    await PhaseSchedule.update({PhaseSchedule.created_by: new}).where(PhaseSchedule.created_by == old)
    await RestitutionVersion.update({RestitutionVersion.published_by: new}).where(RestitutionVersion.published_by == old)
    await RequestKey.delete().where(RequestKey.participant == old)
    await Participant.delete().where(Participant.id == old)
    return kept


async def _scrub_published(consultation_id: int, person: dict, removed: list[int]) -> None:
    """Published versions that showed the person's name show « anonymous » instead (nothing else changes).

    Items are the person's by their contribution id; highlighted comments carry
    no id, so a comment author spelt as the person's name is replaced too.
    """
    own = {row["id"] for row in await Contribution.select(Contribution.id).where(Contribution.author == person["id"])}
    own |= set(removed)
    name = person["display_name"]
    spellings = {name, f"{name} ({person['organisation']})"} if name else set()
    for version in await RestitutionVersion.select(RestitutionVersion.id, RestitutionVersion.document).where(
        RestitutionVersion.consultation == consultation_id
    ):
        document = json.loads(version["document"])
        if not document.get("show_authors"):
            continue
        label = i18n.translations(document.get("language") or i18n.DEFAULT_LOCALE).gettext(ANONYMOUS)
        changed = False
        for group in document["groups"]:
            for theme in group["themes"]:
                for item in [*theme["acquis"], *theme["enjeux"]]:
                    for entry in [item, *item["grouped"]]:
                        if entry["author"] is not None and entry["id"] in own:
                            entry["author"], changed = label, True
                for comment in theme["comments"]:
                    if comment["author"] in spellings:
                        comment["author"], changed = label, True
        if changed:
            # The one change a published version accepts: a person's erasure (their right). Its hash follows,
            # so the version stays verifiable (and an archive of it importable).
            from concerto.restitution.services import content_hash

            await RestitutionVersion.update(
                {RestitutionVersion.document: json.dumps(document, ensure_ascii=False), RestitutionVersion.content_hash: content_hash(document)}
            ).where(RestitutionVersion.id == version["id"])


async def _announce(removed: _Removed, kept: _Kept) -> None:
    """Open pages read themselves again: names, cards, counts and budgets changed."""
    await announce.authors_changed(sorted(removed.groups | kept.groups))
    for voter, group_id in sorted(removed.voters):
        await announce.budget_of(voter, group_id)

