"""Consultations, calendar, kinds, invitations and roles (service layer)."""

from __future__ import annotations

import datetime as dt

import pytest

from concerto.accounts.services import authenticate, create_account, resolve_actor
from concerto.consultations import services as consultations
from concerto.errors import Conflict, Forbidden, Invalid, NotFound
from concerto.tables import Account, Consultation, ContributionKind, Meeting, Participant
from tests.factories import PASSWORD, make_account, make_participant, make_world, visitor


async def test_new_consultation_has_two_kinds_and_its_creator_facilitates(database):
    account_id, _email = await make_account()
    consultation = await consultations.create(account_id, {"title": "Plan ESS de la Métropole", "status": "draft"})
    assert consultation["slug"] == "plan-ess-de-la-metropole"
    kinds = await consultations.kinds(consultation["id"])
    assert [(k["code"], k["label"]) for k in kinds] == [("acquis", "Acquis à développer"), ("enjeu", "Nouveaux enjeux")]
    actor = await resolve_actor(consultation["id"], account_id=account_id, participant_id=None)
    assert actor.is_facilitator


async def test_slugs_stay_unique(database):
    account_id, _email = await make_account()
    first = await consultations.create(account_id, {"title": "Atelier"})
    second = await consultations.create(account_id, {"title": "Atelier"})
    assert first["slug"] == "atelier" and second["slug"].startswith("atelier-")
    with pytest.raises(Invalid) as refused:
        await consultations.create(account_id, {"title": "Autre", "slug": "atelier"})
    assert "slug" in refused.value.fields
    with pytest.raises(Invalid):
        await consultations.create(account_id, {"title": "Autre", "slug": "Pas Valide!"})
    assert await Consultation.count() == 2


async def test_create_requires_an_account_and_valid_fields(database):
    with pytest.raises(Forbidden):
        await consultations.create(12345, {"title": "x"})
    account_id, _email = await make_account()
    with pytest.raises(Invalid) as refused:
        await consultations.create(account_id, {"title": "", "status": "ouvert"})
    assert set(refused.value.fields) == {"title", "status"}
    assert await Consultation.count() == 0 and await ContributionKind.count() == 0


async def test_join_checks_the_token_the_status_and_the_name(database):
    world = await make_world()
    with pytest.raises(Forbidden):
        await consultations.join(world.consultation, visitor(world), "wrong", "Camille", "")
    with pytest.raises(Invalid):
        await consultations.join(world.consultation, visitor(world), world.token, "", "")
    with pytest.raises(Invalid):
        await consultations.join(world.consultation, visitor(world), world.token, "n" * 81, "")
    before = await Participant.count()
    old_token = world.token
    await consultations.rotate_invite(world.consultation, world.facilitator)
    with pytest.raises(Forbidden):
        await consultations.join(world.consultation, visitor(world), old_token, "Camille", "")
    assert await Participant.count() == before


async def test_joining_twice_keeps_the_first_identity(database):
    world = await make_world()
    person = await make_participant(world, "Camille")
    with pytest.raises(Conflict):
        await consultations.join(world.consultation, person, world.token, "Camille bis", "")
    assert await Participant.count().where(Participant.display_name == "Camille bis") == 0


async def test_draft_consultations_cannot_be_joined(database):
    world = await make_world(status="draft")
    with pytest.raises(Conflict):
        await consultations.join(world.consultation, visitor(world), world.token, "Camille", "")


async def test_roles(database):
    world = await make_world()
    person = await make_participant(world, "Élu")
    with pytest.raises(Forbidden):
        await consultations.set_role(world.consultation, person, person.participant_id, "facilitator")
    await consultations.set_role(world.consultation, world.facilitator, person.participant_id, "observer")
    assert (await resolve_actor(world.consultation["id"], account_id=None, participant_id=person.participant_id)).role == "observer"
    with pytest.raises(Invalid):
        await consultations.set_role(world.consultation, world.facilitator, person.participant_id, "admin")
    with pytest.raises(Conflict):
        await consultations.set_role(world.consultation, world.facilitator, world.facilitator.participant_id, "participant")
    other = await make_world()
    with pytest.raises(NotFound):
        await consultations.set_role(other.consultation, other.facilitator, person.participant_id, "observer")


async def test_participant_of_another_consultation_is_a_visitor_here(database):
    world, other = await make_world(), await make_world()
    person = await make_participant(other)
    actor = await resolve_actor(world.consultation["id"], account_id=None, participant_id=person.participant_id)
    assert actor.role == "visitor" and actor.participant_id is None


async def test_meetings(database):
    world = await make_world()
    meeting_id = await consultations.add_meeting(
        world.consultation, world.facilitator,
        {"title": "Comité", "kind": "comite", "date": "2026-12-10", "attendance": "34", "place": "Hôtel de la Métropole"},
    )
    with pytest.raises(Invalid) as refused:
        await consultations.add_meeting(world.consultation, world.facilitator, {"title": "", "kind": "k" * 61, "date": "10/12/2026", "attendance": "-1"})
    assert set(refused.value.fields) == {"title", "kind", "date", "attendance"}
    await consultations.update_meeting(world.consultation, world.facilitator, meeting_id, {"attendance": ""})
    rows = await consultations.meetings(world.consultation["id"])
    assert [(m["title"], m["date"], m["attendance"]) for m in rows] == [("Comité", dt.date(2026, 12, 10), None)]
    person = await make_participant(world)
    with pytest.raises(Forbidden):
        await consultations.delete_meeting(world.consultation, person, meeting_id)
    other = await make_world()
    with pytest.raises(NotFound):
        await consultations.delete_meeting(other.consultation, other.facilitator, meeting_id)
    await consultations.delete_meeting(world.consultation, world.facilitator, meeting_id)
    assert await Meeting.count() == 0


async def test_kind_labels_can_be_renamed_but_not_invented(database):
    world = await make_world()
    await consultations.rename_kinds(world.consultation, world.facilitator, {"acquis": "Points forts"})
    with pytest.raises(Invalid):
        await consultations.rename_kinds(world.consultation, world.facilitator, {"risque": "Risques"})
    with pytest.raises(Invalid):
        await consultations.rename_kinds(world.consultation, world.facilitator, {"enjeu": ""})
    labels = {k["code"]: k["label"] for k in await consultations.kinds(world.consultation["id"])}
    assert labels == {"acquis": "Points forts", "enjeu": "Nouveaux enjeux"}


async def test_accounts_hash_passwords_and_refuse_duplicates(database):
    await create_account("Anne@Example.org", "Anne", PASSWORD)
    row = await Account.select().first()
    assert row["email"] == "anne@example.org" and PASSWORD not in row["password_hash"]
    assert (await authenticate("anne@example.org", PASSWORD))["display_name"] == "Anne"
    assert await authenticate("anne@example.org", "wrong password") is None
    assert await authenticate("nobody@example.org", PASSWORD) is None
    with pytest.raises(Conflict):
        await create_account("anne@example.org", "Anne bis", PASSWORD)
    with pytest.raises(Invalid) as refused:
        await create_account("pas-un-email", "", "court")
    assert set(refused.value.fields) == {"email", "display_name", "password"}
    assert await Account.count() == 1


async def test_administrators_facilitate_every_consultation(database):
    world = await make_world()
    admin_id, _email = await make_account(admin=True)
    actor = await resolve_actor(world.consultation["id"], account_id=admin_id, participant_id=None)
    assert actor.is_facilitator and actor.participant_id is not None
    again = await resolve_actor(world.consultation["id"], account_id=admin_id, participant_id=None)
    assert again.participant_id == actor.participant_id
