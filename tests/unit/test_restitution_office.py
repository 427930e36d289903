"""The office formats (ODT, DOCX) read back as their XML: outline, contents, language,
metadata, numbering, tables and French typography."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import zipfile

import pytest
from lxml import etree

from concerto.restitution import exporters
from concerto.restitution.build import labels
from concerto.markdown import render_markdown
from concerto.restitution.exporters._shared import bold_width_cm, item_blocks, markdown_blocks
from concerto.restitution.model import Document, Figures, GroupFigures, GroupSection, Item, MeetingRow, ThemeSection

NBSP, NNBSP = "\u00a0", "\u202f"
ODF = {
    "office": "urn:oasis:names:tc:opendocument:xmlns:office:1.0",
    "text": "urn:oasis:names:tc:opendocument:xmlns:text:1.0",
    "style": "urn:oasis:names:tc:opendocument:xmlns:style:1.0",
    "table": "urn:oasis:names:tc:opendocument:xmlns:table:1.0",
    "fo": "urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0",
    "dc": "http://purl.org/dc/elements/1.1/",
    "meta": "urn:oasis:names:tc:opendocument:xmlns:meta:1.0",
    "xlink": "http://www.w3.org/1999/xlink",
}
OOXML = {
    "w": "http://schemas.openxmlformats.org/wordprocessingml/2006/main",
    "cp": "http://schemas.openxmlformats.org/package/2006/metadata/core-properties",
    "dc": "http://purl.org/dc/elements/1.1/",
    "dcterms": "http://purl.org/dc/terms/",
}
W = "{%s}" % OOXML["w"]

INTRODUCTION = (
    f"Soixante structures réunies{NBSP}: une première.\n\n"
    "## Ce que nous avons entendu\n\n"
    f"Des «{NNBSP}communs{NNBSP}» à partager.\n\n"
    "### Dans les quartiers\n\n"
    "Trois priorités :\n\n"
    "3. se loger\n4. se déplacer\n\n"
    "Puis une autre liste :\n\n"
    "1. financer\n   - par l'État\n2. accompagner"
)
SYNTHESIS = "Les participants demandent un guichet unique.\n\n## Un guichet unique\n\nPour les petits projets."


def _item(id_: int, title: str, kind: str, support: int, body: str = "") -> Item:
    return Item(id_, title, body, kind, support, 0, None)


def make_document(**changes) -> Document:
    words = labels()
    financement = ThemeSection(
        title="Financement des initiatives",
        synthesis=SYNTHESIS,
        acquis=[_item(11, "Un appel à projets", "acquis", 12, body="## Pas un titre\n\nUn texte.")],
        enjeux=[_item(13, "Mobiliser les financements", "enjeu", 7)],
    )
    unthemed = ThemeSection(title="", synthesis="", acquis=[_item(21, "Des locaux partagés", "acquis", 3)], enjeux=[])
    first = GroupFigures("Accompagner la création d'activités", 2, 1, 40, 6, 9)
    second = GroupFigures("Sensibiliser", 1, 0, 15, 2, 4)
    document = Document(
        title="Restitution des consultations sur l'économie sociale et solidaire",
        slug="ess",
        subtitle="Restitution — version 2 du 14 mars 2027",
        date=dt.date(2027, 3, 14),
        version=2,
        language="fr",
        labels=words,
        introduction=INTRODUCTION,
        context="",
        calendar=[MeetingRow(dt.date(2027, 1, 26), "Acteurs", "Rencontre", "Lille", 32, 18, "")],
        figures=Figures(60, 20, 3, 1, 55, 30, 8, 32, [first, second]),
        groups=[
            GroupSection(first.title, "", [financement], first),
            GroupSection(second.title, "", [unthemed], second),
        ],
        next_steps="Quatre groupes de travail.",
        organiser="Métropole européenne de Lille",
        summary=[["60", "participants"], ["20", "contributeurs"]],
    )
    return dataclasses.replace(document, **changes)


@pytest.fixture(scope="module")
def document() -> Document:
    return make_document()


def _part(data: bytes, name: str) -> etree._Element:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return etree.fromstring(archive.read(name))


def _text(element) -> str:
    return "".join(element.itertext())


@pytest.fixture(scope="module")
def odt(document) -> bytes:
    return exporters.get("odt").render(document)


@pytest.fixture(scope="module")
def docx_file(document) -> bytes:
    return exporters.get("docx").render(document)


# -- ODT -----------------------------------------------------------------------------------


def _odt_headings(content) -> list[tuple[int, str]]:
    return [(int(h.get(f"{{{ODF['text']}}}outline-level")), _text(h)) for h in content.iter(f"{{{ODF['text']}}}h")]


def test_odt_headings_written_in_texts_are_outline_headings(document, odt):
    content = _part(odt, "content.xml")
    headings = _odt_headings(content)
    assert (1, document.labels.introduction) in headings
    assert (2, "Ce que nous avons entendu") in headings and (3, "Dans les quartiers") in headings
    assert (2, "Financement des initiatives") in headings and (3, "Un guichet unique") in headings
    styles = {h.get(f"{{{ODF['text']}}}style-name") for h in content.iter(f"{{{ODF['text']}}}h") if _text(h) == "Un guichet unique"}
    assert styles == {"Heading_20_3"}
    # A contribution's heading stays a bold paragraph; a group without themes gets no theme heading.
    assert all(title != "Pas un titre" for _level, title in headings)
    assert "Pas un titre" in _text(content)
    assert [level for level, title in headings if title == "" or title == "Sensibiliser"] == [1]
    # The theme's parts are labels outside the outline, right after the group without themes.
    assert document.labels.acquis not in [title for _level, title in headings]
    body = [node for node in content.iter() if node.tag in (f"{{{ODF['text']}}}h", f"{{{ODF['text']}}}p")]
    group = next(i for i, node in enumerate(body) if node.tag == f"{{{ODF['text']}}}h" and _text(node) == "Sensibiliser")
    assert _text(body[group + 1]) == document.labels.acquis


def test_odt_has_a_table_of_contents_filled_in_after_the_cover(document, odt):
    content = _part(odt, "content.xml")
    text = f"{{{ODF['text']}}}"
    body = content.find(f"{{{ODF['office']}}}body/{{{ODF['office']}}}text")
    blocks = [child for child in body if child.tag in (f"{text}p", f"{text}h", f"{text}table-of-content")]
    assert [_text(block) for block in blocks[:2]] == [document.title, document.subtitle]
    toc = body.find(f"{text}table-of-content")
    assert blocks.index(toc) < blocks.index(body.find(f"{text}h"))
    assert toc.find(f"{text}table-of-content-source").get(f"{text}outline-level") == "3"
    entries = toc.findall(f"{text}index-body/{text}p")
    listed = [entry.find(f"{text}a").text for entry in entries]  # the title, then a tab and the page
    assert listed[:3] == [document.labels.introduction, "Ce que nous avons entendu", "Dans les quartiers"]
    assert "Un guichet unique" in listed and "Accompagner la création d'activités" in listed
    assert toc.find(f"{text}index-body/{text}index-title/{text}p").text == document.labels.table_of_contents
    # Each entry links to a bookmark in its heading and shows that heading's page.
    first = entries[0].find(f"{text}a")
    bookmark = first.get(f"{{{ODF['xlink']}}}href").removeprefix("#")
    assert first.find(f"{text}bookmark-ref").get(f"{text}ref-name") == bookmark
    assert first.find(f"{text}bookmark-ref").get(f"{text}reference-format") == "page"
    marks = {mark.get(f"{text}name"): _text(mark.getparent()) for mark in content.iter(f"{text}bookmark")}
    assert marks[bookmark] == document.labels.introduction


def test_odt_declares_french_and_its_metadata(document, odt):
    styles = _part(odt, "styles.xml")
    default = styles.find(f".//{{{ODF['style']}}}default-style[@{{{ODF['style']}}}family='paragraph']/{{{ODF['style']}}}text-properties")
    assert (default.get(f"{{{ODF['fo']}}}language"), default.get(f"{{{ODF['fo']}}}country")) == ("fr", "FR")
    meta = _part(odt, "meta.xml").find(f"{{{ODF['office']}}}meta")

    def value(prefix: str, name: str) -> str | None:
        found = meta.find(f"{{{ODF[prefix]}}}{name}")
        return None if found is None else found.text

    assert value("dc", "language") == "fr-FR"
    assert value("dc", "title") == document.title and value("dc", "description") == document.subtitle
    assert value("meta", "initial-creator") == value("dc", "creator") == "Métropole européenne de Lille"
    assert value("meta", "creation-date") == value("dc", "date") == "2027-03-14T00:00:00"
    anonymous = _part(exporters.get("odt").render(make_document(organiser="")), "meta.xml")
    assert anonymous.find(f".//{{{ODF['dc']}}}creator") is None


def test_odt_lists_are_numbered_from_their_start(odt):
    content = _part(odt, "content.xml")
    text = f"{{{ODF['text']}}}"
    numbered = [node for node in content.iter(f"{text}list") if node.get(f"{text}style-name") == "Numbering_20_123"]
    firsts = [node.find(f"{text}list-item") for node in numbered]
    assert [item.get(f"{text}start-value") for item in firsts[:2]] == ["3", None]
    assert _text(firsts[0]) == "se loger"


def test_odt_table_headers_never_break_inside_a_word(document, odt):
    content, styles = _part(odt, "content.xml"), _part(odt, "styles.xml")
    style, table, fo = f"{{{ODF['style']}}}", f"{{{ODF['table']}}}", f"{{{ODF['fo']}}}"
    heading = styles.find(f".//{style}style[@{style}name='Table_20_Heading']/{style}text-properties")
    assert heading.get(f"{fo}hyphenate") == "false"
    widths = {
        node.get(f"{style}name"): float(node.find(f"{style}table-column-properties").get(f"{style}column-width").removesuffix("cm"))
        for node in content.iter(f"{style}style")
        if node.get(f"{style}family") == "table-column"
    }
    for name in ("Calendar", "Participation"):
        element = next(node for node in content.iter(f"{table}table") if node.get(f"{table}name") == name)
        head = element.find(f"{table}table-header-rows/{table}table-row")
        assert head is not None  # repeated on each page
        titles = [_text(cell) for cell in head]
        for index, title in enumerate(titles, start=1):
            longest = max(bold_width_cm(word, 10.5) for word in title.split(" "))
            assert widths[f"{name}.C{index}"] >= longest + 0.2, title
        row_style = head.get(f"{table}style-name")
        kept = content.find(f".//{style}style[@{style}name='{row_style}']/{style}table-row-properties")
        assert kept.get(f"{fo}keep-together") == "always"
    assert "Contributeurs" in _text(content)


def test_odt_keeps_no_break_spaces_and_leaves_support_out_when_asked(document, odt):
    content = _text(_part(odt, "content.xml"))
    assert f"réunies{NBSP}: une" in content and f"«{NNBSP}communs{NNBSP}»" in content
    assert f"Un appel à projets — {document.labels.support_text(12)}" in content
    hidden = _text(_part(exporters.get("odt").render(make_document(show_support=False)), "content.xml"))
    assert "Un appel à projets" in hidden and document.labels.support_text(12) not in hidden
    assert "Un appel à projets —" not in hidden


def test_odt_without_figures_has_no_participation_section(document):
    content = _part(exporters.get("odt").render(make_document(show_figures=False)), "content.xml")
    assert document.labels.figures not in [title for _level, title in _odt_headings(content)]
    assert document.labels.figures not in _text(content)


# -- DOCX ----------------------------------------------------------------------------------


def _paragraphs(body) -> list[tuple[str, str]]:
    out = []
    for paragraph in body.iter(f"{W}p"):
        style = paragraph.find(f"{W}pPr/{W}pStyle")
        out.append(("Normal" if style is None else style.get(f"{W}val"), "".join(t.text or "" for t in paragraph.iter(f"{W}t"))))
    return out


def test_docx_headings_written_in_texts_are_heading_styles(document, docx_file):
    paragraphs = _paragraphs(_part(docx_file, "word/document.xml"))
    assert ("Heading1", document.labels.introduction) in paragraphs
    assert ("Heading2", "Ce que nous avons entendu") in paragraphs and ("Heading3", "Dans les quartiers") in paragraphs
    assert ("Heading2", "Financement des initiatives") in paragraphs and ("Heading3", "Un guichet unique") in paragraphs
    assert ("Normal", "Pas un titre") not in paragraphs and any(text == "Pas un titre" for _style, text in paragraphs)
    assert all(not style.startswith("Heading") or text for style, text in paragraphs)  # no empty theme heading
    group = paragraphs.index(("Heading1", "Sensibiliser"))
    assert paragraphs[group + 1] == ("ThemePart", document.labels.acquis)


def test_docx_has_a_table_of_contents_field_filled_in(document, docx_file):
    body = _part(docx_file, "word/document.xml")
    paragraphs = list(body.iter(f"{W}p"))
    instructions = [node.text for node in body.iter(f"{W}instrText")]
    assert instructions[0] == ' TOC \\o "1-3" \\h \\z \\u '
    texts = _paragraphs(body)
    assert [text for _style, text in texts[:2]] == [document.title, document.subtitle]
    title = texts.index(("TOCHeading", document.labels.table_of_contents))
    assert title < min(i for i, (style, _text) in enumerate(texts) if style.startswith("Heading"))
    start = next(i for i, p in enumerate(paragraphs) if p.find(f".//{W}instrText") is not None)
    kinds = [node.get(f"{W}fldCharType") for p in paragraphs[start:] for node in p.iter(f"{W}fldChar")]
    assert kinds[0] == "begin" and kinds.count("begin") == kinds.count("end")
    entries = [(style, text) for style, text in texts if style.startswith("TOC") and style != "TOCHeading"]
    assert entries[:3] == [("TOC1", document.labels.introduction), ("TOC2", "Ce que nous avons entendu"),
                           ("TOC3", "Dans les quartiers")]
    assert ("TOC3", "Un guichet unique") in entries
    anchors = [link.get(f"{W}anchor") for link in body.iter(f"{W}hyperlink") if link.get(f"{W}anchor")]
    bookmarks = {mark.get(f"{W}name") for mark in body.iter(f"{W}bookmarkStart")}
    assert anchors and set(anchors) <= bookmarks
    assert any(f"PAGEREF {anchors[0]}" in text for text in instructions)
    first = paragraphs[start].find(f"{W}hyperlink")
    assert first.get(f"{W}anchor") == anchors[0] and "".join(first.itertext()).startswith(document.labels.introduction)
    settings = _part(docx_file, "word/settings.xml")
    assert settings.find(f"{W}updateFields").get(f"{W}val") == "true"
    styles = _part(docx_file, "word/styles.xml")
    assert styles.find(f"{W}style[@{W}styleId='TOC1']/{W}name").get(f"{W}val") == "toc 1"


def test_docx_declares_french_and_its_metadata(document, docx_file):
    styles = _part(docx_file, "word/styles.xml")
    default = styles.find(f"{W}docDefaults/{W}rPrDefault/{W}rPr/{W}lang")
    assert default.get(f"{W}val") == "fr-FR"
    normal = styles.find(f"{W}style[@{W}styleId='Normal']/{W}rPr/{W}lang")
    assert normal.get(f"{W}val") == "fr-FR"
    core = _part(docx_file, "docProps/core.xml")

    def value(prefix: str, name: str) -> str | None:
        found = core.find(f"{{{OOXML[prefix]}}}{name}")
        return None if found is None else found.text

    assert value("dc", "language") == "fr-FR"
    assert value("dc", "title") == document.title and value("dc", "subject") == document.subtitle
    assert value("dc", "creator") == "Métropole européenne de Lille"
    assert value("dcterms", "created") == value("dcterms", "modified") == "2027-03-14T00:00:00Z"
    anonymous = _part(exporters.get("docx").render(make_document(organiser="")), "docProps/core.xml")
    assert not (anonymous.find(f"{{{OOXML['dc']}}}creator") is not None and anonymous.find(f"{{{OOXML['dc']}}}creator").text)


def _numbering(docx_data: bytes):
    numbering = _part(docx_data, "word/numbering.xml")
    formats = {
        node.get(f"{W}abstractNumId"): {lvl.get(f"{W}ilvl"): lvl.find(f"{W}numFmt").get(f"{W}val") for lvl in node.findall(f"{W}lvl")}
        for node in numbering.findall(f"{W}abstractNum")
    }
    nums = {}
    for node in numbering.findall(f"{W}num"):
        starts = {o.get(f"{W}ilvl"): o.find(f"{W}startOverride").get(f"{W}val") for o in node.findall(f"{W}lvlOverride")}
        nums[node.get(f"{W}numId")] = (formats[node.find(f"{W}abstractNumId").get(f"{W}val")], starts)
    return nums


def test_docx_lists_are_word_numbering_restarting_at_each_list(docx_file):
    body = _part(docx_file, "word/document.xml")
    nums = _numbering(docx_file)
    numbered = {}
    for paragraph in body.iter(f"{W}p"):
        props = paragraph.find(f"{W}pPr/{W}numPr")
        if props is None:
            continue
        text = "".join(t.text or "" for t in paragraph.iter(f"{W}t"))
        numbered[text] = (props.find(f"{W}numId").get(f"{W}val"), props.find(f"{W}ilvl").get(f"{W}val"))
    loger, deplacer, financer, etat = (numbered[key] for key in ("se loger", "se déplacer", "financer", "par l'État"))
    assert loger == deplacer and loger[1] == "0" and not loger[0] == financer[0]  # a new list restarts
    formats, starts = nums[loger[0]]
    assert formats["0"] == "decimal" and starts == {"0": "3"}
    formats, starts = nums[financer[0]]
    assert formats["0"] == "decimal" and starts == {"0": "1"}
    assert etat[1] == "1" and nums[etat[0]][0]["1"] == "bullet"  # nested under « financer »
    assert not any(text.startswith(("3. ", "1. ")) for text in numbered)  # numbers are Word's, not written out
    item = numbered["Un appel à projets — " + labels().support_text(12)]
    assert nums[item[0]][0]["0"] == "bullet"


def test_docx_table_headers_never_break_inside_a_word(docx_file):
    body = _part(docx_file, "word/document.xml")
    tables = list(body.iter(f"{W}tbl"))
    assert len(tables) == 2
    for table in tables:
        grid = [int(col.get(f"{W}w")) / 567 for col in table.find(f"{W}tblGrid")]  # twips to cm
        rows = table.findall(f"{W}tr")
        head = rows[0]
        assert head.find(f"{W}trPr/{W}tblHeader") is not None
        assert all(row.find(f"{W}trPr/{W}cantSplit") is not None for row in rows)
        for width, cell in zip(grid, head.findall(f"{W}tc"), strict=True):
            title = "".join(t.text for t in cell.iter(f"{W}t"))
            assert cell.find(f"{W}p/{W}pPr/{W}suppressAutoHyphens") is not None
            assert width >= max(bold_width_cm(word, 10.5) for word in title.split(" ")) + 0.38, title


def test_docx_keeps_no_break_spaces_and_leaves_support_out_when_asked(document, docx_file):
    texts = [text for _style, text in _paragraphs(_part(docx_file, "word/document.xml"))]
    assert f"Soixante structures réunies{NBSP}: une première." in texts
    assert f"Des «{NNBSP}communs{NNBSP}» à partager." in texts
    hidden = [text for _style, text in _paragraphs(_part(exporters.get("docx").render(make_document(show_support=False)),
                                                           "word/document.xml"))]
    assert "Un appel à projets" in hidden and not any("Un appel à projets —" in text for text in hidden)


def test_docx_without_figures_has_no_participation_section(document):
    body = _part(exporters.get("docx").render(make_document(show_figures=False)), "word/document.xml")
    assert document.labels.figures not in [text for _style, text in _paragraphs(body)]
    assert len(list(body.iter(f"{W}tbl"))) == 1  # the calendar only


def test_office_documents_are_the_same_bytes_twice(document, odt, docx_file):
    assert exporters.get("odt").render(document) == odt
    assert exporters.get("docx").render(document) == docx_file


@pytest.mark.parametrize(
    "body",
    [
        "Un texte :\n\n- des SCIC\n- des associations\n\nVoir [le bilan](https://example.org/bilan). <script>x</script>",
        "3. a\n4. b\n   - c\n\n     suite de c\n5. e",
        "- a\n\n- b\n\n  para b2",
        "## Pas un titre\n\nUne ligne  \navec un saut\net une suite *en italique **et gras***.",
        "> cité `code` ~~barré~~\n> encore\n\n```\nx = 1\n  y\n```",
        "| a | b |\n|---|---|\n| 1 | 2 |",
        f"Texte{NBSP}: «{NNBSP}guillemets{NNBSP}» &amp; [lien **gras**](/x)",
    ],
)
def test_an_item_read_from_its_stored_html_gives_the_blocks_of_its_markdown(body):
    item = Item(1, "Titre", body, "acquis", 0, 0, None, body_html=render_markdown(body))
    assert item_blocks(item) == markdown_blocks(body)
