"""Word (.docx): built-in Title and Heading 1–3 styles, bullet lists, tables, page numbers, the chart.

Heading 1 for the sections and working groups, Heading 2 for themes, Heading 3
for « Les acquis à développer » / « De nouveaux enjeux », so Word's navigation
pane and its table of contents see the outline. Styles are resolved once and
set by id on each paragraph (python-docx would otherwise look them up per call).
"""

from __future__ import annotations

import datetime as dt
import io
import re

import docx
from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.opc.constants import RELATIONSHIP_TYPE
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Emu, Pt
from lxml import etree

from concerto.restitution.chart import chart_pngs, fit, has_chart
from concerto.restitution.exporters import Exporter, register
from concerto.restitution.exporters._shared import (
    CALENDAR_WIDTHS,
    figures_widths,
    Block,
    ListBlock,
    Paragraph,
    calendar_table,
    day,
    figures_summary,
    figures_table,
    fixed_zip,
    kinds,
    markdown_blocks,
    meeting_title,
    support_text,
    visible_themes,
)
from concerto.restitution.model import Document, Item

_MUTED = "4F5461"
_MONO = "Liberation Mono"
_CHART_WIDTH = Cm(16.5)
_CHART_MAX_HEIGHT = Cm(22)  # the page's 25.9 cm of text, less room for the caption
_TEXT_WIDTH_CM = 17.0


def _field(paragraph, instruction: str, placeholder: str) -> None:
    """A Word field (PAGE, NUMPAGES) that Word and LibreOffice compute when they lay out pages."""
    for kind, text in (("begin", None), ("instr", instruction), ("separate", None), ("text", placeholder), ("end", None)):
        run = paragraph.add_run()
        if kind == "instr":
            element = OxmlElement("w:instrText")
            element.set(qn("xml:space"), "preserve")
            element.text = f" {text} "
        elif kind == "text":
            element = OxmlElement("w:t")
            element.text = text
        else:
            element = OxmlElement("w:fldChar")
            element.set(qn("w:fldCharType"), kind)
        run._r.append(element)


_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_SPACE = "{http://www.w3.org/XML/1998/namespace}space"
# Characters XML 1.0 cannot carry (lxml refuses them); user text may hold some.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _sub(parent, tag: str, value: str | None = None):
    element = etree.SubElement(parent, _W + tag)
    if value is not None:
        element.set(_W + "val", value)
    return element


class _Writer:
    def __init__(self, document: Document) -> None:
        self.document = document
        self.doc = docx.Document()
        styles = self.doc.styles
        self.ids = {
            name: styles[name].style_id
            for name in (
                "Normal", "Title", "Subtitle", "Heading 1", "Heading 2", "Heading 3", "List Bullet", "List Bullet 2",
                "List Bullet 3", "List Continue", "List Continue 2", "List Continue 3", "Quote", "Caption",
            )
        }
        self.end = self.doc.element.body.sectPr  # the body's last child: paragraphs go before it
        self.links: dict[str, str] = {}  # href -> relationship id, one relationship per address
        normal = styles["Normal"].font
        normal.name = "Liberation Sans"
        normal.size = Pt(10.5)

    # -- pieces: paragraphs and runs are made as XML directly. python-docx's
    # add_paragraph() scans the whole body per call (quadratic on a long
    # document) and add_run() adds text one character at a time.

    def paragraph(self, style: str, text: str = "", *, keep_with_next: bool = False, page_break: bool = False):
        element = OxmlElement("w:p")
        self.end.addprevious(element)
        if style != "Normal" or keep_with_next or page_break:
            properties = _sub(element, "pPr")
            if style != "Normal":
                _sub(properties, "pStyle", self.ids[style])
            if keep_with_next:
                _sub(properties, "keepNext")
            if page_break:
                _sub(properties, "pageBreakBefore")
        if text:
            self.run(element, text)
        return element

    def run(self, parent, text: str, *, bold=False, italic=False, strike=False, mono=False, muted=False,
            link=False, small=False):
        run = _sub(parent, "r")
        if bold or italic or strike or mono or muted or link or small:
            properties = _sub(run, "rPr")
            if mono:
                fonts = _sub(properties, "rFonts")
                fonts.set(_W + "ascii", _MONO)
                fonts.set(_W + "hAnsi", _MONO)
            if bold:
                _sub(properties, "b")
            if italic:
                _sub(properties, "i")
            if strike:
                _sub(properties, "strike")
            if muted or link:
                _sub(properties, "color", "1F4E9C" if link else _MUTED)
            if small:
                _sub(properties, "sz", "18")
            if link:
                _sub(properties, "u", "single")
        if text == "\n":
            _sub(run, "br")
        else:
            content = _sub(run, "t")
            content.set(_SPACE, "preserve")
            content.text = _NOT_XML.sub("", text)
        return run

    def heading(self, level: int, text: str, new_page: bool = False) -> None:
        self.paragraph(f"Heading {level}", text, page_break=new_page)

    def runs(self, paragraph, block: Paragraph) -> None:
        code = block.style == "code"
        for piece in block.runs:
            parent = paragraph
            if piece.href:
                parent = _sub(paragraph, "hyperlink")
                parent.set(qn("r:id"), self.relation(piece.href))
            self.run(parent, piece.text, bold=piece.bold, italic=piece.italic, strike=piece.strike,
                     mono=piece.code or code, link=bool(piece.href))

    def relation(self, href: str) -> str:
        relation = self.links.get(href)
        if relation is None:
            relation = self.links[href] = self.doc.part.relate_to(href, RELATIONSHIP_TYPE.HYPERLINK, is_external=True)
        return relation

    def blocks(self, blocks: list[Block], depth: int = 0, style: str | None = None) -> None:
        """User Markdown: paragraphs at ``style`` (indented under a list item when depth > 0), lists below."""
        for block in blocks:
            if isinstance(block, Paragraph):
                chosen = style or ("Normal" if depth == 0 else f"List Continue{_suffix(depth)}")
                self.runs(self.paragraph("Quote" if block.style == "quote" else chosen), block)
            else:
                self.list_block(block, depth + 1)

    def list_block(self, block: ListBlock, depth: int) -> None:
        level = min(depth, 3)
        for index, entry in enumerate(block.items):
            first, rest = (entry[0], entry[1:]) if entry and isinstance(entry[0], Paragraph) else (None, entry)
            if block.ordered:
                # Word numbering would continue across lists: the number is written out.
                paragraph = self.paragraph(f"List Continue{_suffix(level)}", f"{block.start + index}. ")
            else:
                paragraph = self.paragraph(f"List Bullet{_suffix(level)}")
            if first is not None:
                self.runs(paragraph, first)
            self.blocks(rest, depth, style=f"List Continue{_suffix(level)}")

    def markdown(self, text: str, depth: int = 0, style: str | None = None) -> None:
        self.blocks(markdown_blocks(text), depth, style)

    def table(self, head: list[str], rows: list[list[str]], numeric_from: int, widths: tuple[float, ...]) -> None:
        table = self.doc.add_table(rows=1 + len(rows), cols=len(head))
        table.style = self.doc.styles["Table Grid"]
        table.autofit = False
        for column, share in zip(table.columns, widths, strict=True):
            column.width = Cm(_TEXT_WIDTH_CM * share)
            for cell in column.cells:
                cell.width = Cm(_TEXT_WIDTH_CM * share)
        header = table.rows[0]
        flag = OxmlElement("w:tblHeader")  # repeated at the top of each page
        header._tr.get_or_add_trPr().append(flag)
        for index, (cell, text) in enumerate(zip(header.cells, head, strict=True)):
            run = cell.paragraphs[0].add_run(text)
            run.bold = True
            if index >= numeric_from:
                cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.RIGHT
        for row, values in zip(table.rows[1:], rows, strict=True):
            for index, (cell, text) in enumerate(zip(row.cells, values, strict=True)):
                cell.paragraphs[0].add_run(text)
                if index >= numeric_from:
                    cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.RIGHT

    def item(self, item: Item) -> None:
        paragraph = self.paragraph("List Bullet", keep_with_next=bool(item.body.strip() or item.grouped))
        self.run(paragraph, item.title, bold=True)
        meta = f" — {support_text(self.document, item.support)}" + (f" · {item.author}" if item.author else "")
        self.run(paragraph, meta, muted=True)
        if item.body.strip():
            self.markdown(item.body, depth=1)
        if item.grouped:
            self.run(self.paragraph("List Continue"), self.document.labels.grouped_with, italic=True)
            for other in item.grouped:
                self.paragraph("List Bullet 2", other.title + (f" · {other.author}" if other.author else ""))

    def chart(self) -> None:
        for n, (png, size, title) in enumerate(chart_pngs(self.document)):
            width, height = fit((_CHART_WIDTH, _CHART_WIDTH * size[1] / size[0]), _CHART_WIDTH, _CHART_MAX_HEIGHT)
            self.doc.add_picture(io.BytesIO(png), width=Emu(round(width)), height=Emu(round(height)))
            picture = self.doc.paragraphs[-1]
            picture.alignment = WD_ALIGN_PARAGRAPH.CENTER
            for properties in picture._p.iter(qn("wp:docPr")):
                properties.set("descr", title)
                properties.set("name", f"chart{n + 1}" if n else "chart")
            caption = self.paragraph("Caption", title)
            _sub(caption.find(_W + "pPr"), "jc", "center")

    def page_setup(self) -> None:
        section = self.doc.sections[0]
        section.orientation = WD_ORIENT.PORTRAIT
        section.page_width, section.page_height = Cm(21), Cm(29.7)
        section.left_margin = section.right_margin = Cm(2)
        section.top_margin, section.bottom_margin = Cm(2), Cm(1.8)
        footer = section.footer.paragraphs[0]
        footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
        footer.add_run(f"{self.document.labels.page} ")
        _field(footer, "PAGE", "1")
        footer.add_run(" / ")
        _field(footer, "NUMPAGES", "1")

    def metadata(self) -> None:
        document = self.document
        stamp = dt.datetime.combine(document.date, dt.time(0, 0))
        core = self.doc.core_properties
        core.title = document.title
        core.subject = document.subtitle
        core.language = document.language
        core.author = "Concerto"
        core.last_modified_by = "Concerto"
        core.comments = ""
        core.revision = 1
        core.created = stamp
        core.modified = stamp
        core.last_printed = stamp

    # -- the document --

    def write(self) -> bytes:
        document, words = self.document, self.document.labels
        self.page_setup()
        self.metadata()
        self.paragraph("Title", document.title)
        self.paragraph("Subtitle", document.subtitle)
        if not document.show_authors:
            self.run(self.paragraph("Normal"), words.sentences["anonymous"], italic=True)
        if document.introduction.strip():
            self.heading(1, words.introduction)
            self.markdown(document.introduction)
        if document.calendar:
            self.heading(1, words.calendar)
            self.table(*calendar_table(document), numeric_from=3, widths=CALENDAR_WIDTHS)
            for row in document.calendar:
                if row.notes.strip():
                    self.run(self.paragraph("Normal"), f"{day(document, row.date)} — {meeting_title(row)}", bold=True)
                    self.markdown(row.notes)
        if document.context.strip():
            self.heading(1, words.context)
            self.markdown(document.context)
        self.heading(1, words.figures)
        for value, label in figures_summary(document):
            paragraph = self.paragraph("List Bullet")
            self.run(paragraph, value, bold=True)
            self.run(paragraph, f" {label}")
        if document.figures.groups:
            head, rows = figures_table(document)
            self.table(head, rows, numeric_from=1, widths=figures_widths(head))
        if has_chart(document):
            self.chart()
        for group in document.groups:
            self.heading(1, group.title, new_page=True)
            if group.description.strip():
                self.markdown(group.description)
            for theme in visible_themes(group):
                self.heading(2, theme.title)
                if theme.synthesis.strip():
                    self.markdown(theme.synthesis)
                for title, items in kinds(document, theme):
                    self.heading(3, title)
                    for item in items:
                        self.item(item)
                if theme.comments:
                    self.heading(3, words.highlighted)
                    for comment in theme.comments:
                        self.markdown(comment.body, style="Quote")
                        source = comment.contribution + (f" · {comment.author}" if comment.author else "")
                        self.run(self.paragraph("Quote"), f"— {source}", small=True)
        if document.next_steps.strip():
            self.heading(1, words.next_steps)
            self.markdown(document.next_steps)
        out = io.BytesIO()
        self.doc.save(out)
        return fixed_zip(out.getvalue(), document.date)


def _suffix(level: int) -> str:
    return "" if level <= 1 else f" {min(level, 3)}"


def render(document: Document) -> bytes:
    return _Writer(document).write()


register(
    Exporter(
        "docx",
        "Word",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "docx",
        render,
        slow=True,
    )
)
