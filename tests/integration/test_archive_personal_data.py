"""Archives and personal data: what an archive says it holds, anonymised participants kept so, older archives still read."""

from __future__ import annotations

import copy
import json

import pytest

from concerto.archive import ArchiveError
from concerto.archive.export import export_consultation
from concerto.archive.importer import import_consultation
from concerto.archive.schema import dumps
from concerto.comments import services as comments
from concerto.consultations import personal_data
from concerto.consultations import services as consultations
from concerto.restitution import services as restitution
from concerto.tables import Consultation, Participant
from concerto.votes import services as votes
from tests.factories import make_contribution, make_world
from tests.integration.api_support import stored
from tests.unit.test_personal_data import anonymous, join


async def consultation_with_an_anonymous_participant():
    world = await make_world(budget=0)
    alice = await join(world, "Alice Martin", "Coopérative Alizé")
    bruno = await join(world, "Bruno Petit", "Mairie de Lunel")
    local = await make_contribution(world, alice, "Un tiers-lieu")
    lease = await make_contribution(world, bruno, "Des baux solidaires", kind="enjeu")
    await votes.cast(alice, lease)
    await votes.cast(bruno, local)
    await comments.add(alice, lease, {"body": "Oui"})
    await consultations.update(world.consultation, world.facilitator, {"show_organisations": True})
    await restitution.update(world.consultation, world.facilitator, {"show_authors": True})
    await restitution.publish(world.consultation, world.facilitator)
    await personal_data.anonymise(world.consultation, world.facilitator, alice.participant_id)
    return world


async def test_an_archive_says_what_personal_data_it_holds_and_keeps_anonymous_people_anonymous(database):
    world = await consultation_with_an_anonymous_participant()
    slug = world.consultation["slug"]
    archive = await export_consultation(slug)

    assert archive["version"] == 3
    assert archive["consultation"]["show_organisations"] is True
    contains = archive["contains"]
    assert {key: value for key, value in contains.items() if key != "summary"} == {
        "personal_data": ["names", "organisations", "texts", "votes", "dates"],
        "participants": 3,
        "anonymised_participants": 1,
        "contributions": 2,
        "comments": 1,
        "votes": 2,
    }
    assert contains["summary"]["en"].startswith("This archive holds personal data of 3 participants (1 anonymised): names, organisations,")
    assert "no account, e-mail address, password" in contains["summary"]["en"]
    assert contains["summary"]["fr"].startswith("Cette archive contient des données personnelles de 3 participants (dont 1 anonymisé) : les noms, les organisations,")
    people = {p["id"]: p for p in archive["participants"]}
    [hidden] = [p for p in people.values() if p["anonymised_at"] is not None]
    assert (hidden["display_name"], hidden["organisation"]) == ("", "")
    text = dumps(archive).decode()
    assert "Alice" not in text and "Alizé" not in text
    assert "Bruno Petit" in text  # the others are still there

    # Through an import, the anonymous participant stays so, and exporting again gives the same file.
    first = dumps(archive)
    await Consultation.delete().where(Consultation.slug == slug)
    imported = await import_consultation(json.loads(first))
    assert imported["show_organisations"] is True
    assert dumps(await export_consultation(slug)) == first
    [row] = await Participant.select(Participant.display_name, Participant.anonymised_at).where(
        (Participant.consultation == imported["id"]) & Participant.anonymised_at.is_not_null()
    )
    assert row["display_name"] == "" and row["anonymised_at"] is not None
    document = await restitution.version(imported["id"], 1)
    assert {item.title: item.author for g in document.groups for t in g.themes for item in t.acquis + t.enjeux} == {
        "Un tiers-lieu": anonymous(),
        "Des baux solidaires": "Bruno Petit",
    }


async def test_a_pseudonymised_archive_says_it_holds_no_names(database):
    world = await consultation_with_an_anonymous_participant()
    archive = await export_consultation(world.consultation["slug"], pseudonymise=True)
    assert archive["contains"]["personal_data"] == ["texts", "votes", "dates"]
    assert "no account" in archive["contains"]["summary"]["en"] and "names" not in archive["contains"]["summary"]["en"]
    names = sorted(p["display_name"] for p in archive["participants"])
    assert names == ["", "Participant 1", "Participant 2"]  # the anonymised one (archive id 3) stays nameless
    [version] = archive["restitution_versions"]
    authors = {item["title"]: item["author"] for g in version["document"]["groups"] for t in g["themes"] for item in t["acquis"] + t["enjeux"]}
    assert authors == {"Un tiers-lieu": anonymous(), "Des baux solidaires": "Participant 2"}
    text = dumps(archive).decode()
    assert "Bruno" not in text and "Lunel" not in text


def as_version_1(archive: dict) -> dict:
    """The archive as Concerto wrote it before version 2 (no personal-data fields)."""
    old = copy.deepcopy(archive)
    old["version"] = 1
    del old["contains"]
    del old["consultation"]["show_organisations"]
    for person in old["participants"]:
        del person["anonymised_at"]
    return old


async def test_archives_of_version_1_still_import(database):
    world = await make_world()
    alice = await join(world, "Alice Martin", "Coopérative Alizé")
    await make_contribution(world, alice, "Un tiers-lieu")
    archive = await export_consultation(world.consultation["slug"])
    old = as_version_1(archive)

    imported = await import_consultation(old, slug="copie-v1")

    assert imported["show_organisations"] is False
    again = await export_consultation("copie-v1")
    assert again == {**archive, "consultation": {**archive["consultation"], "slug": "copie-v1"}}


@pytest.mark.parametrize(
    ("name", "change", "expected"),
    [
        ("no contains in version 2", lambda a: a.pop("contains"), "object missing required field `contains` (required in version 2)"),
        ("no setting in version 2", lambda a: a["consultation"].pop("show_organisations"), "consultation: object missing required field `show_organisations`"),
        ("no anonymised_at in version 2", lambda a: a["participants"][1].pop("anonymised_at"), "participants[1]: object missing required field `anonymised_at`"),
        ("wrong count", lambda a: a["contains"].update(participants=7), "contains.participants: says 7, but the archive holds 3"),
        ("wrong anonymised count", lambda a: a["contains"].update(anonymised_participants=0), "contains.anonymised_participants: says 0"),
        ("unknown kind", lambda a: a["contains"]["personal_data"].append("health"), "contains.personal_data[5]: invalid enum value 'health'"),
        ("a name comes back", lambda a: [p.update(display_name="Alice") for p in a["participants"] if p["anonymised_at"]], "an anonymised participant has no name"),
        ("version 0", lambda a: a.update(version=0), "the archive format version 0 does not exist (this Concerto reads versions 1, 2, 3)"),
    ],
)
async def test_archives_that_misdescribe_their_personal_data_are_refused(database, name, change, expected):
    world = await consultation_with_an_anonymous_participant()
    good = await export_consultation(world.consultation["slug"])
    before = await stored()
    bad = copy.deepcopy(good)
    change(bad)
    with pytest.raises(ArchiveError) as refused:
        await import_consultation(bad, slug="refusee")
    assert expected in str(refused.value), (name, str(refused.value))
    assert await stored() == before
