"""Typed-up post-its over HTTP: upload, preview and confirm; the scribe's quick entry; the API; the command line."""

from __future__ import annotations

import asyncio
import os
import sys

from lxml import html as lxml_html

from concerto.consultations import services as consultations
from concerto.contributions import imports
from concerto.tables import Contribution, Participant
from tests.browser import text_of
from tests.factories import PASSWORD, make_participant, make_world, xlsx

CSV = "titre;texte;type;groupe;auteur\nGarder le forum annuel;Chaque **automne**;Acquis;{group};Camille\nCréer une foncière;;Nouvel enjeu;;\n"


async def facilitator(browser, **world_options):
    world = await make_world(**world_options)
    await browser.login(world.email, PASSWORD)
    return world, f"/c/{world.consultation['slug']}/facilitation/import"


async def upload(browser, path: str, name: str, content: bytes, **fields: str):
    """Send a file as the page's form does (multipart, with the CSRF token)."""
    data = {"_csrf_token": await browser.csrf(), **fields}
    return await browser.client.post(path, data=data, files={"file": (name, content, "text/csv")}, follow_redirects=False)


def confirm_fields(page: str) -> dict[str, str]:
    form = lxml_html.fromstring(page).xpath("//form[contains(@action, '/confirm')]")[0]
    assert form.get("enctype") == "multipart/form-data"
    return {element.get("name"): element.get("value") for element in form.xpath(".//input[@type='hidden']")}


async def confirm(browser, path: str, fields: dict[str, str]):
    parts = {name: (None, value.encode()) for name, value in fields.items() if name != "_csrf_token"}
    return await browser.client.post(
        f"{path}/confirm", data={"_csrf_token": await browser.csrf()}, files=parts, follow_redirects=False
    )



async def test_upload_preview_confirm(browser):
    world, path = await facilitator(browser)
    page = await browser.get(path)
    assert page.status_code == 200
    text = text_of(page.text)
    assert "Saisir des post-its" in text and "Importer un tableur" in text and "Saisie rapide" in text
    assert 'accept=".csv,.xlsx' in page.text and "titre;type;groupe;auteur" in text

    data = CSV.format(group=world.group["title"].upper()).encode()
    preview = await upload(browser, f"{path}/preview", "atelier.csv", data, group=str(world.group["id"]))
    assert preview.status_code == 200
    shown = text_of(preview.text)
    assert "Aperçu de l’import" in shown and "2 contributions seront créées." in shown
    assert "Garder le forum annuel" in shown and "Créer une foncière" in shown and "Camille" in shown
    assert "Acquis à développer" in shown and "Nouveaux enjeux" in shown and "Post-it (sans auteur)" in shown
    assert "Confirmer l’import" in shown
    assert await Contribution.count() == 0  # a preview stores nothing

    done = await confirm(browser, path, confirm_fields(preview.text))
    assert done.status_code == 303 and done.headers["location"] == f"/c/{world.consultation['slug']}/facilitation"
    dashboard = await browser.get(done.headers["location"])
    assert "2 contributions importées." in text_of(dashboard.text)
    rows = await Contribution.select(
        Contribution.title, Contribution.body_html, Contribution.kind.code.as_alias("kind"),
        Contribution.author.display_name.as_alias("author"), Contribution.working_group,
    ).order_by(Contribution.id)
    assert [(row["title"], row["kind"], row["author"]) for row in rows] == [
        ("Garder le forum annuel", "acquis", "Camille"), ("Créer une foncière", "enjeu", "Post-it")
    ]
    assert "<strong>automne</strong>" in rows[0]["body_html"] and {row["working_group"] for row in rows} == {world.group["id"]}


async def test_an_xlsx_upload(browser):
    world, path = await facilitator(browser)
    data = xlsx(["Titre", "Nature", "Groupe de travail"], ["Un fonds", "acquis", world.group["id"]], [2027, "enjeu", world.group["title"]])
    preview = await upload(browser, f"{path}/preview", "atelier.xlsx", data)
    assert preview.status_code == 200 and "2027" in text_of(preview.text)
    assert (await confirm(browser, path, confirm_fields(preview.text))).status_code == 303
    assert [row["title"] for row in await Contribution.select(Contribution.title).order_by(Contribution.id)] == ["Un fonds", "2027"]


async def test_line_errors_are_shown_in_french_and_nothing_is_stored(browser):
    world, path = await facilitator(browser)
    data = f"titre;type;groupe\nBon;acquis;{world.group['title']}\n{'x' * 201};Truc;Ailleurs\n;enjeu;\n".encode()
    preview = await upload(browser, f"{path}/preview", "atelier.csv", data)
    assert preview.status_code == 422
    shown = text_of(preview.text)
    assert "Rien ne peut encore être importé : 5 erreurs à corriger dans le fichier." in shown
    assert "Ligne 3 : le titre est trop long (201 caractères ; 200 au maximum)." in shown
    assert "Ligne 3 : type « Truc » inconnu (au choix : Acquis à développer, Nouveaux enjeux)." in shown
    assert "Ligne 3 : groupe de travail « Ailleurs » inconnu." in shown
    assert "Ligne 4 : le titre est vide." in shown and "Ligne 4 : le groupe de travail manque" in shown
    assert 'href="#line-errors"' in preview.text and 'id="line-errors"' in preview.text
    assert "/confirm" not in preview.text  # no confirmation while a line is wrong
    assert await Contribution.count() == 0


async def test_bad_files_and_forms_are_refused_in_french(browser):
    world, path = await facilitator(browser)
    cases = [
        (b"", "vide.csv", {}, "Le fichier est vide."),
        (os.urandom(4000), "photo.png", {}, "Ce fichier n’est ni un fichier CSV ni un fichier Excel (.xlsx)."),
        (b"PK\x03\x04 pas un zip", "faux.xlsx", {}, "Ce fichier .xlsx est endommagé"),
        (b"nom;prenom\nLou;Sam\n", "contacts.csv", {}, "Le fichier n’a pas de colonne de titre"),
        (("titre;type\n" + "Idée;acquis\n" * (imports.MAX_ROWS + 1)).encode(), "long.csv", {}, "Le fichier contient plus de 5 000 post-its"),
        (b"titre;type\nUn;acquis\n", "a.csv", {"group": "abc"}, "Ce groupe de travail n’existe pas."),
        (b"titre;type\nUn;acquis\n", "a.csv", {"group": "99999999999999999999"}, "Ce groupe de travail n’existe pas."),
    ]
    for content, name, fields, expected in cases:
        response = await upload(browser, f"{path}/preview", name, content, **fields)
        assert response.status_code == 422, (name, response.status_code)
        shown = text_of(response.text)
        assert expected in shown, (name, shown[:600])
        # The summary links to the field, which says what is wrong.
        field = "group" if fields else "file"
        label = "Groupe de travail" if fields else "Fichier"
        assert f'<a href="#field-{field}">' in response.text and f"{label} : {expected}" in shown
        assert ("Ce fichier ne peut pas être importé" in shown) == (field == "file")
        assert f'id="error-{field}"' in response.text and 'aria-invalid="true"' in response.text
    # No file chosen: the browser sends an empty part without a name; or no part at all.
    empty = await browser.client.post(
        f"{path}/preview", data={"_csrf_token": await browser.csrf()}, files={"file": ("", b"")}, follow_redirects=False
    )
    assert empty.status_code == 422 and "Choisissez un fichier CSV ou XLSX à importer." in text_of(empty.text)
    missing = await browser.post(f"{path}/preview", {"group": ""})
    assert missing.status_code == 422 and "Choisissez un fichier CSV ou XLSX à importer." in text_of(missing.text)
    huge = await upload(browser, f"{path}/preview", "gros.csv", b"titre;type\n" + b"x" * (imports.MAX_FILE_BYTES + 200_000))
    assert huge.status_code == 413 and "trop volumineux" in text_of(huge.text)
    assert await Contribution.count() == 0


async def test_the_confirmation_validates_again_and_refuses_garbage(browser):
    world, path = await facilitator(browser)
    preview = await upload(browser, f"{path}/preview", "a.csv", b"titre;type\nUn;acquis\n", group=str(world.group["id"]))
    fields = confirm_fields(preview.text)
    for rows in ("", "{pas du json", "[" * 50_000, '{"rows": 1}', '[[2, "Un"]]', '[["2", "Un", "", "acquis", "", ""]]'):
        refused = await confirm(browser, path, {**fields, "rows": rows})
        assert refused.status_code == 422, rows[:20]
        assert "Les lignes à importer n’ont pas pu être relues" in text_of(refused.text)
    # Rows changed on the way back are checked like a new file.
    tampered = await confirm(browser, path, {**fields, "rows": f'[[2, "{"y" * 201}", "", "acquis", "", ""], [3, "Deux", "", "autre", "", ""]]'})
    assert tampered.status_code == 422
    shown = text_of(tampered.text)
    assert "Ligne 2 : le titre est trop long" in shown and "Ligne 3 : type « autre » inconnu" in shown
    other = await make_world()
    wrong_group = await confirm(browser, path, {**fields, "group": str(other.group["id"])})
    assert wrong_group.status_code == 422 and "Ce groupe de travail n’existe pas." in text_of(wrong_group.text)
    missing = await browser.post(f"{path}/confirm", {})
    assert missing.status_code == 422
    assert await Contribution.count() == 0
    assert (await confirm(browser, path, fields)).status_code == 303
    assert await Contribution.count() == 1


async def test_closed_consultations_and_participants_are_refused(browser, new_browser):
    world, path = await facilitator(browser)
    preview = await upload(browser, f"{path}/preview", "a.csv", b"titre;type\nUn;acquis\n", group=str(world.group["id"]))
    fields = confirm_fields(preview.text)
    await consultations.update(world.consultation, world.facilitator, {"status": "closed"})
    refused = await confirm(browser, path, fields)
    assert refused.status_code == 409
    assert "Cette consultation est clôturée : on ne peut plus rien y ajouter." in text_of(refused.text)
    page = await browser.get(path)
    assert "Cette consultation est clôturée" in text_of(page.text) and "/preview" not in page.text

    participant = await new_browser()
    await consultations.update(world.consultation, world.facilitator, {"status": "open"})
    await participant.join(world.consultation["slug"], world.token, "Camille")
    assert (await participant.get(path)).status_code == 403
    response = await upload(participant, f"{path}/preview", "a.csv", b"titre;type\nUn;acquis\n")
    assert response.status_code == 403 and "Seule l’équipe d’animation" in text_of(response.text)
    assert (await confirm(participant, path, fields)).status_code == 403
    assert (await participant.post(f"{path}/quick", {"group": str(world.group["id"]), "kind": "acquis", "lines": "Un"})).status_code == 403
    assert await Contribution.count() == 0


async def test_quick_entry_comes_back_empty_with_the_same_group_and_kind(browser):
    world, path = await facilitator(browser)
    await make_participant(world, "Lou")
    page = await browser.get(f"{path}/quick")
    assert page.status_code == 200 and "Post-its, un par ligne" in text_of(page.text)
    response = await browser.post(
        f"{path}/quick", {"group": str(world.group["id"]), "kind": "enjeu", "author": "Lou", "lines": "Premier\n\nDeuxième\r\nTroisième\n"}
    )
    assert response.status_code == 303
    assert response.headers["location"] == f"{path}/quick?group={world.group['id']}&kind=enjeu"
    again = await browser.get(response.headers["location"])
    assert "3 post-its ajoutés." in text_of(again.text)
    doc = lxml_html.fromstring(again.text)
    assert doc.xpath("//select[@name='group']/option[@selected]/@value") == [str(world.group["id"])]
    assert doc.xpath("//input[@name='kind'][@checked]/@value") == ["enjeu"]
    assert doc.xpath("//textarea[@name='lines']")[0].text in (None, "")
    assert doc.xpath("//input[@name='author']/@value") == [""]
    rows = await Contribution.select(Contribution.title, Contribution.kind.code.as_alias("kind"), Contribution.author.display_name.as_alias("author")).order_by(Contribution.id)
    assert [(row["title"], row["kind"], row["author"]) for row in rows] == [("Premier", "enjeu", "Lou"), ("Deuxième", "enjeu", "Lou"), ("Troisième", "enjeu", "Lou")]
    assert await Participant.count().where(Participant.display_name == "Lou") == 1  # the participant who joined, reused


async def test_quick_entry_errors_keep_what_was_typed_and_store_nothing(browser):
    world, path = await facilitator(browser)
    typed = f"Court\n\n{'x' * 201}"
    response = await browser.post(f"{path}/quick", {"group": str(world.group["id"]), "kind": "acquis", "author": "", "lines": typed})
    assert response.status_code == 422
    shown = text_of(response.text)
    assert "Rien n’a été importé" in shown and "Ligne 3 : le titre est trop long (201 caractères ; 200 au maximum)." in shown
    assert 'href="#field-lines"' in response.text and "error-lines-list" in response.text
    assert lxml_html.fromstring(response.text).xpath("//textarea[@name='lines']")[0].text == typed
    for data, expected in (
        ({"group": "", "kind": "acquis", "lines": "Un"}, "Choisissez le groupe de travail."),
        ({"group": str(world.group["id"]), "lines": "Un"}, "Choisissez le type de ces post-its."),
        ({"group": str(world.group["id"]), "kind": "acquis", "lines": "  \n "}, "Saisissez au moins un post-it, un par ligne."),
        ({"group": str(world.group["id"]), "kind": "acquis", "lines": "Un\x00deux", "author": "a\x00b"}, "caractère"),
    ):
        refused = await browser.post(f"{path}/quick", data)
        assert refused.status_code == 422 and expected in text_of(refused.text), (data, text_of(refused.text)[:500])
    assert await Contribution.count() == 0


async def test_api_dry_run_then_import(browser):
    world, _path = await facilitator(browser)
    url = f"/consultations/{world.consultation['slug']}/imports"
    data = CSV.format(group=world.group["id"]).encode()
    file = {"file": ("atelier.csv", data)}
    # Without a default group, the second line (no group of its own) is an error, in French.
    dry = await browser.api("POST", url, files=file, data={"dry_run": "true"})
    assert dry.status_code == 200, dry.text
    body = dry.json()
    assert body["dry_run"] is True and body["created"] == []
    assert [(line["line"], line["title"], line["kind"], line["group_id"], line["author"]) for line in body["lines"]] == [
        (2, "Garder le forum annuel", "acquis", world.group["id"], "Camille")
    ]
    assert [(error["line"], error["field"]) for error in body["errors"]] == [(3, "group")]
    message = body["errors"][0]["message"]
    assert text_of(message).startswith("Ligne 3 : le groupe de travail manque")
    dry = await browser.api("POST", url, files=file, data={"dry_run": "1", "group": str(world.group["id"])})
    assert dry.status_code == 200 and [line["line"] for line in dry.json()["lines"]] == [2, 3] and dry.json()["errors"] == []
    assert await Contribution.count() == 0

    refused = await browser.api("POST", url, files=file)
    assert refused.status_code == 422 and refused.headers["content-type"].startswith("application/problem+json")
    assert list(refused.json()["errors"]) == ["lines[3].group"]
    assert text_of(message).endswith(text_of(refused.json()["errors"]["lines[3].group"]))
    assert await Contribution.count() == 0

    created = await browser.api("POST", url, files=file, data={"group": str(world.group["id"])})
    assert created.status_code == 201, created.text
    result = created.json()
    assert result["dry_run"] is False and len(result["created"]) == 2 and len(result["lines"]) == 2
    titles = {row["id"]: row["title"] for row in await Contribution.select(Contribution.id, Contribution.title)}
    assert [titles[i] for i in result["created"]] == ["Garder le forum annuel", "Créer une foncière"]


async def test_api_refusals_are_problem_details(browser, new_browser):
    world, _path = await facilitator(browser)
    url = f"/consultations/{world.consultation['slug']}/imports"
    cases = [
        ({"files": {"file": ("vide.csv", b"")}}, 422, "Le fichier est vide."),
        ({"files": {"file": ("a.csv", b"titre;type\nUn;acquis\n")}, "data": {"group": "999999"}}, 422, "Ce groupe de travail n’existe pas."),
        ({"files": {"dry_run": (None, b"true")}}, 400, "file: Ce champ est obligatoire."),
        ({"files": {"file": (None, b"titre;type")}}, 400, "file: Cette valeur n’est pas valide."),
        ({"data": {"file": "titre;type"}}, 400, "La demande n’a pas pu être comprise."),  # not multipart
        ({"files": {"file": ("a.csv", b"titre\nUn\n")}, "data": {"group": "abc"}}, 400, "nombre entier"),
        ({"json": {"file": "a"}}, 400, None),
    ]
    for kwargs, status, expected in cases:
        response = await browser.api("POST", url, kwargs.pop("json", None), **kwargs)
        assert response.status_code == status, (kwargs, response.text)
        assert response.headers["content-type"].startswith("application/problem+json")
        if expected:
            assert expected in text_of(response.json()["detail"]), response.json()
    participant = await new_browser()
    await participant.join(world.consultation["slug"], world.token)
    forbidden = await participant.api("POST", url, files={"file": ("a.csv", b"titre;type\nUn;acquis\n")}, data={"dry_run": "true"})
    assert forbidden.status_code == 403 and forbidden.headers["content-type"].startswith("application/problem+json")
    assert await Contribution.count() == 0


async def run_cli(backend, *args: str) -> tuple[int, str, str]:
    url = backend.url + (f"?search_path={backend.schema}" if backend.schema else "")
    env = {**os.environ, "CONCERTO_DATABASE_URL": url}
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "concerto", *args, env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
    )
    out, err = await asyncio.wait_for(process.communicate(), timeout=120)
    return process.returncode, out.decode(), err.decode()


async def test_command_line_import(database, tmp_path):
    world = await make_world()
    slug = world.consultation["slug"]
    good = tmp_path / "atelier.csv"
    good.write_bytes("titre;type;auteur\nUn fonds;Acquis;Camille\nUne foncière;enjeu;\n".encode("cp1252"))
    code, out, err = await run_cli(database, "import-contributions", slug, str(good), "--group", world.group["title"].lower(), "--dry-run")
    assert code == 0, err
    assert out.splitlines() == [
        f"line 2: [{world.group['title']}] Acquis à développer — Un fonds (Camille)",
        f"line 3: [{world.group['title']}] Nouveaux enjeux — Une foncière",
        "Dry run: 2 contributions would be imported; nothing was stored.",
    ]
    assert await Contribution.count() == 0

    bad = tmp_path / "erreurs.csv"
    bad.write_text("titre;type\nUn fonds;Acquis\nDeux;Truc\n", encoding="utf-8")
    code, out, err = await run_cli(database, "import-contributions", slug, str(bad), "--group", str(world.group["id"]))
    assert code == 2 and "3" in err and "Truc" in err and "Nothing was imported." in err
    assert await Contribution.count() == 0
    code, _out, err = await run_cli(database, "import-contributions", slug, str(tmp_path / "absent.csv"))
    assert code == 2 and "cannot read" in err

    code, out, err = await run_cli(database, "import-contributions", slug, str(good), "--group", str(world.group["id"]))
    assert code == 0, err
    assert out.splitlines()[-1] == "2 contributions imported"
    rows = await Contribution.select(Contribution.title, Contribution.author.display_name.as_alias("author")).order_by(Contribution.id)
    assert [(row["title"], row["author"]) for row in rows] == [("Un fonds", "Camille"), ("Une foncière", "Post-it")]
