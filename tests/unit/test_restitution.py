"""The restitution document built from the data: figures, ranking, options, versions."""

from __future__ import annotations

import pytest

from concerto.board import services as board
from concerto.comments import services as comments
from concerto.consultations import services as consultations
from concerto.contributions import services as contributions
from concerto.errors import Forbidden, Invalid, NotFound
from concerto.groups import services as groups
from concerto.restitution import services as restitution
from concerto.tables import RestitutionVersion
from concerto.votes import services as votes
from tests.factories import make_contribution, make_participant, make_world


async def rich_world():
    world = await make_world(budget=0)
    second = await groups.create(world.consultation, world.facilitator, {"title": "Former et sensibiliser", "vote_budget": 0, "voting_open": True})
    alice, bob, chloe = [await make_participant(world, name) for name in ("Alice", "Bob", "Chloé")]
    locaux = await make_contribution(world, alice, "Des locaux partagés", kind="enjeu", body="Un **lieu**")
    fonciere = await make_contribution(world, bob, "Une foncière solidaire", kind="enjeu")
    forum = await make_contribution(world, alice, "Garder le forum annuel", kind="acquis")
    faible = await make_contribution(world, chloe, "Idée peu soutenue", kind="acquis")
    formation = await contributions.create(bob, second, {"title": "Former les élus", "kind": "acquis"})
    for voter in (alice, bob, chloe):
        await votes.cast(voter, locaux)
    for voter in (alice, chloe):
        await votes.cast(voter, fonciere)  # alice and chloe also support « locaux »
    await votes.cast(bob, fonciere)
    await votes.cast(bob, forum)
    await votes.cast(alice, formation)
    await board.create_theme(world.facilitator, world.group["id"], {"title": "Foncier", "summary": "Le *foncier* bloque."}, [locaux])
    await board.mark_duplicate(world.facilitator, fonciere, locaux)
    note = await comments.add(chloe, locaux, {"body": "Vu à l'atelier de Port-Auranne"})
    await comments.add(bob, forum, {"body": "Pas mis en avant"})
    await restitution.highlight(world.facilitator, note, True)
    await consultations.add_meeting(
        world.consultation, world.facilitator, {"title": "Atelier", "kind": "atelier", "date": "2026-10-15", "attendance": "27"}
    )
    return world, second, {"locaux": locaux, "fonciere": fonciere, "forum": forum, "faible": faible, "formation": formation}


async def test_document_structure_ranking_and_combined_support(database):
    world, second, ids = await rich_world()
    document = await restitution.draft(world.consultation, world.facilitator)
    assert [group.title for group in document.groups] == ["Entreprendre autrement", "Former et sensibiliser"]
    first = document.groups[0]
    assert [(theme.title, theme.is_theme) for theme in first.themes] == [("Foncier", True), ("Contributions pas encore dans un thème", False)]
    foncier = first.themes[0]
    assert foncier.synthesis == "Le *foncier* bloque."
    assert [item.title for item in foncier.enjeux] == ["Des locaux partagés"]
    root = foncier.enjeux[0]
    assert root.support == 3  # alice, bob, chloé: each once across the two grouped contributions
    assert [g.title for g in root.grouped] == ["Une foncière solidaire"]
    assert root.comments == 1 and root.author is None
    assert [c.body for c in foncier.comments] == ["Vu à l'atelier de Port-Auranne"]
    rest = first.themes[1]
    assert [(item.title, item.support) for item in rest.acquis] == [("Garder le forum annuel", 1), ("Idée peu soutenue", 0)]
    assert document.labels.acquis == "Les acquis à développer" and document.labels.enjeux == "De nouveaux enjeux"
    figures = document.figures
    # The facilitator is not a participant (nor would be a contributor: see test_figures_and_options).
    assert (figures.participants, figures.contributors) == (3, 3)
    assert (figures.acquis, figures.enjeux, figures.votes, figures.supporters, figures.comments) == (3, 2, 8, 3, 2)
    assert figures.attendance == 27
    assert [(g.title, g.acquis, g.enjeux, g.votes) for g in figures.groups] == [
        ("Entreprendre autrement", 2, 2, 7), ("Former et sensibiliser", 1, 0, 1)
    ]
    assert document.calendar[0].kind == "Atelier" and document.calendar[0].attendance == 27


async def test_options_minimum_support_authors_and_group_order(database):
    world, second, _ids = await rich_world()
    await restitution.update(
        world.consultation,
        world.facilitator,
        {"min_support": "1", "show_authors": True, "group_order": [second["id"], world.group["id"]], "introduction": "Bonjour"},
    )
    document = await restitution.draft(world.consultation, world.facilitator)
    assert [group.title for group in document.groups] == ["Former et sensibiliser", "Entreprendre autrement"]
    titles = [item.title for group in document.groups for theme in group.themes for item in theme.acquis + theme.enjeux]
    assert "Idée peu soutenue" not in titles
    assert document.groups[0].themes[-1].acquis[0].author == "Bob"
    assert document.introduction == "Bonjour"


async def test_bad_options_are_refused_and_nothing_changes(database):
    world, second, _ids = await rich_world()
    for data in ({"min_support": "-1"}, {"min_support": "beaucoup"}, {"group_order": [999999]}, {"group_order": [second["id"], second["id"]]}, {"introduction": "x" * 50_001}):
        with pytest.raises(Invalid):
            await restitution.update(world.consultation, world.facilitator, data)
    assert (await restitution.settings(world.consultation["id"]))["options"].min_support == 0
    participant = await make_participant(world, "Curieux")
    with pytest.raises(Forbidden):
        await restitution.update(world.consultation, participant, {"introduction": "Piraté"})
    with pytest.raises(Forbidden):
        await restitution.draft(world.consultation, participant)


async def test_published_versions_are_numbered_and_frozen(database):
    world, _second, ids = await rich_world()
    await restitution.update(world.consultation, world.facilitator, {"next_steps": "Quatre groupes de travail"})
    assert await restitution.publish(world.consultation, world.facilitator) == 1
    frozen = await restitution.version(world.consultation["id"], 1)
    assert frozen.version == 1 and "version 1" in frozen.subtitle and frozen.next_steps == "Quatre groupes de travail"
    # Later changes do not touch version 1; version 2 sees them.
    await restitution.update(world.consultation, world.facilitator, {"next_steps": "Trois groupes"})
    await board.dissolve_theme(world.facilitator, (await board.themes_of(world.group["id"]))[0]["id"])
    assert await restitution.publish(world.consultation, world.facilitator) == 2
    again = await restitution.version(world.consultation["id"], 1)
    assert again == frozen
    second = await restitution.version(world.consultation["id"], 2)
    assert second.next_steps == "Trois groupes" and second.groups[0].themes[0].is_theme is False
    assert [v["number"] for v in await restitution.versions(world.consultation["id"])] == [2, 1]
    with pytest.raises(NotFound):
        await restitution.version(world.consultation["id"], 3)
    assert await RestitutionVersion.count() == 2


async def test_highlight_rules(database):
    world, _second, ids = await rich_world()
    author = await make_participant(world, "Autrice")
    note = await comments.add(author, ids["forum"], {"body": "À reprendre"})
    with pytest.raises(Forbidden):
        await restitution.highlight(author, note, True)
    await comments.moderate(world.facilitator, note, "hide")
    with pytest.raises(Invalid):
        await restitution.highlight(world.facilitator, note, True)
    with pytest.raises(NotFound):
        await restitution.highlight(world.facilitator, 999999, True)
