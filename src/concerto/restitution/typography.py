"""French typography for the restitution: the spaces a French reader expects.

Applied once, when the document is built (``build.py``), to every text it
holds: titles, labels, names, and the Markdown texts (outside code), so every
format gets the same result. The rules are the Imprimerie nationale's, as
LibreOffice's French autocorrect applies them:

- a narrow no-break space (U+202F) before « ; ! ? » and inside « », a no-break
  space (U+00A0) before « : »; an existing plain space there becomes one; one
  is added before « ; ! ? » and inside « » when it is missing (never before
  « : », which also stands in times and addresses: 10:30, https://);
- a no-break space between a number and its unit (12 %, 300 €, 5 km, 2 h) and
  between groups of thousands (10 000), so they never break across lines.

Nothing changes inside code (inline or fenced), link targets or autolinks.
"""

from __future__ import annotations

import functools
import re

from concerto.markdown import lines_outside_fences

NNBSP = "\u202f"  # narrow no-break space
NBSP = "\u00a0"

_SPACES = "[ \t\u00a0\u202f]"
_UNITS = r"(?:%|‰|€|k€|M€|Md€|\$|£|km²|km|m²|m³|m|cm|mm|kg|g|t|ha|h|min|s|°C|°|kWh|MWh|GWh|kW|MW|Mo|Go|ans?|jours?|mois|semaines?|heures?)"

_RULES = (
    # Before ; ! ? : a narrow no-break space instead of any space (several ?! stay together).
    (re.compile(rf"{_SPACES}+([;!?]+)"), NNBSP + r"\1"),
    # Missing before ; ! ? after a word or a closing bracket, when a space or the end follows
    # (so URLs' ?query=, Markdown images ![…] and « !important » are left alone).
    (re.compile(r"(?<=[\w)\]»])([;!?]+)(?=\s|$)"), NNBSP + r"\1"),
    (re.compile(rf"{_SPACES}+:(?=\s|$)"), NBSP + ":"),
    (re.compile(rf"«{_SPACES}*"), "«" + NNBSP),
    (re.compile(rf"{_SPACES}*»"), NNBSP + "»"),
    # Numbers: 10 000, 12 %, 300 €, 5 km (the unit must end there: « 3 mois », not « 3 moissons »).
    (re.compile(r"(?<![\d.,])(\d{1,3})[ \u00a0](?=\d{3}(?!\d))"), r"\1" + NNBSP),
    (re.compile(rf"(\d)[ ]({_UNITS})(?![\w²³])"), r"\1" + NBSP + r"\2"),
)


# Where any rule could apply: most titles of a large consultation need none (one search, not seven).
_CANDIDATE = re.compile(r"[;:!?«»]|\d[ \u00a0]")


@functools.lru_cache(maxsize=8192)
def french(text: str) -> str:
    """A plain text (no Markdown) with French spaces."""
    if not text or not _CANDIDATE.search(text):
        return text
    for pattern, replacement in _RULES:
        text = pattern.sub(replacement, text)
    return text


# Parts of a line of Markdown left as they are: code spans, link targets « ](…) »,
# autolinks « <https://…> » and bare URLs.
_PROTECTED = re.compile(r"(`+).*?\1|\]\([^)\s]*(?:\s+\"[^\"]*\")?\)|<[A-Za-z][A-Za-z0-9+.-]{1,31}:[^\s<>]*>|\bhttps?://\S+")
_INDENTED = re.compile(r"^(?: {4}|\t)")
# A line's block markers (list, quote, heading) keep their plain space: « - ? » stays a list item.
_MARKERS = re.compile(r"^(?:\s*(?:[-+*]|\d{1,9}[.)]|>|#{1,6})(?=\s))+\s*")


def french_markdown(text: str) -> str:
    """User Markdown with French spaces in its prose; code and links untouched."""
    if not text or not _CANDIDATE.search(text):
        return text
    lines = text.split("\n")
    previous_blank = True
    for index in lines_outside_fences(lines):
        line = lines[index]
        if previous_blank and _INDENTED.match(line):  # an indented code block (roughly)
            continue
        previous_blank = not line.strip()
        marker = _MARKERS.match(line)
        start = marker.end() if marker else 0
        lines[index] = line[:start] + _outside(line[start:], _PROTECTED, french)
    return "\n".join(lines)


def _outside(text: str, kept: re.Pattern, transform) -> str:
    """``text`` with ``transform`` applied between the matches of ``kept``, which stay as they are."""
    out, last = [], 0
    for match in kept.finditer(text):
        out.append(transform(text[last : match.start()]))
        out.append(match.group(0))
        last = match.end()
    out.append(transform(text[last:]))
    return "".join(out)


_TAG_OR_CODE = re.compile(r"<(code|pre)\b[^>]*>.*?</\1>|<[^>]+>", re.DOTALL)
# Entities (&amp; &quot; &#39;) end with « ; »: kept whole.
_ENTITY = re.compile(r"&[#\w]+;")


def french_html(html: str) -> str:
    """Rendered HTML with French spaces in its text (tags, entities, code and preformatted text untouched)."""
    if not html or not _CANDIDATE.search(html):
        return html
    return _outside(html, _TAG_OR_CODE, lambda text: _outside(text, _ENTITY, french))
