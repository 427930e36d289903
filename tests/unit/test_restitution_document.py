"""The restitution as organisers send it: figures with plurals, optional parts, titles, sub-headings,
French typography and French CSV (issue 11). Built from the database, read back from the exports."""

from __future__ import annotations

import csv
import io

from concerto.board import services as board
from concerto.comments import services as comments
from concerto.restitution import exporters
from concerto.restitution import services as restitution
from concerto.restitution.exporters._shared import outline
from concerto.restitution.typography import NBSP, NNBSP, french, french_html, french_markdown
from concerto.votes import services as votes
from tests.factories import make_contribution, make_participant, make_world


def _text(document, format_name: str) -> str:
    return exporters.get(format_name).render(document).decode("utf-8-sig")


# -- typography ------------------------------------------------------------------------


def test_french_spaces_where_a_french_reader_expects_them():
    assert french("Quoi? Vraiment !") == f"Quoi{NNBSP}? Vraiment{NNBSP}!"
    assert french("Les «communs» ; les « biens »") == f"Les «{NNBSP}communs{NNBSP}»{NNBSP}; les «{NNBSP}biens{NNBSP}»"
    assert french("Note : voir") == f"Note{NBSP}: voir"
    assert french("10 000 € et 12 % en 3 mois") == f"10{NNBSP}000{NBSP}€ et 12{NBSP}% en 3{NBSP}mois"
    # Left alone: times, addresses, years side by side, words that merely start like a unit.
    for same in ("à 10:30", "https://example.org/?a=1", "en 2014 150 personnes", "3 moissons", "2 minutes"):
        assert french(same) == same
    assert french(french("Quoi ?")) == french("Quoi ?")  # idempotent


def test_markdown_and_html_keep_code_links_and_markers():
    text = "## Titre : suite\n\n- ? une question\n- `a ; b` et [lien](https://x.org/?q=1) ok?\n\n```\nx ; y\n```"
    assert french_markdown(text) == (
        f"## Titre{NBSP}: suite\n\n- ? une question\n- `a ; b` et [lien](https://x.org/?q=1) ok{NNBSP}?\n\n```\nx ; y\n```"
    )
    html = "<p>Bonjour&nbsp;! Et <code>a ; b</code> &amp; « c » ?</p>"
    assert french_html(html) == f"<p>Bonjour&nbsp;! Et <code>a ; b</code> &amp; «{NNBSP}c{NNBSP}»{NNBSP}?</p>"


# -- figures and options ---------------------------------------------------------------


async def test_figures_count_people_not_facilitators_with_french_plurals(database):
    world = await make_world(budget=0)
    alice = await make_participant(world, "Alice")
    await make_participant(world, "Bob")  # joined, contributed nothing: still a participant
    first = await make_contribution(world, alice, "Des locaux partagés", kind="enjeu")
    await make_contribution(world, world.facilitator, "Un post-it tapé par l'animatrice", kind="acquis")
    await comments.add(alice, first, {"body": "Oui"})
    document = await restitution.draft(world.consultation, world.facilitator)
    assert document.summary == [
        ["2", "participants"], ["1", "contributeur"], ["2", "contributions"], ["1", "commentaire"],
    ]
    assert document.show_support is False  # nobody voted: no « 0 soutien » after each item
    await comments.add(alice, first, {"body": "Et aussi"})
    await restitution.update(world.consultation, world.facilitator, {"declared_participants": 58})
    document = await restitution.draft(world.consultation, world.facilitator)
    assert ["60", "participants"] in document.summary and ["2", "commentaires"] in document.summary
    for format_name in ("html", "md"):
        text = _text(document, format_name)
        assert "soutien" not in text and "Votes" not in text, format_name
    # Votes cast: support after each item, a votes figure and column.
    await votes.cast(alice, first)
    document = await restitution.draft(world.consultation, world.facilitator)
    assert document.show_support is True and ["1", "vote"] in document.summary
    assert "1 soutien" in _text(document, "md") and "| Votes |" in _text(document, "md")
    # The facilitators choose the figures, and can say no support even so.
    await restitution.update(world.consultation, world.facilitator, {"figures": ["participants"], "show_support": False})
    document = await restitution.draft(world.consultation, world.facilitator)
    assert document.summary == [["60", "participants"]] and "soutien" not in _text(document, "md")


async def test_titles_sections_dates_and_groups_without_themes(database):
    world = await make_world(budget=0)
    alice = await make_participant(world, "Alice")
    await make_contribution(world, alice, "Un appel à projets « Entreprendre autrement »", kind="acquis")
    await restitution.update(world.consultation, world.facilitator, {
        "introduction": "Accueil.\n\n## Les principes validés\n\nTrois principes.\n\n### Le premier\n\nTransversal.",
        "context": "Le contexte.",
        "next_steps": "La suite.",
        "titles": {"context": "Mise en perspective des actions 2015-2020"},
        "omitted": ["next_steps", "calendar"],
        "subtitle": "En préparation de la délibération cadre",
        "date": "2015-02-11",
        "organiser": "Métropole européenne de Lille",
    })
    document = await restitution.draft(world.consultation, world.facilitator)
    assert (document.subtitle, document.date.isoformat(), document.organiser) == (
        "En préparation de la délibération cadre — brouillon du 11 février 2015", "2015-02-11", "Métropole européenne de Lille"
    )
    assert document.next_steps == "" and document.calendar == []
    # The group has no theme: its contributions come with no « not yet in a theme » heading.
    [section] = document.groups[0].themes
    assert section.title == "" and section.acquis[0].title == f"Un appel à projets «{NNBSP}Entreprendre autrement{NNBSP}»"
    headings = outline(document)
    assert [h.title for h in headings] == ["Introduction", "Mise en perspective des actions 2015-2020", "Participation", world.group["title"]]
    [principles] = headings[0].children
    assert (principles.id, principles.title, principles.level) == ("introduction-1", "Les principes validés", 2)
    assert [(h.id, h.title, h.level) for h in principles.children] == [("introduction-2", "Le premier", 3)]
    assert headings[3].children == []  # no theme heading

    html = _text(document, "html")
    assert '<h3 id="introduction-1">Les principes validés</h3>' in html and '<h4 id="introduction-2">Le premier</h4>' in html
    assert '<a href="#introduction-1">Les principes validés</a>' in html
    assert "Contributions pas encore dans un thème" not in html and "Suite des travaux" not in html
    assert '<html lang="fr-FR">' in html and '<meta name="author" content="Métropole européenne de Lille">' in html
    md = _text(document, "md")
    assert "\n### Les principes validés\n" in md and "\n#### Le premier\n" in md
    assert "## Mise en perspective des actions 2015-2020" in md and "Contributions pas encore" not in md
    assert "### Les acquis à développer" in md  # right under the group, as it has no theme

    # With a theme, the rest is « not yet in a theme » again.
    await board.create_theme(world.facilitator, world.group["id"], {"title": "Financement", "summary": "## Constat\n\nPeu."}, [])
    document = await restitution.draft(world.consultation, world.facilitator)
    group = outline(document)[3]
    assert [(h.title, [c.title for c in h.children]) for h in group.children] == [
        ("Financement", ["Constat"]), ("Contributions pas encore dans un thème", [])
    ]
    assert document.groups[0].themes[-1].title == "Contributions pas encore dans un thème"


async def test_csv_for_french_spreadsheets_by_default_in_french(database):
    world = await make_world(budget=0)
    alice = await make_participant(world, "Alice")
    await make_contribution(world, alice, "Une monnaie locale ; complémentaire", kind="enjeu", body="=SOMME(A1)")
    document = await restitution.draft(world.consultation, world.facilitator)
    rows = list(csv.reader(io.StringIO(_text(document, "csv")), delimiter=";"))
    assert rows[0] == ["Groupe de travail", "Thème", "Type", "Titre", "Texte", "Soutiens", "Commentaires", "Statut",
                       "Regroupée avec", "Auteur"]
    assert rows[1][3] == f"Une monnaie locale{NNBSP}; complémentaire" and rows[1][4] == "'=SOMME(A1)" and rows[1][7] == "publiée"
    await restitution.update(world.consultation, world.facilitator, {"csv_french": False})
    document = await restitution.draft(world.consultation, world.facilitator)
    rows = list(csv.reader(io.StringIO(_text(document, "csv"))))
    assert rows[0][:3] == ["group", "theme", "kind"] and rows[1][7] == "published"


async def test_french_spaces_reach_every_format_of_a_contribution_text(database):
    world = await make_world(budget=0)
    alice = await make_participant(world, "Alice")
    await make_contribution(world, alice, "Des locaux ?", kind="enjeu", body="Pourquoi pas **ici** ? Voir `a ; b`.")
    document = await restitution.draft(world.consultation, world.facilitator)
    [item] = document.groups[0].themes[0].enjeux
    assert item.title == f"Des locaux{NNBSP}?" and item.body == f"Pourquoi pas **ici**{NNBSP}? Voir `a ; b`."
    assert f"</strong>{NNBSP}? Voir <code>a ; b</code>" in item.body_html
    for format_name in ("html", "md", "csv"):
        assert f"Des locaux{NNBSP}?" in _text(document, format_name), format_name
