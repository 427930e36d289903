"""Contributions and comments through the service layer."""

from __future__ import annotations

import pytest

from concerto.accounts.services import resolve_actor
from concerto.comments import services as comments
from concerto.consultations import services as consultations
from concerto.contributions import services as contributions
from concerto.errors import Conflict, Forbidden, Invalid, NotAuthenticated, NotFound
from concerto.groups import services as groups
from concerto.tables import Comment, Contribution
from tests.factories import make_contribution, make_participant, make_world


async def test_contribution_is_published_with_rendered_markdown(database):
    world = await make_world()
    author = await make_participant(world)
    item = await make_contribution(world, author, "Un fonds", body="- un\n- deux <script>")
    row = await Contribution.select().where(Contribution.id == item).first()
    assert row["status"] == "published" and row["consultation"] == world.consultation["id"]
    assert "<li>un</li>" in row["body_html"] and "<script>" not in row["body_html"]


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"title": "", "kind": "acquis"}, "title"),
        ({"title": "   ", "kind": "acquis"}, "title"),
        ({"title": "x" * 201, "kind": "acquis"}, "title"),
        ({"title": "ok", "kind": "acquis", "body": "b" * 5001}, "body"),
        ({"title": "ok", "kind": "autre"}, "kind"),
        ({"title": "ok"}, "kind"),
        ({"title": 12, "kind": "acquis"}, "title"),
        ({"title": ["a"], "kind": ["acquis"]}, "title"),
    ],
)
async def test_invalid_contributions_are_refused_and_not_stored(database, data, field):
    world = await make_world()
    author = await make_participant(world)
    with pytest.raises(Invalid) as refused:
        await contributions.create(author, world.group, data)
    assert field in refused.value.fields
    assert await Contribution.count() == 0


async def test_title_of_exactly_200_characters_is_accepted(database):
    world = await make_world()
    author = await make_participant(world)
    item = await make_contribution(world, author, "é" * 200)
    assert len((await Contribution.select(Contribution.title).where(Contribution.id == item).first())["title"]) == 200


async def test_phase_and_consultation_status_are_checked(database):
    world = await make_world()
    author = await make_participant(world)
    await groups.update(world.consultation, world.facilitator, world.group["id"], {"contributions_open": False})
    with pytest.raises(Conflict):
        await make_contribution(world, author)
    await groups.update(world.consultation, world.facilitator, world.group["id"], {"contributions_open": True})
    await consultations.update(world.consultation, world.facilitator, {"status": "closed"})
    with pytest.raises(Conflict):
        await make_contribution(world, author)
    assert await Contribution.count() == 0


async def test_only_authors_edit_and_withdraw(database):
    world = await make_world()
    author = await make_participant(world, "Autrice")
    other = await make_participant(world, "Autre")
    item = await make_contribution(world, author, "Avant")
    with pytest.raises(Forbidden):
        await contributions.update(other, item, {"title": "Piraté"})
    with pytest.raises(Forbidden):
        await contributions.withdraw(other, item)
    with pytest.raises(Forbidden):
        # Facilitators moderate; they do not rewrite participants' words.
        await contributions.update(world.facilitator, item, {"title": "Réécrit"})
    await contributions.update(author, item, {"title": "Après", "body": "*détails*"})
    row = await Contribution.select(Contribution.title, Contribution.body_html, Contribution.status).first()
    assert row["title"] == "Après" and "<em>détails</em>" in row["body_html"]
    await contributions.withdraw(author, item)
    assert (await Contribution.select(Contribution.status).first())["status"] == "withdrawn"
    with pytest.raises(Conflict):
        await contributions.update(author, item, {"title": "Trop tard"})


async def test_hidden_contributions_are_seen_by_facilitators_and_their_author_only(database):
    world = await make_world()
    author = await make_participant(world, "Autrice")
    reader = await make_participant(world, "Lectrice")
    item = await make_contribution(world, author)
    with pytest.raises(Forbidden):
        await contributions.moderate(author, item, "hide")
    assert await contributions.moderate(world.facilitator, item, "hide") == "hidden"
    with pytest.raises(NotFound):
        await contributions.get(world.consultation["id"], item, reader)
    assert (await contributions.get(world.consultation["id"], item, author))["status"] == "hidden"
    kinds = await consultations.kinds(world.consultation["id"])
    reader_view = await contributions.list_group(reader, world.group, kinds)
    facilitator_view = await contributions.list_group(world.facilitator, world.group, kinds)
    assert sum(c.total for c in reader_view.columns) == 0
    assert sum(c.total for c in facilitator_view.columns) == 1
    with pytest.raises(Invalid):
        await contributions.moderate(world.facilitator, item, "delete")


async def test_listing_sorts_by_votes_and_counts_comments(database):
    from concerto.votes import services as votes

    world = await make_world(budget=0)
    author = await make_participant(world, "Autrice")
    voters = [await make_participant(world, f"V{n}") for n in range(3)]
    low, high = await make_contribution(world, author, "Peu"), await make_contribution(world, author, "Beaucoup")
    for voter in voters:
        await votes.cast(voter, high)
    await comments.add(voters[0], low, {"body": "Un avis"})
    kinds = await consultations.kinds(world.consultation["id"])
    listing = await contributions.list_group(voters[0], world.group, kinds, sort="votes")
    items = listing.columns[0].items
    assert [(c["title"], c["votes"], c["comments"]) for c in items] == [("Beaucoup", 3, 0), ("Peu", 0, 1)]
    assert listing.my_votes == {high}
    newest = await contributions.list_group(voters[0], world.group, kinds, sort="newest")
    assert [c["title"] for c in newest.columns[0].items] == ["Beaucoup", "Peu"]


async def test_comment_threads_stop_at_three_levels(database):
    world = await make_world()
    author = await make_participant(world)
    item = await make_contribution(world, author)
    level1 = await comments.add(author, item, {"body": "1"})
    level2 = await comments.add(author, item, {"body": "2", "parent_id": level1})
    level3 = await comments.add(author, item, {"body": "3", "parent_id": str(level2)})
    with pytest.raises(Conflict):
        await comments.add(author, item, {"body": "4", "parent_id": level3})
    page = await comments.thread_page(author, item)
    assert page.total == 3
    assert page.threads[0].replies[0].replies[0].comment["body"] == "3"
    assert await Comment.count() == 3


@pytest.mark.parametrize("parent", ["abc", "999999", "-1", "99999999999999999999"])
async def test_reply_to_unknown_comment_is_refused(database, parent):
    world = await make_world()
    author = await make_participant(world)
    item = await make_contribution(world, author)
    with pytest.raises(Invalid) as refused:
        await comments.add(author, item, {"body": "Réponse", "parent_id": parent})
    assert "parent_id" in refused.value.fields
    assert await Comment.count() == 0


async def test_reply_must_be_on_the_same_contribution(database):
    world = await make_world()
    author = await make_participant(world)
    first, second = await make_contribution(world, author, "A"), await make_contribution(world, author, "B")
    parent = await comments.add(author, first, {"body": "Sur A"})
    with pytest.raises(Invalid):
        await comments.add(author, second, {"body": "Mauvais fil", "parent_id": parent})


async def test_comment_edit_and_moderation_rules(database):
    world = await make_world()
    author = await make_participant(world, "Autrice")
    other = await make_participant(world, "Autre")
    item = await make_contribution(world, author)
    comment = await comments.add(author, item, {"body": "Premier jet"})
    with pytest.raises(Forbidden):
        await comments.edit(other, comment, {"body": "Piraté"})
    with pytest.raises(Invalid):
        await comments.edit(author, comment, {"body": ""})
    await comments.edit(author, comment, {"body": "Version **finale**"})
    assert "<strong>finale</strong>" in (await Comment.select(Comment.body_html).first())["body_html"]
    with pytest.raises(Forbidden):
        await comments.moderate(other, comment, "hide")
    await comments.moderate(world.facilitator, comment, "hide")
    reply_author_view = await comments.thread_page(other, item)
    assert reply_author_view.total == 0 and reply_author_view.threads == []
    with pytest.raises(NotFound):
        await comments.get(other, comment)
    with pytest.raises(Invalid):
        await comments.add(other, item, {"body": "Réponse", "parent_id": comment})


async def test_hidden_comment_with_replies_keeps_a_placeholder(database):
    world = await make_world()
    author = await make_participant(world)
    item = await make_contribution(world, author)
    parent = await comments.add(author, item, {"body": "Propos déplacé"})
    await comments.add(author, item, {"body": "Réponse utile", "parent_id": parent})
    await comments.moderate(world.facilitator, parent, "hide")
    page = await comments.thread_page(author, item)
    assert page.threads[0].comment["body"] == "" and page.threads[0].replies[0].comment["body"] == "Réponse utile"
    assert page.total == 1


async def test_visitors_cannot_write(database):
    world = await make_world()
    author = await make_participant(world)
    item = await make_contribution(world, author)
    visitor = await resolve_actor(world.consultation["id"], account_id=None, participant_id=None)
    with pytest.raises(NotAuthenticated):
        await contributions.create(visitor, world.group, {"title": "x", "kind": "acquis"})
    with pytest.raises(NotAuthenticated):
        await comments.add(visitor, item, {"body": "x"})
    assert await Comment.count() == 0 and await Contribution.count() == 1
