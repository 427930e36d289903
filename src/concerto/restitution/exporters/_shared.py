"""What the exporters share: words and numbers in the document's language, the
outline, user Markdown as plain blocks (for office formats) and fixed zips."""

from __future__ import annotations

import datetime as dt
import functools
import io
import unicodedata
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field

from babel.dates import format_date
from babel.numbers import format_decimal

from concerto.labels import date_span
from concerto.markdown import parse_markdown, plain_paragraphs
from concerto.restitution.model import Document, GroupSection, Item, MeetingRow, ThemeSection

# -- words and numbers --------------------------------------------------------------


def number(document: Document, value: int) -> str:
    return _number(value, document.language)


@functools.lru_cache(maxsize=4096)
def _number(value: int, language: str) -> str:
    # Babel takes ~40 µs a number; a large restitution writes ten thousand of them.
    return format_decimal(value, locale=language)


# The region of each interface language, for documents' language tags (BCP 47).
_REGIONS = {"fr": "FR", "en": "GB"}


def language_tag(document: Document) -> str:
    """« fr-FR »: what ODT, DOCX, HTML and PDF declare as the document's language."""
    language = document.language.replace("_", "-")
    if "-" in language:
        return language
    return f"{language}-{_REGIONS[language]}" if language in _REGIONS else language


def day(document: Document, value: dt.date) -> str:
    return format_date(value, format="long", locale=document.language)


def support_text(document: Document, count: int) -> str:
    words = document.labels
    return (words.support if count <= 1 else words.support_plural) % {"num": number(document, count)}


def item_support(document: Document, item: Item) -> str | None:
    """« 3 soutiens » after an item, or None when the facilitators left support out
    (the default for a consultation where nobody voted)."""
    return support_text(document, item.support) if document.show_support else None


def kind_label(document: Document, kind: str) -> str:
    return document.labels.columns.get("acquis" if kind == "acquis" else "enjeux", kind)


def meeting_title(row: MeetingRow) -> str:
    return f"{row.kind} — {row.title}" if row.kind and row.kind != row.title else row.title


def has_content(theme: ThemeSection) -> bool:
    return bool(theme.acquis or theme.enjeux or theme.synthesis.strip() or theme.comments)


def visible_themes(group: GroupSection) -> list[ThemeSection]:
    """Themes with something to say (a theme emptied by the support threshold is left out)."""
    return [theme for theme in group.themes if has_content(theme)]


def kinds(document: Document, theme: ThemeSection) -> list[tuple[str, list[Item]]]:
    """The non-empty halves of a theme, under their headings."""
    halves = ((document.labels.acquis, theme.acquis), (document.labels.enjeux, theme.enjeux))
    return [(title, items) for title, items in halves if items]


# Share of the text width of each calendar column, for formats that need widths;
# the columns kept (see calendar_columns) are stretched to the whole width.
CALENDAR_WIDTHS = {"date": 0.18, "meeting": 0.34, "place": 0.18, "attendance": 0.15, "contributions": 0.15}
_CALENDAR_NUMBERS = ("attendance", "contributions")


def calendar_when(document: Document, row: MeetingRow) -> str:
    """The date cell: « 10 décembre 2014 », « du 26 au 30 janvier 2015 » or the words given (« mars-avril 2015 »),
    followed by « À venir » for a step still to come."""
    words = document.labels.sentences
    if row.when:
        text = row.when
    elif row.date is None:
        text = ""
    else:
        text = date_span(row.date, row.end_date, document.language, words.get("from_to", "%(start)s – %(end)s"))
    if not row.upcoming:
        return text
    mark = words.get("upcoming", "")
    return f"{text} · {mark}" if text and mark else text or mark


def calendar_columns(document: Document) -> list[str]:
    """Date and entry, then place, attendance and contributions only when some entry has one."""
    entries = document.calendar
    shown = {
        "place": any(row.place.strip() for row in entries),
        "attendance": any(row.attendance is not None for row in entries),
        "contributions": any(row.contributions for row in entries),
    }
    return [key for key in CALENDAR_WIDTHS if shown.get(key, True)]


def calendar_widths(document: Document) -> tuple[float, ...]:
    keys = calendar_columns(document)
    total = sum(CALENDAR_WIDTHS[key] for key in keys)
    return tuple(CALENDAR_WIDTHS[key] / total for key in keys)


def calendar_numeric_from(document: Document) -> int:
    """The index of the first number column (numbers come last, right-aligned)."""
    return sum(1 for key in calendar_columns(document) if key not in _CALENDAR_NUMBERS)


def calendar_table(document: Document) -> tuple[list[str], list[list[str]]]:
    """The headings and cells of the columns kept (see calendar_columns); the entry is always the second column."""
    columns = document.labels.columns
    keys = calendar_columns(document)
    cells: dict[str, Callable[[MeetingRow], str]] = {
        "date": lambda row: calendar_when(document, row),
        "meeting": meeting_title,
        "place": lambda row: row.place,
        "attendance": lambda row: "" if row.attendance is None else number(document, row.attendance),
        # A step still to come has no contributions yet: an empty cell, not « 0 ».
        "contributions": lambda row: "" if row.upcoming else number(document, row.contributions),
    }
    head = [columns[key] for key in keys]
    rows = [[cells[key](row) for key in keys] for row in document.calendar]
    return head, rows


def figures_table(document: Document) -> tuple[list[str], list[list[str]]]:
    """Per working group; the votes, comments and contributors columns only when some group has any
    (contributions all typed up by facilitators have no contributor)."""
    columns, groups = document.labels.columns, document.figures.groups
    keys = [
        key
        for key in ("acquis", "enjeux", "votes", "comments", "contributors")
        if key in ("acquis", "enjeux") or any(getattr(group, key) for group in groups)
    ]
    head = [columns["group"], *(columns[key] for key in keys)]
    rows = [[group.title, *(number(document, getattr(group, key)) for key in keys)] for group in groups]
    return head, rows


def figures_widths(head: list[str]) -> tuple[float, ...]:
    """Shares of the text width: the group's name gets what the figures leave."""
    figures = len(head) - 1
    share = min(0.16, 0.72 / max(figures, 1))
    return (1 - share * figures, *([share] * figures))


@functools.cache
def _bold_advances() -> dict[str, int]:
    """Advance widths (1/1000 em) of Helvetica Bold, whose metrics Arial Bold and Liberation
    Sans Bold share, from the AFM file matplotlib ships (no dependence on installed fonts)."""
    import matplotlib  # already needed for the chart

    path = f"{matplotlib.get_data_path()}/fonts/afm/phvb8a.afm"
    advances = {}
    with open(path, encoding="latin-1") as afm:
        for line in afm:
            if line.startswith("C ") and " WX " in line:
                code, width = int(line.split()[1]), int(line.split(" WX ")[1].split()[0])
                if 32 <= code < 127:
                    advances[chr(code)] = width
    return advances


def bold_width_cm(text: str, size_pt: float) -> float:
    """The width of ``text`` set in a bold sans-serif at ``size_pt`` (accents as their letter)."""
    advances = _bold_advances()
    total = 0
    for char in text:
        width = advances.get(char)
        if width is None:
            base = unicodedata.normalize("NFD", char)[:1]
            width = advances.get(base, advances["M"] if char.isupper() else advances["n"])
        total += width
    return total / 1000 * size_pt * 2.54 / 72


def header_widths(head: list[str], shares: tuple[float, ...], text_cm: float, size_pt: float,
                  padding_cm: float) -> tuple[float, ...]:
    """``shares`` (of the text width) changed so that the longest word of each header fits
    its column (« Contributeurs » never broken): narrow columns are widened, the others pay."""
    # Only ordinary spaces are break opportunities: a no-break space joins words.
    need = [max(bold_width_cm(word, size_pt) for word in title.split(" ")) / text_cm + padding_cm / text_cm for title in head]
    if sum(need) >= 1:  # too many columns for the page: as fair as it gets
        return tuple(value / sum(need) for value in need)
    fixed: set[int] = set()
    while True:
        free = 1 - sum(need[i] for i in fixed)
        rest = sum(share for i, share in enumerate(shares) if i not in fixed)
        widths = [need[i] if i in fixed else share * free / rest for i, share in enumerate(shares)]
        short = {i for i, width in enumerate(widths) if i not in fixed and width < need[i]}
        if not short:
            return tuple(widths)
        fixed |= short


def figures_summary(document: Document) -> list[tuple[str, str]]:
    """The headline figures as (number, words) pairs, e.g. ("60", "participants")."""
    if document.summary or document.format_version >= 2:
        return [(value, words) for value, words in document.summary]
    # A version published before format 2 (its words have no plural forms).
    figures, words = document.figures, document.labels.sentences
    pairs = [
        (figures.participants, "participants"),
        (figures.contributors, "contributors"),
        (figures.attendance, "attendance"),
        (figures.votes, "votes"),
        (figures.supporters, "supporters"),
        (figures.comments, "comments"),
    ]
    return [(number(document, value), words[key]) for value, key in pairs if value or key == "participants"]


# -- outline ------------------------------------------------------------------------


@dataclass
class Heading:
    id: str
    title: str
    children: list[Heading] = field(default_factory=list)
    level: int = 1  # 1 = a section or working group, 2 = a theme or a sub-heading of a section's text…


MAX_LEVEL = 5  # HTML headings are one level below (h1 is the title): h6 at most


def heading_levels(tokens, under: int) -> dict[int, int]:
    """The outline level of each heading of a text written under a section of level ``under``.

    The text's largest headings (whatever their number of #) sit one level
    below the section; smaller ones below them. Only headings at the text's top
    level count: one in a list or a quote stays a bold paragraph. ``under`` 0:
    no heading is part of the outline. Keyed by ``id(token)`` of heading_open.
    """
    if not under:
        return {}
    opening = [token for token in tokens if token.type == "heading_open" and token.level == 0]
    if not opening:
        return {}
    top = min(int(token.tag[1]) for token in opening)
    return {id(token): min(under + 1 + int(token.tag[1]) - top, MAX_LEVEL) for token in opening}


def text_headings(text: str, under: int, prefix: str) -> list[Heading]:
    """The headings a text adds to the outline, nested, with ids ``prefix-1``, ``prefix-2``… in order."""
    if not under or "#" not in (text or "") and "\n=" not in (text or "") and "\n-" not in (text or ""):
        return []
    tokens = parse_markdown(text)
    levels = heading_levels(tokens, under)
    roots: list[Heading] = []
    stack: list[Heading] = []
    count = 0
    for index, token in enumerate(tokens):
        level = levels.get(id(token))
        if level is None:
            continue
        count += 1
        title = "".join(run.text for run in _runs(tokens[index + 1].children)).strip()
        heading = Heading(f"{prefix}-{count}", title, level=level)
        while stack and stack[-1].level >= level:
            stack.pop()
        (stack[-1].children if stack else roots).append(heading)
        stack.append(heading)
    return roots


def outline(document: Document) -> list[Heading]:
    """Every heading of the document with stable anchors: sections, groups, themes and
    the headings written in the texts (what a table of contents lists)."""
    words = document.labels
    headings = []

    def section(anchor: str, title: str, text: str = "") -> None:
        headings.append(Heading(anchor, title, text_headings(text, 1, anchor)))

    if document.introduction.strip():
        section("introduction", words.introduction, document.introduction)
    if document.calendar:
        section("calendar", words.calendar)
    if document.context.strip():
        section("context", words.context, document.context)
    if document.show_figures:
        section("figures", words.figures, document.figures_text)
    for index, group in enumerate(document.groups, start=1):
        anchor = f"group-{index}"
        children = text_headings(group.description, 1, f"{anchor}-text")
        for number_, theme in enumerate(visible_themes(group), start=1):
            if theme.title:
                theme_anchor = f"{anchor}-theme-{number_}"
                children.append(Heading(theme_anchor, theme.title, text_headings(theme.synthesis, 2, theme_anchor), level=2))
        headings.append(Heading(anchor, group.title, children))
    if document.next_steps.strip():
        section("next-steps", words.next_steps, document.next_steps)
    return headings


# -- user Markdown as blocks (for formats that are not HTML) ----------------------------


@dataclass(slots=True)
class Run:
    text: str  # "\n" alone is a line break
    bold: bool = False
    italic: bool = False
    code: bool = False
    strike: bool = False
    href: str | None = None


@dataclass(slots=True)
class Paragraph:
    runs: list[Run]
    style: str = "text"  # text | heading | quote | code
    # For a heading: its level in the document's outline (1 = a section), or 0
    # for a heading in a contribution or comment, which stays a bold paragraph.
    level: int = 0


@dataclass(slots=True)
class ListBlock:
    ordered: bool
    start: int = 1
    items: list[list[Paragraph | ListBlock]] = field(default_factory=list)


Block = Paragraph | ListBlock


def _runs(children) -> list[Run]:
    runs: list[Run] = []
    bold = italic = strike = 0
    href: str | None = None

    def add(text: str, code: bool = False) -> None:
        if not text:
            return
        last = runs[-1] if runs else None
        if (
            last is not None
            and last.text != "\n"
            and text != "\n"
            and (last.bold, last.italic, last.strike, last.code, last.href) == (bold > 0, italic > 0, strike > 0, code, href)
        ):
            last.text += text
        else:
            runs.append(Run(text, bold > 0, italic > 0, code, strike > 0, href))

    for token in children or ():
        kind = token.type
        if kind == "text":
            add(token.content)
        elif kind == "softbreak":
            add(" ")
        elif kind == "hardbreak":
            add("\n")
        elif kind == "code_inline":
            add(token.content, code=True)
        elif kind == "strong_open":
            bold += 1
        elif kind == "strong_close":
            bold -= 1
        elif kind == "em_open":
            italic += 1
        elif kind == "em_close":
            italic -= 1
        elif kind == "s_open":
            strike += 1
        elif kind == "s_close":
            strike -= 1
        elif kind == "link_open":
            href = str(token.attrGet("href") or "") or None
        elif kind == "link_close":
            href = None
        else:  # html is off and images disabled; anything else is kept as its text
            add(token.content)
    return runs


def markdown_blocks(text: str, under: int = 0) -> list[Block]:
    """Paragraphs and (nested) lists with inline bold, italic, code and links.

    ``under`` is the outline level of the section the text belongs to: its
    headings become real headings one level below (see ``heading_levels``).
    With 0 (a contribution, a comment) they become bold paragraphs: they must
    not enter the document's outline. Tables become one line per row; raw HTML
    is already plain text.
    """
    paragraphs = plain_paragraphs(text)
    if paragraphs is not None:
        return [Paragraph([Run(paragraph.replace("\n", " "))]) for paragraph in paragraphs]
    tokens = parse_markdown(text)
    levels = heading_levels(tokens, under)
    root: list[Block] = []
    targets: list[list[Block]] = [root]
    lists: list[ListBlock] = []
    quote = 0
    pending: str | None = None  # the style of the paragraph whose inline comes next
    row: list[str] | None = None
    header_row = False
    level = 0
    for token in tokens:
        kind = token.type
        if kind == "paragraph_open":
            pending = "quote" if quote else "text"
        elif kind == "heading_open":
            pending = "heading"
            level = levels.get(id(token), 0)
        elif kind == "inline" and row is not None:
            row.append(token.content)
        elif kind == "inline" and pending is not None:
            runs = _runs(token.children)
            if pending == "heading" and not level:
                for run in runs:
                    run.bold = True
            if runs:
                targets[-1].append(Paragraph(runs, pending, level if pending == "heading" else 0))
            pending = None
        elif kind in ("bullet_list_open", "ordered_list_open"):
            block = ListBlock(kind == "ordered_list_open", int(token.attrGet("start") or 1))
            targets[-1].append(block)
            lists.append(block)
        elif kind in ("bullet_list_close", "ordered_list_close"):
            lists.pop()
        elif kind == "list_item_open":
            item: list[Block] = []
            lists[-1].items.append(item)
            targets.append(item)
        elif kind == "list_item_close":
            targets.pop()
        elif kind == "blockquote_open":
            quote += 1
        elif kind == "blockquote_close":
            quote -= 1
        elif kind in ("fence", "code_block"):
            lines = token.content.rstrip("\n").split("\n")
            runs = []
            for index, line in enumerate(lines):
                if index:
                    runs.append(Run("\n"))
                runs.append(Run(line, code=True))
            targets[-1].append(Paragraph(runs, "code"))
        elif kind == "thead_open":
            header_row = True
        elif kind == "thead_close":
            header_row = False
        elif kind == "tr_open":
            row = []
        elif kind == "tr_close" and row is not None:
            targets[-1].append(Paragraph([Run(" | ".join(row), bold=header_row)], "text"))
            row = None
    return root


def item_blocks(item: Item) -> list[Block]:
    """A contribution's text as ``markdown_blocks(item.body)`` gives it, read from the HTML stored
    when it was written (the same parser's output) when there is some: lxml reads it ten times
    faster than the Markdown parser, and a large restitution has ten thousand of them."""
    if not item.body_html or plain_paragraphs(item.body) is not None:
        return markdown_blocks(item.body)
    from lxml import html as lxml_html

    return _html_blocks(lxml_html.fragment_fromstring(item.body_html, create_parent="div"), False)


_HTML_FLAGS = {"strong": "bold", "b": "bold", "em": "italic", "i": "italic", "s": "strike", "del": "strike", "code": "code"}
_HTML_HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}


def _html_blocks(container, quote: bool) -> list[Block]:
    blocks: list[Block] = []
    inline: list = []  # text and inline elements of a tight list item, until its next block

    def flush() -> None:
        runs = _html_runs(inline)
        if runs:
            blocks.append(Paragraph(runs, "quote" if quote else "text"))
        inline.clear()

    if container.text and container.text.strip(" \n") and container.tag == "li":
        inline.append(container.text)
    for child in container:
        tag = child.tag if isinstance(child.tag, str) else ""
        if tag in ("p", "ul", "ol", "blockquote", "pre", "table", "hr") or tag in _HTML_HEADINGS:
            flush()
            if tag == "p":
                runs = _html_runs([child.text or "", *child])
                if runs:
                    blocks.append(Paragraph(runs, "quote" if quote else "text"))
            elif tag in _HTML_HEADINGS:  # a contribution's heading: a bold paragraph (level 0)
                runs = _html_runs([child.text or "", *child])
                for run in runs:
                    run.bold = True
                if runs:
                    blocks.append(Paragraph(runs, "heading"))
            elif tag in ("ul", "ol"):
                block = ListBlock(tag == "ol", int(child.get("start") or 1))
                block.items = [_html_blocks(entry, quote) for entry in child if entry.tag == "li"]
                blocks.append(block)
            elif tag == "blockquote":
                blocks.extend(_html_blocks(child, True))
            elif tag == "pre":
                lines = child.text_content().rstrip("\n").split("\n")
                runs = []
                for index, line in enumerate(lines):
                    if index:
                        runs.append(Run("\n"))
                    runs.append(Run(line, code=True))
                blocks.append(Paragraph(runs, "code"))
            elif tag == "table":
                for row in child.iter("tr"):
                    cells = [cell.text_content().strip(" \n") for cell in row if cell.tag in ("th", "td")]
                    blocks.append(Paragraph([Run(" | ".join(cells), bold=row.getparent().tag == "thead")], "text"))
            if child.tail and child.tail.strip(" \n") and container.tag == "li":
                inline.append(child.tail)
        else:
            inline.append(child)
    flush()
    return blocks


def _html_runs(nodes) -> list[Run]:
    """Inline HTML (text and elements) as runs, merged as ``_runs`` merges them."""
    runs: list[Run] = []
    state = {"bold": 0, "italic": 0, "strike": 0, "code": 0}
    href: list[str | None] = [None]

    def add(text: str, hard: bool = False) -> None:
        if not text:
            return
        if not hard and not state["code"]:
            text = text.replace("\n", " ")  # a soft line break
        last = runs[-1] if runs else None
        key = (state["bold"] > 0, state["italic"] > 0, state["strike"] > 0, state["code"] > 0, href[-1])
        if last is not None and last.text != "\n" and text != "\n" and (last.bold, last.italic, last.strike, last.code, last.href) == key:
            last.text += text
        else:
            runs.append(Run(text, key[0], key[1], key[3], key[2], key[4]))

    def walk(element) -> None:
        tag = element.tag if isinstance(element.tag, str) else ""
        if tag == "br":
            add("\n", hard=True)
            if element.tail:
                add(element.tail.lstrip("\n"))
            return
        flag = _HTML_FLAGS.get(tag)
        if flag:
            state[flag] += 1
        if tag == "a":
            href.append(element.get("href") or None)
        add(element.text or "")
        for child in element:
            walk(child)
        if flag:
            state[flag] -= 1
        if tag == "a":
            href.pop()
        add(element.tail or "")

    for node in nodes:
        if isinstance(node, str):
            add(node)
        else:
            walk(node)
    # The paragraph's own line ends (never a no-break space: it is part of the text).
    while runs and runs[0].text != "\n" and not runs[0].text.strip(" \n"):
        runs.pop(0)
    while runs and runs[-1].text != "\n" and not runs[-1].text.strip(" \n"):
        runs.pop()
    if runs:
        runs[0].text = runs[0].text.lstrip(" \n") if runs[0].text != "\n" else runs[0].text
        runs[-1].text = runs[-1].text.rstrip(" \n") if runs[-1].text != "\n" else runs[-1].text
    return runs


def plain_text(blocks: list[Block]) -> str:
    """The words of some blocks, for formats without any formatting."""
    parts: list[str] = []
    for block in blocks:
        if isinstance(block, Paragraph):
            parts.append("".join(run.text for run in block.runs))
        else:
            parts.extend(plain_text(item) for item in block.items)
    return "\n".join(parts)


# -- zips -------------------------------------------------------------------------------


def fixed_zip(data: bytes, when: dt.date, transform: Callable[[str, bytes], bytes] | None = None) -> bytes:
    """The same archive with every entry dated ``when`` (and optionally rewritten): equal documents, equal bytes."""
    stamp = (max(when.year, 1980), when.month, when.day, 0, 0, 0)
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            entry = zipfile.ZipInfo(info.filename, stamp)
            entry.compress_type = info.compress_type
            entry.external_attr = 0o644 << 16
            entry.create_system = 0
            content = source.read(info.filename)
            target.writestr(entry, transform(info.filename, content) if transform else content)
    return out.getvalue()
