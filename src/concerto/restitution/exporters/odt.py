"""OpenDocument text (LibreOffice): real headings, lists and tables, page numbers, the chart.

Headings are ``text:h`` with outline levels 1–3 in the styles "Heading 1–3"
(LibreOffice's own names, so its navigator and tables of contents find them):
1 for the sections and working groups, 2 for themes, 3 for « Les acquis à
développer » / « De nouveaux enjeux »; headings written in the section texts
sit below them (up to 5). A real table of contents follows the cover, filled
in so that it reads right before LibreOffice updates it. Styles are made once per document, and
the many paragraphs of a long document are made without odfpy's per-element
checks (see ``_node``).
"""

from __future__ import annotations

import io
import re

from odf import dc, meta
from odf.draw import Frame, Image
from odf.element import Element
from odf.namespaces import STYLENS, TEXTNS, XLINKNS, nsdict
from odf.opendocument import OpenDocumentText
from odf.style import (
    DefaultStyle,
    FontFace,
    Footer,
    FooterStyle,
    GraphicProperties,
    HeaderFooterProperties,
    ListLevelProperties,
    MasterPage,
    PageLayout,
    PageLayoutProperties,
    ParagraphProperties,
    Style,
    TableCellProperties,
    TableColumnProperties,
    TableProperties,
    TableRowProperties,
    TabStop,
    TabStops,
    TextProperties,
)
from odf.svg import Desc, Title
from odf.table import Table, TableCell, TableColumn, TableHeaderRows, TableRow
from odf.text import (
    A,
    BookmarkRef,
    IndexBody,
    IndexEntryLinkEnd,
    IndexEntryLinkStart,
    IndexEntryPageNumber,
    IndexEntryTabStop,
    IndexEntryText,
    IndexTitle,
    IndexTitleTemplate,
    List,
    ListItem,
    ListLevelStyleBullet,
    ListLevelStyleNumber,
    ListStyle,
    OutlineLevelStyle,
    OutlineStyle,
    P,
    PageCount,
    PageNumber,
    Span,
    TableOfContent,
    TableOfContentEntryTemplate,
    TableOfContentSource,
)

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

_FONT = "Liberation Sans"
_MONO = "Liberation Mono"
_ACCENT = "#1f4e9c"
_MUTED = "#4f5461"
_LINE = "0.5pt solid #c9c5bd"
_CHART_WIDTH_CM = 16.5
_CHART_MAX_HEIGHT_CM = 22.0  # the page's 25.2 cm of text, less room for the caption
_TEXT_WIDTH_CM = 17.0
_BULLETS = "•◦▪–"
_HEADER_PT, _CELL_PADDING_CM = 10.5, 0.3  # table headers: bold at the body's size; padding and borders
_TOC_LEVELS = 3


# Most of a long document is paragraphs, spans and list items: made directly
# (no grammar check, style names already resolved) they cost half as much.
_P, _H, _SPAN = (TEXTNS, "p"), (TEXTNS, "h"), (TEXTNS, "span")
_LIST, _ITEM = (TEXTNS, "list"), (TEXTNS, "list-item")
_LINK, _BREAK, _BOOKMARK = (TEXTNS, "a"), (TEXTNS, "line-break"), (TEXTNS, "bookmark")
_NAME = (TEXTNS, "name")
_STYLE_NAME, _OUTLINE_LEVEL, _START_VALUE = (TEXTNS, "style-name"), (TEXTNS, "outline-level"), (TEXTNS, "start-value")
_HREF, _LINK_TYPE = (XLINKNS, "href"), (XLINKNS, "type")


def _name(style: Style) -> str:
    return style.getAttrNS(STYLENS, "name")


def _node(qname: tuple[str, str], style: str | None = None, text: str | None = None) -> Element:
    node = Element(qname=qname, check_grammar=False)
    if style is not None:
        node.attributes[_STYLE_NAME] = style
    if text:
        node.addText(text, check_grammar=False)
    return node


class _Styles:
    """Every style of the document, made once."""

    def __init__(self, doc: OpenDocumentText, language: str, country: str) -> None:
        self.doc = doc
        doc.fontfacedecls.addElement(FontFace(name=_FONT, fontfamily=f"'{_FONT}'", fontfamilygeneric="swiss", fontpitch="variable"))
        doc.fontfacedecls.addElement(FontFace(name=_MONO, fontfamily=f"'{_MONO}'", fontfamilygeneric="modern", fontpitch="fixed"))
        default = DefaultStyle(family="paragraph")
        default.addElement(TextProperties(fontname=_FONT, fontsize="10.5pt", language=language, country=country))
        doc.styles.addElement(default)

        self.standard = self._paragraph("Standard")
        self.body = self._paragraph("Text body", parent=self.standard, margintop="0cm", marginbottom="0.2cm", lineheight="125%")
        self.title = self._paragraph("Title", parent=self.standard, text={"fontsize": "20pt", "fontweight": "bold"},
                                     marginbottom="0.2cm", keepwithnext="always")
        self.subtitle = self._paragraph("Subtitle", parent=self.standard, text={"fontsize": "12pt"}, marginbottom="0.3cm")
        self.note = self._paragraph("Note", parent=self.body, text={"fontsize": "9pt", "color": _MUTED, "fontstyle": "italic"})
        heading = self._paragraph("Heading", parent=self.standard, keepwithnext="always", margintop="0.5cm", marginbottom="0.2cm",
                                  text={"fontweight": "bold"})
        self.headings = {
            1: self._paragraph("Heading 1", parent=heading, outline=1, text={"fontsize": "16pt", "color": _ACCENT},
                               borderbottom=f"1.5pt solid {_ACCENT}", padding="0.05cm"),
            2: self._paragraph("Heading 2", parent=heading, outline=2, text={"fontsize": "13pt"}),
            3: self._paragraph("Heading 3", parent=heading, outline=3,
                               text={"fontsize": "10.5pt", "color": _MUTED, "texttransform": "uppercase"}),
            # Sub-headings written in the texts, below a theme's.
            4: self._paragraph("Heading 4", parent=heading, outline=4, text={"fontsize": "10.5pt", "fontstyle": "italic"}),
            5: self._paragraph("Heading 5", parent=heading, outline=5, text={"fontsize": "10.5pt", "fontweight": "normal",
                                                                             "fontstyle": "italic"}),
        }
        # « Les acquis à développer », « De nouveaux enjeux », highlighted comments: labels of a theme's
        # parts, not headings of the outline (the table of contents would list them under every theme).
        self.part_heading = self._paragraph("Theme Part", parent=heading,
                                            text={"fontsize": "10.5pt", "color": _MUTED, "texttransform": "uppercase",
                                                  "fontweight": "bold"})
        # The table of contents (LibreOffice's own style names): entries end with a dotted tab to the page number.
        self.contents_heading = self._paragraph("Contents Heading", parent=heading, text={"fontsize": "16pt"})
        self.contents = {}
        for level in range(1, _TOC_LEVELS + 1):
            style = Style(name=f"Contents {level}", displayname=f"Contents {level}", family="paragraph",
                          parentstylename=self.standard)
            properties = ParagraphProperties(marginleft=f"{0.5 * (level - 1):.1f}cm", marginbottom="0.1cm")
            stops = TabStops()
            stops.addElement(TabStop(position=f"{_TEXT_WIDTH_CM - 0.5 * (level - 1):.1f}cm", type="right",
                                     leaderstyle="dotted", leadertext="."))
            properties.addElement(stops)
            style.addElement(properties)
            if level == 1:
                style.addElement(TextProperties(fontweight="bold"))
            doc.styles.addElement(style)
            self.contents[level] = style
        # A working group starts a page: an automatic style that is still "Heading 1".
        self.group_heading = Style(name="HeadingGroup", family="paragraph", parentstylename=self.headings[1])
        self.group_heading.addElement(ParagraphProperties(breakbefore="page"))
        doc.automaticstyles.addElement(self.group_heading)
        self.item = self._paragraph("Item", parent=self.body, marginbottom="0.05cm")
        # An item's first line stays with its text (not with the next item: a run of
        # short items would become one unbreakable block).
        self.item_with_text = Style(name="ItemWithText", family="paragraph", parentstylename=self.item)
        self.item_with_text.addElement(ParagraphProperties(keepwithnext="always"))
        doc.automaticstyles.addElement(self.item_with_text)
        self.item_body = self._paragraph("Item Body", parent=self.body, marginbottom="0.1cm")
        self.quote = self._paragraph("Quotations", parent=self.body, marginleft="0.6cm", borderleft=_LINE, padding="0.15cm")
        self.source = self._paragraph("Source", parent=self.quote, text={"fontsize": "9pt", "color": _MUTED})
        self.code = self._paragraph("Preformatted Text", parent=self.standard, text={"fontname": _MONO, "fontsize": "9pt"})
        self.cell = self._paragraph("Table Contents", parent=self.standard)
        self.cell_number = self._paragraph("Table Number", parent=self.cell, textalign="end")
        # A header never breaks inside a word: no hyphenation, and columns wide enough (see header_widths).
        self.cell_heading = self._paragraph("Table Heading", parent=self.cell, text={"fontweight": "bold", "hyphenate": "false"})
        # Over a column of numbers, the heading is aligned with them.
        self.cell_heading_number = self._paragraph("Table Heading Number", parent=self.cell_heading, textalign="end")
        self.figure = self._paragraph("Figure", parent=self.standard, textalign="center", margintop="0.3cm")
        self.caption = self._paragraph("Caption", parent=self.standard, text={"fontsize": "9pt", "color": _MUTED},
                                       textalign="center", marginbottom="0.3cm")
        self.footer = self._paragraph("Footer", parent=self.standard, text={"fontsize": "9pt", "color": _MUTED}, textalign="center")

        self.strong = self._text("Strong Emphasis", fontweight="bold")
        self.muted = self._text("Muted", color=_MUTED)
        self.index_link = self._text("Index Link", textunderlinestyle="none")  # entries read as text, not as web links
        self._inline: dict[tuple[bool, bool, bool, bool], Style] = {}

        self.bullets = ListStyle(name="List Bullet")
        for level in range(1, 5):
            bullet = ListLevelStyleBullet(level=level, bulletchar=_BULLETS[level - 1])
            bullet.addElement(ListLevelProperties(spacebefore=f"{0.6 * (level - 1):.1f}cm", minlabelwidth="0.5cm"))
            self.bullets.addElement(bullet)
        doc.styles.addElement(self.bullets)
        self.numbers = ListStyle(name="Numbering 123")
        for level in range(1, 5):
            number = ListLevelStyleNumber(level=level, numformat="1", numsuffix=".")
            number.addElement(ListLevelProperties(spacebefore=f"{0.6 * (level - 1):.1f}cm", minlabelwidth="0.6cm"))
            self.numbers.addElement(number)
        doc.styles.addElement(self.numbers)

        outline = OutlineStyle(name="Outline")
        for level in range(1, 11):
            outline.addElement(OutlineLevelStyle(level=level, numformat=""))
        doc.styles.addElement(outline)

        self.table = Style(name="Table", family="table")
        self.table.addElement(TableProperties(width=f"{_TEXT_WIDTH_CM}cm", align="margins"))
        doc.automaticstyles.addElement(self.table)
        self.table_cell = Style(name="TableCell", family="table-cell")
        self.table_cell.addElement(TableCellProperties(border=_LINE, padding="0.1cm"))
        doc.automaticstyles.addElement(self.table_cell)
        self.table_head_cell = Style(name="TableHeadCell", family="table-cell")
        self.table_head_cell.addElement(TableCellProperties(border=_LINE, padding="0.1cm", backgroundcolor="#f4f3ef"))
        doc.automaticstyles.addElement(self.table_head_cell)
        self.table_row = Style(name="TableRow", family="table-row")  # a row is never split across pages
        self.table_row.addElement(TableRowProperties(keeptogether="always"))
        doc.automaticstyles.addElement(self.table_row)
        self.frame = Style(name="ChartFrame", family="graphic")
        self.frame.addElement(GraphicProperties(wrap="none", horizontalpos="center", horizontalrel="paragraph"))
        doc.automaticstyles.addElement(self.frame)

        layout = PageLayout(name="A4")
        layout.addElement(PageLayoutProperties(pagewidth="21cm", pageheight="29.7cm", printorientation="portrait",
                                               margintop="2cm", marginbottom="1.5cm", marginleft="2cm", marginright="2cm"))
        footer_style = FooterStyle()
        footer_style.addElement(HeaderFooterProperties(minheight="0.6cm", margintop="0.4cm"))
        layout.addElement(footer_style)
        doc.automaticstyles.addElement(layout)
        self.page_layout = layout

    def _paragraph(self, name: str, *, parent: Style | None = None, outline: int | None = None,
                   text: dict | None = None, **paragraph) -> Style:
        style = Style(name=name, displayname=name, family="paragraph")
        if parent is not None:
            style.setAttribute("parentstylename", parent)
        if outline is not None:
            style.setAttribute("defaultoutlinelevel", str(outline))
        if paragraph:
            style.addElement(ParagraphProperties(**paragraph))
        if text:
            style.addElement(TextProperties(**text))
        self.doc.styles.addElement(style)
        return style

    def _text(self, name: str, **text) -> Style:
        style = Style(name=name, displayname=name, family="text")
        style.addElement(TextProperties(**text))
        self.doc.styles.addElement(style)
        return style

    def inline(self, bold: bool, italic: bool, code: bool, strike: bool) -> str:
        """The automatic text style for a combination of bold/italic/code/strike, made on first use."""
        key = (bold, italic, code, strike)
        style = self._inline.get(key)
        if style is None:
            props = {}
            if bold:
                props["fontweight"] = "bold"
            if italic:
                props["fontstyle"] = "italic"
            if code:
                props["fontname"] = _MONO
            if strike:
                props["textlinethroughstyle"] = "solid"
            style = Style(name=f"T{len(self._inline) + 1}", family="text")
            style.addElement(TextProperties(**props))
            self.doc.automaticstyles.addElement(style)
            self._inline[key] = style
        return _name(style)

    def used_automatic_styles(self, segments: list[Element]) -> list[Element]:
        """What odfpy's ``_used_auto_styles`` finds by walking the whole tree, known beforehand:
        the page layout goes with the master page (styles.xml), the others with the body."""
        if segments == [self.doc.masterstyles]:
            return [self.page_layout]
        return [style for style in self.doc.automaticstyles.childNodes if style is not self.page_layout]


class _Writer:
    def __init__(self, document: Document) -> None:
        self.document = document
        self.doc = OpenDocumentText()
        language, _, country = language_tag(document).partition("-")
        self.styles = styles = _Styles(self.doc, language, country or "none")
        self.body: list[Element] = []  # top-level elements, attached once at the end
        self.toc: list[tuple[int, str, str]] = []  # (level, title, bookmark) of each heading the contents list
        self.bullets, self.numbers = _name(styles.bullets), _name(styles.numbers)
        self.special = {"quote": _name(styles.quote), "code": _name(styles.code)}
        self.names = {
            key: _name(getattr(styles, key))
            for key in ("item", "item_with_text", "item_body", "note", "strong", "muted", "body")
        }
        # All automatic styles are used: skip odfpy's walk of every element to find them.
        self.doc._used_auto_styles = styles.used_automatic_styles

    # -- pieces --

    def heading(self, level: int, text: str, style: Style | None = None) -> None:
        node = _node(_H, _name(style or self.styles.headings[level]))
        node.attributes[_OUTLINE_LEVEL] = str(level)
        self.bookmark(node, level, text)
        node.addText(text, check_grammar=False)
        self.body.append(node)

    def bookmark(self, node: Element, level: int, title: str) -> None:
        """A heading the table of contents lists gets a bookmark: its entry links to it and shows its page."""
        if level > _TOC_LEVELS:
            return
        name = f"_Toc{len(self.toc) + 1}"
        mark = _node(_BOOKMARK)
        mark.attributes[_NAME] = name
        node.appendChild(mark)
        self.toc.append((level, title, name))

    def paragraph(self, text: str, style: Style) -> Element:
        node = _node(_P, _name(style), text)
        self.body.append(node)
        return node

    def runs(self, target: Element, paragraph: Paragraph) -> None:
        for run in paragraph.runs:
            if run.text == "\n":
                target.appendChild(_node(_BREAK))
                continue
            holder = target
            if run.href:
                holder = _node(_LINK)
                holder.attributes[_HREF] = run.href
                holder.attributes[_LINK_TYPE] = "simple"
                target.appendChild(holder)
            if run.bold or run.italic or run.code or run.strike:
                holder.appendChild(_node(_SPAN, self.styles.inline(run.bold, run.italic, run.code, run.strike), run.text))
            else:
                holder.addText(run.text, check_grammar=False)

    def blocks(self, blocks: list[Block], style: str) -> list[Element]:
        """ODF elements for user Markdown (paragraphs and lists); ``style`` is a paragraph style name."""
        out = []
        for block in blocks:
            if isinstance(block, Paragraph) and block.level:  # a heading of the outline (see markdown_blocks)
                level = min(block.level, max(self.styles.headings))
                node = _node(_H, _name(self.styles.headings[level]))
                node.attributes[_OUTLINE_LEVEL] = str(level)
                self.bookmark(node, level, "".join(run.text for run in block.runs).strip())
                self.runs(node, block)
                out.append(node)
            elif isinstance(block, Paragraph):
                node = _node(_P, self.special.get(block.style, style))
                self.runs(node, block)
                out.append(node)
            else:
                out.append(self.list_block(block, style))
        return out

    def list_block(self, block: ListBlock, style: str) -> Element:
        node = _node(_LIST, self.numbers if block.ordered else self.bullets)
        for index, entry in enumerate(block.items):
            item = _node(_ITEM)
            if block.ordered and index == 0 and block.start != 1:
                item.attributes[_START_VALUE] = str(block.start)
            for child in self.blocks(entry, style) or [_node(_P, style)]:
                item.appendChild(child)
            node.appendChild(item)
        return node

    def markdown(self, text: str, style: Style | None = None, under: int = 0) -> None:
        """User Markdown; with ``under`` (the section's outline level) its headings are outline headings."""
        self.body.extend(self.blocks(markdown_blocks(text, under=under), _name(style or self.styles.body)))

    def table(self, name: str, head: list[str], rows: list[list[str]], numeric_from: int, widths: tuple[float, ...]) -> None:
        styles = self.styles
        table = Table(name=name, stylename=styles.table)
        widths = header_widths(head, widths, _TEXT_WIDTH_CM, _HEADER_PT, _CELL_PADDING_CM)
        for index, share in enumerate(widths, start=1):
            column = Style(name=f"{name}.C{index}", family="table-column")
            column.addElement(TableColumnProperties(columnwidth=f"{_TEXT_WIDTH_CM * share:.2f}cm"))
            self.doc.automaticstyles.addElement(column)
            table.addElement(TableColumn(stylename=column))
        header = TableHeaderRows()  # repeated at the top of each page
        row = TableRow(stylename=styles.table_row)
        for index, text in enumerate(head):
            cell = TableCell(valuetype="string", stylename=styles.table_head_cell)
            cell.addElement(P(stylename=styles.cell_heading_number if index >= numeric_from else styles.cell_heading, text=text))
            row.addElement(cell)
        header.addElement(row)
        table.addElement(header)
        for values in rows:
            row = TableRow(stylename=styles.table_row)
            for index, text in enumerate(values):
                cell = TableCell(valuetype="string", stylename=styles.table_cell)
                cell.addElement(P(stylename=styles.cell_number if index >= numeric_from else styles.cell, text=text))
                row.addElement(cell)
            table.addElement(row)
        self.body.append(table)

    def item(self, item: Item) -> Element:
        names = self.names
        entry = _node(_ITEM)
        head = _node(_P, names["item_with_text" if item.body.strip() or item.grouped else "item"])
        head.appendChild(_node(_SPAN, names["strong"], item.title))
        details = " · ".join(part for part in (item_support(self.document, item), item.author) if part)
        if details:
            head.appendChild(_node(_SPAN, names["muted"], f" — {details}"))
        entry.appendChild(head)
        if item.body.strip():
            for child in self.blocks(item_blocks(item), names["item_body"]):
                entry.appendChild(child)
        if item.grouped:
            entry.appendChild(_node(_P, names["note"], self.document.labels.grouped_with))
            grouped = _node(_LIST, self.bullets)
            for other in item.grouped:
                line = _node(_ITEM)
                line.appendChild(_node(_P, names["item_body"], other.title + (f" · {other.author}" if other.author else "")))
                grouped.appendChild(line)
            entry.appendChild(grouped)
        return entry

    def chart(self) -> None:
        for n, (png, size, title) in enumerate(chart_pngs(self.document)):
            name = f"chart{n + 1}" if n else "chart"
            href = self.doc.addPicture(f"Pictures/{name}.png", "image/png", png)
            width, height = fit((_CHART_WIDTH_CM, _CHART_WIDTH_CM * size[1] / size[0]), _CHART_WIDTH_CM, _CHART_MAX_HEIGHT_CM)
            frame = Frame(name=name, stylename=self.styles.frame, anchortype="as-char",
                          width=f"{width:.2f}cm", height=f"{height:.2f}cm")
            frame.addElement(Image(href=href, type="simple", show="embed", actuate="onLoad"))
            frame.addElement(Title(text=title))
            frame.addElement(Desc(text=title))
            holder = P(stylename=self.styles.figure)
            holder.addElement(frame)
            self.body.append(holder)
            self.paragraph(title, self.styles.caption)

    # -- the document --

    def write(self) -> bytes:
        document, styles, words = self.document, self.styles, self.document.labels
        self.paragraph(document.title, styles.title)
        self.paragraph(document.subtitle, styles.subtitle)
        if document.organiser:
            self.paragraph(document.organiser, styles.subtitle)
        if not document.show_authors:
            self.paragraph(words.sentences["anonymous"], styles.note)
        contents_at = len(self.body)  # the table of contents goes here, once every heading is known
        if document.introduction.strip():
            self.heading(1, words.introduction)
            self.markdown(document.introduction, under=1)
        if document.calendar:
            self.heading(1, words.calendar)
            self.table(
                "Calendar", *calendar_table(document), numeric_from=calendar_numeric_from(document), widths=calendar_widths(document)
            )
            for row in document.calendar:
                if row.notes.strip():
                    holder = self.paragraph("", styles.item)
                    holder.addElement(Span(stylename=styles.strong, text=f"{calendar_when(document, row)} — {meeting_title(row)}"))
                    self.markdown(row.notes)
        if document.context.strip():
            self.heading(1, words.context)
            self.markdown(document.context, under=1)
        if document.show_figures:
            self.figures()
        for group in document.groups:
            self.heading(1, group.title, styles.group_heading)
            if group.description.strip():
                self.markdown(group.description, under=1)
            for theme in visible_themes(group):
                if theme.title:  # a group without themes: its items straight under the group
                    self.heading(2, theme.title)
                if theme.synthesis.strip():
                    self.markdown(theme.synthesis, under=2)
                for title, items in kinds(document, theme):
                    self.paragraph(title, styles.part_heading)
                    listing = _node(_LIST, self.bullets)
                    for item in items:
                        listing.appendChild(self.item(item))
                    self.body.append(listing)
                if theme.comments:
                    self.paragraph(words.highlighted, styles.part_heading)
                    for comment in theme.comments:
                        self.markdown(comment.body, styles.quote)
                        source = comment.contribution + (f" · {comment.author}" if comment.author else "")
                        self.paragraph(f"— {source}", styles.source)
        if document.next_steps.strip():
            self.heading(1, words.next_steps)
            self.markdown(document.next_steps, under=1)
        self.body.insert(contents_at, self.contents())

        self.footer()
        self.metadata()
        for element in self.body:
            # appendChild, not addElement: odfpy's caches (walked per addition) are not needed to write.
            self.doc.text.appendChild(element)
        out = io.BytesIO()
        self.doc.write(out)
        return fixed_zip(out.getvalue(), document.date, transform=_canonical_namespaces)

    def figures(self) -> None:
        document, styles = self.document, self.styles
        self.heading(1, document.labels.figures)
        summary = List(stylename=styles.bullets)
        for value, label in figures_summary(document):
            line = P(stylename=styles.body)
            line.addElement(Span(stylename=styles.strong, text=value))
            line.addText(f" {label}")
            entry = ListItem()
            entry.addElement(line)
            summary.addElement(entry)
        self.body.append(summary)
        if document.figures.groups:
            head, rows = figures_table(document)
            self.table("Participation", head, rows, numeric_from=1, widths=figures_widths(head))
        if has_chart(document):
            self.chart()

    def contents(self) -> Element:
        """A real table of contents (LibreOffice updates it from Tools > Update), already filled in:
        each entry links to its heading and shows its page through a reference LibreOffice lays out."""
        title, styles = self.document.labels.table_of_contents, self.styles
        toc = TableOfContent(name="Table of Contents", protected="true")
        source = TableOfContentSource(outlinelevel=str(_TOC_LEVELS))
        source.addElement(IndexTitleTemplate(stylename=styles.contents_heading, text=title))
        for level in range(1, _TOC_LEVELS + 1):
            template = TableOfContentEntryTemplate(outlinelevel=str(level), stylename=styles.contents[level])
            for part in (IndexEntryLinkStart(), IndexEntryText(), IndexEntryTabStop(type="right", leaderchar="."),
                         IndexEntryPageNumber(), IndexEntryLinkEnd()):
                template.addElement(part)
            source.addElement(template)
        toc.addElement(source)
        body = IndexBody()
        head = IndexTitle(name="Table of Contents_Head")
        head.addElement(P(stylename=styles.contents_heading, text=title))
        body.addElement(head)
        for level, text, bookmark in self.toc:
            entry = P(stylename=styles.contents[level])
            link = A(type="simple", href=f"#{bookmark}", stylename=styles.index_link, visitedstylename=styles.index_link,
                     text=text)
            link.appendChild(_node((TEXTNS, "tab")))
            link.addElement(BookmarkRef(referenceformat="page", refname=bookmark, text="1"))
            entry.addElement(link)
            body.addElement(entry)
        toc.addElement(body)
        return toc

    def footer(self) -> None:
        master = MasterPage(name="Standard", pagelayoutname=self.styles.page_layout)
        footer = Footer()
        line = P(stylename=self.styles.footer, text=f"{self.document.labels.page} ")
        line.addElement(PageNumber(selectpage="current", text="1"))
        line.addText(" / ")
        line.addElement(PageCount(text="1"))
        footer.addElement(line)
        master.addElement(footer)
        self.doc.masterstyles.addElement(master)

    def metadata(self) -> None:
        document = self.document
        stamp = f"{document.date.isoformat()}T00:00:00"
        info = self.doc.meta
        info.addElement(dc.Title(text=document.title))
        if document.subtitle:
            info.addElement(dc.Subject(text=document.subtitle))
            info.addElement(dc.Description(text=document.subtitle))
        if document.organiser:
            info.addElement(meta.InitialCreator(text=document.organiser))
            info.addElement(dc.Creator(text=document.organiser))
        info.addElement(dc.Language(text=language_tag(document)))
        info.addElement(meta.CreationDate(text=stamp))
        info.addElement(dc.Date(text=stamp))


# odfpy declares, on each part's root, every namespace any element of the process
# has used so far, in first-use order: the same document would give different
# bytes after, say, an ODT was read. Declare them all, always in the same order.
for _namespace in nsdict:
    Element.namespaces.setdefault(_namespace, nsdict[_namespace])
_DECLARATIONS = "".join(f' xmlns:{prefix}="{uri}"' for uri, prefix in sorted(nsdict.items(), key=lambda pair: pair[1])).encode()
_XMLNS = re.compile(rb'\s+xmlns:[A-Za-z0-9_.-]+="[^"]*"')


def _canonical_namespaces(name: str, data: bytes) -> bytes:
    if not name.endswith(".xml") or name.startswith("META-INF/"):
        return data
    start = data.find(b"<office:")
    end = data.find(b">", start)
    if start < 0 or end < 0:
        return data
    tag = _XMLNS.sub(b"", data[start:end])
    space = tag.find(b" ")
    tag = tag + _DECLARATIONS if space < 0 else tag[:space] + _DECLARATIONS + tag[space:]
    return data[:start] + tag + data[end:]


def render(document: Document) -> bytes:
    return _Writer(document).write()


register(
    Exporter("odt", "OpenDocument (LibreOffice)", "application/vnd.oasis.opendocument.text", "odt", render, slow=True)
)
