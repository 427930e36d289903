"""JSON API: the restitution's texts and options, drafts and published versions."""

from __future__ import annotations

import json

from concerto.comments import services as comments
from concerto.tables import Comment, Restitution, RestitutionVersion
from tests.factories import make_contribution, make_participant, make_world
from tests.integration.api_support import joined, ok, problem, scope, signed_in, stored


async def test_every_setting_round_trips_and_shapes_the_draft(new_browser):
    world = await make_world()
    author = await make_participant(world, "Autrice")
    await make_contribution(world, author, "Un appel à projets « Entreprendre autrement »", kind="acquis")
    facilitator = await signed_in(new_browser, world.email)
    base = f"{scope(world)}/restitution"

    empty = ok(await facilitator.api("GET", base))
    assert empty["introduction"] == "" and empty["versions"] == [] and empty["show_support"] is None
    assert empty["section_titles"]["calendar"] == "Calendrier"

    changes = {
        "introduction": "Accueil.\n\n## Les principes validés\n\nTrois principes.",
        "figures_text": "Au total, 60 participants sur les quatre rencontres.",
        "subtitle": "En préparation de la délibération cadre",
        "date": "2015-02-11",
        "organiser": "Métropole européenne de Lille",
        "titles": {"calendar": "Rappel du calendrier", "context": "Mise en perspective"},
        "omitted": ["next_steps"],
        "figures": ["participants", "contributions"],
        "declared_participants": 59,
        "show_support": False,
        "show_chart": False,
        "csv_french": True,
    }
    body = ok(await facilitator.api("PUT", base, changes))
    for key, value in changes.items():
        assert body[key] == value, key
    assert body["section_titles"]["calendar"] == "Rappel du calendrier"

    document = ok(await facilitator.api("GET", f"{base}/draft/json"))
    assert document["subtitle"] == "En préparation de la délibération cadre — brouillon du 11 février 2015"
    assert document["date"] == "2015-02-11"
    assert document["organiser"] == "Métropole européenne de Lille"
    assert document["labels"]["calendar"] == "Rappel du calendrier"
    # 59 declared + the one participant who used Concerto; the facilitator is not counted.
    assert document["summary"] == [["60", "participants"], ["1", "contribution"]]
    assert document["show_support"] is False and document["show_chart"] is False
    # French spaces, once, in what the document says.
    title = document["groups"][0]["themes"][0]["acquis"][0]["title"]
    assert title == "Un appel à projets «\u202fEntreprendre autrement\u202f»"

    # An empty title gives the usual one back; null gives the automatic choice back.
    body = ok(await facilitator.api("PUT", base, {"titles": {"calendar": ""}, "show_support": None, "date": None}))
    assert body["section_titles"]["calendar"] == "Calendrier" and body["titles"] == {"context": "Mise en perspective"}
    assert body["show_support"] is None and body["date"] is None


async def test_bad_settings_are_refused_whole_and_store_nothing(new_browser):
    world = await make_world()
    facilitator = await signed_in(new_browser, world.email)
    base = f"{scope(world)}/restitution"
    ok(await facilitator.api("PUT", base, {"introduction": "Avant."}))
    before = await stored()
    options_before = (await Restitution.select(Restitution.options).first())["options"]
    for bad in (
        {"introduction": "Après.", "figures": ["participants", "inconnu"]},
        {"introduction": "Après.", "omitted": ["groups"]},
        {"introduction": "Après.", "declared_participants": -3},
        {"introduction": "Après.", "subtitle": "x" * 201},
        {"introduction": "Après.", "titles": {"calendar": "y" * 201}},
    ):
        body = problem(await facilitator.api("PUT", base, bad), 422, "invalid-input")
        assert body["detail"] and body.get("errors"), body
    problem(await facilitator.api("PUT", base, {"introduction": "Après.", "date": "11 février"}), 400, "bad-request")
    problem(await facilitator.api("PUT", base, {"titles": {"groups": "Axes"}}), 400, "bad-request")
    problem(await facilitator.api("PUT", base, {"colour": "bleu"}), 400, "bad-request")
    assert await stored() == before
    row = await Restitution.select(Restitution.introduction, Restitution.options).first()
    assert row["introduction"] == "Avant." and row["options"] == options_before


async def test_participants_cannot_read_or_change_it_but_see_published_versions(new_browser):
    world = await make_world()
    participant = await joined(new_browser, world)
    base = f"{scope(world)}/restitution"
    problem(await participant.api("GET", base), 403, "forbidden")
    problem(await participant.api("PUT", base, {"introduction": "Piraté"}), 403, "forbidden")
    problem(await participant.api("POST", f"{base}/versions"), 403, "forbidden")
    problem(await participant.api("GET", f"{base}/draft/odt"), 403, "forbidden")
    assert await Restitution.count() == 0

    facilitator = await signed_in(new_browser, world.email)
    version = ok(await facilitator.api("POST", f"{base}/versions"), 201)
    assert version["number"] == 1 and len(version["content_hash"]) == 64
    assert set(version["links"]) == {"odt", "docx", "pdf", "html", "md", "csv", "json"}
    listed = ok(await participant.api("GET", f"{base}/versions"))
    assert [v["number"] for v in listed] == [1] and listed[0]["content_hash"] == version["content_hash"]
    frozen = await participant.get(version["links"]["json"])
    assert frozen.status_code == 200 and json.loads(frozen.content)["version"] == 1
    stored_hash = (await RestitutionVersion.select(RestitutionVersion.content_hash).first())["content_hash"]
    assert stored_hash == version["content_hash"]
    problem(await facilitator.api("GET", f"{base}/draft/exe"), 404, "not-found")


async def test_facilitators_highlight_comments_through_the_api(new_browser):
    world = await make_world()
    author = await make_participant(world, "Autrice")
    item = await make_contribution(world, author, "Une foncière solidaire", kind="enjeu")
    comment = await comments.add(author, item, {"body": "Vu à l'atelier de Roubaix"})
    facilitator = await signed_in(new_browser, world.email)
    path = f"{scope(world)}/restitution/comments/{comment}"
    assert ok(await facilitator.api("PUT", path, {"highlighted": True})) == {"comment_id": comment, "highlighted": True}
    document = ok(await facilitator.api("GET", f"{scope(world)}/restitution/draft/json"))
    assert [c["body"] for c in document["groups"][0]["themes"][0]["comments"]] == ["Vu à l'atelier de Roubaix"]
    participant = await joined(new_browser, world, "Bob")
    problem(await participant.api("PUT", path, {"highlighted": False}), 403, "forbidden")
    problem(await facilitator.api("PUT", f"{scope(world)}/restitution/comments/999999", {"highlighted": True}), 404, "not-found")
    problem(await facilitator.api("PUT", path, {"highlighted": "oui"}), 400, "bad-request")
    assert (await Comment.select(Comment.highlighted).where(Comment.id == comment).first())["highlighted"] is True
    assert ok(await facilitator.api("PUT", path, {"highlighted": False}))["highlighted"] is False
