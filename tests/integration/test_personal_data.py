"""A participant's personal data over HTTP: download, erasure, facilitators anonymising, organisations shown or not."""

from __future__ import annotations

import asyncio
import json
import re

from concerto import i18n
from concerto.board import suggestions
from concerto.clustering import get_engine
from concerto.tables import Contribution, Participant, TextEmbedding, Vote
from tests.browser import Browser, text_of
from tests.factories import World, make_world
from tests.integration.api_support import joined, ok, problem, scope, signed_in, stored


def _(message: str, **params) -> str:
    """A message as the pages show it (French once translated; the English msgid until then)."""
    i18n.set_locale("fr")
    return i18n.gettext(message, **params)


async def me(browser: Browser, world: World) -> dict:
    return ok(await browser.api("GET", f"{scope(world)}/me"))


async def contribute(browser: Browser, world: World, title: str, kind: str = "acquis") -> int:
    body = {"kind": kind, "title": title}
    return ok(await browser.api("POST", f"{scope(world)}/groups/{world.group['id']}/contributions", body), 201)["id"]


async def facilitator_of(new_browser, world: World) -> Browser:
    browser = await new_browser()
    await browser.login(world.email, "correct horse battery")
    return browser


async def test_the_personal_page_offers_the_download_and_the_erasure(new_browser):
    world = await make_world()
    slug = world.consultation["slug"]
    alice = await new_browser()
    await alice.join(slug, world.token, "Alice Martin", "Coopérative Alizé")
    page = text_of((await alice.get(f"/c/{slug}/me")).text)
    assert _("My personal data") in page and _("Download my data (JSON file)") in page and _("Erase my data…") in page
    assert _("Your organisation is seen only by the facilitators.") in page
    html = (await alice.get(f"/c/{slug}/me")).text
    assert f'href="/c/{slug}/me/data" download' in html and f'href="/c/{slug}/me/erase"' in html


async def test_the_download_is_a_json_file_of_ones_own_data_only(new_browser):
    world = await make_world()
    slug = world.consultation["slug"]
    alice = await joined(new_browser, world, "Alice Martin", "Coopérative Alizé")
    bruno = await joined(new_browser, world, "Bruno Petit", "Mairie de Lunel")
    mine = await contribute(alice, world, "Un tiers-lieu")
    theirs = await contribute(bruno, world, "Des baux solidaires", "enjeu")
    ok(await alice.api("PUT", f"{scope(world)}/contributions/{theirs}/vote"))
    ok(await bruno.api("POST", f"{scope(world)}/contributions/{mine}/comments", {"body": "Un avis de Bruno"}), 201)

    response = await alice.get(f"/c/{slug}/me/data")

    assert response.status_code == 200 and response.headers["content-type"].startswith("application/json")
    assert response.headers["content-disposition"] == f'attachment; filename="concerto-{slug}-personal-data.json"'
    assert response.headers["cache-control"] == "no-store"
    data = json.loads(response.content)
    assert (data["format"], data["participant"]["display_name"], data["participant"]["organisation"]) == (
        "concerto-personal-data", "Alice Martin", "Coopérative Alizé"
    )
    assert [c["title"] for c in data["contributions"]] == ["Un tiers-lieu"]
    assert [v["contribution"] for v in data["votes"]] == [{"id": theirs, "title": "Des baux solidaires"}]
    assert data["comments"] == []
    for other in ("Bruno", "Lunel", "Un avis de Bruno"):
        assert other not in response.text
    # The API gives the same document.
    through_api = ok(await alice.api("GET", f"{scope(world)}/me/data"))
    assert {key: value for key, value in through_api.items() if key != "generated_at"} == {
        key: value for key, value in data.items() if key != "generated_at"
    }

    visitor = await new_browser()
    assert (await visitor.get(f"/c/{slug}/me/data")).status_code == 401
    problem(await visitor.api("GET", f"{scope(world)}/me/data"), 401, "not-authenticated")
    draft = await make_world(status="draft")
    problem(await alice.api("GET", f"{scope(draft)}/me/data"), 404, "not-found")


async def test_erasing_from_the_pages_asks_first_then_ends_every_session_and_the_personal_link(new_browser):
    world = await make_world()
    slug = world.consultation["slug"]
    phone = await new_browser()
    await phone.join(slug, world.token, "Alice Martin", "Coopérative Alizé")
    bruno = await joined(new_browser, world, "Bruno Petit")
    item = await contribute(phone, world, "Un tiers-lieu")
    ok(await phone.api("PUT", f"{scope(world)}/contributions/{item}/vote"))
    ok(await bruno.api("PUT", f"{scope(world)}/contributions/{item}/vote"))
    link = re.search(r'id="return-url" type="text" readonly value="([^"]+)"', (await phone.get(f"/c/{slug}/me")).text).group(1)
    path = link.replace("http://testserver.local", "")
    laptop = await new_browser()
    await laptop.get(path)
    assert (await me(laptop, world))["display_name"] == "Alice Martin"

    form = await phone.get(f"/c/{slug}/me/erase")
    assert form.status_code == 200
    html = form.text
    assert f"<h1 id=\"erase-title\">{_('Erase my data')}</h1>" in html
    assert "<legend>" in html and 'name="_csrf_token"' in html
    assert 'id="field-contributions" name="contributions" value="anonymise" required' in html
    assert 'name="contributions" value="remove" required' in html
    assert _("Anonymous participant") in text_of(html)
    assert i18n.ngettext(
        "Your %(num)s vote is removed: the figures will no longer count it.",
        "Your %(num)s votes are removed: the figures will no longer count them.",
        1,
    ) in text_of(html)
    before = await stored()
    # Without a choice, or without the CSRF token: refused, nothing changes.
    refused = await phone.post(f"/c/{slug}/me/erase", {})
    assert refused.status_code == 422 and _("Choose what happens to your contributions and comments.") in text_of(refused.text)
    assert '<fieldset class="has-error" aria-describedby="error-contributions">' in refused.text
    assert 'href="#field-contributions"' in refused.text
    no_token = await phone.client.post(f"/c/{slug}/me/erase", data={"contributions": "anonymise"}, follow_redirects=False)
    assert no_token.status_code == 403
    odd = await phone.post(f"/c/{slug}/me/erase", {"contributions": "tout"})
    assert odd.status_code == 422
    assert await stored() == before

    done = await phone.post(f"/c/{slug}/me/erase", {"contributions": "anonymise"})

    assert done.status_code == 303 and done.headers["location"] == f"/c/{slug}"
    home = text_of((await phone.get(f"/c/{slug}")).text)
    assert _("Your personal data is erased. You no longer take part under that name, on any browser.") in home
    assert "Alice Martin" not in home
    for browser in (phone, laptop):
        assert (await me(browser, world))["role"] == "visitor"
        assert (await browser.get(f"/c/{slug}/me")).status_code == 401
    assert (await phone.get(path)).status_code == 403
    group_page = text_of((await bruno.get(f"/c/{slug}/g/{world.group['id']}")).text)
    assert "Un tiers-lieu" in group_page and _("Anonymous participant") in group_page and "Alice" not in group_page
    contribution = ok(await bruno.api("GET", f"{scope(world)}/contributions/{item}"))
    assert (contribution["author_name"], contribution["author_organisation"], contribution["vote"]["votes"]) == (
        _("Anonymous participant"), "", 1
    )
    assert await Vote.count() == 1 and not await Participant.exists().where(Participant.display_name == "Alice Martin")
    # She can join again, as someone new.
    await phone.join(slug, world.token, "Alice")
    assert (await me(phone, world))["display_name"] == "Alice"


async def test_removing_through_the_api_and_its_refusals(new_browser):
    async with suggestions.encoding():  # what the app's lifespan runs: vectors stored after each post
        await _removing_through_the_api_and_its_refusals(new_browser)


async def _removing_through_the_api_and_its_refusals(new_browser):
    world = await make_world()
    alice = await joined(new_browser, world, "Alice Martin")
    bruno = await joined(new_browser, world, "Bruno Petit")
    item = await contribute(alice, world, "Un tiers-lieu")
    ok(await bruno.api("POST", f"{scope(world)}/contributions/{item}/comments", {"body": "Sous sa contribution"}), 201)
    # Her text's sentence vector was stored after the post's answer: it goes with the text.
    for _attempt in range(100):
        if await TextEmbedding.count():
            break
        await asyncio.sleep(0.05)
    assert await TextEmbedding.count() == 1
    facilitator = await signed_in(new_browser, world.email)
    path = f"{scope(world)}/me/erase"
    before = await stored()

    bad = problem(await alice.api("POST", path, {"contributions": "everything"}), 422, "invalid-input")
    assert bad["errors"] == {"contributions": _("Choose what happens to your contributions and comments.")}
    problem(await alice.api("POST", path, {}), 400, "bad-request")
    problem(await alice.api("POST", path, {"contributions": "remove", "votes": "keep"}), 400, "bad-request")
    problem(await alice.api("POST", path, {"contributions": "remove"}, csrf=False), 403, "csrf-failed")
    visitor = await new_browser()
    problem(await visitor.api("POST", path, {"contributions": "remove"}), 401, "not-authenticated")
    refused = problem(await facilitator.api("POST", path, {"contributions": "remove"}), 409, "conflict")
    assert refused["detail"] == _("Facilitators cannot erase their data here: another facilitator first gives you the participant role.")
    assert await stored() == before

    ok(await facilitator.api("GET", f"{scope(world)}/groups/{world.group['id']}/likely-duplicates"))
    done = ok(await alice.api("POST", path, {"contributions": "remove"}))
    assert await TextEmbedding.count() == 0
    assert get_engine().encode.missing(["Un tiers-lieu"]) == ["Un tiers-lieu"]  # nor kept in memory

    assert done == {
        "contributions": "removed", "removed_contributions": 1, "removed_comments": 0,
        "anonymous_contributions": 0, "anonymous_comments": 0, "removed_votes": 0,
    }
    assert (await me(alice, world))["role"] == "visitor"
    assert not await Contribution.exists()
    problem(await bruno.api("GET", f"{scope(world)}/contributions/{item}"), 404, "not-found")
    problem(await alice.api("POST", path, {"contributions": "remove"}), 401, "not-authenticated")


async def test_the_facilitator_page_erasure_is_explained_not_offered(new_browser):
    world = await make_world()
    facilitator = await facilitator_of(new_browser, world)
    page = await facilitator.get(f"/c/{world.consultation['slug']}/me/erase")
    assert page.status_code == 200
    assert _("Facilitators cannot erase their data here: another facilitator first gives you the participant role.") in text_of(page.text)
    assert 'name="contributions"' not in page.text


async def test_facilitators_anonymise_a_participant_from_the_dashboard(new_browser):
    world = await make_world()
    slug = world.consultation["slug"]
    alice = await joined(new_browser, world, "Alice Martin", "Coopérative Alizé")
    alice_id = (await me(alice, world))["participant_id"]
    item = await contribute(alice, world, "Un tiers-lieu")
    ok(await alice.api("PUT", f"{scope(world)}/contributions/{item}/vote"))
    facilitator = await facilitator_of(new_browser, world)
    own_id = (await me(facilitator, world))["participant_id"]
    dashboard = (await facilitator.get(f"/c/{slug}/facilitation")).text
    assert f'href="/c/{slug}/facilitation/participants/{alice_id}/anonymise"' in dashboard
    assert f"/participants/{own_id}/anonymise" not in dashboard  # not offered for facilitators
    assert "Coopérative Alizé" in dashboard  # facilitators see organisations in the list

    confirm = await facilitator.get(f"/c/{slug}/facilitation/participants/{alice_id}/anonymise")
    assert confirm.status_code == 200
    assert _("Anonymise %(name)s", name="Alice Martin") in text_of(confirm.text)
    assert f'action="/c/{slug}/facilitation/participants/{alice_id}/anonymise"' in confirm.text
    before = await stored()
    assert (await alice.post(f"/c/{slug}/facilitation/participants/{alice_id}/anonymise", {})).status_code == 403
    assert (await alice.get(f"/c/{slug}/facilitation/participants/{alice_id}/anonymise")).status_code == 403
    self_refused = await facilitator.post(f"/c/{slug}/facilitation/participants/{own_id}/anonymise", {})
    assert self_refused.status_code == 409 and _("You cannot anonymise yourself.") in text_of(self_refused.text)
    assert (await facilitator.post(f"/c/{slug}/facilitation/participants/999999/anonymise", {})).status_code == 404
    no_token = await facilitator.client.post(f"/c/{slug}/facilitation/participants/{alice_id}/anonymise", follow_redirects=False)
    assert no_token.status_code == 403
    assert await stored() == before

    done = await facilitator.post(f"/c/{slug}/facilitation/participants/{alice_id}/anonymise", {})

    assert done.status_code == 303 and done.headers["location"] == f"/c/{slug}/facilitation#participants"
    dashboard = text_of((await facilitator.get(f"/c/{slug}/facilitation")).text)
    assert "Alice Martin" not in dashboard and "Coopérative Alizé" not in dashboard
    assert _("Anonymous participant") in dashboard
    assert (await me(alice, world))["role"] == "visitor"
    contribution = ok(await facilitator.api("GET", f"{scope(world)}/contributions/{item}"))
    assert (contribution["author_name"], contribution["vote"]["votes"]) == (_("Anonymous participant"), 1)  # her vote stays
    board = text_of((await facilitator.get(f"/c/{slug}/g/{world.group['id']}/board")).text)
    assert _("Anonymous participant") in board and "Alice" not in board


async def test_facilitators_anonymise_through_the_api_within_the_rule(new_browser):
    world = await make_world()
    alice = await joined(new_browser, world, "Alice Martin", "Coopérative Alizé")
    helper = await joined(new_browser, world, "Hélène")
    alice_id, helper_id = (await me(alice, world))["participant_id"], (await me(helper, world))["participant_id"]
    facilitator = await signed_in(new_browser, world.email)
    own_id = (await me(facilitator, world))["participant_id"]
    ok(await facilitator.api("PATCH", f"{scope(world)}/participants/{helper_id}", {"role": "facilitator"}))
    item = await contribute(alice, world, "Un tiers-lieu")
    ok(await alice.api("POST", f"{scope(world)}/contributions/{item}/comments", {"body": "Mon commentaire"}), 201)
    before = await stored()

    problem(await alice.api("POST", f"{scope(world)}/participants/{helper_id}/anonymise"), 403, "forbidden")
    problem(await facilitator.api("POST", f"{scope(world)}/participants/{own_id}/anonymise"), 409, "conflict")
    other = problem(await facilitator.api("POST", f"{scope(world)}/participants/{helper_id}/anonymise"), 409, "conflict")
    assert other["detail"] == _("Facilitators are not anonymised: give them the participant role first.")
    problem(await helper.api("POST", f"{scope(world)}/participants/{own_id}/anonymise"), 409, "conflict")
    problem(await facilitator.api("POST", f"{scope(world)}/participants/999999/anonymise"), 404, "not-found")
    problem(await facilitator.api("POST", f"{scope(world)}/participants/{alice_id}/anonymise", csrf=False), 403, "csrf-failed")
    assert await stored() == before

    row = ok(await facilitator.api("POST", f"{scope(world)}/participants/{alice_id}/anonymise"))

    assert (row["display_name"], row["organisation"], row["role"], row["anonymised_at"] is not None) == ("", "", "participant", True)
    assert row["id"] != alice_id
    listed = ok(await facilitator.api("GET", f"{scope(world)}/participants"))
    assert alice_id not in {p["id"] for p in listed} and row["id"] in {p["id"] for p in listed}
    assert (await me(alice, world))["role"] == "visitor"
    thread = ok(await facilitator.api("GET", f"{scope(world)}/contributions/{item}/comments"))
    assert [t["author_name"] for t in thread["threads"]] == [_("Anonymous participant")]
    listing = ok(await helper.api("GET", f"{scope(world)}/groups/{world.group['id']}/contributions"))
    assert [i["author_name"] for i in listing["columns"][0]["items"]] == [_("Anonymous participant")]
    again = problem(await facilitator.api("POST", f"{scope(world)}/participants/{row['id']}/anonymise"), 409, "conflict")
    assert again["detail"] == _("This participant is already anonymous.")
    problem(await facilitator.api("PATCH", f"{scope(world)}/participants/{row['id']}", {"role": "observer"}), 409, "conflict")


async def test_the_setting_says_whether_organisations_are_shown_everywhere(new_browser):
    world = await make_world()
    slug = world.consultation["slug"]
    facilitator = await facilitator_of(new_browser, world)
    join_page = text_of((await (await new_browser()).get(f"/c/{slug}/join/{world.token}")).text)
    assert _("Seen only by the facilitators: it is not shown next to your name.") in join_page
    alice = await joined(new_browser, world, "Alice Martin", "Coopérative Alizé")
    item = await contribute(alice, world, "Un tiers-lieu")
    reader = await joined(new_browser, world, "Bruno")

    async def shown() -> dict:
        contribution = await reader.get(f"/c/{slug}/contributions/{item}")
        group_page = await reader.get(f"/c/{slug}/g/{world.group['id']}")
        wall = await facilitator.get(f"/c/{slug}/wall")
        api = ok(await reader.api("GET", f"{scope(world)}/contributions/{item}"))
        listing = ok(await reader.api("GET", f"{scope(world)}/groups/{world.group['id']}/contributions"))
        draft = await facilitator.get(f"/c/{slug}/facilitation/restitution/draft/md")
        return {
            "contribution page": "Coopérative Alizé" in contribution.text,
            "group page": "Coopérative Alizé" in group_page.text,
            "wall": "Coopérative Alizé" in wall.text,
            "api": api["author_organisation"],
            "api listing": listing["columns"][0]["items"][0]["author_organisation"],
            "restitution": "Alice Martin (Coopérative Alizé)" in draft.text,
            "setting": ok(await reader.api("GET", scope(world)))["show_organisations"],
        }

    settings = {"title": world.consultation["title"], "summary": "", "status": "open"}
    await facilitator.post(f"/c/{slug}/facilitation/restitution", {"show_authors": "1"})
    assert await shown() == {
        "contribution page": False, "group page": False, "wall": False, "api": "", "api listing": "", "restitution": False, "setting": False,
    }
    assert (await facilitator.post(f"/c/{slug}/facilitation/settings", {**settings, "show_organisations": "1"})).status_code == 303
    assert 'name="show_organisations" value="1" aria-describedby="hint-show_organisations" checked' in (await facilitator.get(f"/c/{slug}/facilitation")).text
    assert await shown() == {
        "contribution page": True, "group page": True, "wall": True,
        "api": "Coopérative Alizé", "api listing": "Coopérative Alizé", "restitution": True, "setting": True,
    }
    join_page = text_of((await (await new_browser()).get(f"/c/{slug}/join/{world.token}")).text)
    assert _("Shown next to your name to everyone who reads the consultation.") in join_page
    # An unticked box is absent from the form: organisations are hidden again.
    assert (await facilitator.post(f"/c/{slug}/facilitation/settings", settings)).status_code == 303
    assert (await shown())["api"] == "" and not (await shown())["group page"]

    # The API sets it too, and refuses anything but a boolean, and anyone but facilitators.
    api_facilitator = await signed_in(new_browser, world.email)
    updated = ok(await api_facilitator.api("PATCH", scope(world), {"show_organisations": True}))
    assert updated["show_organisations"] is True
    before = await stored()
    problem(await api_facilitator.api("PATCH", scope(world), {"show_organisations": "yes"}), 400, "bad-request")
    problem(await reader.api("PATCH", scope(world), {"show_organisations": False}), 403, "forbidden")
    assert await stored() == before
    assert ok(await reader.api("GET", scope(world)))["show_organisations"] is True
