"""The PDF is tagged and accessible (RGAA, PDF/UA-1), and user text never becomes Typst markup."""

from __future__ import annotations

import collections
import dataclasses
import io

import pytest

from concerto.restitution import exporters
from concerto.restitution.model import Document, HighlightedComment, ThemeSection
from tests.unit.test_restitution_exporters import _bookmarks, _flat, _item, document  # noqa: F401 (fixture)

pypdf = pytest.importorskip("pypdf")
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject  # noqa: E402

INJECTIONS = ["#set page(width: 1cm)", "] [ * _ $x$ @ref <label> \\ // /* #", "#let x = 1 #x"]


def _reader(data: bytes):
    return pypdf.PdfReader(io.BytesIO(data))


def _structure(reader) -> tuple[collections.Counter, list[tuple[str, str]]]:
    """The count of each structure type in the tag tree, and the (type, /Alt) of elements with an alternative text."""
    tree = reader.trailer["/Root"]["/StructTreeRoot"].get_object()
    counts: collections.Counter = collections.Counter()
    alts = []
    stack = [tree.get("/K")]
    while stack:
        node = stack.pop()
        if isinstance(node, IndirectObject):
            node = node.get_object()
        if isinstance(node, ArrayObject):
            stack.extend(node)
        elif isinstance(node, DictionaryObject):
            if "/S" in node:
                counts[str(node["/S"])] += 1
                if "/Alt" in node:
                    alts.append((str(node["/S"]), str(node["/Alt"])))
            if "/K" in node:
                stack.append(node["/K"])
    return counts, alts


@pytest.fixture(scope="module")
def rich(document: Document) -> Document:  # noqa: F811
    """The shared document with an organiser, a sub-heading in a synthesis and text that looks like Typst markup."""
    groups = list(document.groups)
    first = groups[0]
    theme = first.themes[0]
    theme = dataclasses.replace(
        theme,
        synthesis="## Constat\n\nLes participants demandent **un guichet unique**.\n\n## Pistes\n\nUn fonds commun.",
        acquis=[dataclasses.replace(theme.acquis[0], body=f"{INJECTIONS[0]}\n\n{INJECTIONS[1]}"), *theme.acquis[1:]],
        comments=[HighlightedComment("Une contribution", None, INJECTIONS[2])],
    )
    extra = ThemeSection("Thème $x$ #set text(red)", "", [_item(99, "#pagebreak() [titre]", "acquis", 2)], [])
    groups[0] = dataclasses.replace(first, themes=[theme, *first.themes[1:], extra])
    return dataclasses.replace(
        document,
        groups=groups,
        organiser="Métropole européenne de Lille",
        introduction="Accueil à 18\u202fh\u00a0: « bienvenue » — é è à ç ô Œ.",
    )


@pytest.fixture(scope="module")
def pdf(rich: Document) -> bytes:
    return exporters.get("pdf").render(rich)


def _text(reader) -> str:
    return _flat(" ".join(page.extract_text() for page in reader.pages))


def test_the_pdf_is_tagged_with_headings_lists_tables_and_a_described_figure(pdf, rich):
    reader = _reader(pdf)
    root = reader.trailer["/Root"]
    assert "/StructTreeRoot" in root
    assert bool(root["/MarkInfo"]["/Marked"])
    counts, alts = _structure(reader)
    assert counts["/H1"] == 1  # the title, the only one
    assert counts["/H2"] >= 7 and counts["/H3"] >= 4 and counts["/H4"] >= 5
    assert counts["/L"] and counts["/LI"] and counts["/LBody"]
    assert counts["/Table"] == 2 and counts["/TH"] and counts["/TD"]
    assert counts["/TOC"] and counts["/TOCI"]
    assert counts["/Figure"] == 1 and ("/Figure", rich.labels.chart_title) in alts


def test_the_pdf_declares_its_language_title_author_and_date(pdf, rich):
    reader = _reader(pdf)
    root = reader.trailer["/Root"]
    assert root["/Lang"] == "fr-FR"
    assert bool(root["/ViewerPreferences"]["/DisplayDocTitle"])
    assert reader.metadata.title == f"{rich.title} — {rich.subtitle}"
    assert reader.metadata.author == "Métropole européenne de Lille"
    assert reader.metadata["/CreationDate"].startswith("D:20270314")
    assert b"pdfuaid" in reader.xmp_metadata.stream.get_data()  # declared PDF/UA-1


def test_no_author_without_an_organiser(document):  # noqa: F811
    assert _reader(exporters.get("pdf").render(document)).metadata.author is None


def test_the_pdf_has_a_paged_table_of_contents_and_numbered_pages(pdf, rich):
    reader = _reader(pdf)
    pages = [page.extract_text() for page in reader.pages]
    total = len(pages)
    assert all(f"Page {number} / {total}" in text for number, text in enumerate(pages, start=1))
    bookmarks = _bookmarks(reader)
    titles = [title for _level, title, _page in bookmarks]
    # The synthesis' sub-headings: headings below their theme, in the bookmarks and the table of contents.
    theme = titles.index("Financement des initiatives")
    assert titles[theme + 1: theme + 3] == ["Constat", "Pistes"]
    levels = {title: level for level, title, _page in bookmarks}
    assert levels["Constat"] == levels["Financement des initiatives"] + 1
    contents = pages[0]
    assert rich.labels.table_of_contents in contents
    for title in ("Introduction", "Financement des initiatives", "Constat", "Thème $x$ #set text(red)"):
        page = dict((t, p) for _l, t, p in bookmarks)[title]
        assert any(line.startswith(title) and line.rstrip().endswith(f" {page}") for line in contents.splitlines()), title
    # The labels inside a theme are not listed.
    assert rich.labels.acquis not in titles and rich.labels.acquis not in contents
    assert rich.labels.highlighted not in titles


def test_accents_and_no_break_spaces_are_real_text(pdf):
    text = " ".join(page.extract_text() for page in _reader(pdf).pages)
    assert "Accueil à 18\u202fh\u00a0: « bienvenue » — é è à ç ô Œ." in text


def test_user_text_is_never_typst_markup(pdf):
    reader = _reader(pdf)
    text = _text(reader)
    for injection in INJECTIONS:
        assert _flat(injection) in text, injection
    assert "Thème $x$ #set text(red)" in text and "#pagebreak() [titre]" in text
    width = float(reader.pages[0].mediabox.width)
    assert all(float(page.mediabox.width) == width for page in reader.pages) and round(width) == 595  # A4 throughout


def test_support_is_left_out_when_the_facilitators_chose_so(document):  # noqa: F811
    shown = _text(_reader(exporters.get("pdf").render(document)))
    hidden = _text(_reader(exporters.get("pdf").render(dataclasses.replace(document, show_support=False))))
    assert "soutien" in shown
    assert "soutien" not in hidden.replace("Le soutien au Réseau Catalyst", "")


def test_a_draft_says_so_on_every_page(document):  # noqa: F811
    reader = _reader(exporters.get("pdf").render(dataclasses.replace(document, version=None)))
    draft = document.labels.sentences["draft"]
    assert all(draft in page.extract_text() for page in reader.pages)
