"""Loads the French demo consultation (``concerto demo``)."""

from __future__ import annotations

import datetime as dt
import random

from concerto import db
from concerto.consultations.services import new_invite_token, unused_join_code
from concerto.demo import board as demo_board
from concerto.demo import content
from concerto.markdown import render_markdown
from concerto.tables import (
    Account,
    Comment,
    Consultation,
    Contribution,
    ContributionKind,
    Meeting,
    Participant,
    Restitution,
    Vote,
    WorkingGroup,
)

DEMO_EMAIL = "animation@concerto.example"
DEMO_PASSWORD = "concerto-demo"


async def demo_exists() -> bool:
    return await Consultation.exists().where(Consultation.slug == content.CONSULTATION["slug"])


async def remove_demo() -> None:
    async with db.write_transaction():
        await Consultation.delete().where(Consultation.slug == content.CONSULTATION["slug"])


async def ensure_demo_account() -> int:
    from concerto.accounts.services import create_account

    row = await Account.select(Account.id).where(Account.email == DEMO_EMAIL).first()
    if row:
        return row["id"]
    return await create_account(DEMO_EMAIL, "Équipe d’animation", DEMO_PASSWORD, is_admin=True)


def _moment(day: dt.date, rng: random.Random) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(9, 0), tzinfo=dt.timezone.utc) + dt.timedelta(minutes=rng.randint(0, 600))


async def load_demo() -> dict:
    """Create the demo consultation (deterministic) and return its slug and invitation token."""
    rng = random.Random(2027)
    account_id = await ensure_demo_account()
    token = new_invite_token()
    workshop_days = [m["date"] for m in content.MEETINGS if m["kind"] != "comite" and m["date"] is not None]
    async with db.write_transaction():
        consultation_id = (
            await Consultation.insert(
                Consultation(invite_token=token, join_code=await unused_join_code(), **content.CONSULTATION)
            ).returning(Consultation.id)
        )[0]["id"]
        kinds = {}
        for position, (code, label) in enumerate(content.KIND_LABELS.items()):
            rows = await ContributionKind.insert(
                ContributionKind(consultation=consultation_id, code=code, label=label, position=position)
            ).returning(ContributionKind.id)
            kinds[code] = rows[0]["id"]
        await Meeting.insert(*[Meeting(consultation=consultation_id, **meeting) for meeting in content.MEETINGS])
        groups = {}
        for position, group in enumerate(content.GROUPS):
            values = {key: value for key, value in group.items() if key != "key"}
            rows = await WorkingGroup.insert(
                WorkingGroup(consultation=consultation_id, position=position, **values)
            ).returning(WorkingGroup.id)
            groups[group["key"]] = rows[0]["id"]
        await Participant.insert(
            Participant(consultation=consultation_id, display_name="Équipe d’animation", role="facilitator", account=account_id)
        )
        people = {}
        for person in content.PARTICIPANTS:
            rows = await Participant.insert(
                Participant(
                    consultation=consultation_id,
                    display_name=person["name"],
                    organisation=person["organisation"] or "",
                )
            ).returning(Participant.id)
            people[person["key"]] = rows[0]["id"]
        items = {}
        for item in content.CONTRIBUTIONS:
            created = _moment(rng.choice(workshop_days), rng)
            rows = await Contribution.insert(
                Contribution(
                    consultation=consultation_id,
                    working_group=groups[item["group"]],
                    kind=kinds[item["kind"]],
                    author=people[item["author"]],
                    title=item["title"],
                    body=item["body"],
                    body_html=render_markdown(item["body"]),
                    created_at=created,
                    updated_at=created,
                )
            ).returning(Contribution.id)
            items[item["key"]] = (rows[0]["id"], groups[item["group"]], created)
        votes = [
            Vote(contribution=items[key][0], participant=people[person], working_group=items[key][1])
            for key, supporters in content.VOTES.items()
            for person in supporters
        ]
        if votes:
            await Vote.insert(*votes)
        comments: dict[str, tuple[int, int, dt.datetime]] = {}
        for comment in content.COMMENTS:
            parent = comments.get(comment["parent"]) if comment["parent"] else None
            start = parent[2] if parent else items[comment["contribution"]][2]
            created = start + dt.timedelta(minutes=rng.randint(5, 2000))
            depth = parent[1] + 1 if parent else 1
            rows = await Comment.insert(
                Comment(
                    contribution=items[comment["contribution"]][0],
                    parent=parent[0] if parent else None,
                    depth=depth,
                    author=people[comment["author"]],
                    body=comment["body"],
                    body_html=render_markdown(comment["body"]),
                    created_at=created,
                    updated_at=created,
                )
            ).returning(Comment.id)
            comments[comment["key"]] = (rows[0]["id"], depth, created)
        for key in demo_board.HIGHLIGHTED_COMMENTS:
            await Comment.update({Comment.highlighted: True}).where(Comment.id == comments[key][0])
        await Restitution.insert(Restitution(consultation=consultation_id, **demo_board.RESTITUTION))
    await _sort_the_board(consultation_id, account_id, groups, {key: value[0] for key, value in items.items()})
    return {"slug": content.CONSULTATION["slug"], "token": token}


async def _sort_the_board(consultation_id: int, account_id: int, groups: dict, items: dict) -> None:
    """Themes and duplicates made through the board services, so the history shows them."""
    from concerto.accounts.services import resolve_actor
    from concerto.board import services as board

    facilitator = await resolve_actor(consultation_id, account_id=account_id, participant_id=None)
    for group_key, themes in demo_board.THEMES.items():
        for title, summary, keys in themes:
            await board.create_theme(
                facilitator, groups[group_key], {"title": title, "summary": summary}, [items[key] for key in keys]
            )
    for duplicate, root in demo_board.DUPLICATES:
        await board.mark_duplicate(facilitator, items[duplicate], items[root])


async def demo_token() -> str:
    row = await Consultation.select(Consultation.invite_token).where(
        Consultation.slug == content.CONSULTATION["slug"]
    ).first()
    return row["invite_token"]
