"""Vote budgets, idempotence, phases and concurrency (service layer)."""

from __future__ import annotations

import asyncio

import pytest

from concerto.accounts.services import resolve_actor
from concerto.errors import Conflict, Forbidden, NotAuthenticated, NotFound
from concerto.groups import services as groups
from concerto.tables import Vote
from concerto.votes import services as votes
from tests.factories import make_contribution, make_participant, make_world


async def test_cast_counts_and_is_idempotent(database):
    world = await make_world(budget=3)
    author = await make_participant(world, "Autrice")
    voter = await make_participant(world, "Votant")
    item = await make_contribution(world, author)
    first = await votes.cast(voter, item)
    again = await votes.cast(voter, item)
    assert (first.votes, first.voted, first.remaining) == (1, True, 2)
    assert (again.votes, again.remaining) == (1, 2)
    assert await Vote.count() == 1


async def test_budget_is_enforced_and_withdrawing_frees_a_vote(database):
    world = await make_world(budget=2)
    author = await make_participant(world, "Autrice")
    voter = await make_participant(world, "Votant")
    items = [await make_contribution(world, author, f"Idée {n}") for n in range(3)]
    await votes.cast(voter, items[0])
    await votes.cast(voter, items[1])
    with pytest.raises(Conflict) as refused:
        await votes.cast(voter, items[2])
    assert "2" in str(refused.value.params["budget"])
    assert await Vote.count() == 2
    state = await votes.withdraw(voter, items[0])
    assert (state.voted, state.remaining) == (False, 1)
    assert (await votes.cast(voter, items[2])).remaining == 0


async def test_unlimited_budget_allows_one_vote_per_item(database):
    world = await make_world(budget=0)
    author = await make_participant(world, "Autrice")
    voter = await make_participant(world, "Votant")
    for n in range(7):
        state = await votes.cast(voter, await make_contribution(world, author, f"Idée {n}"))
    assert state.remaining is None and state.used == 7


async def test_closed_voting_refuses_cast_and_withdraw(database):
    world = await make_world()
    author = await make_participant(world, "Autrice")
    voter = await make_participant(world, "Votant")
    item = await make_contribution(world, author)
    await votes.cast(voter, item)
    await groups.update(world.consultation, world.facilitator, world.group["id"], {"voting_open": False})
    with pytest.raises(Conflict):
        await votes.cast(voter, item)
    with pytest.raises(Conflict):
        await votes.withdraw(voter, item)
    assert await Vote.count() == 1


async def test_observers_and_visitors_cannot_vote(database):
    world = await make_world()
    author = await make_participant(world, "Autrice")
    observer = await make_participant(world, "Élu", role="observer")
    item = await make_contribution(world, author)
    visitor = await resolve_actor(world.consultation["id"], account_id=None, participant_id=None)
    with pytest.raises(Forbidden):
        await votes.cast(observer, item)
    with pytest.raises(NotAuthenticated):
        await votes.cast(visitor, item)
    assert await Vote.count() == 0


async def test_votes_on_a_contribution_of_another_consultation_are_not_found(database):
    world = await make_world()
    other = await make_world()
    author = await make_participant(other, "Ailleurs")
    item = await make_contribution(other, author)
    voter = await make_participant(world, "Votant")
    with pytest.raises(NotFound):
        await votes.cast(voter, item)


async def test_hidden_contributions_free_the_budget(database):
    world = await make_world(budget=1)
    author = await make_participant(world, "Autrice")
    voter = await make_participant(world, "Votant")
    first, second = [await make_contribution(world, author, f"Idée {n}") for n in range(2)]
    await votes.cast(voter, first)
    from concerto.contributions import services as contributions

    await contributions.moderate(world.facilitator, first, "hide")
    assert (await votes.cast(voter, second)).remaining == 0


async def test_fifty_simultaneous_votes_from_one_participant_respect_the_budget(database):
    world = await make_world(budget=5)
    author = await make_participant(world, "Autrice")
    voter = await make_participant(world, "Votant")
    items = [await make_contribution(world, author, f"Idée {n}") for n in range(50)]
    results = await asyncio.gather(*(votes.cast(voter, item) for item in items), return_exceptions=True)
    accepted = [r for r in results if not isinstance(r, BaseException)]
    refused = [r for r in results if isinstance(r, Conflict)]
    assert len(accepted) == 5 and len(refused) == 45
    assert await Vote.count().where(Vote.participant == voter.participant_id) == 5


async def test_fifty_participants_voting_at_once_lose_no_vote(database):
    world = await make_world(budget=5)
    author = await make_participant(world, "Autrice")
    item = await make_contribution(world, author)
    voters = [await make_participant(world, f"Votant {n}") for n in range(50)]
    results = await asyncio.gather(*(votes.cast(voter, item) for voter in voters))
    assert max(result.votes for result in results) == 50
    assert await Vote.count().where(Vote.contribution == item) == 50
