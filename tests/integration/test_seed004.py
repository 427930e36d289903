"""Seed 004 (the Métropole Européenne de Lille's ESS restitution) built through the API, exported in every
format, and read back: six axes in order, 56 whole titles, the calendar, the declared figure.

The seed is built once per database for the whole module (the tests only read it); the office files are
also converted by LibreOffice when ``soffice`` is installed (``python3 dev.py test`` installs it as root).
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import shutil
import subprocess
import zipfile
from pathlib import Path
from xml.etree import ElementTree

import pytest
from pypdf import PdfReader

from concerto import i18n
from tests.browser import http_client, text_of
from tests.conftest import empty_tables
from tests.factories import PASSWORD, make_account
from tests.seed004 import data
from tests.seed004.build import build_seed004

OUT = os.environ.get("CONCERTO_SEED004_OUT")
FORMATS = ("odt", "docx", "pdf", "html", "md", "csv", "json")
DAY = re.compile(r"\d{1,2}(er)? (janvier|février|mars|avril|mai|juin|juillet|août|septembre|octobre|novembre|décembre) \d{4}")


@pytest.fixture(scope="module")
async def seed(app, backend):
    """Seed 004 built by a signed-in facilitator, and its draft restitution in every format."""
    await empty_tables(backend)
    i18n.set_locale("fr")
    _account_id, email = await make_account()
    async with http_client(app) as client:
        made = await build_seed004(client, email=email, password=PASSWORD)
        exports = {}
        for name in FORMATS:
            response = await client.get(f"/c/{made['slug']}/facilitation/restitution/draft/{name}")
            assert response.status_code == 200, (name, response.text[:500])
            exports[name] = response.content
    if OUT:  # to look at the pages: CONCERTO_SEED004_OUT=/tmp/seed004 pytest tests/integration/test_seed004.py
        folder = Path(OUT) / backend.name
        folder.mkdir(parents=True, exist_ok=True)
        for name, content in exports.items():
            (folder / f"seed004.{name}").write_bytes(content)
    yield made, exports
    await empty_tables(backend)


# -- reading each format back ----------------------------------------------------------------


def folded(text: str) -> str:
    """Whitespace folded, no-break spaces and typographic apostrophes as plain ones: what a reader compares."""
    text = text.replace("\u00a0", " ").replace("\u202f", " ").replace("\u2019", "'")
    return " ".join(text.split())


TEXT_NS = "{urn:oasis:names:tc:opendocument:xmlns:text:1.0}"


def _xml_text(element) -> str:
    """An ODF element's words, its spaces (text:s), tabs and line breaks as spaces."""
    parts = [element.text or ""]
    for child in element:
        if child.tag == f"{TEXT_NS}s":
            parts.append(" " * int(child.get(f"{TEXT_NS}c", "1")))
        elif child.tag in (f"{TEXT_NS}tab", f"{TEXT_NS}line-break"):
            parts.append(" ")
        else:
            parts.append(_xml_text(child))
        parts.append(child.tail or "")
    return "".join(parts)


def odt_headings(content: bytes) -> list[tuple[int, str]]:
    root = ElementTree.fromstring(zipfile.ZipFile(io.BytesIO(content)).read("content.xml"))
    text_ns = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
    return [
        (int(h.get(f"{{{text_ns}}}outline-level", "1")), folded(_xml_text(h)))
        for h in root.iter(f"{{{text_ns}}}h")
    ]


def odt_text(content: bytes) -> str:
    root = ElementTree.fromstring(zipfile.ZipFile(io.BytesIO(content)).read("content.xml"))
    body = root.find("{urn:oasis:names:tc:opendocument:xmlns:office:1.0}body")
    text_ns = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
    # Every paragraph and heading on its own, so words of two paragraphs never run together.
    return folded(" ".join(_xml_text(p) for p in body.iter() if p.tag in (f"{{{text_ns}}}p", f"{{{text_ns}}}h")))


W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def _docx_paragraphs(content: bytes):
    root = ElementTree.fromstring(zipfile.ZipFile(io.BytesIO(content)).read("word/document.xml"))
    for paragraph in root.iter(f"{W}p"):
        style = paragraph.find(f"{W}pPr/{W}pStyle")
        yield (style.get(f"{W}val") if style is not None else ""), folded("".join(t.text or "" for t in paragraph.iter(f"{W}t")))


def docx_headings(content: bytes) -> list[tuple[int, str]]:
    return [
        (int(style.removeprefix("Heading")), text)
        for style, text in _docx_paragraphs(content)
        if re.fullmatch(r"Heading\d", style)
    ]


def docx_text(content: bytes) -> str:
    return folded(" ".join(text for _style, text in _docx_paragraphs(content)))


def html_headings(content: bytes) -> list[tuple[int, str]]:
    html = content.decode("utf-8")
    return [(int(level) - 1, folded(text_of(inner))) for level, inner in re.findall(r"<h([1-6])\b[^>]*>(.*?)</h\1>", html, re.S)]


def md_headings(content: bytes) -> list[tuple[int, str]]:
    lines = content.decode("utf-8").splitlines()
    found = []
    for line in lines:
        match = re.match(r"(#{1,6}) (.*)", line)
        if match:
            found.append((len(match.group(1)) - 1, folded(md_unescape(match.group(2)))))
    return found


def md_unescape(text: str) -> str:
    return re.sub(r"\\([\\`*_{}\[\]()#+\-.!<>|~])", r"\1", text)


def pdf_text(content: bytes) -> str:
    text = " ".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(content)).pages)
    # A line broken after a slash (« emploi/ressources ») has no space there.
    return folded(re.sub(r"/\n", "/", text))


def pdf_outline(content: bytes) -> list[tuple[int, str]]:
    found: list[tuple[int, str]] = []

    def walk(entries, depth):
        for entry in entries:
            if isinstance(entry, list):
                walk(entry, depth + 1)
            else:
                found.append((depth, folded(entry.title)))

    walk(PdfReader(io.BytesIO(content)).outline, 1)
    return found


def texts(exports: dict[str, bytes]) -> dict[str, str]:
    """What a reader reads in each format, folded."""
    document = json.loads(exports["json"])
    return {
        "odt": odt_text(exports["odt"]),
        "docx": docx_text(exports["docx"]),
        "pdf": pdf_text(exports["pdf"]),
        "html": folded(text_of(exports["html"].decode("utf-8"))),
        "md": folded(md_unescape(exports["md"].decode("utf-8")).replace("**", "")),
        "csv": folded(exports["csv"].decode("utf-8-sig")),
        "json": folded(json.dumps(document, ensure_ascii=False)),
    }


HEADINGS = {"odt": odt_headings, "docx": docx_headings, "html": html_headings, "md": md_headings, "pdf": pdf_outline}


def in_order(haystack: list[str], needles: list[str]) -> bool:
    position = -1
    for needle in needles:
        try:
            position = haystack.index(needle, position + 1)
        except ValueError:
            return False
    return True


# -- the tests ----------------------------------------------------------------------------------


async def test_the_api_stored_the_seed_whole(seed):
    made, _exports = seed
    assert (len(made["contributions"]), len(made["themes"])) == (56, 6)
    assert made["shortened"] == [], made["notes"]
    assert len(made["meetings"]) + len(made["skipped"]) == len(data.CALENDAR)


@pytest.mark.parametrize("name", HEADINGS)
async def test_six_axes_are_headings_in_order_below_the_group(seed, name):
    _made, exports = seed
    headings = HEADINGS[name](exports[name])
    titles = [folded(title) for _level, title in headings]
    axes = [folded(axis.title) for axis in data.AXES]
    assert in_order(titles, [folded(data.GROUP_TITLE), *axes]), titles
    group_level = next(level for level, title in headings if title == folded(data.GROUP_TITLE))
    assert {level for level, title in headings if title in axes} == {group_level + 1}, headings


async def test_every_item_title_is_there_whole_in_every_format(seed):
    _made, exports = seed
    for name, text in texts(exports).items():
        missing = [item.title for item in data.ITEMS if folded(item.title) not in text]
        assert missing == [], (name, missing)


async def test_the_data_exports_hold_56_items_in_their_axes(seed):
    _made, exports = seed
    text = exports["csv"].decode("utf-8-sig")
    # Columns in a stable order (group, theme, kind, title, …); headings and separator follow the language.
    header, *cells = csv.reader(io.StringIO(text), delimiter=";" if text.split("\r\n", 1)[0].count(";") >= 9 else ",")
    assert len(header) == 10
    rows = [dict(zip(("group", "theme", "kind", "title"), row)) for row in cells]
    assert [(folded(row["theme"]), folded(row["title"])) for row in rows] == [
        (folded(axis.title), folded(item.title)) for axis in data.AXES for item in axis.items
    ]
    labels = {item.kind: row["kind"] for row, item in zip(rows, data.ITEMS)}
    assert len(set(labels.values())) == 2 and [row["kind"] for row in rows] == [labels[item.kind] for item in data.ITEMS]
    document = json.loads(exports["json"])
    [group] = document["groups"]
    assert [folded(theme["title"]) for theme in group["themes"]] == [folded(axis.title) for axis in data.AXES]
    for theme, axis in zip(group["themes"], data.AXES):
        assert [folded(i["title"]) for i in theme["acquis"]] == [folded(i.title) for i in axis.acquis]
        assert [folded(i["title"]) for i in theme["enjeux"]] == [folded(i.title) for i in axis.enjeux]
    assert [folded(document[key]) for key in ("title", "introduction", "next_steps")] == [
        folded(data.TITLE), folded(data.INTRODUCTION), folded(data.NEXT_STEPS)
    ]


async def test_the_figure_is_sixty_participants_never_one(seed):
    _made, exports = seed
    document = json.loads(exports["json"])
    assert ["60", "participants"] in document["summary"] and document["figures"]["participants"] == 60
    for name, text in texts(exports).items():
        if name in ("csv", "json"):  # one row per contribution; the figures as data, above
            continue
        assert "60 participants" in text, name
        assert not re.search(r"(?<![\d ])1 participants?\b", text), (name, re.findall(r".{40}\b1 participants?.{20}", text))


async def test_the_calendar_has_every_step(seed):
    made, exports = seed
    assert made["skipped"] == []
    for name, text in texts(exports).items():
        if name == "csv":  # one row per contribution: no calendar
            continue
        for step in data.CALENDAR:
            assert folded(step.title) in text, (name, step.title)
            if step.date is None:
                assert step.when in text, (name, step.when)
        for day in ("10 décembre 2014", "30 janvier 2015", "11 février 2015"):
            assert day in text or name == "json", (name, day)


async def test_the_calendar_speaks_french(seed):
    _made, exports = seed
    for name, text in texts(exports).items():
        if name in ("csv", "json"):
            continue
        assert "26 et 30 janvier 2015" in text, (name, re.findall(r".{10}30 janvier 2015", text))
        assert "À venir" in text, name
        assert not re.search(r"\b(from|to|Upcoming|upcoming)\b", text), (name, re.findall(r".{30}\b(?:from|Upcoming)\b.{30}", text))


@pytest.mark.parametrize("name", FORMATS)
async def test_no_support_figure_when_nobody_voted(seed, name):
    _made, exports = seed
    text = texts(exports)[name]
    assert not re.search(r"\b0 soutiens?\b", text), re.findall(r".{60}\b0 soutiens?", text)[:3]


@pytest.mark.parametrize("name", HEADINGS)
async def test_the_context_sub_parts_are_headings_below_its_section(seed, name):
    _made, exports = seed
    headings = [(level, folded(title)) for level, title in HEADINGS[name](exports[name])]
    section = next(level for level, title in headings if title == data.SECTION_TITLES["context"])
    for title in re.findall(r"^## (.*)$", data.CONTEXT, re.M):
        assert (section + 1, folded(title)) in headings, (title, headings[:10])


# -- the office files through LibreOffice ----------------------------------------------------------

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")


@pytest.mark.skipif(
    SOFFICE is None,
    reason="LibreOffice is not installed (soffice not on PATH): apt-get install -y libreoffice-writer-nogui to convert ODT and DOCX",
)
async def test_libreoffice_opens_the_odt_and_docx_and_prints_the_axes(seed, backend, tmp_path):
    if backend.name != "sqlite":
        pytest.skip("the office files do not depend on the database: LibreOffice converts them once, on SQLite")
    _made, exports = seed
    sources = []
    for name in ("odt", "docx"):
        path = tmp_path / f"seed004.{name}"
        path.write_bytes(exports[name])
        sources.append(path)
    for source in sources:
        # One conversion at a time, each with its own profile: a shared or busy profile makes soffice exit without a file.
        profile = tmp_path / f"profile-{source.suffix[1:]}"
        outdir = tmp_path / source.suffix[1:]
        result = subprocess.run(
            [SOFFICE, f"-env:UserInstallation=file://{profile}", "--headless", "--norestore", "--convert-to", "pdf",
             "--outdir", str(outdir), str(source)],
            capture_output=True, text=True, timeout=120,
        )
        pdf = outdir / "seed004.pdf"
        assert result.returncode == 0 and pdf.exists(), (source.name, result.stdout, result.stderr)
        reader = PdfReader(pdf)
        assert len(reader.pages) >= 3, source.name
        text = folded(" ".join(page.extract_text() or "" for page in reader.pages))
        for title in (data.GROUP_TITLE, *(axis.title for axis in data.AXES)):
            assert folded(title) in text, (source.name, title)
        assert "60 participants" in text, source.name
