"""JSON API: consultations, joining, kinds, invitation, participants and meetings."""

from __future__ import annotations

import datetime as dt

from concerto.tables import Consultation, ContributionKind, Meeting, Participant
from tests.factories import make_account, make_contribution, make_participant, make_world
from tests.integration.api_support import joined, ok, problem, scope, signed_in, stored

NOT_FACILITATOR = "Seule l’équipe d’animation de la consultation peut faire cela."


async def test_list_shows_open_consultations_and_only_your_own_drafts(browser, new_browser):
    public = await make_world()
    draft = await make_world(status="draft")
    other_draft = await make_world(status="draft")
    slugs = [row["slug"] for row in ok(await browser.api("GET", "/consultations"))]
    assert slugs == [public.consultation["slug"]]
    facilitator = await signed_in(new_browser, draft.email)
    rows = ok(await facilitator.api("GET", "/consultations"))
    assert {row["slug"] for row in rows} == {public.consultation["slug"], draft.consultation["slug"]}
    assert other_draft.consultation["slug"] not in {row["slug"] for row in rows}
    assert set(rows[0]) == {"id", "slug", "title", "summary", "status", "created_at", "show_organisations"}
    assert rows[0]["show_organisations"] is False  # organisations are not shown unless facilitators choose to


async def test_a_signed_in_facilitator_creates_a_draft_consultation(new_browser):
    _account_id, email = await make_account()
    facilitator = await signed_in(new_browser, email)
    created = ok(
        await facilitator.api("POST", "/consultations", {"title": "Budget participatif 2027", "summary": "Où investir ?"}),
        201,
    )
    assert (created["slug"], created["status"], created["summary"]) == ("budget-participatif-2027", "draft", "Où investir ?")
    assert await ContributionKind.count().where(ContributionKind.consultation == created["id"]) == 2
    me = ok(await facilitator.api("GET", "/consultations/budget-participatif-2027/me"))
    assert (me["role"], me["display_name"]) == ("facilitator", "Animatrice")


async def test_creating_a_consultation_is_refused_to_visitors_and_bad_fields(browser, new_browser):
    _account_id, email = await make_account()
    before = await stored()
    refused = problem(await browser.api("POST", "/consultations", {"title": "Sans compte"}), 403, "forbidden")
    assert refused["detail"] == "Connectez-vous pour créer une consultation."
    facilitator = await signed_in(new_browser, email)
    empty = problem(await facilitator.api("POST", "/consultations", {"title": "   "}), 422, "invalid-input")
    assert empty["errors"] == {"title": "Ce champ est obligatoire."}
    assert empty["detail"] == "title: Ce champ est obligatoire."
    huge = problem(await facilitator.api("POST", "/consultations", {"title": "x" * 100_000}), 422, "invalid-input")
    assert huge["errors"]["title"] == "Ce champ est trop long (200 caractères au maximum)."
    status = problem(await facilitator.api("POST", "/consultations", {"title": "Ok", "status": "secret"}), 422, "invalid-input")
    assert status["errors"] == {"status": "Choisissez l’une des options proposées."}
    slug = problem(await facilitator.api("POST", "/consultations", {"title": "Ok", "slug": "Pas Bon!"}), 422, "invalid-input")
    assert slug["errors"] == {"slug": "Utilisez uniquement des lettres minuscules, des chiffres et des tirets."}
    assert await stored() == before


async def test_reading_a_consultation_gives_kinds_groups_with_counts_and_meetings(browser):
    world = await make_world()
    author = await make_participant(world)
    await make_contribution(world, author, "Un", kind="acquis")
    await make_contribution(world, author, "Deux", kind="enjeu")
    await make_contribution(world, author, "Trois", kind="enjeu")
    await Meeting.insert(Meeting(consultation=world.consultation["id"], title="Atelier 1", kind="atelier", date=dt.date(2026, 10, 14)))
    detail = ok(await browser.api("GET", scope(world)))
    assert detail["title"] == world.consultation["title"] and detail["status"] == "open"
    assert [kind["code"] for kind in detail["kinds"]] == ["acquis", "enjeu"]
    assert detail["kinds"][0]["label"] == "Acquis à développer"
    [group] = detail["groups"]
    assert (group["title"], group["counts"], group["contributions"], group["votes"]) == (
        "Entreprendre autrement", {"acquis": 1, "enjeu": 2}, 3, 0
    )
    assert [(m["title"], m["date"], m["attendance"]) for m in detail["meetings"]] == [("Atelier 1", "2026-10-14", None)]


async def test_drafts_and_unknown_consultations_are_not_found(browser, new_browser):
    draft = await make_world(status="draft")
    for path in ("", "/me", "/groups", "/meetings", f"/groups/{draft.group['id']}/contributions"):
        refused = problem(await browser.api("GET", scope(draft) + path), 404, "not-found")
        assert refused["detail"] == "Cette consultation n’existe pas."
    join = await browser.api("POST", f"{scope(draft)}/join", {"token": draft.token, "display_name": "Curieux"})
    problem(join, 404, "not-found")
    assert await Participant.count().where(Participant.consultation == draft.consultation["id"]) == 1
    problem(await browser.api("GET", "/consultations/n-existe-pas"), 404, "not-found")
    problem(await browser.api("GET", "/consultations/" + "x" * 5000), 404, "not-found")
    facilitator = await signed_in(new_browser, draft.email)
    assert ok(await facilitator.api("GET", scope(draft)))["status"] == "draft"


async def test_facilitators_change_settings_and_others_cannot(new_browser):
    world = await make_world()
    other = await make_world()
    participant = await joined(new_browser, world)
    before = await stored()
    refused = problem(await participant.api("PATCH", scope(world), {"title": "Piraté"}), 403, "forbidden")
    assert refused["detail"] == NOT_FACILITATOR
    facilitator = await signed_in(new_browser, world.email)
    taken = problem(
        await facilitator.api("PATCH", scope(world), {"slug": other.consultation["slug"]}), 422, "invalid-input"
    )
    assert taken["errors"] == {"slug": "Cette adresse est déjà utilisée par une autre consultation."}
    wrong_type = problem(await facilitator.api("PATCH", scope(world), {"title": 12}), 400, "bad-request")
    assert wrong_type["errors"] == {"title": "Ce champ doit contenir du texte."}
    assert await stored() == before
    assert (await Consultation.select(Consultation.title).where(Consultation.id == world.consultation["id"]).first())[
        "title"
    ] == world.consultation["title"]
    changed = ok(await facilitator.api("PATCH", scope(world), {"title": "Nouveau titre", "status": "closed"}))
    assert (changed["title"], changed["status"], changed["summary"]) == ("Nouveau titre", "closed", "Pour **tester**.")
    row = await Consultation.select(Consultation.title, Consultation.status).where(Consultation.id == world.consultation["id"]).first()
    assert row == {"title": "Nouveau titre", "status": "closed"}


async def test_joining_remembers_the_participant_like_the_page_does(browser):
    world = await make_world()
    assert ok(await browser.api("GET", f"{scope(world)}/me")) == {"role": "visitor", "participant_id": None, "display_name": ""}
    joined_as = ok(
        await browser.api(
            "POST", f"{scope(world)}/join", {"token": world.token, "display_name": "  Camille ", "organisation": "Régie"}
        ),
        201,
    )
    row = await Participant.select().where(Participant.display_name == "Camille").first()
    assert joined_as == {"role": "participant", "participant_id": row["id"], "display_name": "Camille"}
    assert row["organisation"] == "Régie"
    assert ok(await browser.api("GET", f"{scope(world)}/me")) == joined_as
    # The same session works for the HTML pages.
    page = await browser.get(f"/c/{world.consultation['slug']}")
    assert "Camille" in page.text
    before = await stored()
    again = problem(
        await browser.api("POST", f"{scope(world)}/join", {"token": world.token, "display_name": "Autre"}), 409, "conflict"
    )
    assert again["detail"] == "Vous avez déjà rejoint cette consultation sous le nom Camille."
    assert await stored() == before


async def test_joining_refuses_bad_tokens_names_and_closed_consultations(browser):
    world = await make_world()
    closed = await make_world(status="closed")
    before = await stored()
    path = f"{scope(world)}/join"
    bad_token = problem(await browser.api("POST", path, {"token": "faux", "display_name": "Camille"}), 403, "forbidden")
    assert bad_token["detail"].startswith("Ce lien d’invitation n’est pas valide")
    blank = problem(await browser.api("POST", path, {"token": world.token, "display_name": "  "}), 422, "invalid-input")
    assert blank["errors"] == {"display_name": "Ce champ est obligatoire."}
    missing = problem(await browser.api("POST", path, {"token": world.token}), 400, "bad-request")
    assert missing["errors"] == {"display_name": "Ce champ est obligatoire."}
    long_name = problem(
        await browser.api("POST", path, {"token": world.token, "display_name": "n" * 81}), 422, "invalid-input"
    )
    assert long_name["errors"] == {"display_name": "Ce champ est trop long (80 caractères au maximum)."}
    closed_join = await browser.api("POST", f"{scope(closed)}/join", {"token": closed.token, "display_name": "Camille"})
    assert problem(closed_join, 409, "conflict")["detail"] == "Cette consultation n’est pas ouverte à la participation."
    assert await stored() == before
    assert ok(await browser.api("GET", f"{scope(world)}/me"))["role"] == "visitor"


async def test_facilitators_rename_kinds(new_browser):
    world = await make_world()
    facilitator = await signed_in(new_browser, world.email)
    kinds = ok(await facilitator.api("PATCH", f"{scope(world)}/kinds", {"labels": {"acquis": "Nos réussites"}}))
    assert kinds == [{"code": "acquis", "label": "Nos réussites"}, {"code": "enjeu", "label": "Nouveaux enjeux"}]
    labels = lambda: ContributionKind.select(ContributionKind.label).where(  # noqa: E731
        ContributionKind.consultation == world.consultation["id"]
    ).order_by(ContributionKind.position)
    assert [row["label"] for row in await labels()] == ["Nos réussites", "Nouveaux enjeux"]
    unknown = problem(
        await facilitator.api("PATCH", f"{scope(world)}/kinds", {"labels": {"acquis": "Autre", "idee": "Idées"}}),
        422,
        "invalid-input",
    )
    assert unknown["errors"] == {"label_idee": "Type de contribution inconnu."}
    wrong = problem(await facilitator.api("PATCH", f"{scope(world)}/kinds", {"labels": {"acquis": 3}}), 400, "bad-request")
    assert list(wrong["errors"].values()) == ["Ce champ doit contenir du texte."]
    participant = await joined(new_browser, world)
    refused = problem(await participant.api("PATCH", f"{scope(world)}/kinds", {"labels": {"acquis": "X"}}), 403, "forbidden")
    assert refused["detail"] == NOT_FACILITATOR
    assert [row["label"] for row in await labels()] == ["Nos réussites", "Nouveaux enjeux"]


async def test_invitation_link_can_be_read_and_rotated_by_facilitators(browser, new_browser):
    world = await make_world()
    facilitator = await signed_in(new_browser, world.email)
    invitation = ok(await facilitator.api("GET", f"{scope(world)}/invitation"))
    assert invitation["token"] == world.token
    assert invitation["url"].endswith(f"/c/{world.consultation['slug']}/join/{world.token}")
    rotated = ok(await facilitator.api("POST", f"{scope(world)}/invitation/rotate"))
    assert rotated["token"] != world.token and rotated["url"].endswith(rotated["token"])
    stale = await browser.api("POST", f"{scope(world)}/join", {"token": world.token, "display_name": "Camille"})
    problem(stale, 403, "forbidden")
    ok(await browser.api("POST", f"{scope(world)}/join", {"token": rotated["token"], "display_name": "Camille"}), 201)
    for method, path in (("GET", "/invitation"), ("POST", "/invitation/rotate")):
        assert problem(await browser.api(method, scope(world) + path), 403, "forbidden")["detail"] == NOT_FACILITATOR
    assert (await Consultation.select(Consultation.invite_token).where(Consultation.id == world.consultation["id"]).first())[
        "invite_token"
    ] == rotated["token"]


async def test_facilitators_list_participants_and_change_roles(new_browser):
    world = await make_world()
    camille = await make_participant(world, "Camille")
    participant = await joined(new_browser, world, "Dominique")
    facilitator = await signed_in(new_browser, world.email)
    people = ok(await facilitator.api("GET", f"{scope(world)}/participants"))
    assert [(p["display_name"], p["role"], p["account_id"] is not None) for p in people] == [
        ("Animatrice", "facilitator", True),
        ("Camille", "participant", False),
        ("Dominique", "participant", False),
    ]
    url = f"{scope(world)}/participants/{camille.participant_id}"
    changed = ok(await facilitator.api("PATCH", url, {"role": "observer"}))
    assert (changed["id"], changed["role"]) == (camille.participant_id, "observer")
    role = lambda: Participant.select(Participant.role).where(Participant.id == camille.participant_id).first()  # noqa: E731
    assert (await role())["role"] == "observer"

    invalid = problem(await facilitator.api("PATCH", url, {"role": "roi"}), 422, "invalid-input")
    assert invalid["errors"] == {"role": "Choisissez l’une des options proposées."}
    missing = problem(await facilitator.api("PATCH", f"{scope(world)}/participants/999999", {"role": "observer"}), 404, "not-found")
    assert missing["detail"] == "Ce participant n’existe pas."
    huge = problem(await facilitator.api("PATCH", f"{scope(world)}/participants/99999999999", {"role": "observer"}), 400, "bad-request")
    assert huge["errors"] == {"participant_id": "Saisissez un nombre inférieur ou égal à 2\u202f147\u202f483\u202f647."}
    own = problem(
        await facilitator.api("PATCH", f"{scope(world)}/participants/{world.facilitator.participant_id}", {"role": "participant"}),
        409,
        "conflict",
    )
    assert own["detail"] == "Vous ne pouvez pas vous retirer vous-même le rôle d’animation."
    assert problem(await participant.api("GET", f"{scope(world)}/participants"), 403, "forbidden")["detail"] == NOT_FACILITATOR
    problem(await participant.api("PATCH", url, {"role": "facilitator"}), 403, "forbidden")
    assert (await role())["role"] == "observer"


async def test_meetings_calendar(browser, new_browser):
    world = await make_world()
    facilitator = await signed_in(new_browser, world.email)
    path = f"{scope(world)}/meetings"
    created = ok(
        await facilitator.api("POST", path, {"title": "Première rencontre", "date": "2026-10-14", "place": "Hôtel de ville"}),
        201,
    )
    assert created == {
        "id": created["id"],
        "title": "Première rencontre",
        "kind": "rencontre",
        "kind_label": "rencontre",
        "date": "2026-10-14",
        "end_date": None,
        "when": "",
        "place": "Hôtel de ville",
        "attendance": None,
        "notes": "",
    }
    changed = ok(await facilitator.api("PATCH", f"{path}/{created['id']}", {"attendance": 60, "kind": "atelier"}))
    assert (changed["attendance"], changed["kind"], changed["title"]) == (60, "atelier", "Première rencontre")
    assert [m["attendance"] for m in ok(await browser.api("GET", path))] == [60]

    before = await stored()
    bad_date = problem(await facilitator.api("POST", path, {"title": "Atelier", "date": "14/10/2026"}), 422, "invalid-input")
    assert bad_date["errors"] == {"date": "Saisissez une date au format AAAA-MM-JJ, par exemple 2026-10-14."}
    bad_kind = problem(await facilitator.api("PATCH", f"{path}/{created['id']}", {"kind": "k" * 61}), 422, "invalid-input")
    assert bad_kind["errors"] == {"kind": "Ce champ est trop long (60 caractères au maximum)."}
    negative = problem(await facilitator.api("PATCH", f"{path}/{created['id']}", {"attendance": -1}), 422, "invalid-input")
    assert negative["errors"] == {"attendance": "Saisissez un nombre entre 0 et 1\u202f000\u202f000."}
    unknown = problem(await facilitator.api("PATCH", f"{path}/424242", {"title": "X"}), 404, "not-found")
    assert unknown["detail"] == "Ce rendez-vous n’existe pas."
    refused = problem(await browser.api("POST", path, {"title": "Intrus", "date": "2026-10-14"}), 401, "not-authenticated")
    assert refused["detail"] == "Connectez-vous avec un compte d’animation pour faire cela."
    problem(await browser.api("DELETE", f"{path}/{created['id']}"), 401, "not-authenticated")
    assert await stored() == before
    assert (await Meeting.select(Meeting.kind).first())["kind"] == "atelier"

    deleted = await facilitator.api("DELETE", f"{path}/{created['id']}")
    assert deleted.status_code == 204 and await Meeting.count() == 0
    problem(await facilitator.api("DELETE", f"{path}/{created['id']}"), 404, "not-found")
