"""Word (.docx): built-in Title and Heading 1–5 styles, a TOC field, Word-numbered lists, tables, page numbers, the chart.

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
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.opc.constants import RELATIONSHIP_TYPE
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Emu, Pt, RGBColor
from lxml import etree

from concerto.restitution.chart import chart_pngs, fit, has_chart
from concerto.restitution.exporters import Exporter, register
from concerto.restitution.exporters._shared import (
    calendar_numeric_from,
    calendar_widths,
    figures_widths,
    header_widths,
    item_blocks,
    item_support,
    language_tag,
    Block,
    ListBlock,
    Paragraph,
    calendar_table,
    calendar_when,
    figures_summary,
    figures_table,
    fixed_zip,
    kinds,
    markdown_blocks,
    meeting_title,
    visible_themes,
)
from concerto.restitution.model import Document, Item

_MUTED = "4F5461"
_MONO = "Liberation Mono"
_CHART_WIDTH = Cm(16.5)
_CHART_MAX_HEIGHT = Cm(22)  # the page's 25.9 cm of text, less room for the caption
_TEXT_WIDTH_CM = 17.0
_TEXT_WIDTH_TWIPS = 9638  # 17 cm
_HEADER_PT = 10.5  # table headers: bold at the body's size
_CELL_PADDING_CM = 0.5  # "Table Grid" cells: 0.19 cm on each side, and the borders
_TOC_LEVELS = 3
_BULLETS = "•◦▪–"


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


def _sub(parent, tag: str, value: str | None = None, **attributes: str):
    element = etree.SubElement(parent, _W + tag)
    if value is not None:
        element.set(_W + "val", value)
    for name, attribute in attributes.items():
        element.set(_W + name, attribute)
    return element


def _field_runs(parent, instruction: str, result: str | None = None, *, begin: bool = True, end: bool = True) -> None:
    """A field's runs (begin, instruction, separate, result, end) as lxml, for fields made in bulk."""
    if begin:
        _sub(_sub(parent, "r"), "fldChar", fldCharType="begin")
        code = _sub(_sub(parent, "r"), "instrText")
        code.set(_SPACE, "preserve")
        code.text = instruction
        _sub(_sub(parent, "r"), "fldChar", fldCharType="separate")
    if result is not None:
        _sub(_sub(parent, "r"), "t").text = result
    if end:
        _sub(_sub(parent, "r"), "fldChar", fldCharType="end")


class _Writer:
    def __init__(self, document: Document) -> None:
        self.document = document
        self.doc = docx.Document()
        styles = self.doc.styles
        # « Les acquis à développer », « De nouveaux enjeux », highlighted comments: labels of a theme's parts,
        # styled like a small heading but outside the outline (the contents would list them under every theme).
        part = styles.add_style("Theme Part", WD_STYLE_TYPE.PARAGRAPH)
        part.base_style = styles["Normal"]
        part.font.bold = True
        part.font.all_caps = True
        part.font.size = Pt(9.5)
        part.font.color.rgb = RGBColor(0x4F, 0x54, 0x61)
        part.paragraph_format.keep_with_next = True
        part.paragraph_format.space_before = Pt(8)
        self.ids = {
            name: styles[name].style_id
            for name in (
                "Normal", "Title", "Subtitle", "Heading 1", "Heading 2", "Heading 3", "Heading 4", "Heading 5",
                "List Bullet", "List Bullet 2", "List Bullet 3", "List Number", "List Number 2", "List Number 3",
                "List Continue", "List Continue 2", "List Continue 3", "Quote", "Caption", "TOC Heading", "Theme Part",
            )
        }
        self.toc: list[tuple[int, str, str]] = []  # (level, title, bookmark) of each heading the contents list
        self.end = self.doc.element.body.sectPr  # the body's last child: paragraphs go before it
        self.links: dict[str, str] = {}  # href -> relationship id, one relationship per address
        normal = styles["Normal"].font
        normal.name = "Liberation Sans"
        normal.size = Pt(10.5)
        self.language()
        self.contents_styles()
        self.numbering = _Numbering(self.doc.part.numbering_part.element)

    def language(self) -> None:
        """The document's language (« fr-FR ») for every run: the defaults, Normal and the theme fonts."""
        tag = language_tag(self.document)
        styles = self.doc.styles.element
        styles.find(f"{_W}docDefaults/{_W}rPrDefault/{_W}rPr/{_W}lang").set(_W + "val", tag)
        _sub(self.doc.styles["Normal"].element.get_or_add_rPr(), "lang", tag)
        settings = self.doc.settings.element
        settings.find(_W + "themeFontLang").set(_W + "val", tag)
        # Word offers to update the fields (the table of contents' page numbers) when the file opens.
        settings.find(_W + "compat").addprevious(etree.Element(_W + "updateFields", {_W + "val": "true"}))

    def contents_styles(self) -> None:
        """Word's built-in « toc 1–3 » styles: entries end with a dotted tab to the page number."""
        styles = self.doc.styles.element
        for level in range(1, _TOC_LEVELS + 1):
            style = _sub(styles, "style", type="paragraph", styleId=f"TOC{level}")
            _sub(style, "name", f"toc {level}")
            _sub(style, "basedOn", "Normal")
            _sub(style, "next", "Normal")
            _sub(style, "uiPriority", "39")
            _sub(style, "unhideWhenUsed")
            properties = _sub(style, "pPr")
            _sub(_sub(properties, "tabs"), "tab", "right", leader="dot", pos=str(_TEXT_WIDTH_TWIPS))
            _sub(properties, "spacing", after="60")
            _sub(properties, "ind", left=str(280 * (level - 1)))
            if level == 1:
                _sub(_sub(style, "rPr"), "b")

    # -- pieces: paragraphs and runs are made as XML directly. python-docx's
    # add_paragraph() scans the whole body per call (quadratic on a long
    # document) and add_run() adds text one character at a time.

    def paragraph(self, style: str, text: str = "", *, keep_with_next: bool = False, page_break: bool = False,
                  number: tuple[int, int] | None = None):
        """A paragraph at the end of the body; ``number`` (numId, ilvl) makes it an item of a Word list."""
        element = OxmlElement("w:p")
        self.end.addprevious(element)
        if style != "Normal" or keep_with_next or page_break or number:
            properties = _sub(element, "pPr")
            if style != "Normal":
                _sub(properties, "pStyle", self.ids[style])
            if keep_with_next:
                _sub(properties, "keepNext")
            if page_break:
                _sub(properties, "pageBreakBefore")
            if number:
                numbering = _sub(properties, "numPr")
                _sub(numbering, "ilvl", str(number[1]))
                _sub(numbering, "numId", str(number[0]))
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

    def heading(self, level: int, text: str, new_page: bool = False, block: Paragraph | None = None) -> None:
        """A heading of the outline (Heading 1–5); those the contents list get a bookmark for their entry."""
        paragraph = self.paragraph(f"Heading {min(level, 5)}", page_break=new_page)
        name = None
        if level <= _TOC_LEVELS:
            name = f"_Toc{len(self.toc) + 1:06d}"
            _sub(paragraph, "bookmarkStart", id=str(len(self.toc) + 1), name=name)
            self.toc.append((level, text, name))
        if block is None:
            self.run(paragraph, text)
        else:
            self.runs(paragraph, block)
        if name:
            _sub(paragraph, "bookmarkEnd", id=str(len(self.toc)))

    def part_heading(self, text: str) -> None:
        """« Les acquis à développer », « De nouveaux enjeux »: labels of a theme's parts, not outline
        headings (the table of contents would list them under every theme)."""
        self.run(self.paragraph("Theme Part"), text)

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
            if isinstance(block, Paragraph) and block.level:  # a heading of the outline (see markdown_blocks)
                self.heading(block.level, "".join(run.text for run in block.runs).strip(), block=block)
            elif isinstance(block, Paragraph):
                chosen = style or ("Normal" if depth == 0 else f"List Continue{_suffix(depth)}")
                self.runs(self.paragraph("Quote" if block.style == "quote" else chosen), block)
            else:
                self.list_block(block, depth + 1)

    def list_block(self, block: ListBlock, depth: int) -> None:
        level = min(depth, 3)
        ilvl = min(depth, _Numbering.LEVELS) - 1
        # Each ordered list is a list of its own in Word (it restarts, at its start); bullets share one.
        number = (self.numbering.ordered(ilvl, block.start) if block.ordered else self.numbering.bullets, ilvl)
        for entry in block.items:
            first, rest = (entry[0], entry[1:]) if entry and isinstance(entry[0], Paragraph) else (None, entry)
            paragraph = self.paragraph(f"List {'Number' if block.ordered else 'Bullet'}{_suffix(level)}", number=number)
            if first is not None:
                self.runs(paragraph, first)
            self.blocks(rest, depth, style=f"List Continue{_suffix(level)}")

    def markdown(self, text: str, depth: int = 0, style: str | None = None, under: int = 0) -> None:
        """User Markdown; with ``under`` (the section's outline level) its headings are outline headings."""
        self.blocks(markdown_blocks(text, under=under), depth, style)

    def table(self, head: list[str], rows: list[list[str]], numeric_from: int, widths: tuple[float, ...]) -> None:
        table = self.doc.add_table(rows=1 + len(rows), cols=len(head))
        table.style = self.doc.styles["Table Grid"]
        table.autofit = False
        widths = header_widths(head, widths, _TEXT_WIDTH_CM, _HEADER_PT, _CELL_PADDING_CM)
        for column, share in zip(table.columns, widths, strict=True):
            column.width = Cm(_TEXT_WIDTH_CM * share)
            for cell in column.cells:
                cell.width = Cm(_TEXT_WIDTH_CM * share)
        header = table.rows[0]
        flag = OxmlElement("w:tblHeader")  # repeated at the top of each page
        header._tr.get_or_add_trPr().append(flag)
        for row in table.rows:  # a row is never split across pages
            row._tr.get_or_add_trPr().insert(0, OxmlElement("w:cantSplit"))
        for index, (cell, text) in enumerate(zip(header.cells, head, strict=True)):
            # A header never breaks inside a word: no hyphenation, and columns wide enough (see header_widths).
            cell.paragraphs[0]._p.get_or_add_pPr().append(OxmlElement("w:suppressAutoHyphens"))
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
        paragraph = self.paragraph("List Bullet", keep_with_next=bool(item.body.strip() or item.grouped),
                                   number=(self.numbering.bullets, 0))
        self.run(paragraph, item.title, bold=True)
        details = " · ".join(part for part in (item_support(self.document, item), item.author) if part)
        if details:
            self.run(paragraph, f" — {details}", muted=True)
        if item.body.strip():
            self.blocks(item_blocks(item), 1)
        if item.grouped:
            self.run(self.paragraph("List Continue"), self.document.labels.grouped_with, italic=True)
            for other in item.grouped:
                self.paragraph("List Bullet 2", other.title + (f" · {other.author}" if other.author else ""),
                               number=(self.numbering.bullets, 1))

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
        core.language = language_tag(document)
        core.author = document.organiser
        core.last_modified_by = document.organiser
        core.comments = document.subtitle  # dc:description
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
        if document.organiser:
            self.paragraph("Subtitle", document.organiser)
        if not document.show_authors:
            self.run(self.paragraph("Normal"), words.sentences["anonymous"], italic=True)
        contents = self.paragraph("TOC Heading", words.table_of_contents)  # its entries, once every heading is known
        if document.introduction.strip():
            self.heading(1, words.introduction)
            self.markdown(document.introduction, under=1)
        if document.calendar:
            self.heading(1, words.calendar)
            self.table(*calendar_table(document), numeric_from=calendar_numeric_from(document), widths=calendar_widths(document))
            for row in document.calendar:
                if row.notes.strip():
                    self.run(self.paragraph("Normal"), f"{calendar_when(document, row)} — {meeting_title(row)}", bold=True)
                    self.markdown(row.notes)
        if document.context.strip():
            self.heading(1, words.context)
            self.markdown(document.context, under=1)
        if document.show_figures:
            self.figures()
        for group in document.groups:
            self.heading(1, group.title, new_page=True)
            if group.description.strip():
                self.markdown(group.description, under=1)
            for theme in visible_themes(group):
                if theme.title:  # a group without themes: its items straight under the group
                    self.heading(2, theme.title)
                if theme.synthesis.strip():
                    self.markdown(theme.synthesis, under=2)
                for title, items in kinds(document, theme):
                    self.part_heading(title)
                    for item in items:
                        self.item(item)
                if theme.comments:
                    self.part_heading(words.highlighted)
                    for comment in theme.comments:
                        self.markdown(comment.body, style="Quote")
                        source = comment.contribution + (f" · {comment.author}" if comment.author else "")
                        self.run(self.paragraph("Quote"), f"— {source}", small=True)
        if document.next_steps.strip():
            self.heading(1, words.next_steps)
            self.markdown(document.next_steps, under=1)
        self.contents(contents)
        out = io.BytesIO()
        self.doc.save(out)
        return fixed_zip(out.getvalue(), document.date, transform=self._languages)

    def _languages(self, name: str, data: bytes) -> bytes:
        # Word 2010's copy of the styles, which python-docx does not read: the same default language.
        if name != "word/stylesWithEffects.xml":
            return data
        return data.replace(b'<w:lang w:val="en-US"', f'<w:lang w:val="{language_tag(self.document)}"'.encode(), 1)

    def figures(self) -> None:
        document = self.document
        self.heading(1, document.labels.figures)
        for value, label in figures_summary(document):
            paragraph = self.paragraph("List Bullet", number=(self.numbering.bullets, 0))
            self.run(paragraph, value, bold=True)
            self.run(paragraph, f" {label}")
        if document.figures.groups:
            head, rows = figures_table(document)
            self.table(head, rows, numeric_from=1, widths=figures_widths(head))
        if has_chart(document):
            self.chart()

    def contents(self, title) -> None:
        """A TOC field after ``title``, already filled in (Word refreshes it on opening, see updateFields):
        each entry links to its heading's bookmark and shows its page through a PAGEREF field."""
        entries = []
        for index, (level, text, bookmark) in enumerate(self.toc):
            paragraph = OxmlElement("w:p")
            _sub(_sub(paragraph, "pPr"), "pStyle", f"TOC{level}")
            if index == 0:
                _field_runs(paragraph, ' TOC \\o "1-3" \\h \\z \\u ', end=False)
            link = _sub(paragraph, "hyperlink", anchor=bookmark, history="1")
            self.run(link, text)
            _sub(_sub(link, "r"), "tab")
            _field_runs(link, f" PAGEREF {bookmark} \\h ", "")
            entries.append(paragraph)
        if not entries:
            entries.append(OxmlElement("w:p"))
            _field_runs(entries[0], ' TOC \\o "1-3" \\h \\z \\u ', end=False)
        _field_runs(entries[-1], "", begin=False)
        for paragraph in reversed(entries):
            title.addnext(paragraph)


class _Numbering:
    """Word lists in numbering.xml: one bullet list for every bulleted paragraph, and a list of
    its own for each ordered list (so it restarts, at its start); nested levels are ``ilvl``."""

    LEVELS = 4

    def __init__(self, root) -> None:
        self.root = root
        self.next_id = 1 + max((int(num.get(_W + "numId")) for num in root.iter(_W + "num")), default=0)
        abstract_ids = [int(node.get(_W + "abstractNumId")) for node in root.iter(_W + "abstractNum")]
        self.bullet_abstract, self.decimal_abstract = (str(1 + max(abstract_ids, default=-1) + n) for n in range(2))
        first_num = root.find(_W + "num")
        for abstract, kind in ((self.bullet_abstract, "bullet"), (self.decimal_abstract, "decimal")):
            node = etree.Element(_W + "abstractNum", {_W + "abstractNumId": abstract})
            _sub(node, "multiLevelType", "hybridMultilevel")
            for level in range(self.LEVELS):
                lvl = _sub(node, "lvl", ilvl=str(level))
                _sub(lvl, "start", "1")
                _sub(lvl, "numFmt", kind)
                _sub(lvl, "lvlText", _BULLETS[level] if kind == "bullet" else f"%{level + 1}.")
                _sub(lvl, "lvlJc", "left")
                _sub(_sub(lvl, "pPr"), "ind", left=str(360 * (level + 1)), hanging="360")
            # abstractNum elements come before every num (the schema's order).
            if first_num is not None:
                first_num.addprevious(node)
            else:
                root.append(node)
        self.bullets = self.add(self.bullet_abstract)

    def add(self, abstract: str, level: int | None = None, start: int = 1) -> int:
        number = self.next_id
        self.next_id += 1
        node = _sub(self.root, "num", numId=str(number))
        _sub(node, "abstractNumId", abstract)
        if level is not None:
            _sub(_sub(node, "lvlOverride", ilvl=str(level)), "startOverride", str(start))
        return number

    def ordered(self, level: int, start: int) -> int:
        return self.add(self.decimal_abstract, level, start)


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
