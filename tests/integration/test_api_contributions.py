"""JSON API: working groups, contributions and the group listing."""

from __future__ import annotations

from concerto.consultations import services as consultations
from concerto.groups import services as groups
from concerto.tables import Contribution, WorkingGroup
from tests.factories import make_contribution, make_participant, make_world
from tests.integration.api_support import joined, ok, problem, scope, signed_in, stored


async def test_facilitators_add_and_configure_groups(browser, new_browser):
    world = await make_world()
    facilitator = await signed_in(new_browser, world.email)
    path = f"{scope(world)}/groups"
    created = ok(await facilitator.api("POST", path, {"title": "Financer l’ESS", "vote_budget": 3}), 201)
    assert created == {
        "id": created["id"],
        "title": "Financer l’ESS",
        "description": "",
        "position": 1,
        "contributions_open": True,
        "voting_open": False,  # a new group starts by contributing
        "vote_budget": 3,
    }
    changed = ok(await facilitator.api("PATCH", f"{path}/{created['id']}", {"voting_open": True, "vote_budget": 0}))
    assert (changed["voting_open"], changed["vote_budget"], changed["contributions_open"]) == (True, 0, True)
    assert ok(await browser.api("GET", f"{path}/{created['id']}")) == changed
    listed = ok(await browser.api("GET", path))
    assert [(g["title"], g["contributions"], g["counts"]) for g in listed] == [
        ("Entreprendre autrement", 0, {}),
        ("Financer l’ESS", 0, {}),
    ]


async def test_group_changes_are_refused_with_reasons_and_store_nothing(browser, new_browser):
    world = await make_world(budget=5)
    group_path = f"{scope(world)}/groups/{world.group['id']}"
    facilitator = await signed_in(new_browser, world.email)
    participant = await joined(new_browser, world)
    before = await stored()
    budget = problem(await facilitator.api("PATCH", group_path, {"vote_budget": 1000}), 422, "invalid-input")
    assert budget["errors"] == {"vote_budget": "Saisissez un nombre entre 0 et 100."}
    typed = problem(await facilitator.api("PATCH", group_path, {"vote_budget": "beaucoup"}), 400, "bad-request")
    assert typed["errors"] == {"vote_budget": "Saisissez un nombre entier."}
    flag = problem(await facilitator.api("PATCH", group_path, {"voting_open": "peut-être"}), 400, "bad-request")
    assert flag["errors"] == {"voting_open": "Indiquez true ou false."}
    untitled = problem(await facilitator.api("POST", f"{scope(world)}/groups", {"title": ""}), 422, "invalid-input")
    assert untitled["errors"] == {"title": "Ce champ est obligatoire."}
    refused = problem(await participant.api("PATCH", group_path, {"voting_open": False}), 403, "forbidden")
    assert refused["detail"] == "Seule l’équipe d’animation de la consultation peut faire cela."
    problem(await browser.api("POST", f"{scope(world)}/groups", {"title": "Intrus"}), 401, "not-authenticated")
    unknown = problem(await facilitator.api("PATCH", f"{scope(world)}/groups/987654", {"title": "X"}), 404, "not-found")
    assert unknown["detail"] == "Ce groupe de travail n’existe pas."
    problem(await browser.api("GET", f"{scope(world)}/groups/987654"), 404, "not-found")
    problem(await browser.api("GET", f"{scope(world)}/groups/{2**40}"), 400, "bad-request")
    assert await stored() == before
    row = await WorkingGroup.select(WorkingGroup.vote_budget, WorkingGroup.voting_open).where(WorkingGroup.id == world.group["id"]).first()
    assert row == {"vote_budget": 5, "voting_open": True}


async def test_participant_proposes_reads_edits_and_withdraws(new_browser):
    world = await make_world()
    camille = await joined(new_browser, world, "Camille", "Régie de quartier")
    created = ok(
        await camille.api(
            "POST",
            f"{scope(world)}/groups/{world.group['id']}/contributions",
            {"kind": "enjeu", "title": "  Une foncière solidaire ", "body": "Pour **acheter** des murs."},
        ),
        201,
    )
    assert (created["title"], created["kind"], created["kind_label"], created["status"]) == (
        "Une foncière solidaire", "enjeu", "Nouveaux enjeux", "published"
    )
    # Organisations are shown only where the consultation's settings say so (off by default; see test_personal_data).
    assert (created["author_name"], created["author_organisation"], created["group_id"]) == (
        "Camille", "", world.group["id"]
    )
    assert "<strong>acheter</strong>" in created["body_html"]
    url = f"{scope(world)}/contributions/{created['id']}"
    detail = ok(await camille.api("GET", url))
    assert detail["vote"] == {"votes": 0, "voted": False, "budget": 5, "used": 0, "remaining": 5}
    assert {k: v for k, v in detail.items() if k != "vote"} == created

    edited = ok(await camille.api("PATCH", url, {"title": "Une foncière coopérative"}))
    assert (edited["title"], edited["body"]) == ("Une foncière coopérative", "Pour **acheter** des murs.")
    row = await Contribution.select(Contribution.title, Contribution.body).where(Contribution.id == created["id"]).first()
    assert row == {"title": "Une foncière coopérative", "body": "Pour **acheter** des murs."}

    withdrawn = ok(await camille.api("POST", f"{url}/withdraw"))
    assert withdrawn["status"] == "withdrawn"
    assert (await Contribution.select(Contribution.status).where(Contribution.id == created["id"]).first())["status"] == "withdrawn"


async def test_proposing_is_refused_with_reasons_and_stores_nothing(browser, new_browser):
    world = await make_world()
    closed = await make_world(contributions_open=False)
    camille = await joined(new_browser, world)
    observer = await joined(new_browser, world, "Élu")
    observer_id = ok(await observer.api("GET", f"{scope(world)}/me"))["participant_id"]
    await consultations.set_role(world.consultation, world.facilitator, observer_id, "observer")
    latecomer = await joined(new_browser, closed)
    path = f"{scope(world)}/groups/{world.group['id']}/contributions"
    before = await stored()

    untitled = problem(await camille.api("POST", path, {"kind": "acquis", "title": " "}), 422, "invalid-input")
    assert untitled["errors"] == {"title": "Ce champ est obligatoire."}
    too_long = problem(await camille.api("POST", path, {"kind": "acquis", "title": "t" * 201}), 422, "invalid-input")
    assert too_long["errors"] == {"title": "Ce champ est trop long (200 caractères au maximum)."}
    huge = problem(await camille.api("POST", path, {"kind": "acquis", "title": "Ok", "body": "b" * 100_000}), 422, "invalid-input")
    assert huge["errors"] == {"body": "Ce champ est trop long (5\u202f000 caractères au maximum)."}
    for code in ("idee", "acq\x00uis"):
        kind = problem(await camille.api("POST", path, {"kind": code, "title": "Ok"}), 422, "invalid-input")
        assert kind["errors"] == {"kind": "Type de contribution inconnu."}
    both = problem(await camille.api("POST", path, {"kind": "", "title": ""}), 422, "invalid-input")
    assert both["errors"] == {
        "title": "Ce champ est obligatoire.",
        "kind": "Indiquez s’il s’agit d’un acquis ou d’un nouvel enjeu.",
    }
    missing = problem(await camille.api("POST", path, {"title": "Sans type"}), 400, "bad-request")
    assert missing["errors"] == {"kind": "Ce champ est obligatoire."}

    visitor = problem(await browser.api("POST", path, {"kind": "acquis", "title": "Ok"}), 401, "not-authenticated")
    assert visitor["detail"] == "Pour participer, rejoignez la consultation avec votre lien d’invitation."
    watcher = problem(await observer.api("POST", path, {"kind": "acquis", "title": "Ok"}), 403, "forbidden")
    assert watcher["detail"] == "Les observateurs peuvent lire la consultation, mais pas y participer."

    closed_path = f"{scope(closed)}/groups/{closed.group['id']}/contributions"
    phase = problem(await latecomer.api("POST", closed_path, {"kind": "acquis", "title": "Trop tard"}), 409, "conflict")
    assert phase["detail"] == "Les contributions sont closes dans ce groupe de travail."
    elsewhere = f"{scope(world)}/groups/{closed.group['id']}/contributions"
    other_group = problem(await camille.api("POST", elsewhere, {"kind": "acquis", "title": "Ok"}), 404, "not-found")
    assert other_group["detail"] == "Ce groupe de travail n’existe pas."
    assert await stored() == before


async def test_only_the_author_edits_or_withdraws_while_contributions_are_open(new_browser):
    world = await make_world()
    author = await joined(new_browser, world, "Autrice")
    other = await joined(new_browser, world, "Autre")
    created = ok(
        await author.api("POST", f"{scope(world)}/groups/{world.group['id']}/contributions", {"kind": "acquis", "title": "Mon idée"}),
        201,
    )
    url = f"{scope(world)}/contributions/{created['id']}"
    title = lambda: Contribution.select(Contribution.title, Contribution.status).where(Contribution.id == created["id"]).first()  # noqa: E731
    before = await stored()
    theirs = problem(await other.api("PATCH", url, {"title": "Volée"}), 403, "forbidden")
    assert theirs["detail"] == "Vous ne pouvez modifier que vos propres contributions."
    problem(await other.api("POST", f"{url}/withdraw"), 403, "forbidden")
    typo = problem(await author.api("PATCH", url, {"titre": "Nouveau"}), 400, "bad-request")
    assert typo["errors"] == {"titre": "Ce champ n’est pas accepté ici."}
    kind = problem(await author.api("PATCH", url, {"kind": "autre"}), 422, "invalid-input")
    assert kind["errors"] == {"kind": "Type de contribution inconnu."}
    await groups.update(world.consultation, world.facilitator, world.group["id"], {"contributions_open": False})
    closed = problem(await author.api("PATCH", url, {"title": "Trop tard"}), 409, "conflict")
    assert closed["detail"] == "Les contributions sont closes dans ce groupe de travail."
    problem(await author.api("POST", f"{url}/withdraw"), 409, "conflict")
    unknown = problem(await author.api("PATCH", f"{scope(world)}/contributions/424242", {"title": "X"}), 404, "not-found")
    assert unknown["detail"] == "Cette contribution n’existe pas."
    assert await stored() == before
    assert await title() == {"title": "Mon idée", "status": "published"}


async def test_facilitators_hide_and_restore_contributions(new_browser):
    world = await make_world()
    author_actor = await make_participant(world, "Autrice")
    item = await make_contribution(world, author_actor, "À modérer")
    reader = await joined(new_browser, world, "Lecteur")
    facilitator = await signed_in(new_browser, world.email)
    url = f"{scope(world)}/contributions/{item}"
    status = lambda: Contribution.select(Contribution.status).where(Contribution.id == item).first()  # noqa: E731

    refused = problem(await reader.api("POST", f"{url}/moderation", {"action": "hide"}), 403, "forbidden")
    assert refused["detail"] == "Seule l’équipe d’animation de la consultation peut faire cela."
    invalid = problem(await facilitator.api("POST", f"{url}/moderation", {"action": "delete"}), 422, "invalid-input")
    assert invalid["errors"] == {"action": "Choisissez l’une des options proposées."}
    assert (await status())["status"] == "published"

    hidden = ok(await facilitator.api("POST", f"{url}/moderation", {"action": "hide"}))
    assert hidden["status"] == "hidden" and (await status())["status"] == "hidden"
    gone = problem(await reader.api("GET", url), 404, "not-found")
    assert gone["detail"] == "Cette contribution n’existe pas."
    listing = ok(await reader.api("GET", f"{scope(world)}/groups/{world.group['id']}/contributions"))
    assert [column["total"] for column in listing["columns"]] == [0, 0]
    restored = ok(await facilitator.api("POST", f"{url}/moderation", {"action": "restore"}))
    assert restored["status"] == "published"
    assert ok(await reader.api("GET", url))["title"] == "À modérer"


async def test_group_listing_has_a_column_per_kind_with_votes_and_pages(browser, new_browser):
    world = await make_world(budget=3)
    author = await make_participant(world, "Autrice")
    acquis = [await make_contribution(world, author, f"Acquis {n}", kind="acquis") for n in range(3)]
    enjeu = await make_contribution(world, author, "Un enjeu", kind="enjeu")
    voter = await joined(new_browser, world, "Votante")
    ok(await voter.api("PUT", f"{scope(world)}/contributions/{acquis[1]}/vote"))
    path = f"{scope(world)}/groups/{world.group['id']}/contributions"

    listing = ok(await voter.api("GET", path))
    assert (listing["sort"], listing["page"], listing["per_page"], listing["pages"]) == ("votes", 1, 50, 1)
    assert (listing["my_votes"], listing["votes_used"]) == ([acquis[1]], 1)
    first, second = listing["columns"]
    assert (first["kind"], first["total"]) == ({"code": "acquis", "label": "Acquis à développer"}, 3)
    assert [item["id"] for item in first["items"]] == [acquis[1], acquis[2], acquis[0]]
    assert (first["items"][0]["votes"], first["items"][0]["comments"], first["items"][0]["author_name"]) == (1, 0, "Autrice")
    assert [item["id"] for item in second["items"]] == [enjeu]

    newest = ok(await browser.api("GET", path, params={"sort": "newest", "per_page": 50, "page": 1}))
    assert [item["id"] for item in newest["columns"][0]["items"]] == [acquis[2], acquis[1], acquis[0]]
    assert (newest["my_votes"], newest["votes_used"]) == ([], 0)
    lenient = ok(await browser.api("GET", path, params={"sort": "au-hasard", "per_page": 7, "page": 99}))
    assert (lenient["sort"], lenient["per_page"], lenient["page"]) == ("votes", 50, 99)
    assert lenient["columns"][0]["items"] == [] and lenient["columns"][0]["total"] == 3
    wrong = problem(await browser.api("GET", path, params={"page": "deux"}), 400, "bad-request")
    assert wrong["errors"] == {"page": "Saisissez un nombre entier."}
    problem(await browser.api("GET", f"{scope(world)}/groups/999999/contributions"), 404, "not-found")
