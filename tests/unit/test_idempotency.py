"""A write sent again with the same idempotency key is stored once, even when both attempts arrive together."""

from __future__ import annotations

import asyncio

import pytest

from concerto.comments import services as comments
from concerto.contributions import services as contributions
from concerto.errors import Conflict, Invalid
from concerto.tables import Comment, Contribution, RequestKey, Vote
from concerto.votes import services as votes
from tests.factories import make_contribution, make_participant, make_world

KEY = "k-1a2b3c4d5e6f"


async def test_a_retried_contribution_is_stored_once(database):
    world = await make_world()
    author = await make_participant(world, "Autrice")
    data = {"title": "Une recyclerie", "kind": "enjeu"}
    first = await contributions.create(author, world.group, data, key=KEY)
    again = await contributions.create(author, world.group, data, key=KEY)
    assert first == again and await Contribution.count() == 1
    other = await contributions.create(author, world.group, data, key=KEY + "x")
    assert other != first and await Contribution.count() == 2


async def test_simultaneous_attempts_store_one_row(database):
    world = await make_world()
    author = await make_participant(world, "Autrice")
    data = {"title": "Une recyclerie", "kind": "enjeu"}
    ids = await asyncio.gather(*[contributions.create(author, world.group, data, key=KEY) for _ in range(8)])
    assert len(set(ids)) == 1 and await Contribution.count() == 1 and await RequestKey.count() == 1


async def test_another_persons_key_is_theirs(database):
    world = await make_world()
    first, second = await make_participant(world, "Une"), await make_participant(world, "Autre")
    data = {"title": "Une recyclerie", "kind": "enjeu"}
    assert await contributions.create(first, world.group, data, key=KEY) != await contributions.create(second, world.group, data, key=KEY)


async def test_a_replayed_vote_is_not_applied_again_after_a_withdrawal(database):
    world = await make_world(budget=3)
    author = await make_participant(world, "Autrice")
    voter = await make_participant(world, "Votant")
    item = await make_contribution(world, author)
    await votes.cast(voter, item, key=KEY)
    await votes.withdraw(voter, item, key=KEY + "w")
    replay = await votes.cast(voter, item, key=KEY)  # the first request, arriving again late
    assert (replay.voted, replay.votes) == (False, 0) and await Vote.count() == 0
    with pytest.raises(Conflict):
        await votes.withdraw(voter, item, key=KEY)  # the key of a cast, for a withdrawal


async def test_a_retried_comment_is_stored_once(database):
    world = await make_world()
    author = await make_participant(world, "Autrice")
    item = await make_contribution(world, author)
    first = await comments.add(author, item, {"body": "Oui"}, key=KEY)
    assert await comments.add(author, item, {"body": "Oui"}, key=KEY) == first and await Comment.count() == 1
    with pytest.raises(Conflict):
        await contributions.create(author, world.group, {"title": "Autre", "kind": "acquis"}, key=KEY)


@pytest.mark.parametrize("key", ["court", "x" * 65, "avec espace", 12345678])
async def test_malformed_keys_are_refused_and_nothing_is_stored(database, key):
    world = await make_world()
    author = await make_participant(world, "Autrice")
    with pytest.raises(Invalid) as refused:
        await contributions.create(author, world.group, {"title": "Une recyclerie", "kind": "enjeu"}, key=key)
    assert "request_key" in refused.value.fields
    assert await Contribution.count() == 0 and await RequestKey.count() == 0
