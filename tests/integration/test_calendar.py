"""The calendar through pages, the API and archives; contributions prepared in a draft; titles of 200 characters."""

from __future__ import annotations

from concerto.archive.export import export_consultation
from concerto.archive.importer import import_consultation
from concerto.archive.schema import dumps, parse
from concerto.consultations import services as consultations
from concerto.tables import Contribution, Meeting
from tests.browser import text_of
from tests.factories import PASSWORD, make_world
from tests.integration.api_support import joined, ok, problem, scope, signed_in, stored


async def test_the_api_takes_kinds_of_ones_own_several_days_and_steps_without_a_date(new_browser):
    world = await make_world()
    facilitator = await signed_in(new_browser, world.email)
    path = f"{scope(world)}/meetings"
    later = ok(await facilitator.api("POST", path, {"title": "Poursuite de la concertation", "when": "mars-avril 2015", "kind": "Concertation partenaires"}), 201)
    assert (later["date"], later["end_date"], later["when"], later["kind"], later["kind_label"]) == (
        None, None, "mars-avril 2015", "Concertation partenaires", "Concertation partenaires"
    )
    days = ok(await facilitator.api("POST", path, {"title": "Concertation des acteurs", "date": "2015-01-26", "end_date": "2015-01-30", "kind": "Comité"}), 201)
    assert (days["date"], days["end_date"], days["kind"]) == ("2015-01-26", "2015-01-30", "comite")
    assert [m["title"] for m in ok(await facilitator.api("GET", path))] == ["Concertation des acteurs", "Poursuite de la concertation"]

    before = await stored()
    neither = problem(await facilitator.api("POST", path, {"title": "Quand ?"}), 422, "invalid-input")
    assert set(neither["errors"]) == {"date"}
    backwards = problem(await facilitator.api("PATCH", f"{path}/{days['id']}", {"end_date": "2015-01-20"}), 422, "invalid-input")
    assert set(backwards["errors"]) == {"end_date"}
    cleared = problem(await facilitator.api("PATCH", f"{path}/{days['id']}", {"date": None, "end_date": None}), 422, "invalid-input")
    assert set(cleared["errors"]) == {"date"}
    problem(await facilitator.api("POST", path, {"title": "Trop", "when": "w" * 61}), 422, "invalid-input")
    assert await stored() == before
    ok(await facilitator.api("PATCH", f"{path}/{days['id']}", {"date": None, "end_date": None, "when": "fin janvier"}))
    assert (await Meeting.select(Meeting.date, Meeting.when).where(Meeting.id == days["id"]).first()) == {"date": None, "when": "fin janvier"}


async def test_the_meeting_forms_offer_kinds_and_refuse_bad_dates_in_french(browser):
    world = await make_world()
    slug = world.consultation["slug"]
    await browser.login(world.email, PASSWORD)
    base = f"/c/{slug}/facilitation"
    added = await browser.post(f"{base}/meetings", {"title": "Comité métropolitain", "kind": "comité métropolitain de l'ESS", "date": "2014-12-10"})
    assert added.status_code == 303
    await browser.post(f"{base}/meetings", {"title": "Assises de l'ESS", "kind": "", "date": "", "when": "octobre"})
    dashboard = await browser.get(base)
    assert '<option value="comité métropolitain de l&#39;ESS">' in dashboard.text and '<option value="atelier">' in dashboard.text
    text = text_of(dashboard.text)
    assert "10 décembre 2014 — Comité métropolitain" in text and "octobre — Assises de l'ESS" in text

    before = await Meeting.count()
    refused = await browser.post(f"{base}/meetings", {"title": "Concertation", "date": "2015-01-30", "end_date": "2015-01-26"})
    assert refused.status_code == 422 and await Meeting.count() == before
    assert "2015-01-26" in refused.text  # what was typed comes back
    meeting_id = (await Meeting.select(Meeting.id).where(Meeting.title == "Comité métropolitain").first())["id"]
    form = await browser.get(f"{base}/meetings/{meeting_id}")
    assert 'value="comité métropolitain de l&#39;ESS"' in form.text and 'value="2014-12-10"' in form.text
    refused = await browser.post(f"{base}/meetings/{meeting_id}", {"title": "Comité métropolitain", "date": "", "when": ""})
    assert refused.status_code == 422
    assert (await Meeting.select(Meeting.date).where(Meeting.id == meeting_id).first())["date"] is not None
    home = text_of((await browser.get(f"/c/{slug}")).text)
    assert "octobre — Assises de l'ESS" in home


async def test_the_restitution_page_shows_the_calendar_without_empty_columns(browser):
    world = await make_world()
    for data in (
        {"title": "Comité métropolitain de l'ESS", "kind": "comite", "date": "2014-12-10"},
        {"title": "Délibération du plan d'action", "when": "septembre"},
    ):
        await consultations.add_meeting(world.consultation, world.facilitator, data)
    await browser.login(world.email, PASSWORD)
    page = await browser.get(f"/c/{world.consultation['slug']}/facilitation/restitution/draft/html")
    assert page.status_code == 200
    calendar = page.text[page.text.index('id="calendar"'):]
    calendar = calendar[: calendar.index("</table>")]
    assert "<th scope=\"col\">Date</th>" in calendar and "Lieu" not in calendar and "Contributions" not in calendar
    assert "10 décembre 2014" in calendar and "septembre · " in calendar and 'class="upcoming"' in calendar


async def test_archives_carry_the_new_calendar_fields(database):
    world = await make_world()
    for data in (
        {"title": "Concertation", "kind": "Concertation partenaires", "date": "2015-01-26", "end_date": "2015-01-30"},
        {"title": "Suite", "when": "fin avril"},
    ):
        await consultations.add_meeting(world.consultation, world.facilitator, data)
    first = dumps(await export_consultation(world.consultation["slug"]))
    archive = parse(first)
    assert [(m["kind"], m["date"], m["end_date"], m["when"]) for m in archive["meetings"]] == [
        ("Concertation partenaires", "2015-01-26", "2015-01-30", ""), ("rencontre", None, None, "fin avril")
    ]
    imported = await import_consultation(parse(first), slug="copie")
    rows = await consultations.meetings(imported["id"])
    assert [(row["title"], row["when"], row["end_date"] is not None) for row in rows] == [("Concertation", "", True), ("Suite", "fin avril", False)]
    # An archive of an older version (no end_date, no when) still imports; an entry with neither date nor words does not.
    old = parse(first)
    for meeting in old["meetings"]:
        del meeting["end_date"], meeting["when"]
    old["meetings"] = old["meetings"][:1]
    assert (await import_consultation(old, slug="ancienne"))["slug"] == "ancienne"
    bad = parse(first)
    bad["meetings"][1]["when"] = ""
    count = await Meeting.count()
    try:
        await import_consultation(bad, slug="refusee")
    except Exception as error:  # noqa: BLE001 - the importer's own error type is checked by its message
        assert "meetings[1]" in str(error)
    else:
        raise AssertionError("an undated entry without words was imported")
    assert await Meeting.count() == count


async def test_facilitators_propose_in_a_draft_and_participants_wait(browser, new_browser):
    world = await make_world()
    participant = await joined(new_browser, world)
    await consultations.update(world.consultation, world.facilitator, {"status": "draft"})
    facilitator = await signed_in(new_browser, world.email)
    path = f"{scope(world)}/groups/{world.group['id']}/contributions"
    created = ok(await facilitator.api("POST", path, {"kind": "enjeu", "title": "t" * 200}), 201)
    assert len(created["title"]) == 200
    page = await facilitator.get(f"/c/{world.consultation['slug']}/g/{world.group['id']}")
    assert 'id="contribution-form"' in page.text and 'maxlength="200"' in page.text
    assert (await facilitator.post(f"/c/{world.consultation['slug']}/g/{world.group['id']}/contributions", {"kind": "acquis", "title": "Préparée"})).status_code == 303
    problem(await participant.api("POST", path, {"kind": "acquis", "title": "Trop tôt"}), 404, "not-found")
    assert await Contribution.count() == 2
