"""French text normalisation: Markdown and URLs out, elisions, stop words, Snowball stems.

A token goes through: NFKC, lowercase, elision removed (« l’ », « qu’ »,
« jusqu’ »... with either apostrophe), stop-word check on its accent-folded
form, Snowball French stem computed on the accented word (the stemmer's rules
expect accents), then the stem is accent-folded so « évènement »,
« événement » and « EVENEMENT » meet. The written form is kept next to each
stem so labels can show real words.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass

import Stemmer

from concerto.clustering.stopwords import STOP_WORDS

_ELISIONS = "l|d|j|m|n|s|t|c|qu|jusqu|lorsqu|puisqu|quoiqu|presqu"
# A word, optionally preceded by an elided article or pronoun; letters only, so
# digits, punctuation and emoji separate tokens and hyphenated words split.
_TOKEN = re.compile(rf"(?<![^\W\d_])(?:(?:{_ELISIONS})['’ʼ])?([^\W\d_]+)", re.IGNORECASE)
_URL = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
_MD_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_HTML_TAG = re.compile(r"</?[a-zA-Z][^>]*>")
_MD_MARKS = re.compile(r"[*_`#>|~]+")
_SPACES = re.compile(r"[ \t\u00a0]+")
_CLAUSE_BREAK = re.compile(r"[.,;:!?()\[\]«»\"“”…/\n]")

_stemmer = Stemmer.Stemmer("french")


def strip_markdown(text: str) -> str:
    """The readable text of a contribution: link texts kept, URLs, tags and markup removed."""
    text = unicodedata.normalize("NFKC", text or "")
    text = _MD_LINK.sub(r"\1", text)
    text = _URL.sub(" ", text)
    text = _HTML_TAG.sub(" ", text)
    text = _MD_MARKS.sub(" ", text)
    lines = (_SPACES.sub(" ", line).strip(" -+") .strip() for line in text.splitlines())
    return "\n".join(line for line in lines if line)


@functools.lru_cache(maxsize=65536)
def fold_accents(word: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFD", word) if not unicodedata.combining(c))


@functools.lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """Accent-folded Snowball stem of a lowercase word."""
    return fold_accents(_stemmer.stemWord(word))


@dataclass(frozen=True)
class Token:
    stem: str
    surface: str  # the word as written, lowercase, accents kept
    start: int  # span in the stripped text, for multi-word surface forms
    end: int
    acronym: bool  # written in capitals in a text that is not all capitals
    clause: int  # tokens of one clause (between punctuation marks) may form a bigram


@functools.lru_cache(maxsize=4096)
def _is_stop(word: str) -> bool:
    return len(word) < 2 or fold_accents(word) in STOP_WORDS


def tokens(stripped: str) -> list[Token]:
    """Content tokens of a text already passed through :func:`strip_markdown`."""
    shouting = stripped.isupper()  # a text written all in capitals has no acronyms to keep
    found = []
    clause, previous_end = 0, 0
    for match in _TOKEN.finditer(stripped):
        if _CLAUSE_BREAK.search(stripped, previous_end, match.start()):
            clause += 1
        previous_end = match.end()
        written = match.group(1)
        word = written.lower()
        if _is_stop(word):
            continue
        acronym = not shouting and 2 <= len(written) <= 5 and written.isupper()
        found.append(Token(stem(word), word, match.start(1), match.end(1), acronym, clause))
    return found


def title_of(stripped: str, limit: int = 60) -> str:
    """The first line of a text, shortened to ``limit`` characters."""
    first = stripped.split("\n", 1)[0].strip() if stripped else ""
    return first if len(first) <= limit else first[: limit - 1].rstrip(" ,;:.-") + "…"
