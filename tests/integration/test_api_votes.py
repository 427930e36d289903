"""JSON API: the vote endpoint concerto.js calls (its response shape is a fixed contract)."""

from __future__ import annotations

from concerto.consultations import services as consultations
from concerto.contributions import services as contributions
from concerto.groups import services as groups
from concerto.tables import Vote
from concerto.votes import services as votes
from tests.factories import make_contribution, make_participant, make_world
from tests.integration.api_support import joined, ok, problem, scope, stored


async def test_casting_and_withdrawing_answer_the_fixed_contract(new_browser):
    world = await make_world(budget=2)
    author = await make_participant(world, "Autrice")
    item = await make_contribution(world, author)
    voter = await joined(new_browser, world, "Votante")
    url = f"{scope(world)}/contributions/{item}/vote"

    cast = ok(await voter.api("PUT", url))
    assert cast == {
        "contribution_id": item,
        "votes": 1,
        "voted": True,
        "budget": 2,
        "used": 1,
        "remaining": 1,
        "votes_label": "soutien",
        "remaining_label": "Il vous reste 1 vote sur 2 dans ce groupe.",
        "message": "Votre vote est pris en compte.",
    }
    assert ok(await voter.api("PUT", url)) == cast  # idempotent
    assert await Vote.count() == 1

    withdrawn = ok(await voter.api("DELETE", url))
    assert withdrawn == {
        "contribution_id": item,
        "votes": 0,
        "voted": False,
        "budget": 2,
        "used": 0,
        "remaining": 2,
        "votes_label": "soutien",
        "remaining_label": "Il vous reste 2 votes sur 2 dans ce groupe.",
        "message": "Votre vote est retiré.",
    }
    assert await Vote.count() == 0


async def test_labels_follow_the_count_and_the_reader_language(new_browser):
    world = await make_world(budget=0)
    author = await make_participant(world, "Autrice")
    item = await make_contribution(world, author)
    for n in range(2):
        await votes.cast(await make_participant(world, f"P{n}"), item)
    voter = await joined(new_browser, world, "Voter")
    url = f"{scope(world)}/contributions/{item}/vote"
    french = ok(await voter.api("PUT", url))
    assert (french["votes"], french["votes_label"], french["remaining"], french["remaining_label"]) == (3, "soutiens", None, None)
    english = ok(await voter.api("DELETE", url, headers={"accept-language": "en"}))
    assert (english["votes_label"], english["message"]) == ("supporters", "Your vote is withdrawn.")
    limited = await make_world(budget=3)
    other = await make_contribution(limited, await make_participant(limited, "Autrice"))
    limited_voter = await joined(new_browser, limited, "Voter")
    response = await limited_voter.api("PUT", f"{scope(limited)}/contributions/{other}/vote", headers={"accept-language": "en"})
    assert ok(response)["remaining_label"] == "You have 2 votes left out of 3 in this group."
    assert ok(response)["votes_label"] == "supporter"


async def test_spent_budget_closed_voting_and_unknown_targets_are_refused(new_browser):
    world = await make_world(budget=1)
    author = await make_participant(world, "Autrice")
    first, second = [await make_contribution(world, author, f"Idée {n}") for n in range(2)]
    voter = await joined(new_browser, world, "Votante")
    ok(await voter.api("PUT", f"{scope(world)}/contributions/{first}/vote"))
    other = await make_world()
    foreign = await make_contribution(other, await make_participant(other, "Ailleurs"))
    before = await stored()

    spent = problem(await voter.api("PUT", f"{scope(world)}/contributions/{second}/vote"), 409, "conflict")
    assert spent["detail"] == (
        "Vous avez utilisé tous vos votes dans ce groupe de travail (1). Retirez-en un pour soutenir une autre contribution."
    )
    for target in (foreign, 424242):
        unknown = problem(await voter.api("PUT", f"{scope(world)}/contributions/{target}/vote"), 404, "not-found")
        assert unknown["detail"] == "Cette contribution n’existe pas."
    huge = problem(await voter.api("PUT", f"{scope(world)}/contributions/{2**31}/vote"), 400, "bad-request")
    assert huge["errors"] == {"contribution_id": "Saisissez un nombre inférieur ou égal à 2\u202f147\u202f483\u202f647."}
    problem(await voter.api("PUT", f"{scope(world)}/contributions/0/vote"), 400, "bad-request")
    await contributions.moderate(world.facilitator, second, "hide")
    problem(await voter.api("PUT", f"{scope(world)}/contributions/{second}/vote"), 404, "not-found")
    await groups.update(world.consultation, world.facilitator, world.group["id"], {"voting_open": False})
    for method in ("PUT", "DELETE"):
        closed = problem(await voter.api(method, f"{scope(world)}/contributions/{first}/vote"), 409, "conflict")
        assert closed["detail"] == "Les votes sont clos dans ce groupe de travail."
    assert await stored() == before


async def test_visitors_and_observers_cannot_vote(browser, new_browser):
    world = await make_world()
    item = await make_contribution(world, await make_participant(world, "Autrice"))
    observer = await joined(new_browser, world, "Élu")
    observer_id = ok(await observer.api("GET", f"{scope(world)}/me"))["participant_id"]
    await consultations.set_role(world.consultation, world.facilitator, observer_id, "observer")
    url = f"{scope(world)}/contributions/{item}/vote"
    visitor = problem(await browser.api("PUT", url), 401, "not-authenticated")
    assert visitor["detail"] == "Pour participer, rejoignez la consultation avec votre lien d’invitation."
    watcher = problem(await observer.api("PUT", url), 403, "forbidden")
    assert watcher["detail"] == "Les observateurs peuvent lire la consultation, mais pas y participer."
    assert await Vote.count() == 0


async def test_the_vote_shows_on_the_page_after_an_api_call(new_browser):
    world = await make_world(budget=2)
    item = await make_contribution(world, await make_participant(world, "Autrice"))
    voter = await joined(new_browser, world, "Votante")
    ok(await voter.api("PUT", f"{scope(world)}/contributions/{item}/vote"))
    page = await voter.get(f"/c/{world.consultation['slug']}/g/{world.group['id']}")
    assert "Il vous reste 1 vote sur 2 dans ce groupe." in page.text
