"""The live workshop over HTTP: control panel, wall, poster, short join link, personal link, retried writes."""

from __future__ import annotations

import datetime as dt
import re

from concerto import db
from concerto.contributions import services as contributions
from concerto.groups import services as groups
from concerto.live import services as live
from concerto.tables import Consultation, Contribution, PhaseSchedule, WorkingGroup
from tests.browser import text_of
from tests.factories import PASSWORD, make_contribution, make_participant, make_world
from tests.integration.api_support import joined, ok, problem, scope, signed_in, stored


async def _phases() -> list[tuple[bool, bool]]:
    rows = await WorkingGroup.select(WorkingGroup.contributions_open, WorkingGroup.voting_open).order_by(WorkingGroup.id)
    return [(row["contributions_open"], row["voting_open"]) for row in rows]


async def test_control_panel_steers_every_group_at_once(browser):
    world = await make_world()
    await groups.create(world.consultation, world.facilitator, {"title": "Financer"})
    await browser.login(world.email, PASSWORD)
    base = f"/c/{world.consultation['slug']}/facilitation/live"
    page = text_of((await browser.get(base)).text)
    assert "Pilotage en direct" in page and "Ouvertes" in page and "Fermés" in page  # voting closed in the new group
    assert (await browser.post(f"{base}/phases", {"group": "all", "voting_open": "1"})).status_code == 303
    assert await _phases() == [(True, True), (True, True)]
    assert (await browser.post(f"{base}/phases", {"group": "all", "contributions_open": "0"})).status_code == 303
    assert await _phases() == [(False, True), (False, True)]
    assert (await browser.post(f"{base}/phases", {"group": str(world.group["id"]), "contributions_open": "1"})).status_code == 303
    assert await _phases() == [(True, True), (False, True)]
    page = text_of((await browser.get(base)).text)
    assert "Phases mises à jour." in page


async def test_control_panel_refuses_nonsense_in_french_and_changes_nothing(browser):
    world = await make_world()
    await browser.login(world.email, PASSWORD)
    base = f"/c/{world.consultation['slug']}/facilitation/live"
    before = await _phases()
    for path, form in (
        ("/phases", {"group": "all", "voting_open": "peut-être"}),
        ("/phases", {"group": "99999", "voting_open": "0"}),
        ("/phases", {"group": "all"}),
        ("/steps/start", {"group": "all", "step": "7"}),
        ("/timer", {"group": "all", "minutes": "5"}),  # no countdown running
        ("/schedules", {"group": "all", "phase": "voting", "open": "1", "at": "demain"}),
        ("/schedules", {"group": "all", "phase": "votes", "open": "1", "at": "2027-01-01T10:00"}),
        ("/steps", {"kind_0": "contribute", "minutes_0": "-3"}),
    ):
        response = await browser.post(base + path, form)
        assert 400 <= response.status_code < 500, (path, form, response.status_code)
        assert "Pilotage en direct" in text_of(response.text) or response.status_code == 404
    assert await _phases() == before and await PhaseSchedule.count() == 0


async def test_a_step_opens_its_phases_with_a_countdown_that_can_close_them(browser):
    world = await make_world()
    await browser.login(world.email, PASSWORD)
    base = f"/c/{world.consultation['slug']}/facilitation/live"
    response = await browser.post(f"{base}/steps/start", {"group": "all", "step": "1", "close_on_time": "1"})  # vote, 10 min
    assert response.status_code == 303
    group = await WorkingGroup.select().where(WorkingGroup.id == world.group["id"]).first()
    assert (group["step"], group["contributions_open"], group["voting_open"]) == (1, False, True)
    length = group["timer_ends_at"] - group["timer_started_at"]
    assert length == dt.timedelta(minutes=10)
    [closing] = await PhaseSchedule.select().where(PhaseSchedule.source == "timer")
    assert (closing["phase"], closing["open"], closing["at"]) == ("voting", False, group["timer_ends_at"])
    # Five more minutes: the automatic closing moves with the countdown.
    assert (await browser.post(f"{base}/timer", {"group": "all", "minutes": "5"})).status_code == 303
    [moved] = await PhaseSchedule.select(PhaseSchedule.at).where(PhaseSchedule.source == "timer")
    assert moved["at"] == group["timer_ends_at"] + dt.timedelta(minutes=5)
    page = text_of((await browser.get(f"/c/{world.consultation['slug']}/g/{world.group['id']}")).text)
    assert "Étape 2 sur 3 : Voter" in page.replace("\u00a0", " ")
    # When the time comes, the scheduler closes voting, once.
    assert await live.run_due(moved["at"] + dt.timedelta(seconds=1)) == 1
    assert await live.run_due(moved["at"] + dt.timedelta(seconds=2)) == 0
    assert await _phases() == [(False, False)]
    # Next step: discuss.
    assert (await browser.post(f"{base}/steps/start", {"group": "all", "step": "next"})).status_code == 303
    assert (await WorkingGroup.select(WorkingGroup.step).first())["step"] == 2
    again = await browser.post(f"{base}/steps/start", {"group": "all", "step": "next"})
    assert again.status_code == 409 and "dernière étape" in text_of(again.text)
    assert (await browser.post(f"{base}/timer", {"group": "all", "stop": "1"})).status_code == 303
    assert (await WorkingGroup.select(WorkingGroup.timer_ends_at).first())["timer_ends_at"] is None


async def test_the_sequence_of_steps_is_edited_and_shorter_ones_leave_groups_without_a_step(browser):
    world = await make_world()
    await browser.login(world.email, PASSWORD)
    base = f"/c/{world.consultation['slug']}/facilitation/live"
    await browser.post(f"{base}/steps/start", {"group": "all", "step": "2"})
    form = {"kind_0": "vote", "minutes_0": "3", "kind_1": "", "minutes_1": "", "kind_2": "discuss", "minutes_2": "0"}
    assert (await browser.post(f"{base}/steps", form)).status_code == 303
    assert await live.steps_of(world.consultation["id"]) == [{"kind": "vote", "minutes": 3}, {"kind": "discuss", "minutes": 0}]
    assert (await WorkingGroup.select(WorkingGroup.step).first())["step"] is None


async def test_scheduled_changes_for_all_groups_are_applied_once_and_can_be_cancelled(browser):
    world = await make_world()
    await groups.create(world.consultation, world.facilitator, {"title": "Financer"})
    await browser.login(world.email, PASSWORD)
    base = f"/c/{world.consultation['slug']}/facilitation/live"
    soon = (dt.datetime.now(dt.timezone.utc) + dt.timedelta(hours=2)).astimezone().strftime("%Y-%m-%dT%H:%M")
    for phase in ("contributions", "voting"):
        response = await browser.post(f"{base}/schedules", {"group": "all", "phase": phase, "open": "0", "at": soon})
        assert response.status_code == 303
    page = text_of((await browser.get(base)).text)
    assert "fermer les contributions — tous les groupes" in page
    first, second = await PhaseSchedule.select(PhaseSchedule.id, PhaseSchedule.at).order_by(PhaseSchedule.id)
    assert (await browser.post(f"{base}/schedules/{second['id']}/cancel", {})).status_code == 303
    assert (await browser.post(f"{base}/schedules/{second['id']}/cancel", {})).status_code == 404
    assert await live.run_due(db.now()) == 0  # not yet
    assert await live.run_due(first["at"] + dt.timedelta(seconds=1)) == 1
    assert await _phases() == [(False, True), (False, False)]


async def test_only_facilitators_steer(new_browser):
    world = await make_world()
    participant = await joined(new_browser, world, "Curieux")
    base = f"/c/{world.consultation['slug']}/facilitation/live"
    assert (await participant.get(base)).status_code == 403
    assert (await participant.post(f"{base}/phases", {"group": "all", "voting_open": "0"})).status_code == 403
    assert (await participant.get(f"/c/{world.consultation['slug']}/wall")).status_code == 403
    refused = problem(await participant.api("POST", f"{scope(world)}/live/phases", {"voting_open": False}), 403, "forbidden")
    assert "animation" in refused["detail"]
    assert await _phases() == [(True, True)]


async def test_the_live_api(new_browser):
    world = await make_world()
    facilitator = await signed_in(new_browser, world.email)
    path = f"{scope(world)}/live"
    overview = ok(await facilitator.api("GET", path))
    assert [step["kind"] for step in overview["steps"]] == ["contribute", "vote", "discuss"]
    assert overview["groups"][0]["step"] is None and overview["schedules"] == []
    changed = ok(await facilitator.api("POST", f"{path}/phases", {"group": world.group["id"], "voting_open": False}))
    assert [(g["id"], g["voting_open"]) for g in changed] == [(world.group["id"], False)]
    started = ok(await facilitator.api("POST", f"{path}/steps/start", {"step": 0, "close_on_time": True}))
    assert started[0]["step"] == {"index": 0, "kind": "contribute", "number": 1, "of": 3} and started[0]["timer_ends_at"]
    assert ok(await facilitator.api("GET", path))["schedules"][0]["source"] == "timer"
    assert ok(await facilitator.api("POST", f"{path}/timer", {"minutes": -1}))[0]["timer_ends_at"]
    assert ok(await facilitator.api("DELETE", f"{path}/timer", params={"group": "all"}))[0]["timer_ends_at"] is None
    steps = ok(await facilitator.api("PUT", f"{path}/steps", [{"kind": "vote", "minutes": 5}]))
    assert steps == [{"kind": "vote", "minutes": 5}]
    schedule = ok(await facilitator.api("POST", f"{path}/schedules", {"phase": "voting", "open": True, "at": "2027-03-14T10:45:00+01:00"}), 201)
    assert schedule["group_id"] is None and schedule["at"].startswith("2027-03-14T09:45")
    ok(await facilitator.api("DELETE", f"{path}/schedules/{schedule['id']}"), 204)
    before = await stored()
    refused = problem(await facilitator.api("PUT", f"{path}/steps", [{"kind": "dance", "minutes": 5}]), 400, "bad-request")
    assert refused["detail"]
    problem(await facilitator.api("PUT", f"{path}/steps", []), 422, "invalid-input")
    problem(await facilitator.api("POST", f"{path}/schedules", {"phase": "voting", "open": True, "at": "1999-01-01T10:00"}), 422, "invalid-input")
    assert await stored() == before


async def test_the_wall_shows_published_contributions_and_the_join_code(browser):
    world = await make_world()
    author = await make_participant(world, "Autrice")
    shown = await make_contribution(world, author, "Une monnaie locale", "enjeu")
    hidden = await make_contribution(world, author, "Un texte masqué")
    await contributions.moderate(world.facilitator, hidden, "hide")
    await browser.login(world.email, PASSWORD)
    for path in (f"/c/{world.consultation['slug']}/g/{world.group['id']}/wall", f"/c/{world.consultation['slug']}/wall"):
        response = await browser.get(path + "?votes=1&authors=0")
        page = text_of(response.text)
        assert response.status_code == 200 and "Une monnaie locale" in page and "Un texte masqué" not in page
        assert f'id="contribution-{shown}"' in response.text and "show-votes" in response.text and "hide-authors" in response.text
        assert '<svg role="img" aria-label="QR code pour rejoindre la consultation' in response.text
        code = (await Consultation.select(Consultation.join_code).first())["join_code"]
        assert f"/j/{code}" in page


async def test_the_short_join_link_and_the_poster(browser, new_browser):
    world = await make_world()
    code = (await Consultation.select(Consultation.join_code).first())["join_code"]
    assert re.fullmatch(r"[A-Z2-9]{6}", code)
    visitor = await new_browser()
    response = await visitor.client.get(f"/j/{code.lower()}", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == f"/c/{world.consultation['slug']}/join/{world.token}"
    wrong = await visitor.client.get("/j/NOPE42")
    assert wrong.status_code == 404 and "code d’invitation n’est pas valable" in text_of(wrong.text)
    await browser.login(world.email, PASSWORD)
    poster = await browser.get(f"/c/{world.consultation['slug']}/facilitation/poster")
    assert poster.status_code == 200 and "Participez à la consultation" in text_of(poster.text) and "<svg" in poster.text
    assert (await browser.post(f"/c/{world.consultation['slug']}/facilitation/invitation", {})).status_code == 303
    assert (await visitor.client.get(f"/j/{code}")).status_code == 404  # replaced with the invitation
    dashboard = text_of((await browser.get(f"/c/{world.consultation['slug']}/facilitation")).text)
    assert "Toute personne qui a le lien d’invitation peut rejoindre la consultation à nouveau" in dashboard


async def test_a_personal_link_gives_back_ones_place_on_another_browser(new_browser):
    world = await make_world()
    phone = await new_browser()
    await phone.join(world.consultation["slug"], world.token, "Inès")
    page = await phone.get(f"/c/{world.consultation['slug']}/me")
    url = re.search(r'id="return-url" type="text" readonly value="([^"]+)"', page.text).group(1)
    assert "/return/" in url and "<svg" in page.text
    laptop = await new_browser()
    response = await laptop.client.get(url.replace("http://testserver.local", ""))
    assert "Bon retour, Inès" in text_of(response.text) and "Vous participez sous le nom Inès" in text_of(response.text)
    assert (await phone.post(f"/c/{world.consultation['slug']}/me/replace", {})).status_code == 303
    stranger = await new_browser()
    refused = await stranger.client.get(url.replace("http://testserver.local", ""))
    assert refused.status_code == 403 and "lien personnel n’est pas valable" in text_of(refused.text)


async def test_a_retried_post_is_stored_once_through_the_api_and_the_form(new_browser):
    world = await make_world()
    participant = await joined(new_browser, world, "Inès")
    path = f"{scope(world)}/groups/{world.group['id']}/contributions"
    body = {"kind": "acquis", "title": "Un tiers-lieu par quartier"}
    first = ok(await participant.api("POST", path, body, headers={"idempotency-key": "abcdefgh-123"}), 201)
    again = ok(await participant.api("POST", path, body, headers={"idempotency-key": "abcdefgh-123"}), 201)
    assert first["id"] == again["id"] and await Contribution.count() == 1
    vote = f"{scope(world)}/contributions/{first['id']}/vote"
    assert ok(await participant.api("PUT", vote, headers={"idempotency-key": "vote-0001"}))["votes"] == 1
    assert ok(await participant.api("DELETE", vote, headers={"idempotency-key": "vote-0002"}))["votes"] == 0
    assert ok(await participant.api("PUT", vote, headers={"idempotency-key": "vote-0001"}))["votes"] == 0  # late retry
    bad = problem(await participant.api("POST", path, body, headers={"idempotency-key": "x"}), 422, "invalid-input")
    assert "clé de requête" in bad["detail"]
    form = {"kind": "enjeu", "title": "Une cantine solidaire", "request_key": "form-key-0001"}
    url = f"/c/{world.consultation['slug']}/g/{world.group['id']}/contributions"
    assert (await participant.post(url, form)).status_code == 303
    assert (await participant.post(url, form)).status_code == 303  # the same form sent twice
    assert await Contribution.count() == 2


async def test_a_closed_phase_sends_the_typed_text_back(browser):
    world = await make_world()
    await browser.join(world.consultation["slug"], world.token, "Inès")
    await groups.update(world.consultation, world.facilitator, world.group["id"], {"contributions_open": False})
    url = f"/c/{world.consultation['slug']}/g/{world.group['id']}"
    response = await browser.post(f"{url}/contributions", {"kind": "acquis", "title": "Mon idée précieuse", "body": "Tout un paragraphe"})
    assert response.status_code == 409
    assert "Les contributions sont closes dans ce groupe de travail." in text_of(response.text)
    assert 'value="Mon idée précieuse"' in response.text and "Tout un paragraphe</textarea>" in response.text
    assert "data-closed" in response.text and await Contribution.count() == 0
