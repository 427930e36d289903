"""The board pages: keyboard/no-JavaScript forms, fragments for concerto-board.js, the participants' view."""

from __future__ import annotations

import json

from concerto.board import services as board
from concerto.live import events
from concerto.tables import BoardAction, Contribution, Theme
from concerto.votes import services as votes
from tests.browser import text_of
from tests.factories import PASSWORD, make_contribution, make_participant, make_world
from tests.live_support import listening


async def facilitator_world(browser, n: int = 3):
    world = await make_world(budget=0)
    author = await make_participant(world, "Autrice")
    items = [await make_contribution(world, author, f"Idée {i}", kind="acquis" if i % 2 else "enjeu") for i in range(n)]
    await browser.login(world.email, PASSWORD)
    return world, author, items, f"/c/{world.consultation['slug']}/g/{world.group['id']}/board"


async def test_board_forms_without_javascript(browser):
    world, _author, items, url = await facilitator_world(browser)
    page = await browser.get(url)
    assert page.status_code == 200 and "Pas encore dans un thème" in text_of(page.text)
    response = await browser.post(f"{url}/themes", {"title": "Locaux", "contributions": [str(items[0]), str(items[1])]})
    assert response.status_code == 303 and response.headers["location"].endswith("/board#board")
    theme = await Theme.select(Theme.id).first()
    assert [row["theme"] for row in await Contribution.select(Contribution.theme).order_by(Contribution.id)] == [theme["id"], theme["id"], None]
    # The keyboard path: a card's "Move to" menu.
    assert (await browser.post(f"{url}/place", {"contributions": str(items[2]), "theme": str(theme["id"])})).status_code == 303
    assert await Contribution.count().where(Contribution.theme == theme["id"]) == 3
    page = text_of((await browser.get(url)).text)
    assert "a créé le thème « Locaux »" in page and "a déplacé 1 contribution vers « Locaux »" in page
    last = await BoardAction.select(BoardAction.id).order_by(BoardAction.id, ascending=False).first()
    assert (await browser.post(f"{url}/undo/{last['id']}")).status_code == 303
    assert await Contribution.count().where(Contribution.theme == theme["id"]) == 2


async def test_board_fragment_for_fetch_and_problem_on_error(browser):
    world, _author, items, url = await facilitator_world(browser)
    response = await browser.post(f"{url}/themes", {"title": "Communs", "contributions": str(items[0])}, fetch=True)
    assert response.status_code == 200 and "<html" not in response.text and "Communs" in response.text
    refused = await browser.post(f"{url}/themes", {"title": ""}, fetch=True)
    assert refused.status_code == 422 and refused.headers["content-type"].startswith("application/problem+json")
    assert refused.json()["errors"]["title"] == "Ce champ est obligatoire."
    assert await Theme.count() == 1


async def test_board_errors_are_pages_with_reasons(browser):
    world, _author, items, url = await facilitator_world(browser)
    response = await browser.post(f"{url}/place", {"contributions": str(items[0]), "theme": "999999"})
    assert response.status_code == 404 and "Ce thème n’existe pas" in text_of(response.text)
    response = await browser.post(f"{url}/contributions/{items[0]}/duplicate", {"of": str(items[0])})
    assert response.status_code == 409
    response = await browser.post(f"{url}/themes", {"title": "x" * 141})
    assert response.status_code == 422 and "140" in text_of(response.text)
    assert await Theme.count() == 0 and await BoardAction.count() == 0


async def test_participants_and_visitors_cannot_reach_the_board(browser, new_browser):
    world = await make_world()
    slug = world.consultation["slug"]
    url = f"/c/{slug}/g/{world.group['id']}/board"
    await browser.join(slug, world.token)
    assert (await browser.get(url)).status_code == 403
    assert (await browser.post(f"{url}/themes", {"title": "Pirate"})).status_code == 403
    visitor = await new_browser()
    assert (await visitor.get(url)).status_code == 401
    assert await Theme.count() == 0


async def test_participants_see_themes_and_combined_support_on_the_group_page(browser, new_browser):
    world, _author, items, url = await facilitator_world(browser, 4)
    both = await make_participant(world, "Les deux")
    await votes.cast(both, items[0])
    await votes.cast(both, items[2])
    await board.create_theme(world.facilitator, world.group["id"], {"title": "Foncier", "summary": "Des *locaux*"}, items[:1])
    await board.mark_duplicate(world.facilitator, items[2], items[0])
    reader = await new_browser()
    page = (await reader.get(f"/c/{world.consultation['slug']}/g/{world.group['id']}")).text
    text = text_of(page)
    assert "Thème : Foncier" in text and "<em>locaux</em>" in page
    assert "Pas encore dans un thème" in text
    assert "Soutien combiné : 1 personne" in text  # voted for both, counted once
    foncier = text[text.index("Thème : Foncier"):text.index("Pas encore dans un thème")]
    assert "Idée 0" in foncier and "Idée 2" in foncier and "Idée 1" not in foncier


async def test_suggestions_preview_and_accept_one(browser):
    world = await make_world()
    author = await make_participant(world, "Autrice")
    texts = [
        "Créer une monnaie locale complémentaire",
        "Lancer une monnaie locale pour le commerce de proximité",
        "Une monnaie locale acceptée par les commerces",
        "Former les élus à l'économie sociale et solidaire",
        "Des formations ESS pour les élus municipaux",
        "Former les élus et les agents à l'ESS",
    ]
    for text in texts:
        await make_contribution(world, author, text)
    await browser.login(world.email, PASSWORD)
    url = f"/c/{world.consultation['slug']}/g/{world.group['id']}/board"
    page = await browser.get(f"{url}?suggest=group")
    assert page.status_code == 200 and "Regroupements suggérés" in text_of(page.text)
    assert "Accepter ce thème" in text_of(page.text)
    import re

    fields = dict(re.findall(r'name="(title-\d+)" value="([^"]*)"', page.text))
    ids = re.findall(r'name="ids-0" value="(\d+)"', page.text)
    assert fields and len(ids) >= 2
    response = await browser.post(f"{url}/suggestions", {"only": "0", "title-0": "Monnaie et formation", "ids-0": ids, **{k: v for k, v in fields.items() if k != "title-0"}})
    assert response.status_code == 303
    theme = await Theme.select(Theme.id, Theme.title).first()
    assert theme["title"] == "Monnaie et formation"
    assert await Contribution.count().where(Contribution.theme == theme["id"]) == len(ids)


async def test_consultation_wide_suggestion_brings_a_ticked_contribution_from_another_group(browser):
    import re

    from concerto.contributions import services as contributions
    from concerto.groups import services as groups

    world = await make_world()
    author = await make_participant(world, "Autrice")
    other = await groups.create(world.consultation, world.facilitator, {"title": "Commerce", "vote_budget": 5, "voting_open": True})
    mine = [
        await make_contribution(world, author, "Créer une monnaie locale complémentaire"),
        await make_contribution(world, author, "Lancer une monnaie locale pour le commerce de proximité"),
        await make_contribution(world, author, "Former les élus à l'économie sociale et solidaire"),
    ]
    theirs = await contributions.create(author, other, {"title": "Une monnaie locale acceptée par les commerces", "kind": "acquis", "body": ""})
    stays = await contributions.create(author, other, {"title": "Monnaie locale : un bureau de change dans chaque mairie", "kind": "acquis", "body": ""})
    await browser.login(world.email, PASSWORD)
    url = f"/c/{world.consultation['slug']}/g/{world.group['id']}/board"
    page = await browser.get(f"{url}?suggest=consultation")
    assert "Commerce" in text_of(page.text) and "déplacer dans ce groupe" in text_of(page.text)
    index = re.search(rf'name="bring-(\d+)" value="{theirs}"', page.text).group(1)
    assert f'value="{theirs}" checked' not in page.text  # offered, never ticked for the facilitator
    ids = re.findall(rf'name="ids-{index}" value="(\d+)"', page.text)
    assert ids and set(map(int, ids)) <= set(mine)
    response = await browser.post(
        f"{url}/suggestions", {"only": index, f"title-{index}": "Monnaie locale", f"ids-{index}": ids, f"bring-{index}": str(theirs)}
    )
    assert response.status_code == 303
    theme = await Theme.select(Theme.id).where(Theme.title == "Monnaie locale").first()
    rows = {row["id"]: row for row in await Contribution.select(Contribution.id, Contribution.working_group, Contribution.theme)}
    assert rows[theirs] == {"id": theirs, "working_group": world.group["id"], "theme": theme["id"]}
    assert rows[stays] == {"id": stays, "working_group": other["id"], "theme": None}  # not ticked: not moved
    page = text_of((await browser.get(url)).text)
    assert "Une monnaie locale acceptée par les commerces" in page
    # Nonsense in the form: a clear French answer, nothing stored.
    before = await BoardAction.count()
    for bad in ("abc", "-1", "99999999999999999999", str(mine[0])):
        response = await browser.post(f"{url}/suggestions", {"only": "0", "title-0": "Rien", "bring-0": bad})
        assert 400 <= response.status_code < 500, (bad, response.status_code)
        assert "contribution" in text_of(response.text).lower()
    assert await BoardAction.count() == before


async def test_likely_duplicates_panel_and_dismissal(browser):
    world = await make_world()
    author = await make_participant(world, "Autrice")
    first = await make_contribution(world, author, "Ouvrir une épicerie solidaire dans le quartier nord")
    second = await make_contribution(world, author, "Une épicerie solidaire pour le quartier nord")
    await make_contribution(world, author, "Former les élus à la commande publique responsable")
    await browser.login(world.email, PASSWORD)
    url = f"/c/{world.consultation['slug']}/g/{world.group['id']}/board"
    page = text_of((await browser.get(f"{url}?duplicates=1")).text)
    assert "Doublons probables" in page and "Similarité" in page and "épicerie solidaire" in page
    assert (await browser.post(f"{url}/dismiss", {"first": str(first), "second": str(second)})).status_code == 303
    page = text_of((await browser.get(f"{url}?duplicates=1")).text)
    assert "Plus de doublon probable" in page


async def test_board_changes_are_streamed_to_listeners(database, settings):
    world = await make_world()
    async with listening(settings, [events.group_channel(world.group["id"])]) as listener:
        action = await board.create_theme(world.facilitator, world.group["id"], {"title": "En direct"})
        assert await listener.events() == [{"type": "board", "action": action, "group": world.group["id"]}]


async def test_suggestion_and_similar_api(browser, new_browser):
    world = await make_world()
    author = await make_participant(world, "Autrice")
    monnaie = await make_contribution(world, author, "Créer une monnaie locale complémentaire")
    await make_contribution(world, author, "Lancer une monnaie locale pour les commerces de proximité")
    await make_contribution(world, author, "Former les élus à l'économie sociale et solidaire")
    base = f"/consultations/{world.consultation['slug']}"
    participant = await new_browser()
    await participant.join(world.consultation["slug"], world.token, "Lecteur")
    found = (await participant.api("GET", f"{base}/similar", params={"text": "une monnaie locale pour le quartier", "group": world.group["id"]})).json()
    assert found and found[0]["title"].startswith(("Créer une monnaie", "Lancer une monnaie")) and {"votes", "score"} <= set(found[0])
    assert monnaie in [item["id"] for item in found]
    assert (await participant.api("GET", f"{base}/similar", params={"text": "court"})).json() == []
    assert (await participant.api("GET", f"{base}/groups/{world.group['id']}/suggestions")).status_code == 403
    await browser.login(world.email, PASSWORD)
    themes = (await browser.api("GET", f"{base}/groups/{world.group['id']}/suggestions")).json()
    assert any(len(theme["items"]) == 2 and "monnaie" in theme["label"] for theme in themes)
    pairs = (await browser.api("GET", f"{base}/groups/{world.group['id']}/likely-duplicates")).json()
    assert pairs and {pairs[0]["first"]["id"], pairs[0]["second"]["id"]} <= {item["id"] for item in found}
    ids = [item["id"] for item in themes[0]["items"]]
    refused = await browser.api(
        "POST", f"{base}/groups/{world.group['id']}/suggestions", {"clusters": [{"title": "Monnaie", "ids": [], "bring": [monnaie]}]}
    )
    assert refused.status_code == 422 and refused.headers["content-type"].startswith("application/problem+json")
    assert "autres groupes" in refused.json()["detail"] + json.dumps(refused.json().get("errors", ""), ensure_ascii=False)
    accepted = await browser.api("POST", f"{base}/groups/{world.group['id']}/suggestions", {"clusters": [{"title": "Monnaie locale", "ids": ids}]})
    assert accepted.status_code == 201 and await Theme.count() == 1
