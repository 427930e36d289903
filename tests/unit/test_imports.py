"""Typed-up post-its: reading CSV and XLSX files, checking every line, importing all or nothing."""

from __future__ import annotations

import contextvars
import datetime as dt
import io
import os

import pytest

from concerto import i18n
from concerto.consultations import services as consultations
from concerto.contributions import imports
from concerto.errors import Conflict, Forbidden, Invalid, NotAuthenticated, NotFound
from concerto.groups import services as groups
from concerto.tables import Contribution, Participant
from concerto.web.errors import describe
from tests.factories import make_participant, make_world, visitor, xlsx



def in_english(function):
    """What an English reader sees (the French catalog is checked in tests/unit/test_i18n.py)."""

    def run():
        i18n.set_locale("en")
        return function()

    return contextvars.copy_context().run(run)


def reason(refused: pytest.ExceptionInfo) -> str:
    return in_english(lambda: describe(refused.value)[3]["file"])


def cells(rows: list[imports.Row]) -> list[tuple]:
    return [(row.line, row.title, row.body, row.kind, row.group, row.author) for row in rows]


# -- reading files ---------------------------------------------------------------


@pytest.mark.parametrize("separator", [",", ";"])
def test_csv_with_commas_or_semicolons(separator):
    text = separator.join(["titre", "texte", "type", "groupe", "auteur"]) + "\n"
    text += separator.join(["Un fonds", '"Pour amorcer, vite"', "Acquis", "Entreprendre", "Camille"]) + "\n"
    text += separator.join(["Une foncière", "", "enjeu", "2", ""]) + "\n"
    rows = imports.parse(text.encode(), "postits.csv")
    assert cells(rows) == [
        (2, "Un fonds", "Pour amorcer, vite", "Acquis", "Entreprendre", "Camille"),
        (3, "Une foncière", "", "enjeu", "2", ""),
    ]


def test_utf8_with_a_byte_order_mark_and_windows_1252():
    with_bom = "\ufeffTitre;Type\nÉconomie circulaire;Acquis\n".encode("utf-8")
    assert cells(imports.parse(with_bom, "a.csv")) == [(2, "Économie circulaire", "", "Acquis", "", "")]
    # Excel for Windows: « CSV (séparateur : point-virgule) » is Windows-1252.
    windows = "Titre;Détails;Type\nÉconomie sociale;Cœur de métier : « l’emploi »;Nouvel enjeu\n".encode("cp1252")
    assert cells(imports.parse(windows, "a.csv")) == [(2, "Économie sociale", "Cœur de métier : « l’emploi »", "Nouvel enjeu", "", "")]


def test_header_names_in_french_or_english_whatever_the_case_and_accents():
    french = "TITRE;Détails;NATURE;Groupe de travail;Nom;Remarque\nUn;deux;acquis;G;Lou;ignorée\n"
    english = "Title,Description,Kind,Group,Author\nUn,deux,acquis,G,Lou\n"
    for text in (french, english):
        assert cells(imports.parse(text.encode(), "a.csv")) == [(2, "Un", "deux", "acquis", "G", "Lou")]


def test_blank_lines_are_skipped_and_line_numbers_are_the_spreadsheets():
    text = "titre;type\r\n\r\nPremier;acquis\r\n;\r\n\"Sur deux\nlignes\";enjeu\r\nDernier;enjeu\r\n\r\n"
    rows = imports.parse(text.encode(), "a.csv")
    # A cell with a line break stays one spreadsheet line.
    assert [(row.line, row.title) for row in rows] == [(3, "Premier"), (5, "Sur deux\nlignes"), (6, "Dernier")]


def test_xlsx_first_sheet_numbers_and_dates_become_text():
    data = xlsx(
        ["Titre", "Texte", "Type", "Groupe", "Auteur", "Autre"],
        ["Un fonds", "Détails", "Acquis", "Entreprendre", "Camille", 3.5],
        [],
        [2027, dt.datetime(2026, 3, 14), "enjeu", 4, None, None],
        [None, None, None, None, None, None],
    )
    assert cells(imports.parse(data, "atelier.xlsx")) == [
        (2, "Un fonds", "Détails", "Acquis", "Entreprendre", "Camille"),
        (4, "2027", "2026-03-14", "enjeu", "4", ""),
    ]


@pytest.mark.parametrize(
    ("data", "name", "expected"),
    [
        (b"", "vide.csv", "The file is empty."),
        (b"\n ;; \n\n", "vide.csv", "The file is empty."),
        (b"titre;type\n\n", "entete.csv", "no post-its below its first line"),
        (b"nom;prenom\nLou;Camille\n", "contacts.csv", "no title column"),
        (os.urandom(3000), "photo.jpg", "neither a CSV file nor an Excel"),
        (b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4, "image.csv", "neither a CSV file nor an Excel"),
        (b"PK\x03\x04" + b"not really a zip" * 20, "faux.xlsx", "damaged or is not really an Excel file"),
        (b"titre;type\nUn;acquis\n", "renamed.xlsx", "damaged or is not really an Excel file"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 500, "ancien.xls", "old Excel file (.xls)"),
    ],
)
def test_files_that_cannot_be_read_are_refused_with_a_reason(data, name, expected):
    with pytest.raises(imports.FileRefused) as refused:
        imports.parse(data, name)
    assert expected in reason(refused)


def test_a_word_document_posing_as_xlsx_is_refused():
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("word/document.xml", "<w:document/>")
    with pytest.raises(imports.FileRefused) as refused:
        imports.parse(out.getvalue(), "lettre.xlsx")
    assert "damaged or is not really an Excel file" in reason(refused)


def test_size_limit():
    lines = "titre;type\n" + "".join(f"Idée {n};acquis\n" for n in range(imports.MAX_ROWS))
    assert len(imports.parse(lines.encode(), "a.csv")) == imports.MAX_ROWS
    with pytest.raises(imports.FileRefused) as refused:
        imports.parse((lines + "Une de trop;acquis\n").encode(), "a.csv")
    assert "more than 5,000 post-its" in reason(refused)


def test_missing_title_column_names_what_was_found():
    with pytest.raises(imports.FileRefused) as refused:
        imports.parse(xlsx(["Idée", "Type"], ["Un fonds", "acquis"]), "a.xlsx")
    assert "no title column" in reason(refused) and "“Idée”, “Type”" in reason(refused)


# -- checking lines ----------------------------------------------------------------


async def test_every_lines_errors_are_collected_and_name_their_line(database):
    world = await make_world()
    rows = imports.parse(
        (
            "titre;type;groupe;auteur\n"
            "Bon;acquis;Entreprendre autrement;\n"
            f"{'x' * 201};truc;Inconnu;\n"
            ";enjeu;;\n"
            f"Bon aussi;enjeu;;{'n' * 81}\n"
        ).encode(),
        "a.csv",
    )
    preview = await imports.validate(world.consultation["id"], rows)
    assert [item.line for item in preview.items] == [2]
    assert [(error.line, error.field) for error in preview.errors] == [
        (3, "title"), (3, "kind"), (3, "group"), (4, "title"), (4, "group"), (5, "group"), (5, "author"),
    ]
    shown = in_english(lambda: [imports.explain(error) for error in preview.errors])
    assert shown[0] == "Line 3: the title is too long (201 characters; at most 200)."
    assert shown[1] == "Line 3: unknown kind “truc” (one of: Acquis à développer, Nouveaux enjeux)."
    assert shown[2] == "Line 3: unknown working group “Inconnu”."
    assert shown[3] == "Line 4: the title is empty."


async def test_kinds_by_code_label_or_usual_names_and_groups_by_title_or_number(database):
    world = await make_world()
    other = await groups.create(world.consultation, world.facilitator, {"title": "Économie circulaire"})
    await consultations.rename_kinds(world.consultation, world.facilitator, {"acquis": "Points forts"})
    kinds = {
        "Acquis": "acquis", "ACQUIS À DÉVELOPPER": "acquis", "point fort": "acquis", "Points forts": "acquis",
        "Nouvel enjeu": "enjeu", "nouveaux enjeux": "enjeu", "enjeu": "enjeu", "Enjeux": "enjeu", "New challenges": "enjeu",
    }
    rows = [imports.Row(n, title=f"Idée {n}", kind=kind, group=group)
            for n, (kind, group) in enumerate(zip(kinds, ["economie CIRCULAIRE", str(other["id"]), ""] * 3), start=2)]
    preview = await imports.validate(world.consultation["id"], rows, world.group["id"])
    assert preview.errors == []
    assert [item.kind_code for item in preview.items] == list(kinds.values())
    assert [item.group_id for item in preview.items][:3] == [other["id"], other["id"], world.group["id"]]
    assert preview.items[0].kind_label == "Points forts" and preview.items[0].group_title == "Économie circulaire"


async def test_default_group_must_belong_to_the_consultation(database):
    world = await make_world()
    elsewhere = await make_world()
    with pytest.raises(Invalid) as refused:
        await imports.validate(world.consultation["id"], [imports.Row(2, "Idée", kind="acquis")], elsewhere.group["id"])
    assert "group" in refused.value.fields
    # Nor can a line name another consultation's group by its number.
    preview = await imports.validate(world.consultation["id"], [imports.Row(2, "Idée", kind="acquis", group=str(elsewhere.group["id"]))])
    assert [(error.line, error.field) for error in preview.errors] == [(2, "group")]


# -- storing ---------------------------------------------------------------------------


async def preview_of(world, text: str, default=True) -> imports.Preview:
    return await imports.validate(world.consultation["id"], imports.parse(text.encode(), "a.csv"), world.group["id"] if default else None)


async def test_import_creates_every_contribution_in_file_order(database):
    world = await make_world()
    preview = await preview_of(world, "titre;texte;type\nPremier;**gras**;acquis\nDeuxième;;enjeu\nTroisième;;Acquis\n")
    ids = await imports.store(world.facilitator, world.consultation, preview)
    rows = {row["id"]: row for row in await Contribution.select(
        Contribution.id, Contribution.title, Contribution.kind.code.as_alias("kind"), Contribution.body_html,
        Contribution.status, Contribution.working_group,
    )}
    assert [rows[i]["title"] for i in ids] == ["Premier", "Deuxième", "Troisième"]
    assert [rows[i]["kind"] for i in ids] == ["acquis", "enjeu", "acquis"]
    assert rows[ids[0]]["body_html"] == "<p><strong>gras</strong></p>\n"
    assert {row["status"] for row in rows.values()} == {"published"} and {row["working_group"] for row in rows.values()} == {world.group["id"]}


async def test_one_bad_line_and_nothing_is_stored(database):
    world = await make_world()
    preview = await preview_of(world, "titre;type;auteur\nBon;acquis;Lou\nMauvais;inconnu;Sam\nBon aussi;enjeu;\n")
    assert [error.line for error in preview.errors] == [3]
    with pytest.raises(imports.ImportRefused) as refused:
        await imports.store(world.facilitator, world.consultation, preview)
    assert [error.line for error in refused.value.lines] == [3] and "lines[3].kind" in refused.value.fields
    assert await Contribution.count() == 0
    assert await Participant.count().where(Participant.display_name.is_in(["Lou", "Sam", "Post-it"])) == 0


async def test_authors_are_reused_or_created_and_anonymous_post_its_share_one_participant(database):
    world = await make_world()
    camille = await make_participant(world, "Camille")
    text = "titre;type;auteur\nUn;acquis;Camille\nDeux;acquis;Dominique\nTrois;enjeu;\nQuatre;enjeu;Dominique\n"
    first = await imports.store(world.facilitator, world.consultation, await preview_of(world, text))
    second = await imports.store(world.facilitator, world.consultation, await preview_of(world, "titre;type\nCinq;acquis\n"))
    authors = {
        row["id"]: row for row in await Contribution.select(
            Contribution.id, Contribution.author, Contribution.author.display_name.as_alias("name"),
            Contribution.author.role.as_alias("role"), Contribution.author.account.as_alias("account"),
        )
    }
    assert authors[first[0]]["author"] == camille.participant_id
    assert authors[first[1]]["author"] == authors[first[3]]["author"] != camille.participant_id
    assert authors[first[2]]["author"] == authors[second[0]]["author"]
    assert authors[first[2]]["name"] == "Post-it"
    assert {(row["name"], row["role"], row["account"]) for row in authors.values()} == {
        ("Camille", "participant", None), ("Dominique", "participant", None), ("Post-it", "participant", None)
    }
    assert await Participant.count().where(Participant.display_name == "Post-it") == 1
    assert await Participant.count().where(Participant.consultation == world.consultation["id"]) == 4  # with the facilitator


async def test_a_facilitator_named_like_an_author_is_not_reused(database):
    world = await make_world()
    preview = await preview_of(world, f"titre;type;auteur\nUn;acquis;{world.facilitator.display_name}\n")
    [item] = await imports.store(world.facilitator, world.consultation, preview)
    row = await Contribution.select(Contribution.author).where(Contribution.id == item).first()
    assert row["author"] != world.facilitator.participant_id


async def test_allowed_in_a_draft_and_with_contributions_closed(database):
    draft = await make_world(status="draft")
    assert len(await imports.store(draft.facilitator, draft.consultation, await preview_of(draft, "titre;type\nUn;acquis\n"))) == 1
    world = await make_world()
    await groups.update(world.consultation, world.facilitator, world.group["id"], {"contributions_open": False})
    assert len(await imports.store(world.facilitator, world.consultation, await preview_of(world, "titre;type\nDeux;enjeu\n"))) == 1
    assert await Contribution.count() == 2


async def test_refused_when_closed_and_for_anyone_but_facilitators(database):
    world = await make_world()
    preview = await preview_of(world, "titre;type\nUn;acquis\n")
    participant = await make_participant(world, "Camille")
    with pytest.raises(Forbidden):
        await imports.store(participant, world.consultation, preview)
    with pytest.raises(NotAuthenticated):
        await imports.store(visitor(world), world.consultation, preview)
    closed = await consultations.update(world.consultation, world.facilitator, {"status": "closed"})
    with pytest.raises(Conflict):
        await imports.store(world.facilitator, closed, preview)
    # The status is read when writing, not taken from the caller's copy of the consultation.
    with pytest.raises(Conflict):
        await imports.store(world.facilitator, world.consultation, preview)
    assert await Contribution.count() == 0
    assert await Participant.count().where(Participant.display_name == "Post-it") == 0


async def test_a_preview_is_only_stored_in_its_own_consultation(database):
    world = await make_world()
    other = await make_world()
    preview = await preview_of(world, "titre;type\nUn;acquis\n")
    with pytest.raises(NotFound):
        await imports.store(other.facilitator, other.consultation, preview)
    assert await Contribution.count() == 0


async def test_xlsx_import_end_to_end(database):
    world = await make_world()
    data = xlsx(["Titre", "Nature", "Groupe"], ["Un fonds", "Acquis", "entreprendre autrement"], [2027, "Nouvel enjeu", None])
    preview = await imports.validate(world.consultation["id"], imports.parse(data, "a.xlsx"), world.group["id"])
    ids = await imports.store(world.facilitator, world.consultation, preview)
    titles = await Contribution.select(Contribution.title).order_by(Contribution.id)
    assert len(ids) == 2 and [row["title"] for row in titles] == ["Un fonds", "2027"]


def test_rows_survive_the_confirmation_round_trip_and_garbage_is_refused():
    rows = [imports.Row(2, "Un « fonds »", "a\nb", "acquis", "G", "Lou"), imports.Row(5, "Deux", "", "enjeu", "", "")]
    assert imports.rows_from_json(imports.rows_to_json(rows)) == rows
    for garbage in (None, "", "{", "[]", '{"a": 1}', "[[1]]", '[["2", "t", "", "", "", ""]]', '[[true, "t", "", "", "", ""]]',
                    '[[0, "t", "", "", "", ""]]', '[[2, 3, "", "", "", ""]]', "[" * 100_000):
        with pytest.raises(imports.FileRefused):
            imports.rows_from_json(garbage)


# -- the scribe's form -------------------------------------------------------------------


async def test_quick_entry_one_contribution_per_line(database):
    world = await make_world()
    await groups.update(world.consultation, world.facilitator, world.group["id"], {"contributions_open": False})
    ids = await imports.quick_entry(
        world.facilitator, world.consultation,
        {"group": str(world.group["id"]), "kind": "enjeu", "author": "", "lines": "Premier\r\n\r\n  Deuxième  \n\n"},
    )
    rows = await Contribution.select(Contribution.id, Contribution.title, Contribution.kind.code.as_alias("kind"),
                                     Contribution.author.display_name.as_alias("author")).order_by(Contribution.id)
    assert [row["id"] for row in rows] == ids
    assert [(row["title"], row["kind"], row["author"]) for row in rows] == [("Premier", "enjeu", "Post-it"), ("Deuxième", "enjeu", "Post-it")]


async def test_quick_entry_refuses_everything_for_one_long_line(database):
    world = await make_world()
    with pytest.raises(imports.ImportRefused) as refused:
        await imports.quick_entry(
            world.facilitator, world.consultation,
            {"group": str(world.group["id"]), "kind": "acquis", "author": "Lou", "lines": f"Court\n\n{'x' * 201}\n"},
        )
    assert in_english(lambda: [imports.explain(error) for error in refused.value.lines]) == [
        "Line 3: the title is too long (201 characters; at most 200)."
    ]
    assert await Contribution.count() == 0


@pytest.mark.parametrize(
    ("data", "fields"),
    [
        ({"group": "", "kind": "acquis", "lines": "Un"}, {"group"}),
        ({"group": "999999", "kind": "acquis", "lines": "Un"}, {"group"}),
        ({"group": "G", "kind": "autre", "lines": "   \n "}, {"kind", "lines"}),
        ({"group": "G", "kind": "acquis", "author": "n" * 81, "lines": "Un"}, {"author"}),
    ],
)
async def test_quick_entry_form_errors(database, data, fields):
    world = await make_world()
    data = {**data, "group": str(world.group["id"]) if data["group"] == "G" else data["group"]}
    with pytest.raises(Invalid) as refused:
        await imports.quick_entry(world.facilitator, world.consultation, data)
    assert set(refused.value.fields) == fields
    assert await Contribution.count() == 0
