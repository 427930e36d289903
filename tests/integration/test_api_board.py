"""JSON API: the facilitation board (themes, placements, duplicates, moves, history, undo)."""

from __future__ import annotations

from concerto.board import services as board
from concerto.groups import services as groups
from concerto.tables import BoardAction, Contribution, DuplicateDismissal, Theme, Vote
from concerto.votes import services as votes
from tests.factories import make_contribution, make_participant, make_world
from tests.integration.api_support import joined, ok, problem, scope, signed_in, stored

FACILITATORS_ONLY = "Seule l’équipe d’animation de la consultation peut faire cela."


async def setup_board(new_browser, n: int = 4):
    """A world with ``n`` contributions and its facilitator signed in through the API."""
    world = await make_world(budget=0)
    author = await make_participant(world, "Autrice")
    items = [await make_contribution(world, author, f"Idée {i}", kind="acquis" if i % 2 else "enjeu") for i in range(n)]
    facilitator = await signed_in(new_browser, world.email)
    return world, items, facilitator


async def themes_of(contribution_ids: list[int]) -> list[int | None]:
    rows = await Contribution.select(Contribution.id, Contribution.theme).where(Contribution.id.is_in(contribution_ids))
    by_id = {row["id"]: row["theme"] for row in rows}
    return [by_id[contribution_id] for contribution_id in contribution_ids]


async def theme_rows() -> list[dict]:
    return await Theme.select(Theme.id, Theme.title, Theme.summary, Theme.position).order_by(Theme.position)


def titles(state: dict) -> list[tuple[str, list[int]]]:
    """The board as a facilitator sees it: each theme with its contributions, then the rest."""
    return [(theme["title"], sorted(item["id"] for item in theme["items"])) for theme in state["themes"]] + [
        ("", sorted(item["id"] for item in state["unthemed"]))
    ]


async def test_themes_are_created_renamed_reordered_split_merged_and_dissolved(new_browser):
    world, items, facilitator = await setup_board(new_browser, 6)
    base, group = scope(world), f"{scope(world)}/groups/{world.group['id']}"

    body = {"title": " Locaux ", "summary": "Des **murs**", "contributions": items[:3]}
    created = ok(await facilitator.api("POST", f"{group}/themes", body), 201)
    assert set(created) == {"action_id", "theme_id"}
    locaux = created["theme_id"]
    assert await theme_rows() == [{"id": locaux, "title": "Locaux", "summary": "Des **murs**", "position": 0}]
    assert await themes_of(items) == [locaux] * 3 + [None] * 3
    financer = ok(await facilitator.api("POST", f"{group}/themes", {"title": "Financement"}), 201)["theme_id"]

    state = ok(await facilitator.api("GET", f"{group}/board"))
    assert (state["group"]["id"], state["group"]["title"]) == (world.group["id"], "Entreprendre autrement")
    assert titles(state) == [("Locaux", items[:3]), ("Financement", []), ("", items[3:])]
    first = state["themes"][0]
    assert (first["id"], first["summary"], first["position"]) == (locaux, "Des **murs**", 0)
    assert "<strong>murs</strong>" in first["summary_html"]
    item = next(entry for entry in first["items"] if entry["id"] == items[1])
    assert item == {"id": items[1], "title": "Idée 1", "kind": "acquis", "status": "published",
                    "author_name": "Autrice", "votes": 0, "support": 0, "duplicates": []}
    assert [entry["kind"] for entry in state["history"]] == ["create_theme", "create_theme"]
    assert state["history"][1]["details"] == {"theme": "Locaux", "theme_id": locaux, "count": 3}

    renamed = ok(await facilitator.api("PATCH", f"{base}/themes/{financer}", {"title": "Financer"}))
    assert set(renamed) == {"action_id"}
    ok(await facilitator.api("POST", f"{base}/themes/{financer}/move", {"direction": "up"}))
    assert [(row["title"], row["position"]) for row in await theme_rows()] == [("Financer", 0), ("Locaux", 1)]

    body = {"title": "Foncier", "contributions": [items[2]]}
    split = ok(await facilitator.api("POST", f"{base}/themes/{locaux}/split", body), 201)
    assert [row["title"] for row in await theme_rows()] == ["Financer", "Locaux", "Foncier"]
    assert await themes_of(items[:3]) == [locaux, locaux, split["theme_id"]]

    ok(await facilitator.api("POST", f"{base}/themes/{financer}/merge", {"source": split["theme_id"]}))
    assert [row["title"] for row in await theme_rows()] == ["Financer", "Locaux"]
    assert await themes_of(items[:3]) == [locaux, locaux, financer]

    dissolved = ok(await facilitator.api("DELETE", f"{base}/themes/{locaux}"))
    assert [row["title"] for row in await theme_rows()] == ["Financer"]
    state = ok(await facilitator.api("GET", f"{group}/board"))
    assert titles(state) == [("Financer", [items[2]]), ("", items[:2] + items[3:])]
    assert state["history"][0] == {**state["history"][0], "id": dissolved["action_id"], "kind": "dissolve_theme",
                                   "details": {"theme": "Locaux", "count": 2}, "actor_name": "Animatrice"}
    assert await BoardAction.count() == 7


async def test_placements_moves_between_groups_and_dismissed_pairs(new_browser):
    world, items, facilitator = await setup_board(new_browser)
    base, group = scope(world), f"{scope(world)}/groups/{world.group['id']}"
    first = ok(await facilitator.api("POST", f"{group}/themes", {"title": "A"}), 201)["theme_id"]
    second = ok(await facilitator.api("POST", f"{group}/themes", {"title": "B"}), 201)["theme_id"]

    ok(await facilitator.api("POST", f"{group}/placements", {"contributions": items[:2], "theme": first}))
    assert await themes_of(items) == [first, first, None, None]
    ok(await facilitator.api("POST", f"{group}/placements", {"contributions": [items[1]], "theme": second}))
    ok(await facilitator.api("POST", f"{group}/placements", {"contributions": [items[0]], "theme": None}))
    assert await themes_of(items) == [None, second, None, None]
    same = problem(await facilitator.api("POST", f"{group}/placements", {"contributions": [items[0]], "theme": None}), 409, "conflict")
    assert same["detail"] == "Rien à changer : le tableau est déjà ainsi."

    other = await groups.create(world.consultation, world.facilitator, {"title": "Former"})
    voter = await make_participant(world, "Votant")
    await votes.cast(voter, items[1])
    ok(await facilitator.api("POST", f"{base}/contributions/{items[1]}/move", {"group": other["id"]}))
    row = await Contribution.select(Contribution.working_group, Contribution.theme).where(Contribution.id == items[1]).first()
    assert row == {"working_group": other["id"], "theme": None}
    assert await Vote.select(Vote.working_group) == [{"working_group": other["id"]}]
    moved = ok(await facilitator.api("GET", f"{base}/groups/{other['id']}/board"))
    assert [(item["id"], item["votes"], item["support"]) for item in moved["unthemed"]] == [(items[1], 1, 1)]

    dismissal = ok(await facilitator.api("POST", f"{base}/duplicate-dismissals", {"first": items[3], "second": items[2]}), 201)
    assert await DuplicateDismissal.select(DuplicateDismissal.first, DuplicateDismissal.second) == [
        {"first": items[2], "second": items[3]}
    ]
    history = ok(await facilitator.api("GET", f"{group}/board/history"))
    assert history[0]["id"] == dismissal["action_id"] and history[0]["kind"] == "dismiss_pair"
    again = problem(await facilitator.api("POST", f"{base}/duplicate-dismissals", {"first": items[2], "second": items[3]}), 409, "conflict")
    assert again["detail"] == "Rien à changer : le tableau est déjà ainsi."


async def test_duplicates_show_combined_support_on_the_board(new_browser):
    world, items, facilitator = await setup_board(new_browser)
    base, group = scope(world), f"{scope(world)}/groups/{world.group['id']}"
    both, only_first, only_second = [await make_participant(world, name) for name in ("Les deux", "Premier", "Second")]
    for voter in (both, only_first):
        await votes.cast(voter, items[0])
    for voter in (both, only_second):
        await votes.cast(voter, items[1])

    ok(await facilitator.api("POST", f"{base}/contributions/{items[1]}/duplicate", {"of": items[0]}))
    assert (await Contribution.select(Contribution.duplicate_of).where(Contribution.id == items[1]).first())["duplicate_of"] == items[0]
    state = ok(await facilitator.api("GET", f"{group}/board"))
    root = state["unthemed"][0]
    assert (root["id"], root["votes"], root["support"]) == (items[0], 2, 3)  # the person who voted for both counts once
    assert [(dup["id"], dup["votes"], dup["support"], dup["duplicates"]) for dup in root["duplicates"]] == [(items[1], 2, 0, [])]
    assert [item["id"] for item in state["unthemed"]] == [items[0], items[2], items[3]]
    # Both texts and all votes stay.
    assert await Contribution.count() == 4 and await Vote.count() == 4
    twice = problem(await facilitator.api("POST", f"{base}/contributions/{items[0]}/duplicate", {"of": items[1]}), 409, "conflict")
    assert twice["detail"] == "Ces contributions sont déjà regroupées."

    ok(await facilitator.api("DELETE", f"{base}/contributions/{items[1]}/duplicate"))
    state = ok(await facilitator.api("GET", f"{group}/board"))
    assert [(item["id"], item["support"], item["duplicates"]) for item in state["unthemed"][:2]] == [
        (items[0], 2, []), (items[1], 2, [])
    ]
    alone = problem(await facilitator.api("DELETE", f"{base}/contributions/{items[1]}/duplicate"), 409, "conflict")
    assert alone["detail"] == "Cette contribution n’est regroupée avec aucune autre."


async def test_undo_and_redo_through_the_api_with_history(new_browser):
    world, items, facilitator = await setup_board(new_browser)
    base, group = scope(world), f"{scope(world)}/groups/{world.group['id']}"
    first = ok(await facilitator.api("POST", f"{group}/themes", {"title": "A", "contributions": items[:2]}), 201)["theme_id"]
    second = ok(await facilitator.api("POST", f"{group}/themes", {"title": "B", "contributions": items[2:]}), 201)["theme_id"]
    merge = ok(await facilitator.api("POST", f"{base}/themes/{first}/merge", {"source": second}))["action_id"]
    assert await themes_of(items) == [first] * 4

    undo = ok(await facilitator.api("POST", f"{base}/board-actions/{merge}/undo"))["action_id"]
    assert await themes_of(items) == [first, first, second, second]
    assert [row["title"] for row in await theme_rows()] == ["A", "B"]
    done = problem(await facilitator.api("POST", f"{base}/board-actions/{merge}/undo"), 409, "conflict")
    assert done["detail"] == "Cette action a déjà été annulée."
    redo = ok(await facilitator.api("POST", f"{base}/board-actions/{undo}/undo"))["action_id"]
    assert await themes_of(items) == [first] * 4

    history = ok(await facilitator.api("GET", f"{group}/board/history"))
    assert [(entry["id"], entry["kind"], entry["undoes"], entry["undone_by"]) for entry in history[:3]] == [
        (redo, "undo", undo, None), (undo, "undo", merge, redo), (merge, "merge_themes", None, undo)
    ]
    assert {entry["actor_name"] for entry in history} == {"Animatrice"}
    assert history[2]["details"] == {"theme": "A", "source": "B", "count": 2}
    assert history[1]["details"]["undone_kind"] == "merge_themes" and history[0]["created_at"]
    assert ok(await facilitator.api("GET", f"{group}/board"))["history"] == history

    # Undoing something later actions built on is refused and changes nothing.
    before = await stored()
    conflict = problem(await facilitator.api("POST", f"{base}/board-actions/{merge}/undo"), 409, "conflict")
    assert conflict["detail"] == "Cette action a déjà été annulée."
    created = history[-1]["id"]
    later = problem(await facilitator.api("POST", f"{base}/board-actions/{created}/undo"), 409, "conflict")
    assert later["detail"] == "Des changements plus récents portent sur les mêmes contributions ou thèmes : annulez-les d’abord."
    assert await stored() == before and await themes_of(items) == [first] * 4


async def test_only_facilitators_use_the_board_and_refusals_store_nothing(browser, new_browser):
    world, items, facilitator = await setup_board(new_browser)
    theme = ok(await facilitator.api("POST", f"{scope(world)}/groups/{world.group['id']}/themes", {"title": "A"}), 201)
    participant = await joined(new_browser, world, "Camille")
    base, group = scope(world), f"{scope(world)}/groups/{world.group['id']}"
    calls = [
        ("GET", f"{group}/board", None),
        ("GET", f"{group}/board/history", None),
        ("POST", f"{group}/themes", {"title": "Pirate"}),
        ("PATCH", f"{base}/themes/{theme['theme_id']}", {"title": "Pirate"}),
        ("POST", f"{base}/themes/{theme['theme_id']}/move", {"direction": "down"}),
        ("POST", f"{base}/themes/{theme['theme_id']}/merge", {"source": theme["theme_id"]}),
        ("POST", f"{base}/themes/{theme['theme_id']}/split", {"title": "P", "contributions": items[:1]}),
        ("DELETE", f"{base}/themes/{theme['theme_id']}", None),
        ("POST", f"{group}/placements", {"contributions": items[:1], "theme": theme["theme_id"]}),
        ("POST", f"{base}/contributions/{items[0]}/move", {"group": world.group["id"]}),
        ("POST", f"{base}/contributions/{items[1]}/duplicate", {"of": items[0]}),
        ("DELETE", f"{base}/contributions/{items[1]}/duplicate", None),
        ("POST", f"{base}/duplicate-dismissals", {"first": items[0], "second": items[1]}),
        ("POST", f"{base}/board-actions/{theme['action_id']}/undo", None),
    ]
    before = await stored()
    for method, path, body in calls:
        refused = problem(await participant.api(method, path, body), 403, "forbidden")
        assert refused["detail"] == FACILITATORS_ONLY, (method, path)
        visitor = await browser.api(method, path, body)
        assert visitor.status_code in (401, 403), (method, path, visitor.text)
        problem(visitor, visitor.status_code, "forbidden" if visitor.status_code == 403 else "not-authenticated")
    unsent = problem(await facilitator.api("POST", f"{group}/themes", {"title": "Sans jeton"}, csrf=False), 403, "csrf-failed")
    assert "x-csrftoken" in unsent["detail"]
    assert await stored() == before


async def test_bad_input_is_a_french_problem_and_stores_nothing(new_browser):
    world, items, facilitator = await setup_board(new_browser)
    base, group = scope(world), f"{scope(world)}/groups/{world.group['id']}"
    theme = ok(await facilitator.api("POST", f"{group}/themes", {"title": "A", "contributions": items[:2]}), 201)["theme_id"]
    sibling_group = await groups.create(world.consultation, world.facilitator, {"title": "Voisin"})
    sibling = ok(await facilitator.api("POST", f"{base}/groups/{sibling_group['id']}/themes", {"title": "Voisin"}), 201)
    other = await make_world()
    foreign = await make_contribution(other, await make_participant(other, "Ailleurs"))
    foreign_theme = await board.create_theme(other.facilitator, other.group["id"], {"title": "Ailleurs"})
    foreign_theme_id = (await board.action(other.facilitator, foreign_theme))["details"]["theme_id"]
    huge = 2**70
    not_here = "Choisissez des contributions de ce groupe de travail."
    no_theme = "Ce thème n’existe pas."
    no_contribution = "Cette contribution n’existe pas."
    no_group = "Ce groupe de travail n’existe pas."
    cases = [
        # (method, path, body, status, code, detail or field errors)
        ("POST", f"{group}/themes", {"title": ""}, 422, "invalid-input", {"title": "Ce champ est obligatoire."}),
        ("POST", f"{group}/themes", {"title": "t" * 141}, 422, "invalid-input",
         {"title": "Ce champ est trop long (140 caractères au maximum)."}),
        ("POST", f"{group}/themes", {"title": "Ok", "contributions": [foreign]}, 422, "invalid-input", {"contributions": not_here}),
        ("POST", f"{group}/themes", {"title": "Ok", "contributions": [huge]}, 422, "invalid-input", {"contributions": not_here}),
        ("POST", f"{group}/themes", {"title": "Ok", "contributions": ["un"]}, 400, "bad-request",
         {"contributions[0]": "Saisissez un nombre entier."}),
        ("POST", f"{group}/themes", {"title": "Ok", "contributions": list(range(1, 1002))}, 422, "invalid-input",
         {"contributions": "Choisissez au plus 1\u202f000 contributions à la fois."}),
        ("POST", f"{group}/themes", {"title": "Ok", "theme": 1}, 400, "bad-request", {"theme": "Ce champ n’est pas accepté ici."}),
        ("POST", f"{base}/groups/{other.group['id']}/themes", {"title": "Ok"}, 404, "not-found", no_group),
        ("GET", f"{base}/groups/{other.group['id']}/board", None, 404, "not-found", no_group),
        ("GET", f"{base}/groups/{other.group['id']}/board/history", None, 404, "not-found", no_group),
        ("GET", f"{base}/groups/{2**31}/board", None, 400, "bad-request",
         {"group_id": "Saisissez un nombre inférieur ou égal à 2\u202f147\u202f483\u202f647."}),
        ("PATCH", f"{base}/themes/{foreign_theme_id}", {"title": "Volé"}, 404, "not-found", no_theme),
        ("PATCH", f"{base}/themes/987654", {"title": "X"}, 404, "not-found", no_theme),
        ("PATCH", f"{base}/themes/{theme}", {"title": None}, 400, "bad-request", {"title": "Ce champ doit contenir du texte."}),
        ("PATCH", f"{base}/themes/{theme}", {}, 409, "conflict", "Rien à changer : le tableau est déjà ainsi."),
        ("POST", f"{base}/themes/{theme}/move", {"direction": "left"}, 422, "invalid-input",
         {"direction": "Choisissez l’une des options proposées."}),
        ("POST", f"{base}/themes/{theme}/move", {}, 400, "bad-request", {"direction": "Ce champ est obligatoire."}),
        ("POST", f"{base}/themes/{theme}/merge", {"source": theme}, 422, "invalid-input",
         {"source": "Choisissez un autre thème du même groupe de travail."}),
        ("POST", f"{base}/themes/{theme}/merge", {"source": sibling["theme_id"]}, 422, "invalid-input",
         {"source": "Choisissez un autre thème du même groupe de travail."}),
        ("POST", f"{base}/themes/{theme}/merge", {"source": foreign_theme_id}, 404, "not-found", no_theme),
        ("POST", f"{base}/themes/{theme}/merge", {"source": huge}, 404, "not-found", no_theme),
        ("POST", f"{base}/themes/{theme}/split", {"title": "B", "contributions": []}, 422, "invalid-input",
         {"contributions": "Choisissez au moins une contribution."}),
        ("POST", f"{base}/themes/{theme}/split", {"title": "B", "contributions": [items[3]]}, 422, "invalid-input",
         {"contributions": "Choisissez des contributions du thème que vous scindez."}),
        ("POST", f"{base}/themes/{theme}/split", {"title": "B"}, 400, "bad-request", {"contributions": "Ce champ est obligatoire."}),
        ("DELETE", f"{base}/themes/{foreign_theme_id}", None, 404, "not-found", no_theme),
        ("POST", f"{group}/placements", {"contributions": [], "theme": theme}, 422, "invalid-input",
         {"contributions": "Choisissez au moins une contribution."}),
        ("POST", f"{group}/placements", {"contributions": items[:1], "theme": sibling["theme_id"]}, 422, "invalid-input",
         {"theme": no_theme}),
        ("POST", f"{group}/placements", {"contributions": items[:1], "theme": foreign_theme_id}, 404, "not-found", no_theme),
        ("POST", f"{group}/placements", {"contributions": items[:1], "theme": "A"}, 400, "bad-request",
         {"theme": "Saisissez un nombre entier."}),
        ("POST", f"{group}/placements", {"contributions": items[:1]}, 400, "bad-request", {"theme": "Ce champ est obligatoire."}),
        ("POST", f"{group}/placements", {"contributions": items[0], "theme": theme}, 400, "bad-request",
         {"contributions": "Ce champ doit être une liste."}),
        ("POST", f"{base}/groups/{sibling_group['id']}/placements", {"contributions": items[:1], "theme": None}, 422,
         "invalid-input", {"contributions": not_here}),
        ("POST", f"{base}/contributions/{items[0]}/move", {"group": world.group["id"]}, 422, "invalid-input",
         {"group": "Choisissez un autre groupe de travail de cette consultation."}),
        ("POST", f"{base}/contributions/{items[0]}/move", {"group": other.group["id"]}, 404, "not-found", no_group),
        ("POST", f"{base}/contributions/{foreign}/move", {"group": sibling_group["id"]}, 404, "not-found", no_contribution),
        ("POST", f"{base}/contributions/{items[0]}/duplicate", {"of": foreign}, 404, "not-found", no_contribution),
        ("POST", f"{base}/contributions/{items[0]}/duplicate", {"of": huge}, 404, "not-found", no_contribution),
        ("POST", f"{base}/contributions/{items[0]}/duplicate", {"of": items[1], "root": 1}, 400, "bad-request",
         {"root": "Ce champ n’est pas accepté ici."}),
        ("DELETE", f"{base}/contributions/424242/duplicate", None, 404, "not-found", no_contribution),
        ("POST", f"{base}/duplicate-dismissals", {"first": items[0], "second": items[0]}, 422, "invalid-input",
         {"second": "Choisissez une contribution du même groupe de travail."}),
        ("POST", f"{base}/duplicate-dismissals", {"first": items[0], "second": foreign}, 404, "not-found", no_contribution),
        ("POST", f"{base}/board-actions/{foreign_theme}/undo", None, 404, "not-found", "Cette action n’existe pas."),
        ("POST", f"{base}/board-actions/0/undo", None, 400, "bad-request", None),
    ]
    before = await stored()
    for method, path, body, status, code, expected in cases:
        refused = problem(await facilitator.api(method, path, body), status, code)
        if isinstance(expected, dict):
            assert refused["errors"] == expected, (method, path, body)
        elif expected is not None:
            assert refused["detail"] == expected, (method, path, body)
    assert await stored() == before
    assert await themes_of(items) == [theme, theme, None, None]
