"""JSON API: threaded comments, replies, editing and moderation."""

from __future__ import annotations

from concerto.comments import services as comments
from concerto.contributions import services as contributions
from concerto.tables import Comment
from tests.factories import make_contribution, make_participant, make_world
from tests.integration.api_support import joined, ok, problem, scope, signed_in, stored


async def test_comment_reply_and_read_the_thread(browser, new_browser):
    world = await make_world()
    item = await make_contribution(world, await make_participant(world, "Autrice"))
    camille = await joined(new_browser, world, "Camille")
    path = f"{scope(world)}/contributions/{item}/comments"

    top = ok(await camille.api("POST", path, {"body": "Bonne *idée*"}), 201)
    assert (top["depth"], top["parent_id"], top["author_name"], top["status"]) == (1, None, "Camille", "published")
    assert "<em>idée</em>" in top["body_html"] and top["contribution_id"] == item
    reply = ok(await camille.api("POST", path, {"body": "Je précise", "parent_id": top["id"]}), 201)
    assert (reply["depth"], reply["parent_id"]) == (2, top["id"])
    assert await Comment.count() == 2

    thread = ok(await browser.api("GET", path))
    assert (thread["page"], thread["pages"], thread["total"]) == (1, 1, 2)
    [root] = thread["threads"]
    assert (root["id"], root["body"], [r["body"] for r in root["replies"]]) == (top["id"], "Bonne *idée*", ["Je précise"])
    assert root["replies"][0]["replies"] == []

    edited = ok(await camille.api("PATCH", f"{scope(world)}/comments/{top['id']}", {"body": "Très bonne idée"}))
    assert edited["body"] == "Très bonne idée"
    assert (await Comment.select(Comment.body).where(Comment.id == top["id"]).first())["body"] == "Très bonne idée"


async def test_commenting_is_refused_with_reasons_and_stores_nothing(browser, new_browser):
    world = await make_world()
    author = await make_participant(world, "Autrice")
    item = await make_contribution(world, author)
    hidden = await make_contribution(world, author, "Masquée")
    await contributions.moderate(world.facilitator, hidden, "hide")
    other = await make_world()
    foreign = await make_contribution(other, await make_participant(other, "Ailleurs"))
    camille = await joined(new_browser, world, "Camille")
    path = f"{scope(world)}/contributions/{item}/comments"
    level1 = await comments.add(author, item, {"body": "1"})
    level2 = await comments.add(author, item, {"body": "2", "parent_id": level1})
    level3 = await comments.add(author, item, {"body": "3", "parent_id": level2})
    before = await stored()

    empty = problem(await camille.api("POST", path, {"body": "  "}), 422, "invalid-input")
    assert empty["errors"] == {"body": "Ce champ est obligatoire."}
    huge = problem(await camille.api("POST", path, {"body": "x" * 100_000}), 422, "invalid-input")
    assert huge["errors"] == {"body": "Ce champ est trop long (5\u202f000 caractères au maximum)."}
    for parent in (999999, 2**40, 0):
        orphan = problem(await camille.api("POST", path, {"body": "Réponse", "parent_id": parent}), 422, "invalid-input")
        assert orphan["errors"] == {"parent_id": "Le commentaire auquel vous répondez n’existe pas."}
    typed = problem(await camille.api("POST", path, {"body": "Réponse", "parent_id": "abc"}), 400, "bad-request")
    assert typed["errors"] == {"parent_id": "Saisissez un nombre entier."}
    deep = problem(await camille.api("POST", path, {"body": "Trop loin", "parent_id": level3}), 409, "conflict")
    assert deep["detail"] == "Une discussion compte au plus 3 niveaux de réponses ; répondez plus haut dans la discussion."
    visitor = problem(await browser.api("POST", path, {"body": "Anonyme"}), 401, "not-authenticated")
    assert visitor["detail"] == "Pour participer, rejoignez la consultation avec votre lien d’invitation."
    for target in (hidden, foreign):
        url = f"{scope(world)}/contributions/{target}/comments"
        gone = problem(await camille.api("POST", url, {"body": "Ici ?"}), 404, "not-found")
        assert gone["detail"] == "Cette contribution n’existe pas."
        problem(await camille.api("GET", url), 404, "not-found")
    theirs = problem(await camille.api("PATCH", f"{scope(world)}/comments/{level1}", {"body": "Volé"}), 403, "forbidden")
    assert theirs["detail"] == "Vous ne pouvez modifier que vos propres commentaires."
    unknown = problem(await camille.api("PATCH", f"{scope(world)}/comments/777777", {"body": "X"}), 404, "not-found")
    assert unknown["detail"] == "Ce commentaire n’existe pas."
    assert await stored() == before
    assert (await Comment.select(Comment.body).where(Comment.id == level1).first())["body"] == "1"


async def test_hidden_comments_keep_their_replies_readable(new_browser):
    world = await make_world()
    author = await make_participant(world, "Autrice")
    item = await make_contribution(world, author)
    parent = await comments.add(author, item, {"body": "Propos déplacé"})
    await comments.add(author, item, {"body": "Réponse utile", "parent_id": parent})
    reader = await joined(new_browser, world, "Lecteur")
    facilitator = await signed_in(new_browser, world.email)
    moderation = f"{scope(world)}/comments/{parent}/moderation"

    refused = problem(await reader.api("POST", moderation, {"action": "hide"}), 403, "forbidden")
    assert refused["detail"] == "Seule l’équipe d’animation de la consultation peut faire cela."
    invalid = problem(await facilitator.api("POST", moderation, {"action": "supprimer"}), 422, "invalid-input")
    assert invalid["errors"] == {"action": "Choisissez l’une des options proposées."}
    assert (await Comment.select(Comment.status).where(Comment.id == parent).first())["status"] == "published"

    assert ok(await facilitator.api("POST", moderation, {"action": "hide"}))["status"] == "hidden"
    path = f"{scope(world)}/contributions/{item}/comments"
    [placeholder] = ok(await reader.api("GET", path))["threads"]
    assert (placeholder["status"], placeholder["body"], placeholder["author_name"], placeholder["author_id"]) == (
        "hidden", "", "", None
    )
    assert [reply["body"] for reply in placeholder["replies"]] == ["Réponse utile"]
    [seen] = ok(await facilitator.api("GET", path))["threads"]
    assert (seen["body"], seen["author_name"]) == ("Propos déplacé", "Autrice")
    assert ok(await facilitator.api("POST", moderation, {"action": "restore"}))["status"] == "published"
