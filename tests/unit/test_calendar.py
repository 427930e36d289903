"""The calendar: kinds of one's own, entries of several days, future steps without a date, and how restitutions show them."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from concerto import i18n
from concerto.consultations import services as consultations
from concerto.contributions import services as contributions
from concerto.errors import Conflict, Invalid
from concerto.labels import date_span, meeting_kind_code, meeting_kind_label
from concerto.restitution import services as restitution
from concerto.restitution.build import labels
from concerto.restitution.exporters import get as get_exporter
from concerto.restitution.exporters._shared import calendar_numeric_from, calendar_table, calendar_widths
from concerto.restitution.model import Document, Figures, MeetingRow
from concerto.tables import Contribution, Meeting
from tests.factories import make_participant, make_world

FROM_TO_FR = "du %(start)s au %(end)s"


def test_built_in_kinds_are_recognised_in_any_language_and_case():
    assert [meeting_kind_code(text) for text in ("Comité", "committee", "COMITE", "Réunion publique", "webinar", "Restitution")] == [
        "comite", "comite", "comite", "reunion-publique", "webinaire", "restitution"
    ]
    assert meeting_kind_code("Comité métropolitain") is None
    # The facilitators' own words are shown as typed, never looked up in the catalog.
    assert meeting_kind_label("Title") == "Title" and meeting_kind_label("atelier") == "atelier"


def test_dates_of_several_days_are_written_out():
    day = dt.date
    assert date_span(day(2014, 12, 10), None, "fr", FROM_TO_FR) == "10 décembre 2014"
    assert date_span(day(2015, 1, 26), day(2015, 1, 30), "fr", FROM_TO_FR) == "du 26 au 30 janvier 2015"
    assert date_span(day(2015, 1, 26), day(2015, 2, 3), "fr", FROM_TO_FR) == "du 26 janvier au 3 février 2015"
    assert date_span(day(2014, 12, 30), day(2015, 1, 2), "fr", FROM_TO_FR) == "du 30 décembre 2014 au 2 janvier 2015"
    assert date_span(day(2015, 1, 26), day(2015, 1, 26), "fr", FROM_TO_FR) == "26 janvier 2015"
    # Month before day: the start keeps its month.
    assert date_span(day(2015, 1, 26), day(2015, 1, 30), "en", "from %(start)s to %(end)s") == "from January 26 to January 30, 2015"


async def test_entries_need_a_date_or_words_and_an_end_after_their_start(database):
    world = await make_world()
    add = lambda data: consultations.add_meeting(world.consultation, world.facilitator, data)  # noqa: E731
    with pytest.raises(Invalid) as refused:
        await add({"title": "Poursuite de la concertation", "date": "", "when": ""})
    assert set(refused.value.fields) == {"date"}
    with pytest.raises(Invalid) as refused:
        await add({"title": "Concertation", "date": "2015-01-30", "end_date": "2015-01-26"})
    assert set(refused.value.fields) == {"end_date"}
    with pytest.raises(Invalid) as refused:
        await add({"title": "Concertation", "when": "fin janvier", "end_date": "2015-01-30"})
    assert set(refused.value.fields) == {"end_date"}
    with pytest.raises(Invalid) as refused:
        await add({"title": "Concertation", "when": "w" * 61, "kind": "k" * 61, "end_date": "30/01/2015"})
    assert set(refused.value.fields) == {"when", "kind", "end_date"}
    assert await Meeting.count() == 0

    dated = await add({"title": "Concertation des acteurs", "kind": "Atelier", "date": "2015-01-26", "end_date": "2015-01-30"})
    # Clearing the date of an entry without words is refused; with words it is a future step.
    with pytest.raises(Invalid) as refused:
        await consultations.update_meeting(world.consultation, world.facilitator, dated, {"date": "", "end_date": ""})
    assert set(refused.value.fields) == {"date"}
    with pytest.raises(Invalid):
        await consultations.update_meeting(world.consultation, world.facilitator, dated, {"end_date": "2015-01-20"})
    row = await consultations.meeting(world.consultation["id"], dated)
    assert (row["kind"], row["date"], row["end_date"], row["when"]) == ("atelier", dt.date(2015, 1, 26), dt.date(2015, 1, 30), "")


async def test_the_calendar_lists_dated_entries_by_date_then_future_steps_as_added(database):
    world = await make_world()
    for data in (
        {"title": "Poursuite de la concertation", "when": "mars-avril 2015", "kind": "concertation partenaires"},
        {"title": "Restitution des quatre groupes", "date": "2015-02-11", "kind": "restitution"},
        {"title": "Présentation au Comité métropolitain", "when": " fin   avril ", "kind": "comité"},
        {"title": "Comité métropolitain de l'ESS", "date": "2014-12-10", "kind": "Comité métropolitain"},
    ):
        await consultations.add_meeting(world.consultation, world.facilitator, data)
    rows = await consultations.meetings(world.consultation["id"])
    assert [(row["title"], row["kind"], row["when"]) for row in rows] == [
        ("Comité métropolitain de l'ESS", "Comité métropolitain", ""),
        ("Restitution des quatre groupes", "restitution", ""),
        ("Poursuite de la concertation", "concertation partenaires", "mars-avril 2015"),
        ("Présentation au Comité métropolitain", "comite", "fin avril"),
    ]
    suggestions = await consultations.meeting_kind_suggestions(world.consultation["id"])
    assert suggestions[: len(consultations.MEETING_KINDS)] == [meeting_kind_label(code) for code in consultations.MEETING_KINDS]
    assert suggestions[len(consultations.MEETING_KINDS):] == ["Comité métropolitain", "concertation partenaires"]


def _calendar_document(calendar: list[MeetingRow]) -> Document:
    words = labels()
    words.sentences = {**words.sentences, "from_to": FROM_TO_FR, "upcoming": "À venir"}
    return Document(
        title="Plan ESS", slug="ess", subtitle="Restitution", date=dt.date(2015, 2, 11), version=None, language="fr",
        labels=words, introduction="", context="", calendar=calendar,
        figures=Figures(0, 0, 0, 0, 0, 0, 0, 0, []), groups=[], next_steps="",
    )


SEED_CALENDAR = [
    MeetingRow(dt.date(2014, 12, 10), "validation des enjeux du plan 2015-2020", "Comité métropolitain de l'ESS", "", None, 0, ""),
    MeetingRow(dt.date(2015, 1, 26), "concertation des acteurs", "Concertation", "", None, 0, "", end_date=dt.date(2015, 1, 30)),
    MeetingRow(dt.date(2015, 2, 11), "restitution des quatre groupes de travail", "Restitution", "", None, 0, ""),
    MeetingRow(None, "poursuite de la concertation partenaires", "Concertation", "", None, 0, "", when="mars-avril 2015", upcoming=True),
    MeetingRow(dt.date(2015, 6, 15), "présentation aux élus", "Rencontre", "", None, 0, "", when="juin", upcoming=True),
]


def test_the_seed_calendar_keeps_only_the_columns_it_fills():
    document = _calendar_document(SEED_CALENDAR)
    head, rows = calendar_table(document)
    assert head == ["Date", "Rendez-vous"]
    assert [row[0] for row in rows] == [
        "10 décembre 2014", "du 26 au 30 janvier 2015", "11 février 2015", "mars-avril 2015 · À venir", "juin · À venir"
    ]
    assert rows[0][1] == "Comité métropolitain de l'ESS — validation des enjeux du plan 2015-2020"
    assert calendar_numeric_from(document) == 2 and sum(calendar_widths(document)) == pytest.approx(1)
    markdown = get_exporter("md").render(document).decode()
    assert "| 10 décembre 2014 | Comité métropolitain de l'ESS — validation des enjeux du plan 2015-2020 |" in markdown
    html = get_exporter("html").render(document).decode()
    assert '<tr class="upcoming">' in html and "Participants présents" not in html and ">Lieu<" not in html
    for name in ("docx", "odt", "pdf"):
        assert get_exporter(name).render(document)  # widths and number columns follow the columns kept


def test_columns_come_back_when_some_entry_fills_them():
    calendar = [dataclasses.replace(SEED_CALENDAR[0], place="Hôtel de la Métropole"), dataclasses.replace(SEED_CALENDAR[2], attendance=0)]
    head, rows = calendar_table(_calendar_document(calendar))
    assert head == ["Date", "Rendez-vous", "Lieu", "Participants présents"]
    assert rows[1][2:] == ["", "0"]
    calendar[0].contributions = 4
    head, rows = calendar_table(_calendar_document(calendar))
    assert head[-1] == "Contributions" and [row[-1] for row in rows] == ["4", "0"]


def test_versions_published_before_keep_reading():
    old = _calendar_document(SEED_CALENDAR[:1]).to_dict()
    for key in ("end_date", "when", "upcoming"):
        del old["calendar"][0][key]
    row = Document.from_dict(old).calendar[0]
    assert (row.date, row.end_date, row.when, row.upcoming) == (dt.date(2014, 12, 10), None, "", False)
    again = Document.from_dict(_calendar_document(SEED_CALENDAR).to_dict())
    assert again.calendar == SEED_CALENDAR


async def test_the_restitution_marks_steps_to_come(database):
    world = await make_world()
    today = dt.date.today()
    for data in (
        {"title": "Atelier passé", "date": (today - dt.timedelta(days=3)).isoformat(), "end_date": today.isoformat(), "place": "Lille"},
        {"title": "Comité à venir", "date": (today + dt.timedelta(days=30)).isoformat(), "kind": "comité de pilotage ESS"},
        {"title": "Délibération", "when": "septembre"},
    ):
        await consultations.add_meeting(world.consultation, world.facilitator, data)
    person = await make_participant(world)
    await contributions.create(person, world.group, {"title": "Une idée du jour", "kind": "acquis"})
    document = await restitution.draft(world.consultation, world.facilitator)
    assert [(row.title, row.kind, row.upcoming, row.contributions) for row in document.calendar] == [
        ("Atelier passé", "Rencontre", False, 1),
        ("Comité à venir", "Comité de pilotage ESS", True, 0),
        ("Délibération", "Rencontre", True, 0),
    ]
    assert document.labels.sentences["upcoming"] == i18n.gettext("Upcoming")
    head, rows = calendar_table(document)
    assert head == ["Date", "Rendez-vous", "Lieu", "Contributions"]
    assert rows[2][0] == f"septembre · {i18n.gettext('Upcoming')}"


async def test_titles_up_to_200_characters(database):
    world = await make_world()
    person = await make_participant(world)
    long_id = await contributions.create(person, world.group, {"title": "t" * 200, "kind": "enjeu"})
    assert len((await Contribution.select(Contribution.title).where(Contribution.id == long_id).first())["title"]) == 200
    with pytest.raises(Invalid) as refused:
        await contributions.create(person, world.group, {"title": "t" * 201, "kind": "enjeu"})
    assert set(refused.value.fields) == {"title"}
    assert await Contribution.count() == 1


async def test_facilitators_prepare_contributions_while_the_consultation_is_a_draft(database):
    world = await make_world()
    person = await make_participant(world)
    await consultations.update(world.consultation, world.facilitator, {"status": "draft"})
    facilitator = world.facilitator
    prepared = await contributions.create(facilitator, world.group, {"title": "Un guichet unique", "kind": "enjeu"})
    await contributions.update(facilitator, prepared, {"title": "Un guichet unique pour les projets"})
    with pytest.raises(Conflict):
        await contributions.create(person, world.group, {"title": "Trop tôt", "kind": "acquis"})
    assert [row["title"] for row in await Contribution.select(Contribution.title)] == ["Un guichet unique pour les projets"]
    await consultations.update(world.consultation, world.facilitator, {"status": "closed"})
    with pytest.raises(Conflict):
        await contributions.create(facilitator, world.group, {"title": "Trop tard", "kind": "acquis"})

