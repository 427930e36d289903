"""The facilitation board through its services: themes, duplicates, moves, history, undo."""

from __future__ import annotations

import pytest

from concerto.board import services as board
from concerto.contributions import services as contributions
from concerto.errors import Conflict, Forbidden, Invalid, NotFound
from concerto.groups import services as groups
from concerto.tables import BoardAction, Contribution, Theme, Vote
from concerto.votes import services as votes
from tests.factories import make_contribution, make_participant, make_world


async def setup_board(n: int = 4):
    world = await make_world(budget=0)
    author = await make_participant(world, "Autrice")
    items = [await make_contribution(world, author, f"Idée {i}", kind="acquis" if i % 2 else "enjeu") for i in range(n)]
    return world, author, items


async def theme_of(contribution_id: int) -> int | None:
    return (await Contribution.select(Contribution.theme).where(Contribution.id == contribution_id).first())["theme"]


async def test_create_theme_with_contributions_and_read_the_board(database):
    world, _author, items = await setup_board()
    await board.create_theme(world.facilitator, world.group["id"], {"title": "Locaux", "summary": "Des **murs**"}, items[:2])
    state = await board.board(world.facilitator, world.group)
    assert [t.theme["title"] for t in state.themes] == ["Locaux"]
    assert "<strong>murs</strong>" in state.themes[0].theme["summary_html"]
    assert sorted(item.id for item in state.themes[0].items) == items[:2]
    assert sorted(item.id for item in state.unthemed) == items[2:]
    assert state.history[0]["kind"] == "create_theme" and state.history[0]["actor_name"] == "Animatrice"


async def test_place_move_and_take_out(database):
    world, _author, items = await setup_board()
    await board.create_theme(world.facilitator, world.group["id"], {"title": "A"})
    await board.create_theme(world.facilitator, world.group["id"], {"title": "B"})
    first, second = (await Theme.select(Theme.id).order_by(Theme.id))
    await board.place(world.facilitator, world.group["id"], [items[0]], first["id"])
    await board.place(world.facilitator, world.group["id"], [items[0]], second["id"])
    assert await theme_of(items[0]) == second["id"]
    await board.place(world.facilitator, world.group["id"], [items[0]], "")
    assert await theme_of(items[0]) is None
    with pytest.raises(Conflict):
        await board.place(world.facilitator, world.group["id"], [items[0]], None)  # nothing to change


async def test_merge_split_reorder_rename_dissolve(database):
    world, _author, items = await setup_board(6)
    fid, gid = world.facilitator, world.group["id"]
    await board.create_theme(fid, gid, {"title": "A"}, items[:2])
    await board.create_theme(fid, gid, {"title": "B"}, items[2:4])
    a, b = (row["id"] for row in await Theme.select(Theme.id).order_by(Theme.id))
    await board.merge_themes(fid, a, b)
    assert [await theme_of(i) for i in items[:4]] == [a] * 4
    assert await Theme.count() == 1
    await board.split_theme(fid, a, [items[3]], {"title": "C"})
    c = (await Theme.select(Theme.id).where(Theme.title == "C").first())["id"]
    assert await theme_of(items[3]) == c
    await board.move_theme(fid, c, "up")
    assert [t["title"] for t in await board.themes_of(gid)] == ["C", "A"]
    await board.update_theme(fid, c, {"title": "Communs"})
    await board.dissolve_theme(fid, a)
    assert [await theme_of(i) for i in items[:3]] == [None] * 3
    assert [t["title"] for t in await board.themes_of(gid)] == ["Communs"]


async def test_undo_restores_a_merge_then_redo(database):
    world, _author, items = await setup_board()
    fid, gid = world.facilitator, world.group["id"]
    await board.create_theme(fid, gid, {"title": "A"}, items[:2])
    await board.create_theme(fid, gid, {"title": "B"}, items[2:])
    a, b = (row["id"] for row in await Theme.select(Theme.id).order_by(Theme.id))
    merge = await board.merge_themes(fid, a, b)
    undo = await board.undo(fid, merge)
    assert [await theme_of(i) for i in items] == [a, a, b, b]
    assert (await Theme.select(Theme.title).where(Theme.id == b).first())["title"] == "B"
    with pytest.raises(Conflict):
        await board.undo(fid, merge)  # already undone
    await board.undo(fid, undo)  # redo
    assert [await theme_of(i) for i in items] == [a] * 4
    history = await board.history(fid, gid)
    assert [row["kind"] for row in history[:3]] == ["undo", "undo", "merge_themes"]


async def test_undo_is_refused_when_later_actions_touched_the_same_rows(database):
    world, _author, items = await setup_board()
    fid, gid = world.facilitator, world.group["id"]
    first = await board.create_theme(fid, gid, {"title": "A"}, items[:1])
    await board.place(fid, gid, items[:1], "")
    with pytest.raises(Conflict):
        await board.undo(fid, first)
    assert await Theme.count() == 1


async def test_undo_is_refused_when_it_would_put_back_a_theme_that_is_gone(database):
    # Found by fuzzing the API: this was a server error (the foreign key refused the write).
    world, _author, items = await setup_board()
    fid, gid = world.facilitator, world.group["id"]
    await board.create_theme(fid, gid, {"title": "A"}, items[:1])
    taken_out = await board.place(fid, gid, items[:1], "")
    theme = (await Theme.select(Theme.id).first())["id"]
    await board.dissolve_theme(fid, theme)  # the contribution is no longer in it: no conflict there
    with pytest.raises(Conflict):
        await board.undo(fid, taken_out)
    assert await theme_of(items[0]) is None
    assert (await board.action(fid, taken_out))["undone_by"] is None


async def test_duplicates_count_each_supporter_once_and_follow_their_root(database):
    world, author, items = await setup_board()
    fid, gid = world.facilitator, world.group["id"]
    both, one_a, one_b = [await make_participant(world, name) for name in ("Les deux", "A seul", "B seul")]
    for voter in (both, one_a):
        await votes.cast(voter, items[0])
    for voter in (both, one_b):
        await votes.cast(voter, items[1])
    await board.create_theme(fid, gid, {"title": "Thème"}, [items[0]])
    await board.mark_duplicate(fid, items[1], items[0])
    row = await Contribution.select(Contribution.duplicate_of, Contribution.theme).where(Contribution.id == items[1]).first()
    assert row == {"duplicate_of": items[0], "theme": await theme_of(items[0])}
    assert (await votes.combined_support(gid))[items[0]] == 3  # not 4
    state = await board.board(fid, world.group)
    root = next(item for item in state.themes[0].items if item.id == items[0])
    assert root.support == 3 and [d.id for d in root.duplicates] == [items[1]]
    # Both texts stay, with their own authors and votes.
    assert await Contribution.count() == 4 and await Vote.count() == 4
    # Grouping with a duplicate groups with its root; grouping again is refused.
    await board.mark_duplicate(fid, items[2], items[1])
    assert (await Contribution.select(Contribution.duplicate_of).where(Contribution.id == items[2]).first())["duplicate_of"] == items[0]
    with pytest.raises(Conflict):
        await board.mark_duplicate(fid, items[2], items[0])
    # Moving the root moves its duplicates.
    await board.place(fid, gid, [items[0]], "")
    assert [await theme_of(i) for i in items[:3]] == [None, None, None]
    await board.unmark_duplicate(fid, items[2])
    assert (await Contribution.select(Contribution.duplicate_of).where(Contribution.id == items[2]).first())["duplicate_of"] is None


async def test_marking_a_duplicate_is_undoable(database):
    world, _author, items = await setup_board()
    action = await board.mark_duplicate(world.facilitator, items[1], items[0])
    await board.undo(world.facilitator, action)
    assert (await Contribution.select(Contribution.duplicate_of).where(Contribution.id == items[1]).first())["duplicate_of"] is None


async def test_move_to_another_group_takes_votes_along_and_is_undoable(database):
    world, _author, items = await setup_board()
    other = await groups.create(world.consultation, world.facilitator, {"title": "Former", "vote_budget": 5, "voting_open": True})
    voter = await make_participant(world, "Votant")
    await votes.cast(voter, items[0])
    await board.create_theme(world.facilitator, world.group["id"], {"title": "A"}, [items[0]])
    action = await board.move_to_group(world.facilitator, items[0], other["id"])
    row = await Contribution.select(Contribution.working_group, Contribution.theme).where(Contribution.id == items[0]).first()
    assert row == {"working_group": other["id"], "theme": None}
    assert (await Vote.select(Vote.working_group).first())["working_group"] == other["id"]
    await board.undo(world.facilitator, action)
    row = await Contribution.select(Contribution.working_group, Contribution.theme).where(Contribution.id == items[0]).first()
    assert row["working_group"] == world.group["id"] and row["theme"] is not None
    with pytest.raises(Invalid):
        await board.move_to_group(world.facilitator, items[0], world.group["id"])


async def test_dissolving_and_undoing_brings_the_theme_back_with_its_id(database):
    world, _author, items = await setup_board()
    await board.create_theme(world.facilitator, world.group["id"], {"title": "A"}, items[:2])
    theme_id = (await Theme.select(Theme.id).first())["id"]
    action = await board.dissolve_theme(world.facilitator, theme_id)
    await board.undo(world.facilitator, action)
    assert (await Theme.select(Theme.id, Theme.title).first()) == {"id": theme_id, "title": "A"}
    assert [await theme_of(i) for i in items[:2]] == [theme_id, theme_id]
    # New themes after the restore still get fresh ids.
    await board.create_theme(world.facilitator, world.group["id"], {"title": "B"})
    assert await Theme.count() == 2


async def test_accept_suggestions_creates_themes_in_one_action(database):
    world, _author, items = await setup_board()
    action = await board.accept_suggestions(
        world.facilitator, world.group["id"], [{"title": "Un", "ids": items[:2]}, {"title": "Deux", "ids": items[2:]}]
    )
    assert [t["title"] for t in await board.themes_of(world.group["id"])] == ["Un", "Deux"]
    with pytest.raises(Conflict):
        await board.accept_suggestions(world.facilitator, world.group["id"], [{"title": "Encore", "ids": items[:1]}])
    await board.undo(world.facilitator, action)
    assert await Theme.count() == 0 and await BoardAction.count() == 2


async def test_accepting_a_consultation_wide_theme_can_bring_other_groups_contributions(database):
    world, author, items = await setup_board(2)
    other = await groups.create(world.consultation, world.facilitator, {"title": "Former", "vote_budget": 5, "voting_open": True})
    elsewhere = await contributions.create(author, other, {"title": "Des locaux partagés", "kind": "acquis", "body": ""})
    twin = await contributions.create(author, other, {"title": "Locaux mutualisés", "kind": "acquis", "body": ""})
    voter = await make_participant(world, "Votant")
    await votes.cast(voter, elsewhere)
    await board.mark_duplicate(world.facilitator, twin, elsewhere)

    async def where(contribution_id: int) -> dict:
        return await Contribution.select(Contribution.working_group, Contribution.theme, Contribution.duplicate_of).where(
            Contribution.id == contribution_id
        ).first()

    action = await board.accept_suggestions(
        world.facilitator, world.group["id"], [{"title": "Locaux", "ids": items[:1], "bring": [elsewhere]}]
    )
    theme = (await board.themes_of(world.group["id"]))[0]
    # The brought contribution comes with its grouped duplicate and its vote, into the new theme.
    assert await where(elsewhere) == {"working_group": world.group["id"], "theme": theme["id"], "duplicate_of": None}
    assert await where(twin) == {"working_group": world.group["id"], "theme": theme["id"], "duplicate_of": elsewhere}
    assert await where(items[0]) == {"working_group": world.group["id"], "theme": theme["id"], "duplicate_of": None}
    assert (await Vote.select(Vote.working_group).where(Vote.contribution == elsewhere).first())["working_group"] == world.group["id"]
    assert (await board.board(world.facilitator, other)).unthemed == []
    # One action: undo puts everything back where it was.
    await board.undo(world.facilitator, action)
    assert await where(elsewhere) == {"working_group": other["id"], "theme": None, "duplicate_of": None}
    assert await where(twin) == {"working_group": other["id"], "theme": None, "duplicate_of": elsewhere}
    assert (await Vote.select(Vote.working_group).where(Vote.contribution == elsewhere).first())["working_group"] == other["id"]
    assert await Theme.count() == 0
    # Choosing a duplicate along with its root (the API allows it) keeps them grouped.
    await board.accept_suggestions(world.facilitator, world.group["id"], [{"title": "Locaux", "ids": [], "bring": [twin, elsewhere]}])
    assert (await where(twin))["duplicate_of"] == elsewhere and (await where(twin))["working_group"] == world.group["id"]


async def test_bringing_contributions_is_checked(database):
    world, author, items = await setup_board(2)
    other = await groups.create(world.consultation, world.facilitator, {"title": "Former", "vote_budget": 5, "voting_open": True})
    elsewhere = await contributions.create(author, other, {"title": "Des locaux partagés", "kind": "acquis", "body": ""})
    with pytest.raises(Invalid):  # already in this group: it goes in "ids", not "bring"
        await board.accept_suggestions(world.facilitator, world.group["id"], [{"title": "T", "ids": [], "bring": [items[0]]}])
    with pytest.raises(NotFound):
        await board.accept_suggestions(world.facilitator, world.group["id"], [{"title": "T", "ids": [], "bring": [999999]}])
    with pytest.raises(Invalid):
        await board.accept_suggestions(world.facilitator, world.group["id"], [{"title": "T", "ids": [], "bring": []}])
    with pytest.raises(Invalid):
        await board.accept_suggestions(world.facilitator, world.group["id"], [{"title": "T", "ids": [], "bring": list(range(1, 1_002))}])
    with pytest.raises(Invalid):
        await board.accept_suggestions(world.facilitator, world.group["id"], [{"title": "T", "ids": items[:1]}] * 201)
    with pytest.raises(Forbidden):
        await board.accept_suggestions(author, world.group["id"], [{"title": "T", "ids": [], "bring": [elsewhere]}])
    assert await Theme.count() == 0
    assert (await Contribution.select(Contribution.working_group).where(Contribution.id == elsewhere).first())["working_group"] == other["id"]


async def test_participants_cannot_use_the_board(database):
    world, author, items = await setup_board()
    with pytest.raises(Forbidden):
        await board.create_theme(author, world.group["id"], {"title": "Pirate"})
    with pytest.raises(Forbidden):
        await board.mark_duplicate(author, items[1], items[0])
    with pytest.raises(Forbidden):
        await board.board(author, world.group)
    assert await Theme.count() == 0 and await BoardAction.count() == 0


async def test_bad_input_is_refused_and_stores_nothing(database):
    world, _author, items = await setup_board()
    other = await make_world()
    other_author = await make_participant(other, "Ailleurs")
    foreign = await make_contribution(other, other_author)
    fid, gid = world.facilitator, world.group["id"]
    with pytest.raises(Invalid):
        await board.create_theme(fid, gid, {"title": ""})
    with pytest.raises(Invalid):
        await board.create_theme(fid, gid, {"title": "x" * 141})
    with pytest.raises(Invalid):
        await board.create_theme(fid, gid, {"title": "Ok"}, [foreign])
    with pytest.raises(Invalid):
        await board.create_theme(fid, gid, {"title": "Ok"}, ["abc"])
    with pytest.raises(NotFound):
        await board.place(fid, gid, items[:1], 999999)
    with pytest.raises(NotFound):
        await board.mark_duplicate(fid, items[0], foreign)
    with pytest.raises(NotFound):
        await board.undo(fid, 999999)
    assert await Theme.count() == 0 and await BoardAction.count() == 0
    assert all(row["theme"] is None for row in await Contribution.select(Contribution.theme))


async def test_ids_of_removed_themes_are_never_reused(database):
    """The history names rows by id: a new theme must not take a removed theme's id."""
    world, _author, items = await setup_board()
    fid, gid = world.facilitator, world.group["id"]
    await board.create_theme(fid, gid, {"title": "A"}, items[:1])
    removed = (await Theme.select(Theme.id).first())["id"]
    dissolve = await board.dissolve_theme(fid, removed)
    await board.create_theme(fid, gid, {"title": "B"})
    assert (await Theme.select(Theme.id).first())["id"] != removed
    await board.undo(fid, dissolve)  # brings « A » back under its own id
    assert {row["title"] for row in await Theme.select(Theme.title)} == {"A", "B"}
    assert await theme_of(items[0]) == removed
