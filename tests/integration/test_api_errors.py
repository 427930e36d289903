"""JSON API: sign-in, CSRF, malformed requests (never a 500) and the OpenAPI document."""

from __future__ import annotations

import json

import pytest

from concerto.api import API_HANDLERS
from concerto.board import services as board
from concerto.comments import services as comments
from concerto.tables import Contribution
from tests.factories import PASSWORD, make_account, make_contribution, make_participant, make_world
from tests.integration.api_support import joined, ok, problem, scope, signed_in, stored


async def test_sign_in_read_and_sign_out(browser):
    _account_id, email = await make_account()
    wrong = problem(await browser.api("POST", "/session", {"email": email, "password": "pas le bon"}), 401, "not-authenticated")
    assert wrong["detail"] == "Adresse électronique ou mot de passe incorrect."
    unknown = problem(await browser.api("POST", "/session", {"email": "personne@example.org", "password": PASSWORD}), 401, "not-authenticated")
    assert unknown["detail"] == wrong["detail"]
    nul = problem(await browser.api("POST", "/session", {"email": email + "\x00", "password": PASSWORD}), 401, "not-authenticated")
    assert nul["detail"] == wrong["detail"]
    problem(await browser.api("GET", "/session"), 401, "not-authenticated")

    account = ok(await browser.api("POST", "/session", {"email": email.upper(), "password": PASSWORD}), 201)
    assert (account["email"], account["display_name"], account["is_admin"]) == (email, "Animatrice", False)
    assert "password_hash" not in account
    assert ok(await browser.api("GET", "/session")) == account
    # The same session opens the facilitator pages.
    assert (await browser.get("/facilitation", follow_redirects=False)).status_code == 200

    assert (await browser.api("DELETE", "/session")).status_code == 204
    problem(await browser.api("GET", "/session"), 401, "not-authenticated")
    assert (await browser.get("/facilitation", follow_redirects=False)).status_code == 303


async def test_writes_without_the_csrf_header_are_refused_and_store_nothing(new_browser):
    world = await make_world()
    camille = await joined(new_browser, world)
    path = f"{scope(world)}/groups/{world.group['id']}/contributions"
    before = await stored()
    refused = problem(await camille.api("POST", path, {"kind": "acquis", "title": "Sans jeton"}, csrf=False), 403, "csrf-failed")
    assert refused["detail"] == "Jeton CSRF absent ou incorrect : envoyez la valeur du cookie csrftoken dans l’en-tête x-csrftoken."
    forged = await camille.api("POST", path, {"kind": "acquis", "title": "Faux jeton"}, csrf=False, headers={"x-csrftoken": "forged"})
    problem(forged, 403, "csrf-failed")
    problem(await camille.api("PUT", f"{scope(world)}/contributions/1/vote", csrf=False), 403, "csrf-failed")
    assert await stored() == before
    ok(await camille.api("POST", path, {"kind": "acquis", "title": "Avec jeton"}), 201)
    assert await Contribution.count() == 1


NOT_UNDERSTOOD = "La demande n’a pas pu être comprise. Vérifiez votre saisie et réessayez."


@pytest.mark.parametrize(
    ("content", "title", "errors"),
    [
        ("pas du json", "Votre envoi n’est pas du JSON valide.", None),
        ('{"kind": "acquis", "title": ', "Votre envoi n’est pas du JSON valide.", None),
        ("", "Votre envoi doit être un objet JSON contenant les champs attendus.", None),
        ("[]", "Votre envoi doit être un objet JSON contenant les champs attendus.", None),
        ('"acquis"', "Votre envoi doit être un objet JSON contenant les champs attendus.", None),
        ("null", "Votre envoi doit être un objet JSON contenant les champs attendus.", None),
        ('{"kind": "acquis", "title": 12}', NOT_UNDERSTOOD, {"title": "Ce champ doit contenir du texte."}),
        ('{"kind": null, "title": "Ok"}', NOT_UNDERSTOOD, {"kind": "Ce champ doit contenir du texte."}),
        ('{"kind": "acquis", "title": ["Ok"]}', NOT_UNDERSTOOD, {"title": "Ce champ doit contenir du texte."}),
        ('{"kind": "acquis", "title": "Ok", "status": "hidden"}', NOT_UNDERSTOOD, {"status": "Ce champ n’est pas accepté ici."}),
        ("{}", NOT_UNDERSTOOD, {"kind": "Ce champ est obligatoire."}),
        ('{"kind": "acquis", "title": "Ok", "body": 1e999}', "Votre envoi n’est pas du JSON valide.", None),
        # Found by fuzzing: these two were server errors (msgspec raises what Litestar 2 does not catch).
        (b'{"kind": "acquis", "title": "caf\xe9"}', "Votre envoi n’est pas du JSON valide.", None),  # Latin-1, not UTF-8
        (b'{"\xff": 1}', "Votre envoi n’est pas du JSON valide.", None),
        ("[" * 5000 + "]" * 5000, "Votre envoi n’est pas du JSON valide.", None),
        ('{"a":' * 5000 + "1" + "}" * 5000, "Votre envoi n’est pas du JSON valide.", None),
    ],
)
async def test_malformed_bodies_get_a_readable_400_and_store_nothing(new_browser, content, title, errors):
    world = await make_world()
    camille = await joined(new_browser, world)
    before = await stored()
    response = await camille.api(
        "POST",
        f"{scope(world)}/groups/{world.group['id']}/contributions",
        content=content if isinstance(content, bytes) else content.encode(),
        headers={"content-type": "application/json"},
    )
    body = problem(response, 400, "bad-request")
    assert body["title"] == title
    assert body.get("errors") == errors
    if errors:
        assert body["detail"] == " ".join(f"{name}: {text}" for name, text in errors.items())
    assert await stored() == before


async def test_odd_addresses_and_methods_are_problems_not_errors(browser):
    world = await make_world()
    base = scope(world)
    for method, path, status, code in (
        ("GET", "/nowhere", 404, "not-found"),
        ("GET", "/consultations/a%00b", 404, "not-found"),
        ("GET", f"{base}/contributions/abc", 404, "not-found"),
        ("GET", f"{base}/contributions/-3", 400, "bad-request"),
        ("GET", f"{base}/contributions/99999999999999999999999", 400, "bad-request"),
        ("GET", f"{base}/comments/12", 405, "method-not-allowed"),
        ("POST", f"{base}/me", 405, "method-not-allowed"),
        ("GET", f"{base}/contributions/5/comments?page=x", 400, "bad-request"),
    ):
        response = await browser.api(method, path)
        problem(response, status, code)


async def test_problems_are_in_english_when_asked(browser):
    response = await browser.api("GET", "/consultations/inconnue", headers={"accept-language": "en-GB,en;q=0.8"})
    assert problem(response, 404, "not-found")["detail"] == "This consultation does not exist."
    world = await make_world()
    response = await browser.api("POST", f"{scope(world)}/join", {"token": world.token}, headers={"accept-language": "en"})
    assert problem(response, 400, "bad-request")["errors"] == {"display_name": "This field is required."}


async def test_openapi_documents_every_api_route_with_schemas(client):
    response = await client.get("/schema/openapi.json")
    assert response.status_code == 200
    document = response.json()
    paths = document["paths"]
    assert not [path for path in paths if not path.startswith("/api/v1/")], "HTML pages must stay out of the schema"
    base = "/api/v1/consultations/{slug}"
    expected = {
        "/api/v1/session": {"get", "post", "delete"},
        "/api/v1/session/password": {"put"},
        "/api/v1/session/others": {"delete"},
        "/api/v1/accounts": {"get"},
        "/api/v1/accounts/{account_id}/sessions": {"delete"},
        "/api/v1/consultations/{slug}/me/data": {"get"},
        "/api/v1/consultations/{slug}/me/erase": {"post"},
        "/api/v1/consultations/{slug}/participants/{participant_id}/anonymise": {"post"},
        "/api/v1/consultations": {"get", "post"},
        base: {"get", "patch"},
        f"{base}/join": {"post"},
        f"{base}/me": {"get"},
        f"{base}/kinds": {"patch"},
        f"{base}/invitation": {"get"},
        f"{base}/invitation/rotate": {"post"},
        f"{base}/participants": {"get"},
        f"{base}/participants/{{participant_id}}": {"patch"},
        f"{base}/meetings": {"get", "post"},
        f"{base}/meetings/{{meeting_id}}": {"patch", "delete"},
        f"{base}/groups": {"get", "post"},
        f"{base}/groups/{{group_id}}": {"get", "patch"},
        f"{base}/groups/{{group_id}}/contributions": {"get", "post"},
        f"{base}/contributions/{{contribution_id}}": {"get", "patch"},
        f"{base}/contributions/{{contribution_id}}/withdraw": {"post"},
        f"{base}/contributions/{{contribution_id}}/moderation": {"post"},
        f"{base}/contributions/{{contribution_id}}/vote": {"put", "delete"},
        f"{base}/contributions/{{contribution_id}}/comments": {"get", "post"},
        f"{base}/comments/{{comment_id}}": {"patch"},
        f"{base}/comments/{{comment_id}}/moderation": {"post"},
        f"{base}/groups/{{group_id}}/board": {"get"},
        f"{base}/groups/{{group_id}}/board/history": {"get"},
        f"{base}/groups/{{group_id}}/themes": {"post"},
        f"{base}/themes/{{theme_id}}": {"patch", "delete"},
        f"{base}/themes/{{theme_id}}/move": {"post"},
        f"{base}/themes/{{theme_id}}/merge": {"post"},
        f"{base}/themes/{{theme_id}}/split": {"post"},
        f"{base}/groups/{{group_id}}/placements": {"post"},
        f"{base}/contributions/{{contribution_id}}/move": {"post"},
        f"{base}/contributions/{{contribution_id}}/duplicate": {"post", "delete"},
        f"{base}/duplicate-dismissals": {"post"},
        f"{base}/board-actions/{{action_id}}/undo": {"post"},
        f"{base}/groups/{{group_id}}/suggestions": {"get", "post"},
        f"{base}/groups/{{group_id}}/likely-duplicates": {"get"},
        f"{base}/similar": {"get"},
        f"{base}/imports": {"post"},
        f"{base}/live": {"get"},
        f"{base}/live/phases": {"post"},
        f"{base}/live/steps": {"put"},
        f"{base}/live/steps/start": {"post"},
        f"{base}/live/timer": {"post", "delete"},
        f"{base}/live/schedules": {"post"},
        f"{base}/live/schedules/{{schedule_id}}": {"delete"},
        f"{base}/restitution": {"get", "put"},
        f"{base}/restitution/comments/{{comment_id}}": {"put"},
        f"{base}/restitution/draft/{{format_name}}": {"get"},
        f"{base}/restitution/versions": {"get", "post"},
        f"{base}/restitution/versions/{{number}}": {"get"},
    }
    assert {path: set(operations) for path, operations in paths.items()} == expected
    operations = [operation for item in paths.values() for operation in item.values()]
    assert all(operation.get("summary") for operation in operations)
    tags = {tag for operation in operations for tag in operation["tags"]}
    assert tags >= {"session", "consultations", "meetings", "groups", "contributions", "votes", "comments", "board", "live workshop"}

    vote = paths[f"{base}/contributions/{{contribution_id}}/vote"]["put"]
    assert vote["responses"]["200"]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/VoteRead"}
    create = paths[f"{base}/groups/{{group_id}}/contributions"]["post"]
    assert create["requestBody"]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/ContributionCreate"}
    assert create["responses"]["201"]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/ContributionRead"}
    schemas = document["components"]["schemas"]
    assert set(schemas["VoteRead"]["required"]) == {
        "contribution_id", "votes", "voted", "budget", "used", "remaining", "votes_label", "remaining_label", "message"
    }
    assert schemas["ContributionCreate"]["required"] == ["kind", "title"]
    assert schemas["CommentNodeRead"]["properties"]["replies"]["items"] == {"$ref": "#/components/schemas/CommentNodeRead"}
    assert schemas["BoardItemRead"]["properties"]["duplicates"]["items"] == {"$ref": "#/components/schemas/BoardItemRead"}
    theme = paths[f"{base}/groups/{{group_id}}/themes"]["post"]
    assert theme["responses"]["201"]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/ThemeActionRead"}
    assert set(schemas["ThemeActionRead"]["required"]) == {"action_id", "theme_id"}
    # Error answers are documented as what they are: problem details.
    for operation in operations:
        assert {"400", "403", "404", "409", "422"} <= set(operation["responses"]), operation["summary"]
        for status in ("400", "422"):
            assert operation["responses"][status]["content"] == {
                "application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}
            }
    assert set(schemas["Problem"]["required"]) == {"type", "title", "status", "detail", "instance"}
    assert len(API_HANDLERS) == 14
    assert (await client.get("/schema")).status_code == 200


ODD_BODIES = ("", "[]", "{mal formé", '{"inconnu": 1}')
ODD_VALUES = ("x" * 100_000, "a\x00b", 2**70, -1, None, [], {"a": 1})


async def test_no_odd_input_to_any_write_route_is_a_server_error(new_browser):
    """Every write route of the OpenAPI document, with odd bodies and odd values in each field."""
    world = await make_world()
    author = await make_participant(world, "Autrice")
    item = await make_contribution(world, author)
    comment = await comments.add(author, item, {"body": "Un avis"})
    action = await board.create_theme(world.facilitator, world.group["id"], {"title": "Un thème"}, [item])
    theme = (await board.action(world.facilitator, action))["details"]["theme_id"]
    facilitator = await signed_in(new_browser, world.email)
    ids = {"{slug}": world.consultation["slug"], "{group_id}": world.group["id"], "{contribution_id}": item,
           "{comment_id}": comment, "{participant_id}": author.participant_id, "{meeting_id}": 1,
           "{theme_id}": theme, "{action_id}": action, "{schedule_id}": 1, "{account_id}": world.account_id}
    document = (await facilitator.client.get("/schema/openapi.json")).json()
    schemas = document["components"]["schemas"]
    seen = []
    for template, operations in document["paths"].items():
        if template == "/api/v1/session":
            continue  # signing out here would turn the rest of the sweep into a visitor's
        path = template.removeprefix("/api/v1")
        for placeholder, value in ids.items():
            path = path.replace(placeholder, str(value))
        for method, operation in operations.items():
            if method == "get":
                continue
            bodies = list(ODD_BODIES)
            reference = operation.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema")
            if reference:
                listed = reference.get("type") == "array"  # a list of objects (the steps of a workshop)
                fields = schemas[reference.get("items", reference)["$ref"].rsplit("/", 1)[1]]["properties"]
                bodies += [json.dumps([{name: value}] if listed else {name: value}) for name in fields for value in ODD_VALUES]
            for body in bodies:
                response = await facilitator.api(
                    method.upper(), path, content=body.encode(), headers={"content-type": "application/json"}
                )
                seen.append(response.status_code)
                assert response.status_code < 500, (method, path, body[:80], response.text)
                if response.status_code >= 400:
                    refused = response.json()
                    assert response.headers["content-type"].startswith("application/problem+json")
                    assert refused["detail"] and "Expected" not in refused["detail"], (method, path, body[:80], refused)
    assert {200, 400, 404, 422} <= set(seen) and len(seen) > 300


def test_a_write_racing_a_deletion_is_a_conflict_not_a_server_error():
    """A vote whose participant was erased meanwhile fails on the foreign key: the state refused it (409)."""
    import sqlite3

    from asyncpg.exceptions import ForeignKeyViolationError

    from concerto.web.errors import describe

    for error in (sqlite3.IntegrityError("FOREIGN KEY constraint failed"), ForeignKeyViolationError("violates foreign key")):
        status, code, message, _fields = describe(error)
        assert (status, code) == (409, "conflict") and "possible" in message
    assert describe(sqlite3.IntegrityError("UNIQUE constraint failed: vote.x"))[0] == 500
