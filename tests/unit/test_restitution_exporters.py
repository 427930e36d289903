"""Every restitution format, read back the way a reader (or a script) would read it."""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
import json
import re
import zipfile
from html.parser import HTMLParser

import pytest

from concerto.markdown import plain_paragraphs, render_markdown, render_plain
from concerto.restitution import exporters
from concerto.restitution.build import labels
from concerto.restitution.model import (
    Document,
    Figures,
    GroupedItem,
    GroupFigures,
    GroupSection,
    HighlightedComment,
    Item,
    MeetingRow,
    ThemeSection,
)

FORMATS = {"md", "html", "pdf", "odt", "docx", "csv", "json"}


def _item(id_, title, kind, support, body="", grouped=(), comments=0, status="published"):
    return Item(id_, title, body, kind, support, comments, None, list(grouped), status)


@pytest.fixture(scope="module")
def document() -> Document:
    words = labels()  # the default language: French
    financement = ThemeSection(
        title="Financement des initiatives",
        synthesis="Les participants demandent **un guichet unique** pour les petits projets.",
        acquis=[
            _item(
                11, "Un appel à projets « Entreprendre autrement »", "acquis", 12,
                body=(
                    "L'appel a financé une quarantaine de projets :\n\n- des SCIC\n- des associations\n\n"
                    "Voir [le bilan](https://example.org/bilan). <script>alert('x')</script>"
                ),
                grouped=[GroupedItem(14, "Garder l'appel à projets", None, body="Même idée, autre texte.", comments=1)],
                comments=3,
            ),
            _item(12, "La prise de participations au sein des SCIC", "acquis", 5, body="Dix SCIC accompagnées."),
        ],
        enjeux=[_item(13, "Accompagner la mobilisation des financements", "enjeu", 7, body="1. banques\n2. fondations")],
        comments=[HighlightedComment("Un appel à projets « Entreprendre autrement »", None, "Indispensable pour *amorcer*.")],
    )
    mutualisation = ThemeSection(
        title="Mutualisation",
        synthesis="",
        acquis=[],
        enjeux=[_item(21, "=Encourager la diffusion de « communs »", "enjeu", 3, body="Des locaux partagés.")],
    )
    unthemed = ThemeSection(
        title=words.sentences["unthemed"],
        synthesis="",
        acquis=[_item(31, "Le soutien au Réseau Catalyst", "acquis", 1)],
        enjeux=[],
        is_theme=False,
    )
    empty = ThemeSection(title="Thème sans contribution retenue", synthesis="", acquis=[], enjeux=[])
    sensibiliser = ThemeSection(
        title="Événements grand public",
        synthesis="",
        acquis=[_item(41, "Les Forums métropolitains", "acquis", 9, body="Deux forums par an.")],
        enjeux=[_item(42, "Former les conseillers emploi", "enjeu", 4)],
    )
    first = GroupFigures("Accompagner la création d'activités", 3, 2, 40, 6, 9)
    second = GroupFigures("Sensibiliser et former à l'ESS", 1, 1, 15, 2, 4)
    return Document(
        title="Restitution des consultations sur l'économie sociale et solidaire",
        slug="ess",
        subtitle="Restitution — version 2 du 14 mars 2027",
        date=dt.date(2027, 3, 14),
        version=2,
        language="fr",
        labels=words,
        introduction="Accueil de la rencontre par le conseiller métropolitain délégué.",
        context="Les principes validés :\n\n- **L'ESS, une façon transversale d'entreprendre**\n- Une ambition métropolitaine",
        calendar=[
            MeetingRow(dt.date(2027, 1, 26), "Acteurs et structures financées", "Rencontre", "Lille", 32, 18, "Synthèse *à relire*."),
            MeetingRow(dt.date(2027, 1, 30), "Territoires de la métropole", "Atelier", "Roubaix", None, 9, ""),
        ],
        figures=Figures(60, 20, 4, 3, 55, 30, 8, 32, [first, second]),
        groups=[
            GroupSection(first.title, "Le groupe réunit **les têtes de réseau**.", [financement, mutualisation, unthemed], first),
            GroupSection(second.title, "", [empty, sensibiliser], second),
        ],
        next_steps="Quatre groupes de travail thématiques seront formés à partir des six axes.",
        summary=[["60", "participants"], ["20", "contributeurs"], ["32", "présences aux rencontres"], ["55", "votes"],
                 ["30", "personnes ont voté"], ["8", "commentaires"]],
    )


@pytest.fixture(scope="module")
def rendered(document) -> dict[str, bytes]:
    return {exporter.name: exporter.render(document) for exporter in exporters.all_exporters()}


# The order a reader meets the main headings and items in, in every format.
def expected_sequence(document: Document) -> list[str]:
    words = document.labels
    return [
        document.title,
        words.introduction,
        words.calendar,
        words.context,
        words.figures,
        "Accompagner la création d'activités",
        "Financement des initiatives",
        words.acquis,
        "Un appel à projets « Entreprendre autrement »",
        "La prise de participations au sein des SCIC",
        words.enjeux,
        "Accompagner la mobilisation des financements",
        words.highlighted,
        "Mutualisation",
        "=Encourager la diffusion de « communs »",
        words.sentences["unthemed"],
        "Le soutien au Réseau Catalyst",
        "Sensibiliser et former à l'ESS",
        "Événements grand public",
        "Les Forums métropolitains",
        "Former les conseillers emploi",
        words.next_steps,
    ]


def assert_in_order(text: str, needles: list[str]) -> None:
    position = 0
    for needle in needles:
        found = text.find(needle, position)
        assert found >= 0, f"{needle!r} missing, or out of order"
        position = found + len(needle)


def test_the_registry_offers_every_format():
    found = {exporter.name: exporter for exporter in exporters.all_exporters()}
    assert set(found) == FORMATS
    assert found["odt"].media_type == "application/vnd.oasis.opendocument.text"
    assert found["docx"].media_type == "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    assert found["csv"].media_type == "text/csv; charset=utf-8" and found["csv"].extension == "csv"
    assert found["md"].extension == "md" and found["html"].media_type == "text/html; charset=utf-8"
    assert {name for name, exporter in found.items() if exporter.slow} == {"pdf", "odt", "docx"}


def test_every_format_gives_the_same_bytes_twice(document, rendered):
    import odf.opendocument

    # Reading an ODT teaches odfpy more namespaces: the next ODT must not change for it.
    odf.opendocument.load(io.BytesIO(rendered["odt"]))
    for exporter in exporters.all_exporters():
        assert exporter.render(document) == rendered[exporter.name], exporter.name


# -- Markdown ---------------------------------------------------------------------------


def test_markdown_has_headings_by_level_and_items_as_list_entries(document, rendered):
    text = rendered["md"].decode("utf-8")
    words = document.labels
    headings = re.findall(r"^(#{1,4}) (.+)$", text, re.MULTILINE)
    levels = {title: len(marks) for marks, title in headings}
    assert levels[document.title] == 1
    assert levels[words.calendar] == 2
    assert levels["Accompagner la création d'activités"] == 2
    assert levels["Financement des initiatives"] == 3
    assert levels[words.acquis] == 4
    assert f"- **Un appel à projets « Entreprendre autrement »** — {words.support_text(12)}" in text
    assert "  - Garder l'appel à projets" in text  # the grouped duplicate, as a sub-item
    assert "  - des SCIC" in text  # the item's own Markdown list, indented under it
    assert "\\<script>" in text and not re.search(r"(?<!\\)<script", text)  # escaped for any renderer
    assert "| 26 janvier 2027 | Rencontre — Acteurs et structures financées | Lille | 32 | 18 |" in text
    assert "| Accompagner la création d'activités | 3 | 2 | 40 | 6 | 9 |" in text
    assert "Thème sans contribution retenue" not in text
    assert_in_order(text, expected_sequence(document))


# -- HTML -------------------------------------------------------------------------------


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.lang = None
        self.headings: list[tuple[int, str, str | None]] = []
        self.ids: set[str] = set()
        self.toc_links: list[str] = []
        self.scripts = 0
        self.svg_in_figure = False
        self.items: list[tuple[str, str, str]] = []  # (theme, kind heading, item title)
        self._stack: list[str] = []
        self._heading: list | None = None
        self._title: list[str] | None = None
        self._current = {2: "", 3: "", 4: ""}
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "html":
            self.lang = attrs.get("lang")
        if "id" in attrs:
            self.ids.add(attrs["id"])
        if tag == "script":
            self.scripts += 1
        if tag == "a" and "nav" in self._stack and attrs.get("href", "").startswith("#"):
            self.toc_links.append(attrs["href"][1:])
        if tag == "svg" and "figure" in self._stack:
            self.svg_in_figure = True
        if re.fullmatch(r"h[1-6]", tag):
            self._heading = [int(tag[1]), [], attrs.get("id")]
        if tag == "strong" and attrs.get("class") == "item-title":
            self._title = []
        self._stack.append(tag)

    def handle_endtag(self, tag):
        while self._stack and self._stack.pop() != tag:
            pass
        if self._heading and tag == f"h{self._heading[0]}":
            level, parts, id_ = self._heading
            text = "".join(parts).strip()
            if "nav" not in self._stack:
                self.headings.append((level, text, id_))
                self._current[level] = text
                for deeper in range(level + 1, 5):
                    self._current[deeper] = ""
            self._heading = None
        if tag == "strong" and self._title is not None:
            self.items.append((self._current[3], self._current[4], "".join(self._title)))
            self._title = None

    def handle_data(self, data):
        self.text.append(data)
        if self._heading is not None:
            self._heading[1].append(data)
        if self._title is not None:
            self._title.append(data)


def test_html_is_a_standalone_accessible_page(document, rendered):
    source = rendered["html"].decode("utf-8")
    page = _Page()
    page.feed(source)
    words = document.labels
    assert page.lang == "fr-FR"
    assert page.scripts == 0 and "&lt;script&gt;alert" in source
    assert not re.search(r"""(?:src|href)=["']?(?:https?:)?//(?!example\.org)""", source)  # nothing fetched
    assert "<link" not in source
    assert [level for level, _text, _id in page.headings if level == 1] == [1]
    levels = {text: level for level, text, _id in page.headings}
    assert levels[words.figures] == 2 and levels["Sensibiliser et former à l'ESS"] == 2
    assert levels["Financement des initiatives"] == 3 and levels[words.enjeux] == 4
    assert "Thème sans contribution retenue" not in levels
    assert page.toc_links and set(page.toc_links) <= page.ids
    assert {"calendar", "group-1", "group-1-theme-1", "group-2", "next-steps"} <= set(page.toc_links)
    assert page.svg_in_figure
    assert ("Financement des initiatives", words.acquis, "Un appel à projets « Entreprendre autrement »") in page.items
    assert ("Financement des initiatives", words.enjeux, "Accompagner la mobilisation des financements") in page.items
    assert (words.sentences["unthemed"], words.acquis, "Le soutien au Réseau Catalyst") in page.items
    assert_in_order("".join(page.text), expected_sequence(document))
    assert 'href="https://example.org/bilan"' in source


# -- PDF ---------------------------------------------------------------------------------


def _pdf(data: bytes):
    pypdf = pytest.importorskip("pypdf")
    return pypdf.PdfReader(io.BytesIO(data))


def _bookmarks(reader, entries=None, level=0) -> list[tuple[int, str, int]]:
    """(level, title, page) of every bookmark, in order."""
    found = []
    for entry in reader.outline if entries is None else entries:
        if isinstance(entry, list):
            found += _bookmarks(reader, entry, level + 1)
        else:
            found.append((level, entry.title, reader.get_destination_page_number(entry) + 1))
    return found


def _flat(text: str) -> str:
    return " ".join(text.split())


def test_pdf_reads_in_order_with_numbered_pages_bookmarks_and_a_paged_table_of_contents(document, rendered):
    reader = _pdf(rendered["pdf"])
    words = document.labels
    total = len(reader.pages)
    pages = [page.extract_text() for page in reader.pages]
    assert total > 1
    assert all(f"{words.page} {number} / {total}" in text for number, text in enumerate(pages, start=1))

    # Real bookmarks: sections and groups, then their themes (the kinds of contribution are
    # headings in the tag tree, but neither bookmarks nor table of contents entries).
    bookmarks = _bookmarks(reader)
    group, other, unthemed = "Accompagner la création d'activités", "Sensibiliser et former à l'ESS", words.sentences["unthemed"]
    assert [(level, title) for level, title, _page in bookmarks] == [
        (0, words.introduction), (0, words.calendar), (0, words.context), (0, words.figures),
        (0, group), (1, "Financement des initiatives"), (1, "Mutualisation"), (1, unthemed),
        (0, other), (1, "Événements grand public"),
        (0, words.next_steps),
    ]
    assert all(_flat(title) in _flat(pages[page - 1]) for _level, title, page in bookmarks)
    first_page = bookmarks[0][2]
    assert first_page > 1 and dict((title, page) for _level, title, page in bookmarks)[other] > first_page

    # The table of contents comes first, with the page of each section, group and theme.
    assert document.title in _flat(pages[0]) and words.table_of_contents in pages[0]
    contents = "\n".join(reader.pages[index].extract_text(extraction_mode="layout") for index in range(first_page - 1))
    for level, title, page in bookmarks:
        if level < 2:
            assert re.search(rf"{re.escape(title)}[ .]+{page}\n", contents), title
    assert document.labels.acquis not in contents

    # The body, after the table of contents: everything in the order of the other formats.
    body = _flat(" ".join(pages[first_page - 1:]))
    assert_in_order(body, expected_sequence(document)[1:])
    themes = [theme.title for group_ in document.groups for theme in group_.themes]
    kinds = [words.acquis, words.enjeux, words.highlighted]

    def under(title: str) -> tuple[str, str]:
        position = body.find(title)
        assert position >= 0, title
        return max(themes, key=lambda t: body.rfind(t, 0, position)), max(kinds, key=lambda k: body.rfind(k, 0, position))

    assert under("Un appel à projets « Entreprendre autrement »") == ("Financement des initiatives", words.acquis)
    assert under("Accompagner la mobilisation des financements") == ("Financement des initiatives", words.enjeux)
    assert under("=Encourager la diffusion de « communs »") == ("Mutualisation", words.enjeux)
    assert under("Le soutien au Réseau Catalyst") == (unthemed, words.acquis)
    assert under("Former les conseillers emploi") == ("Événements grand public", words.enjeux)
    assert f"Un appel à projets « Entreprendre autrement » — {words.support_text(12)}" in body
    assert "• des SCIC • des associations" in body  # the item's own Markdown list
    assert f"{words.grouped_with} ◦ Garder l'appel à projets" in body  # the grouped duplicate, as a sub-item
    assert "1. banques 2. fondations" in body
    assert "Indispensable pour amorcer. — Un appel à projets « Entreprendre autrement »" in body
    assert "Thème sans contribution retenue" not in body
    assert "<script>alert('x')</script>" in body  # user text shown as text

    # Figures: the summary, both tables, the chart.
    assert "60 participants" in body and "55 votes" in body
    assert "26 janvier 2027 Rencontre — Acteurs et structures financées Synthèse à relire. Lille 32 18" in body
    assert f"{group} 3 2 40 6 9" in body and f"{other} 1 1 15 2 4" in body
    assert words.chart_title in body  # the chart: vector drawing (SVG), a tagged Figure (see test_restitution_pdf)

    links = [
        annotation.get_object()["/A"].get("/URI")
        for page in reader.pages
        for annotation in page.get("/Annots", [])
        if "/A" in annotation.get_object()
    ]
    assert links == ["https://example.org/bilan"]
    assert reader.metadata.get("/CreationDate", "").startswith("D:20270314")
    assert reader.metadata.title.startswith(document.title)


def test_pdf_embeds_its_font(rendered):
    reader = _pdf(rendered["pdf"])
    fonts = {}
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            fonts[font["/BaseFont"]] = font
    assert fonts
    for name, font in fonts.items():
        assert "DejaVuSans" in name, name  # no unembedded standard font (Helvetica) anywhere
        descendant = font["/DescendantFonts"][0].get_object() if "/DescendantFonts" in font else font
        assert "/FontFile2" in descendant["/FontDescriptor"], name  # TrueType, embedded


def _long(document: Document) -> Document:
    """Three groups of four themes of two dozen items: many pages, and page ends everywhere."""
    groups = []
    for g in range(1, 4):
        themes = []
        for t in range(1, 5):
            items = [
                _item(
                    g * 1000 + t * 100 + i, f"Contribution {g}.{t}.{i} sur l'économie", "acquis" if i % 3 else "enjeu", i,
                    body=f"Texte {g}.{t}.{i} : " + "des mots accentués, é è à ç ô, " * (i % 9 + 1),
                )
                for i in range(1, 25)
            ]
            themes.append(ThemeSection(f"Thème {g}.{t}", "", [x for x in items if x.kind == "acquis"], [x for x in items if x.kind == "enjeu"]))
        groups.append(GroupSection(f"Groupe {g}", "", themes, GroupFigures(f"Groupe {g}", 16, 8, 100, 0, 10)))
    groups[0].themes[0].acquis[0].title = "<b>pas du gras</b> & <font size=40>énorme</font>"
    return dataclasses.replace(
        document, groups=groups, figures=dataclasses.replace(document.figures, groups=[group.figures for group in groups])
    )


def test_a_long_pdf_keeps_items_whole_and_headings_with_what_follows(document):
    long = _long(document)
    data = exporters.get("pdf").render(long)
    assert exporters.get("pdf").render(long) == data
    reader = _pdf(data)
    total = len(reader.pages)
    pages = [page.extract_text() for page in reader.pages]
    assert total > 15
    assert all(f"{document.labels.page} {number} / {total}" in text for number, text in enumerate(pages, start=1))
    bookmarks = _bookmarks(reader)
    assert [page for _level, _title, page in bookmarks] == sorted(page for _level, _title, page in bookmarks)
    assert sum(1 for level, _title, _page in bookmarks if level == 1) == 12

    def page_of(text: str) -> int:
        return next(index for index, page in enumerate(pages) if text in _flat(page))

    headings = {title for _level, title, _page in bookmarks}
    for group in long.groups:
        for theme in group.themes:
            for item in theme.acquis + theme.enjeux:
                # An item's title and its text on the same page.
                assert page_of(item.title) == page_of(item.body.split(" : ")[0] + " :"), item.title
    for text in pages[bookmarks[0][2] - 1:-1]:  # after the table of contents
        last = [line.strip() for line in text.splitlines() if line.strip()][-1]
        assert last not in headings, last  # no heading alone at the bottom of a page
    assert "<b>pas du gras</b> & <font size=40>énorme</font>" in _flat(" ".join(pages))  # text, never markup


# -- ODT ---------------------------------------------------------------------------------


def _odt_text(element) -> str:
    from odf import teletype

    return teletype.extractText(element)


def test_odt_has_real_headings_lists_page_numbers_and_the_chart(document, rendered):
    from odf import draw, table, text
    from odf.namespaces import TEXTNS
    from odf.opendocument import load

    odt = load(io.BytesIO(rendered["odt"]))
    words = document.labels
    headings = [(int(h.getAttribute("outlinelevel")), _odt_text(h), h.getAttribute("stylename")) for h in odt.getElementsByType(text.H)]
    levels = {title: level for level, title, _style in headings}
    assert levels[words.calendar] == 1 and levels["Accompagner la création d'activités"] == 1
    assert levels["Financement des initiatives"] == 2 and words.acquis not in levels  # a label, not an outline heading
    assert {style for _level, _title, style in headings} >= {"Heading_20_1", "Heading_20_2"}
    display = {s.getAttribute("name"): s.getAttribute("displayname") for s in odt.styles.childNodes if s.qname[1] == "style"}
    assert display["Heading_20_1"] == "Heading 1"

    # Items are list items under their theme and kind, in the order a reader meets them.
    seen = []
    current = {2: "", 3: ""}
    for node in odt.text.childNodes:
        if node.qname == (TEXTNS, "h"):
            level = int(node.getAttribute("outlinelevel"))
            current[level] = _odt_text(node)
            if level < 3:
                current[3] = ""
        elif node.qname == (TEXTNS, "p") and node.getAttribute("stylename") == "Theme_20_Part":
            current[3] = _odt_text(node)  # a theme's part: a label outside the outline
        elif node.qname == (TEXTNS, "list") and current[3]:
            for entry in node.childNodes:
                seen.append((current[2], current[3], _odt_text(entry.childNodes[0])))
    assert ("Financement des initiatives", words.acquis, f"Un appel à projets « Entreprendre autrement » — {words.support_text(12)}") in seen
    assert ("Mutualisation", words.enjeux, f"=Encourager la diffusion de « communs » — {words.support_text(3)}") in seen
    nested = [_odt_text(item) for item in odt.getElementsByType(text.ListItem)]
    assert "des SCIC" in nested and "Garder l'appel à projets" in nested
    assert "<script>alert('x')</script>" in _odt_text(odt.text)  # shown as text, never markup

    footer_fields = [node for node in odt.masterstyles.getElementsByType(text.PageNumber)]
    assert footer_fields and odt.masterstyles.getElementsByType(text.PageCount)
    images = odt.getElementsByType(draw.Image)
    assert len(images) == 1
    assert images[0].getAttribute("href") in zipfile.ZipFile(io.BytesIO(rendered["odt"])).namelist()
    tables = odt.getElementsByType(table.Table)
    assert [element.getAttribute("name") for element in tables] == ["Calendar", "Participation"]


# -- DOCX --------------------------------------------------------------------------------


def test_docx_uses_heading_and_list_styles_page_numbers_and_the_chart(document, rendered):
    import docx

    word = docx.Document(io.BytesIO(rendered["docx"]))
    words = document.labels
    paragraphs = [(p.style.name, p.text) for p in word.paragraphs]
    assert ("Title", document.title) in paragraphs
    assert ("Heading 1", words.calendar) in paragraphs
    assert ("Heading 1", "Accompagner la création d'activités") in paragraphs
    assert ("Heading 2", "Financement des initiatives") in paragraphs
    # A theme's parts are labelled outside the outline (the contents would list them under every theme).
    assert ("Theme Part", words.acquis) in paragraphs and ("Heading 3", words.acquis) not in paragraphs

    seen = []
    current = {"Heading 2": "", "Theme Part": ""}
    for style, content in paragraphs:
        if style in current:
            current[style] = content
            if style == "Heading 2":
                current["Theme Part"] = ""
        elif style == "Heading 1":
            current = {"Heading 2": "", "Theme Part": ""}
        elif style == "List Bullet" and current["Theme Part"]:
            seen.append((current["Heading 2"], current["Theme Part"], content))
    assert ("Financement des initiatives", words.enjeux, f"Accompagner la mobilisation des financements — {words.support_text(7)}") in seen
    assert (words.sentences["unthemed"], words.acquis, f"Le soutien au Réseau Catalyst — {words.support_text(1)}") in seen
    assert ("List Bullet 2", "des SCIC") in paragraphs and ("List Bullet 2", "Garder l'appel à projets") in paragraphs
    assert ("List Number 2", "banques") in paragraphs  # numbered by Word (numbering.xml)
    assert any("<script>alert('x')</script>" in content for _style, content in paragraphs)

    footer = word.sections[0].footer.paragraphs[0]
    instructions = [node.text.strip() for node in footer._p.iter("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}instrText")]
    assert instructions == ["PAGE", "NUMPAGES"] and footer.text.startswith(words.page)
    assert len(word.inline_shapes) == 1
    assert [len(table.rows) for table in word.tables] == [3, 3]
    assert word.tables[1].rows[1].cells[0].text == "Accompagner la création d'activités"
    assert word.core_properties.created == dt.datetime(2027, 3, 14, tzinfo=dt.timezone.utc)
    links = [rel.target_ref for rel in word.part.rels.values() if rel.is_external]
    assert links == ["https://example.org/bilan"]


# -- data ------------------------------------------------------------------------------


def test_csv_has_one_row_per_contribution_with_stable_columns(document, rendered):
    raw = rendered["csv"]
    assert raw.startswith("\ufeff".encode())
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert list(rows[0]) == ["group", "theme", "kind", "title", "text", "support", "comments", "status", "grouped_with", "author"]
    assert len(rows) == 8  # seven kept contributions and one grouped with another
    by_title = {row["title"]: row for row in rows}
    head = by_title["Un appel à projets « Entreprendre autrement »"]
    assert head["group"] == "Accompagner la création d'activités" and head["theme"] == "Financement des initiatives"
    assert head["kind"] == document.labels.columns["acquis"] and head["support"] == "12" and head["comments"] == "3"
    assert head["status"] == "published" and head["grouped_with"] == "" and head["author"] == ""
    assert "<script>" in head["text"] and "\n- des SCIC" in head["text"]
    duplicate = by_title["Garder l'appel à projets"]
    assert duplicate["grouped_with"] == head["title"] and duplicate["support"] == "" and duplicate["text"] == "Même idée, autre texte."
    assert by_title["Le soutien au Réseau Catalyst"]["theme"] == ""
    assert "'=Encourager la diffusion de « communs »" in by_title  # not a spreadsheet formula


def test_json_is_the_whole_document(document, rendered):
    data = json.loads(rendered["json"].decode("utf-8"))
    assert Document.from_dict(data) == document
    assert "« Entreprendre autrement »" in rendered["json"].decode("utf-8")  # not \\u-escaped


# -- the Markdown fast path ------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "Simple texte.",
        "Ligne 1\nligne 2\n\n  Deuxième « paragraphe », avec des \"guillemets\".\r\n\r\nTrois",
        "Prix : 10 € (TTC) ; ok ? https://example.org",
        "",
        "1990 fut une année.",
    ],
)
def test_plain_text_renders_as_the_parser_would(text):
    paragraphs = plain_paragraphs(text)
    assert paragraphs is not None
    assert render_plain(paragraphs) == render_markdown(text)


@pytest.mark.parametrize("text", ["- liste", "1. un", "a *b*", "<b>x</b>", "ligne  \ncassée", "Titre\n===", "    code", "a & b"])
def test_markdown_syntax_takes_the_parser(text):
    assert plain_paragraphs(text) is None


# -- many working groups ---------------------------------------------------------------------


def _many_groups(document: Document, count: int = 40) -> Document:
    """A consultation with ``count`` working groups with long titles: the chart is taller than a page."""
    figures = [
        GroupFigures(f"Groupe de travail n° {n} sur un sujet dont l'intitulé est long comme souvent", n % 7, n % 5, n * 3, 0, 4)
        for n in range(1, count + 1)
    ]
    return dataclasses.replace(document, figures=dataclasses.replace(document.figures, groups=figures))


def test_many_groups_give_several_charts_that_each_fit_a_page(document):
    import docx
    from odf import draw
    from odf.opendocument import load

    many = _many_groups(document)  # one chart of 40 rows would be taller than a page
    titles = [f"{document.labels.chart_title} ({n}/4)" for n in range(1, 5)]

    reader = _pdf(exporters.get("pdf").render(many))  # used to fail: a picture taller than the page
    text = _flat(" ".join(page.extract_text() for page in reader.pages))
    assert all(title in text for title in titles)
    from tests.unit.test_restitution_pdf import _structure

    assert _structure(reader)[0]["/Figure"] == 4  # four vector charts, each a tagged figure
    assert "Groupe de travail n° 40" in text  # the figures table, split over pages, is whole

    odt = load(io.BytesIO(exporters.get("odt").render(many)))
    frames = odt.getElementsByType(draw.Frame)
    assert len(frames) == 4 and [_odt_text(frame.childNodes[1]) for frame in frames] == titles
    for frame in frames:
        width, height = (float(frame.getAttribute(side).removesuffix("cm")) for side in ("width", "height"))
        assert height <= 22.0 and width > 15  # within the page, barely scaled: the text stays legible

    word = docx.Document(io.BytesIO(exporters.get("docx").render(many)))
    section = word.sections[0]
    assert len(word.inline_shapes) == 4
    for shape in word.inline_shapes:
        assert shape.height <= section.page_height - section.top_margin - section.bottom_margin
        assert shape.width > docx.shared.Cm(15)
    assert [p.text for p in word.paragraphs if p.style.name == "Caption"] == titles


def test_the_parts_of_a_split_chart_share_their_scales(document):
    from concerto.restitution.chart import _figure, chart_parts

    many = _many_groups(document)
    parts = chart_parts(many)
    assert [len(groups) for groups, _title in parts] == [10, 10, 10, 10]
    assert [g.title for groups, _title in parts for g in groups] == [g.title for g in many.figures.groups]
    limits = {tuple(axes.get_xlim() for axes in _figure(many, groups, title).axes[:2]) for groups, title in parts}
    assert len(limits) == 1  # the same scales on every page: bars compare across parts
    odd = _many_groups(document, 23)
    assert [len(groups) for groups, _title in chart_parts(odd)] == [8, 8, 7]
    assert [len(groups) for groups, _title in chart_parts(document)] == [2]
