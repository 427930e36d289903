"""What the exporters share: words and numbers in the document's language, the
outline, user Markdown as plain blocks (for office formats) and fixed zips."""

from __future__ import annotations

import datetime as dt
import functools
import io
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field

from babel.dates import format_date
from babel.numbers import format_decimal

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


# Share of the text width of each column, for formats that need widths.
CALENDAR_WIDTHS = (0.18, 0.34, 0.18, 0.15, 0.15)


def calendar_table(document: Document) -> tuple[list[str], list[list[str]]]:
    columns = document.labels.columns
    head = [columns["date"], columns["meeting"], columns["place"], columns["attendance"], columns["contributions"]]
    rows = [
        [
            day(document, row.date),
            meeting_title(row),
            row.place,
            "" if row.attendance is None else number(document, row.attendance),
            number(document, row.contributions),
        ]
        for row in document.calendar
    ]
    return head, rows


def figures_table(document: Document) -> tuple[list[str], list[list[str]]]:
    """Per working group; the votes and comments columns only when some group has any."""
    columns, groups = document.labels.columns, document.figures.groups
    keys = [
        key
        for key in ("acquis", "enjeux", "votes", "comments", "contributors")
        if key not in ("votes", "comments") or any(getattr(group, key) for group in groups)
    ]
    head = [columns["group"], *(columns[key] for key in keys)]
    rows = [[group.title, *(number(document, getattr(group, key)) for key in keys)] for group in groups]
    return head, rows


def figures_widths(head: list[str]) -> tuple[float, ...]:
    """Shares of the text width: the group's name gets what the figures leave."""
    figures = len(head) - 1
    share = min(0.16, 0.72 / max(figures, 1))
    return (1 - share * figures, *([share] * figures))


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
        section("figures", words.figures)
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
