"""PDF: the document laid out by ReportLab on A4, with « Page N / M », a table of
contents with page numbers, bookmarks, tables and the chart.

The text is set in DejaVu Sans as shipped with matplotlib (a dependency
already): every accent, the same on any machine, embedded in the file.
Two passes (``multiBuild``): the first only measures — the page of each
heading, the number of pages — and draws nothing; the second writes them in the
table of contents and the footers. The table of contents knows its titles from
the start, so it has its final length in both passes and two are enough.
"""

from __future__ import annotations

import functools
import io
import re
import threading
from pathlib import Path
from xml.sax.saxutils import escape

import matplotlib
from reportlab import rl_config
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import cm, mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import (
    BaseDocTemplate,
    Flowable,
    Frame,
    Image,
    KeepTogether,
    PageBreak,
    PageTemplate,
    Table,
    TableStyle,
)
from reportlab.platypus import Paragraph as _ReportLabParagraph
from reportlab.platypus.tableofcontents import TableOfContents

from concerto.restitution.chart import chart_pngs, fit, has_chart
from concerto.restitution.exporters import Exporter, register
from concerto.restitution.exporters._shared import (
    CALENDAR_WIDTHS,
    FIGURES_WIDTHS,
    Block,
    Paragraph as TextParagraph,
    Run,
    calendar_table,
    figures_summary,
    figures_table,
    kinds,
    markdown_blocks,
    outline,
    support_text,
    visible_themes,
)
from concerto.restitution.model import Document, Item

_FONT_DIR = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
_INK, _MUTED, _LINE, _WASH, _ACCENT = (colors.HexColor(c) for c in ("#1d1d28", "#4f5461", "#c9c5bd", "#f4f3ef", "#1f4e9c"))
_MARGINS = {"leftMargin": 18 * mm, "rightMargin": 18 * mm, "topMargin": 20 * mm, "bottomMargin": 22 * mm}
_BULLETS = "•◦▪–"
_INDENT = 14  # points per list level
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_EXTERNAL = re.compile(r"^(https?:|mailto:)", re.IGNORECASE)  # relative links lead nowhere in a file


@functools.cache
def _setup() -> None:
    rl_config.useA85 = 0  # binary streams, not ASCII85: a quarter smaller, and quicker (ReportLab is ours alone)
    for family, files in (
        ("Sans", ("DejaVuSans", "DejaVuSans-Bold", "DejaVuSans-Oblique", "DejaVuSans-BoldOblique")),
        ("Mono", ("DejaVuSansMono", "DejaVuSansMono-Bold", "DejaVuSansMono-Oblique", "DejaVuSansMono-BoldOblique")),
    ):
        names = [f"Concerto{family}{suffix}" for suffix in ("", "-Bold", "-Italic", "-BoldItalic")]
        for name, file in zip(names, files):
            pdfmetrics.registerFont(TTFont(name, str(_FONT_DIR / f"{file}.ttf")))
        pdfmetrics.registerFontFamily(names[0], normal=names[0], bold=names[1], italic=names[2], boldItalic=names[3])


def _style(name: str, parent: ParagraphStyle | None = None, **values) -> ParagraphStyle:
    return ParagraphStyle(name, parent=parent, **values)


@functools.cache
def _styles() -> dict[str, ParagraphStyle]:
    base = _style("base", fontName="ConcertoSans", bulletFontName="ConcertoSans", fontSize=10, leading=13.5,
                  textColor=_INK, spaceAfter=4)
    heading = _style("heading", base, fontName="ConcertoSans-Bold", keepWithNext=1)
    small = _style("small", base, fontSize=9, leading=12, textColor=_MUTED)
    item = _style("item", base, leftIndent=_INDENT, bulletIndent=3, spaceBefore=3, spaceAfter=2)
    cell = _style("cell", base, fontSize=9, leading=11.5, spaceAfter=0)
    return {
        "title": _style("title", heading, fontSize=20, leading=24, spaceAfter=6),
        "subtitle": _style("subtitle", base, fontSize=12, leading=15, spaceAfter=6),
        "note": _style("note", small, fontName="ConcertoSans-Italic"),
        "contents": _style("contents", heading, fontSize=15, leading=19, spaceBefore=16, spaceAfter=8, keepWithNext=0),
        1: _style("h1", heading, fontSize=15, leading=19, textColor=_ACCENT, spaceBefore=16, spaceAfter=8),
        2: _style("h2", heading, fontSize=12.5, leading=16, spaceBefore=12, spaceAfter=5),
        3: _style("h3", heading, fontSize=10, leading=13, textColor=_MUTED, spaceBefore=8, spaceAfter=3),
        "text": base,
        "item": item,
        "item_body": _style("item_body", base, leftIndent=_INDENT, spaceAfter=2),
        "grouped_note": _style("grouped_note", small, fontName="ConcertoSans-Italic", leftIndent=_INDENT, spaceAfter=1),
        "grouped": _style("grouped", small, leftIndent=2 * _INDENT, bulletIndent=_INDENT + 3, spaceAfter=1),
        "quote": _style("quote", base, leftIndent=_INDENT, textColor=_MUTED),
        "source": _style("source", small, leftIndent=_INDENT, spaceAfter=8),
        "code": _style("code", base, fontName="ConcertoMono", fontSize=8.5, leading=11, backColor=_WASH),
        "cell": cell,
        "cell_head": _style("cell_head", cell, fontName="ConcertoSans-Bold", fontSize=8, leading=10),
        "cell_note": _style("cell_note", cell, fontSize=8.5, textColor=_MUTED, spaceBefore=2),
        "number": _style("number", cell, alignment=TA_RIGHT),
        "number_head": _style("number_head", cell, fontName="ConcertoSans-Bold", fontSize=8, leading=10, alignment=TA_RIGHT),
        "caption": _style("caption", small, alignment=TA_CENTER, spaceBefore=2, spaceAfter=8),
        "toc0": _style("toc0", base, fontSize=10.5, leading=15, leftIndent=0, spaceAfter=0),
        "toc1": _style("toc1", base, fontSize=9.5, leading=13, leftIndent=_INDENT, spaceAfter=0),
    }


def _text(text: str) -> str:
    """Plain text for ReportLab's mini-markup: it can never become a tag."""
    return escape(_NOT_XML.sub("", text))


def _markup(runs: list[Run], code_block: bool = False) -> str:
    """Markup for Markdown runs: the only tags are the ones their formatting asks for."""
    parts = []
    for run in runs:
        if run.text == "\n":
            parts.append("<br/>")
            continue
        text = _text(run.text)
        if code_block:  # keep the indentation of code
            text = re.sub(r"^ +", lambda match: "\u00a0" * len(match.group()), text)
        if run.code and not code_block:
            text = f'<font face="ConcertoMono">{text}</font>'
        if run.strike:
            text = f"<strike>{text}</strike>"
        if run.italic:
            text = f"<i>{text}</i>"
        if run.bold:
            text = f"<b>{text}</b>"
        if run.href and _EXTERNAL.match(run.href):
            text = f'<a href="{escape(run.href, {chr(34): "&quot;"})}" color="{_ACCENT.hexval()}">{text}</a>'
        parts.append(text)
    return "".join(parts)


class _Paragraph(_ReportLabParagraph):
    """A paragraph laid out once per pass: KeepTogether measures it, then the
    frame places it. The first pass only measures (nothing drawn); a drawn
    paragraph lets its lines go (a long document would keep them all)."""

    _laid_out: tuple[float, tuple[float, float]] | None = None

    def wrap(self, availWidth, availHeight):
        # ReportLab's split() drops the lines when it cannot split (a table row
        # split across pages tries it): lay out again then.
        if self._laid_out is None or self._laid_out[0] != availWidth or "blPara" not in self.__dict__:
            self._laid_out = (availWidth, super().wrap(availWidth, availHeight))
        return self._laid_out[1]

    def draw(self):
        if not self.canv._doctemplate.measuring:
            self.wrap(self.width, 0)  # drawn again (a repeated table heading): laid out again
            super().draw()
        self._laid_out = None
        self.__dict__.pop("blPara", None)


class _Heading(_Paragraph):
    """A heading of the outline; ``bookmark`` is (level, key, title). Its destination
    is its own top, not its page's (set when drawn); the template makes the
    outline entry and the table of contents line."""

    bookmark: tuple[int, str, str] | None = None  # None on the rest of a heading split over two pages

    def draw(self):
        super().draw()
        if self.bookmark:
            self.canv.bookmarkHorizontal(self.bookmark[1], 0, self.height)


class _PageCount(Flowable):
    """Last in the story, not drawn: how many pages the pass made, for « N / M »
    in the next one (and one more pass if that number changed)."""

    def __init__(self) -> None:
        super().__init__()
        self.count = self.previous = None

    def isIndexing(self):
        return True

    def beforeBuild(self):
        self.previous, self.count = self.count, None

    def afterBuild(self):
        pass

    def notify(self, kind, stuff):
        pass

    def isSatisfied(self):
        return self.count == self.previous

    def wrap(self, availWidth, availHeight):
        return 0, 0

    def draw(self):
        self.count = self.canv.getPageNumber()


class _Template(BaseDocTemplate):
    def __init__(self, out, document: Document, pages: _PageCount) -> None:
        super().__init__(
            out, pagesize=A4, **_MARGINS, title=f"{document.title} — {document.subtitle}", subject=document.subtitle,
            creator="Concerto", lang=document.language, invariant=True, pageCompression=1, displayDocTitle=True,
            initialFontName="ConcertoSans", initialFontSize=10,
        )
        self.document, self.pages = document, pages
        frame = Frame(self.leftMargin, self.bottomMargin, self.width, self.height, id="text",
                      leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)
        self.addPageTemplates([PageTemplate("page", [frame], onPage=self.decorate)])

    @property
    def measuring(self) -> bool:
        return self.pages.previous is None  # the first pass: never the one saved

    def beforeDocument(self):
        # invariant=True: no random /ID and no clock; the date is the document's own.
        stamp = self.document.date.strftime("D:%Y%m%d000000+00'00'")
        self.canv.setDateFormatter(lambda *_now: stamp)

    def decorate(self, canvas, _doc) -> None:
        words = self.document.labels
        canvas.saveState()
        canvas.setFont("ConcertoSans", 9)
        canvas.setFillColor(_MUTED)
        total = f" / {self.pages.previous}" if self.pages.previous else ""
        canvas.drawCentredString(A4[0] / 2, 12 * mm, f"{words.page} {canvas.getPageNumber()}{total}")
        if self.document.version is None:
            canvas.setFillColor(colors.HexColor("#8a4b00"))
            canvas.drawRightString(A4[0] - _MARGINS["rightMargin"], A4[1] - 12 * mm, words.sentences.get("draft", "").upper())
        canvas.restoreState()

    def afterFlowable(self, flowable) -> None:
        if isinstance(flowable, _Heading) and flowable.bookmark:
            level, key, title = flowable.bookmark
            self.canv.addOutlineEntry(title, key, level, closed=level > 0)
            if level < 2:
                self.notify("TOCEntry", (level, _text(title), self.page, key))


class _Writer:
    def __init__(self, document: Document, width: float, height: float) -> None:
        self.document = document
        self.width = width
        self.height = height
        self.styles = _styles()
        self.story: list[Flowable] = []
        self._indented: dict[tuple[str, int], ParagraphStyle] = {}

    def add(self, *flowables: Flowable) -> None:
        self.story.extend(flowables)

    def para(self, markup: str, style: str | int | ParagraphStyle, bullet: str | None = None) -> _Paragraph:
        return _Paragraph(markup, style if isinstance(style, ParagraphStyle) else self.styles[style], bulletText=bullet)

    def keep(self, parts: list[Flowable]) -> None:
        """Flowables kept on one page where they fit, with the headings just before
        them: a heading's keepWithNext cannot reach into a KeepTogether."""
        while self.story and isinstance(self.story[-1], _Heading):
            parts.insert(0, self.story.pop())
        self.add(KeepTogether(parts) if len(parts) > 1 else parts[0])

    def heading(self, level: int, title: str, key: str, new_page: bool = False) -> None:
        heading = _Heading(_text(title), self.styles[level])
        heading.bookmark = (level - 1, key, title)
        self.add(*([PageBreak()] if new_page else []), heading)

    # -- user Markdown --

    def indented(self, style: ParagraphStyle, depth: int) -> ParagraphStyle:
        if not depth:
            return style
        key = (style.name, depth)
        if key not in self._indented:
            indent = style.leftIndent + _INDENT * depth
            self._indented[key] = _style(f"{style.name}-{depth}", style, leftIndent=indent, bulletIndent=indent - _INDENT + 3)
        return self._indented[key]

    def blocks(self, blocks: list[Block], style: str, depth: int = 0, bullet: str | None = None) -> list[Flowable]:
        out: list[Flowable] = []
        for block in blocks:
            if bullet is not None and not isinstance(block, TextParagraph):
                out.append(self.para("", self.indented(self.styles[style], depth), bullet))
                bullet = None
            if isinstance(block, TextParagraph):
                kind = block.style if block.style in ("quote", "code") else style
                out.append(self.para(_markup(block.runs, kind == "code"), self.indented(self.styles[kind], depth), bullet))
                bullet = None
                continue
            for number, entry in enumerate(block.items, start=block.start):
                mark = f"{number}." if block.ordered else _BULLETS[depth % len(_BULLETS)]
                out.extend(self.blocks(entry, style, depth + 1, mark) or [self.para("", self.indented(self.styles[style], depth + 1), mark)])
        return out

    def markdown(self, text: str, style: str = "text") -> list[Flowable]:
        return self.blocks(markdown_blocks(text), style) if text.strip() else []

    # -- pieces --

    def table(self, head: list[str], rows: list[list[list[Flowable] | str]], numeric_from: int, widths: tuple[float, ...]) -> Table:
        def cell(value, index: int, header: bool = False):
            if not isinstance(value, str):
                return value
            kind = ("number" if index >= numeric_from else "cell") + ("_head" if header else "")
            return self.para(_text(value), "cell_head" if kind == "cell_head" else kind)

        data = [[cell(value, index, True) for index, value in enumerate(head)]]
        data += [[cell(value, index) for index, value in enumerate(row)] for row in rows]
        table = Table(data, colWidths=[self.width * share for share in widths], repeatRows=1, splitInRow=1, hAlign="LEFT")
        table.setStyle(TableStyle([
            ("FONT", (0, 0), (-1, -1), "ConcertoSans", 9),  # not Helvetica, even for an empty cell
            ("GRID", (0, 0), (-1, -1), 0.5, _LINE),
            ("BACKGROUND", (0, 0), (-1, 0), _WASH),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("TOPPADDING", (0, 0), (-1, -1), 3),
            ("LEFTPADDING", (0, 0), (-1, -1), 4),
            ("RIGHTPADDING", (0, 0), (-1, -1), 4),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
        ]))
        table.spaceBefore, table.spaceAfter = 4, 10
        return table

    def item(self, item: Item) -> None:
        document = self.document
        meta = f" — {support_text(document, item.support)}" + (f" · {item.author}" if item.author else "")
        parts: list[Flowable] = [
            self.para(f'<b>{_text(item.title)}</b><font color="{_MUTED.hexval()}">{_text(meta)}</font>', "item", "•")
        ]
        parts += self.markdown(item.body, "item_body")
        if item.grouped:
            parts.append(self.para(_text(document.labels.grouped_with), "grouped_note"))
            parts += [
                self.para(_text(other.title + (f" · {other.author}" if other.author else "")), "grouped", "◦")
                for other in item.grouped
            ]
        self.keep(parts)

    def chart(self) -> None:
        points = 72 / 2.54
        for png, (width, height), title in chart_pngs(self.document, dpi=200):
            # Each picture and its caption on one page.
            width, height = fit((width * points, height * points), self.width, self.height - 3 * cm)
            image = Image(io.BytesIO(png), width=width, height=height)
            self.keep([image, self.para(_text(title), "caption")])

    # -- the document --

    def write(self) -> list[Flowable]:
        document, words = self.document, self.document.labels
        self.add(self.para(_text(document.title), "title"), self.para(_text(document.subtitle), "subtitle"))
        if not document.show_authors:
            self.add(self.para(_text(words.sentences["anonymous"]), "note"))
        contents = TableOfContents(
            levelStyles=[self.styles["toc0"], self.styles["toc1"]], dotsMinLevel=0,
            tableStyle=TableStyle([("FONT", (0, 0), (-1, -1), "ConcertoSans", 10), ("VALIGN", (0, 0), (-1, -1), "TOP"),
                                   ("LEFTPADDING", (0, 0), (-1, -1), 0), ("RIGHTPADDING", (0, 0), (-1, -1), 0)]),
        )
        # Known titles, unknown pages: the first pass already gives it its size.
        contents.addEntries(
            entry
            for heading in outline(document)
            for entry in [(0, _text(heading.title), 0, heading.id)] + [(1, _text(child.title), 0, child.id) for child in heading.children]
        )
        self.add(self.para(_text(words.table_of_contents), "contents"), contents, PageBreak())

        if document.introduction.strip():
            self.heading(1, words.introduction, "introduction")
            self.add(*self.markdown(document.introduction))
        if document.calendar:
            self.heading(1, words.calendar, "calendar")
            head, rows = calendar_table(document)
            for values, meeting in zip(rows, document.calendar):
                if meeting.notes.strip():
                    values[1] = [self.para(_text(values[1]), "cell"), *self.markdown(meeting.notes, "cell_note")]
            self.add(self.table(head, rows, numeric_from=3, widths=CALENDAR_WIDTHS))
        if document.context.strip():
            self.heading(1, words.context, "context")
            self.add(*self.markdown(document.context))
        self.heading(1, words.figures, "figures")
        self.add(*(self.para(f"<b>{_text(value)}</b> {_text(label)}", "item", "•") for value, label in figures_summary(document)))
        if document.figures.groups:
            self.add(self.table(*figures_table(document), numeric_from=1, widths=FIGURES_WIDTHS))
        if has_chart(document):
            self.chart()

        for index, group in enumerate(document.groups, start=1):
            group_key = f"group-{index}"
            self.heading(1, group.title, group_key, new_page=True)
            self.add(*self.markdown(group.description))
            for number, theme in enumerate(visible_themes(group), start=1):
                theme_key = f"{group_key}-theme-{number}"
                self.heading(2, theme.title, theme_key)
                self.add(*self.markdown(theme.synthesis))
                for title, items in kinds(document, theme):
                    self.heading(3, title, f"{theme_key}-{'acquis' if items is theme.acquis else 'enjeux'}")
                    for item in items:
                        self.item(item)
                if theme.comments:
                    self.heading(3, words.highlighted, f"{theme_key}-comments")
                    for comment in theme.comments:
                        source = comment.contribution + (f" · {comment.author}" if comment.author else "")
                        self.keep([*self.markdown(comment.body, "quote"), self.para(_text(f"— {source}"), "source")])
        if document.next_steps.strip():
            self.heading(1, words.next_steps, "next-steps")
            self.add(*self.markdown(document.next_steps))
        return self.story


# One PDF at a time: ReportLab keeps some state in modules (fonts, settings), and
# two long documents at once would need twice the memory for no gain in time.
_LOCK = threading.Lock()


def render(document: Document) -> bytes:
    with _LOCK:
        _setup()
        out = io.BytesIO()
        pages = _PageCount()
        template = _Template(out, document, pages)
        story = _Writer(document, template.width, template.height).write()
        template.multiBuild([*story, pages])
        return out.getvalue()


register(Exporter("pdf", "PDF", "application/pdf", "pdf", render, slow=True))
