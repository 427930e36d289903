"""Test data made through the services, as a user would make it."""

from __future__ import annotations

import itertools
from dataclasses import dataclass

from concerto.accounts.services import Actor, create_account, resolve_actor
from concerto.consultations import services as consultations
from concerto.contributions import services as contributions
from concerto.groups import services as groups
from concerto.tables import Consultation

_sequence = itertools.count(1)
PASSWORD = "correct horse battery"


@dataclass
class World:
    """A consultation with one group, its facilitator and token."""

    consultation: dict
    group: dict
    facilitator: Actor
    account_id: int
    email: str
    token: str


async def make_account(*, admin: bool = False) -> tuple[int, str]:
    email = f"facilitator{next(_sequence)}@example.org"
    return await create_account(email, "Animatrice", PASSWORD, is_admin=admin), email


async def make_world(*, status: str = "open", budget: int = 5, **group_values) -> World:
    account_id, email = await make_account()
    consultation = await consultations.create(
        account_id, {"title": f"Consultation {next(_sequence)}", "summary": "Pour **tester**.", "status": status}
    )
    facilitator = await resolve_actor(consultation["id"], account_id=account_id, participant_id=None)
    # Voting open, unlike a new group's default, so tests can vote at once.
    group = await groups.create(
        consultation, facilitator, {"title": "Entreprendre autrement", "vote_budget": budget, "voting_open": True, **group_values}
    )
    row = await Consultation.select(Consultation.invite_token).where(Consultation.id == consultation["id"]).first()
    return World(consultation, group, facilitator, account_id, email, row["invite_token"])


def visitor(world: World) -> Actor:
    """Someone who has opened the consultation but not joined it."""
    return Actor(world.consultation["id"], None, "visitor")


async def make_participant(world: World, name: str = "Camille", *, role: str = "participant") -> Actor:
    participant_id = await consultations.join(world.consultation, visitor(world), world.token, name, "")
    if role != "participant":
        await consultations.set_role(world.consultation, world.facilitator, participant_id, role)
    return await resolve_actor(world.consultation["id"], account_id=None, participant_id=participant_id)


async def make_contribution(world: World, author: Actor, title: str = "Un fonds d'amorçage", kind: str = "acquis", body: str = "") -> int:
    return await contributions.create(author, world.group, {"title": title, "kind": kind, "body": body})


def xlsx(*rows: list) -> bytes:
    """A spreadsheet (.xlsx) whose first sheet holds ``rows``, as a scribe would save it."""
    import io

    from openpyxl import Workbook

    book = Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
