"""The participant and facilitator journeys through HTML forms (no JavaScript)."""

from __future__ import annotations

import re

from concerto.tables import Comment, Consultation, Contribution, Meeting, Participant, Vote, WorkingGroup
from tests.browser import text_of
from tests.factories import PASSWORD, make_contribution, make_participant, make_world


async def test_participant_journey(browser):
    world = await make_world(budget=2)
    slug = world.consultation["slug"]
    group_url = f"/c/{slug}/g/{world.group['id']}"

    page = await browser.get(f"/c/{slug}/join/{world.token}")
    assert page.status_code == 200 and "Rejoindre la consultation" in text_of(page.text)
    await browser.join(slug, world.token, "Camille", "Régie de quartier")
    home = await browser.get(f"/c/{slug}")
    assert "Camille" in text_of(home.text)

    for kind, title in (("acquis", "Garder le forum annuel"), ("enjeu", "Créer une foncière solidaire")):
        response = await browser.post(f"{group_url}/contributions", {"kind": kind, "title": title, "body": "**Vite**"})
        assert response.status_code == 303
    page = await browser.get(group_url)
    text = text_of(page.text)
    assert "Garder le forum annuel" in text and "Créer une foncière solidaire" in text
    assert "<strong>Vite</strong>" in page.text

    acquis = await Contribution.select(Contribution.id).where(Contribution.title == "Garder le forum annuel").first()
    response = await browser.post(f"/c/{slug}/contributions/{acquis['id']}/vote", {"action": "cast", "next": group_url})
    assert response.status_code == 303 and response.headers["location"] == f"{group_url}#contribution-{acquis['id']}"
    page = await browser.get(group_url)
    assert "Il vous reste 1 vote sur 2" in text_of(page.text)
    assert await Vote.count() == 1

    contribution_url = f"/c/{slug}/contributions/{acquis['id']}"
    response = await browser.post(f"{contribution_url}/comments", {"body": "Bonne idée"})
    assert response.status_code == 303
    parent = await Comment.select(Comment.id).first()
    response = await browser.post(f"{contribution_url}/comments", {"body": "Je précise", "parent_id": parent["id"]})
    assert response.status_code == 303
    page = await browser.get(contribution_url)
    assert "Bonne idée" in page.text and "Je précise" in page.text
    reply = await Comment.select(Comment.depth, Comment.parent).where(Comment.body == "Je précise").first()
    assert reply == {"depth": 2, "parent": parent["id"]}


async def test_edit_and_withdraw_own_contribution(browser):
    world = await make_world()
    slug = world.consultation["slug"]
    await browser.join(slug, world.token, "Camille")
    await browser.post(f"/c/{slug}/g/{world.group['id']}/contributions", {"kind": "enjeu", "title": "Avant"})
    item = await Contribution.select(Contribution.id).first()
    url = f"/c/{slug}/contributions/{item['id']}"
    assert (await browser.post(f"{url}/edit", {"title": "Après", "body": "Détails"})).status_code == 303
    assert await Contribution.select(Contribution.title, Contribution.body).first() == {"title": "Après", "body": "Détails"}
    assert (await browser.post(f"{url}/withdraw")).status_code == 303
    assert (await Contribution.select(Contribution.status).first())["status"] == "withdrawn"


async def test_cannot_edit_someone_elses_contribution(browser):
    world = await make_world()
    author = await make_participant(world, "Autrice")
    item = await make_contribution(world, author, "Original")
    slug = world.consultation["slug"]
    await browser.join(slug, world.token, "Intrus")
    response = await browser.post(f"/c/{slug}/contributions/{item}/edit", {"title": "Piraté"})
    assert response.status_code == 403
    assert "Vous ne pouvez modifier que vos propres contributions" in text_of(response.text)
    assert (await Contribution.select(Contribution.title).first())["title"] == "Original"
    assert (await browser.post(f"/c/{slug}/contributions/{item}/withdraw")).status_code == 403
    assert (await Contribution.select(Contribution.status).first())["status"] == "published"


async def test_contribution_form_errors_are_shown_in_french_and_nothing_is_stored(browser):
    world = await make_world()
    slug = world.consultation["slug"]
    await browser.join(slug, world.token)
    url = f"/c/{slug}/g/{world.group['id']}/contributions"
    cases = [
        ({"kind": "acquis", "title": ""}, "Ce champ est obligatoire"),
        ({"kind": "acquis", "title": "x" * 201}, "200"),
        ({"kind": "inconnu", "title": "Titre"}, "Type de contribution inconnu"),
        ({"title": "Titre"}, "acquis"),
        ({"kind": "enjeu", "title": "Titre", "body": "y" * 5001}, "5"),
        ({"kind": "enjeu", "title": "Titre\x00"}, "caractère"),
    ]
    for data, expected in cases:
        response = await browser.post(url, data)
        assert response.status_code == 422, (data, response.status_code)
        assert expected in text_of(response.text), (data, text_of(response.text)[:500])
        # What was typed comes back in the form.
        if data.get("title") and "\x00" not in data["title"]:
            assert data["title"][:20] in response.text
    assert await Contribution.count() == 0


async def test_comment_form_errors_come_back_on_the_page_and_nothing_is_stored(browser):
    world = await make_world()
    author = await make_participant(world, "Autrice")
    item = await make_contribution(world, author, "Une idée")
    slug = world.consultation["slug"]
    await browser.join(slug, world.token, "Camille")
    url = f"/c/{slug}/contributions/{item}/comments"
    for data, expected in (({"body": "   "}, "Ce champ est obligatoire"), ({"body": "z" * 5001}, "5")):
        response = await browser.post(url, data)  # used to answer 500
        assert response.status_code == 422, (data, response.status_code)
        assert expected in text_of(response.text) and "Une idée" in text_of(response.text)
    response = await browser.post(url, {"body": "Réponse à rien", "parent_id": "999999"})
    assert response.status_code in (404, 422) and "Réponse à rien" in response.text  # what was typed comes back
    assert await Comment.count() == 0


async def test_closed_phases_and_budget_are_refused_with_a_message(browser):
    world = await make_world(budget=1, contributions_open=False)
    slug = world.consultation["slug"]
    await browser.join(slug, world.token)
    response = await browser.post(f"/c/{slug}/g/{world.group['id']}/contributions", {"kind": "acquis", "title": "Tard"})
    assert response.status_code == 409 and "contributions sont closes" in text_of(response.text)
    assert await Contribution.count() == 0


async def test_vote_budget_exhausted_answers_409(browser):
    world = await make_world(budget=1)
    author = await make_participant(world, "Autrice")
    items = [await make_contribution(world, author, f"Idée {n}") for n in range(2)]
    slug = world.consultation["slug"]
    await browser.join(slug, world.token)
    assert (await browser.post(f"/c/{slug}/contributions/{items[0]}/vote", {"action": "cast"})).status_code == 303
    response = await browser.post(f"/c/{slug}/contributions/{items[1]}/vote", {"action": "cast"})
    assert response.status_code == 409
    assert "utilisé" in text_of(response.text)
    assert await Vote.count() == 1


async def test_forms_without_csrf_token_are_refused(browser):
    world = await make_world()
    slug = world.consultation["slug"]
    await browser.get("/")
    response = await browser.client.post(
        f"/c/{slug}/join/{world.token}", data={"display_name": "Sans jeton"}, follow_redirects=False
    )
    assert response.status_code == 403
    assert "Rechargez la page" in text_of(response.text)
    assert await Participant.count().where(Participant.display_name == "Sans jeton") == 0


async def test_markdown_cannot_inject_html_or_scripts(browser):
    world = await make_world()
    slug = world.consultation["slug"]
    await browser.join(slug, world.token, "<img src=x onerror=alert(1)>")
    body = "<script>alert('x')</script> [clic](javascript:alert(1)) <b onmouseover=x>gras</b>"
    await browser.post(f"/c/{slug}/g/{world.group['id']}/contributions", {"kind": "acquis", "title": "<i>titre</i>", "body": body})
    item = await Contribution.select(Contribution.id).first()
    for url in (f"/c/{slug}/g/{world.group['id']}", f"/c/{slug}/contributions/{item['id']}"):
        page = (await browser.get(url)).text
        assert "<script>alert" not in page and "<b onmouseover" not in page and "<i>titre</i>" not in page
        assert 'href="javascript:' not in page and "<img src=x" not in page
        assert "&lt;script&gt;" in page


async def test_wrong_invitation_token_and_closed_consultation(browser):
    world = await make_world()
    slug = world.consultation["slug"]
    response = await browser.post(f"/c/{slug}/join/mauvais-jeton", {"display_name": "Camille"})
    assert response.status_code == 403 and "invitation" in text_of(response.text)
    assert await Participant.count().where(Participant.display_name == "Camille") == 0
    response = await browser.post(f"/c/{slug}/join/{world.token}", {"display_name": "  "})
    assert response.status_code == 422 and "obligatoire" in text_of(response.text)


async def test_draft_consultations_are_invisible_to_participants(browser, new_browser):
    world = await make_world(status="draft")
    slug = world.consultation["slug"]
    assert (await browser.get(f"/c/{slug}")).status_code == 404
    facilitator = await new_browser()
    await facilitator.login(world.email, PASSWORD)
    assert (await facilitator.get(f"/c/{slug}")).status_code == 200


async def test_unknown_and_out_of_range_ids_are_not_errors(browser):
    world = await make_world()
    slug = world.consultation["slug"]
    for url, status in (
        (f"/c/{slug}/g/999999", 404),
        (f"/c/{slug}/g/99999999999999999999", 400),
        (f"/c/{slug}/contributions/0", 400),
        (f"/c/{slug}/contributions/abc", 404),
        ("/c/inconnue", 404),
        (f"/c/{slug}/g/{world.group['id']}?sort=x&page=-4&per_page=abc", 200),
        (f"/c/{slug}/contributions/{2**40}/edit", 400),
    ):
        response = await browser.get(url)
        assert response.status_code == status, (url, response.status_code)
        assert "<html" in response.text


async def test_facilitator_sets_up_and_moderates(browser, new_browser):
    world = await make_world()
    slug = world.consultation["slug"]
    await browser.login(world.email, PASSWORD)
    dashboard = await browser.get(f"/c/{slug}/facilitation")
    assert dashboard.status_code == 200
    invite = re.search(r'id="invite-url"[^>]*value="([^"]+)"', dashboard.text).group(1)
    assert invite.endswith(f"/c/{slug}/join/{world.token}")

    base = f"/c/{slug}/facilitation"
    assert (await browser.post(f"{base}/groups", {"title": "Former et sensibiliser", "vote_budget": "3"})).status_code == 303
    assert (await browser.post(f"{base}/meetings", {"title": "Atelier", "kind": "atelier", "date": "2026-10-15", "attendance": "27", "place": "Tiers-lieu"})).status_code == 303
    assert await Meeting.select(Meeting.attendance).first() == {"attendance": 27}
    response = await browser.post(f"{base}/meetings", {"title": "", "kind": "fête", "date": "demain", "attendance": "-3"})
    assert response.status_code == 422 and await Meeting.count() == 1
    text = text_of(response.text)
    assert "obligatoire" in text and "date" in text.lower()

    assert (await browser.post(f"{base}/groups/{world.group['id']}/phases", {"voting_open": "0"})).status_code == 303
    assert (await WorkingGroup.select(WorkingGroup.voting_open).where(WorkingGroup.id == world.group["id"]).first()) == {"voting_open": False}

    author = await make_participant(world, "Autrice")
    item = await make_contribution(world, author, "À masquer")
    assert (await browser.post(f"/c/{slug}/contributions/{item}/moderate", {"action": "hide"})).status_code == 303
    visitor = await new_browser()
    group_page = await visitor.get(f"/c/{slug}/g/{world.group['id']}")
    assert "À masquer" not in group_page.text
    assert "À masquer" in (await browser.get(f"/c/{slug}/g/{world.group['id']}")).text
    assert (await browser.post(f"/c/{slug}/contributions/{item}/moderate", {"action": "restore"})).status_code == 303
    assert "À masquer" in (await visitor.get(f"/c/{slug}/g/{world.group['id']}")).text

    response = await browser.post(f"{base}/settings", {"title": "Nouveau titre", "summary": "", "status": "closed"})
    assert response.status_code == 303
    assert (await Consultation.select(Consultation.status).where(Consultation.slug == slug).first())["status"] == "closed"


async def test_participants_cannot_use_facilitator_pages(browser):
    world = await make_world()
    slug = world.consultation["slug"]
    await browser.join(slug, world.token)
    assert (await browser.get(f"/c/{slug}/facilitation")).status_code == 403
    response = await browser.post(f"/c/{slug}/facilitation/groups", {"title": "Pirate"})
    assert response.status_code == 403
    assert await WorkingGroup.count() == 1


async def test_language_switch_to_english(browser):
    world = await make_world()
    slug = world.consultation["slug"]
    assert "Groupes de travail" in (await browser.get(f"/c/{slug}")).text
    response = await browser.post("/language", {"lang": "en", "next": f"/c/{slug}"})
    assert response.status_code == 303
    assert "Working groups" in (await browser.get(f"/c/{slug}")).text


async def test_group_page_paginates_past_fifty(browser):
    world = await make_world()
    author = await make_participant(world, "Autrice")
    for n in range(55):
        await make_contribution(world, author, f"Idée numéro {n:02d}")
    slug = world.consultation["slug"]
    first = text_of((await browser.get(f"/c/{slug}/g/{world.group['id']}?sort=newest")).text)
    second = text_of((await browser.get(f"/c/{slug}/g/{world.group['id']}?sort=newest&page=2")).text)
    assert "Idée numéro 54" in first and "Idée numéro 04" not in first
    assert "Idée numéro 04" in second and "Page 2 sur 2" in second


async def test_group_page_follows_every_change(browser, new_browser):
    """The group page may be cached (SQLite): every kind of change must show at once."""
    from concerto.board import services as board
    from concerto.comments import services as comments
    from concerto.contributions import services as contributions
    from concerto.groups import services as groups
    from concerto.votes import services as votes

    world = await make_world(budget=0)
    author = await make_participant(world, "Autrice")
    voter = await make_participant(world, "Votant")
    slug = world.consultation["slug"]
    url = f"/c/{slug}/g/{world.group['id']}"
    reader = await new_browser()

    async def page() -> str:
        return text_of((await reader.get(url)).text)

    first = await make_contribution(world, author, "Première idée")
    assert "Première idée" in await page()
    await page()  # served twice: the second may come from the cache
    await votes.cast(voter, first)
    assert "1 soutien" in await page()
    await comments.add(voter, first, {"body": "D'accord"})
    assert "1 commentaire" in await page()
    await contributions.update(author, first, {"title": "Idée reformulée"})
    assert "Idée reformulée" in await page()
    second = await make_contribution(world, author, "Deuxième idée")
    assert "Deuxième idée" in await page()
    await contributions.moderate(world.facilitator, second, "hide")
    assert "Deuxième idée" not in await page()
    await board.create_theme(world.facilitator, world.group["id"], {"title": "Foncier"}, [first])
    assert "Thème : Foncier" in await page()
    other = await groups.create(world.consultation, world.facilitator, {"title": "Autre groupe"})
    await board.move_to_group(world.facilitator, first, other["id"])
    assert "Idée reformulée" not in await page()
    await consultations_rename(world)
    assert "Points forts" in await page()


async def consultations_rename(world) -> None:
    from concerto.consultations import services as consultations

    await consultations.rename_kinds(world.consultation, world.facilitator, {"acquis": "Points forts"})
