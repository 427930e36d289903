"""TF-IDF vectors of French texts: word stems (and stem bigrams) plus character n-grams of stems.

Two scikit-learn ``TfidfVectorizer`` share one preprocessing pass:

- *terms*: stems and bigrams of consecutive stems within a clause, with
  sublinear tf; this space also gives the labels their words;
- *characters*: 3- to 5-grams inside each stem (``char_wb``), which let
  « asso » meet « association », « coop » meet « coopérative » and absorb
  typos (« subvension »).

Each block is L2-normalised and scaled by the square root of its weight, so
that the dot product of two rows is ``w * cos_terms + (1 - w) * cos_chars``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer

from concerto.clustering.french import Token, strip_markdown, tokens


@dataclass
class Analysed:
    """One text after normalisation: what the vectorisers and the labels need."""

    stripped: str
    terms: list[str]  # stems, then bigrams "stem stem"
    stems: str  # the stems joined by spaces, for the character n-grams
    surfaces: dict[str, str] = field(default_factory=dict)  # term -> how it was written here

    @property
    def empty(self) -> bool:
        return not self.terms


def _shown(token: Token) -> str:
    return token.surface.upper() if token.acronym else token.surface


def analyse(text: str) -> Analysed:
    stripped = strip_markdown(text)
    found = tokens(stripped)
    terms = [token.stem for token in found]
    surfaces: dict[str, str] = {}
    for token in found:
        surfaces.setdefault(token.stem, _shown(token))
    for left, right in zip(found, found[1:]):
        if left.clause != right.clause:
            continue
        bigram = f"{left.stem} {right.stem}"
        terms.append(bigram)
        between = " ".join(stripped[left.end : right.start].lower().split())
        if between in {"-", "’", "'"} or between.endswith((" l’", " l'", " d’", " d'")):
            glue = between if between in {"-", "’", "'"} else f" {between}"
        else:
            glue = f" {between} " if between else " "
        surfaces.setdefault(bigram, f"{_shown(left)}{glue}{_shown(right)}")
    return Analysed(stripped, terms, " ".join(token.stem for token in found), surfaces)


def _identity(terms: list[str]) -> list[str]:
    return terms


class Vectoriser:
    """Fitted on a corpus; turns analysed texts into normalised rows of the combined space."""

    def __init__(self, term_weight: float, *, with_chars: bool = True, char_ngrams: tuple[int, int] = (3, 5)) -> None:
        self.term_weight = term_weight
        self.terms = TfidfVectorizer(analyzer=_identity, sublinear_tf=True, dtype=np.float32)
        self.chars = None
        if with_chars:
            self.chars = TfidfVectorizer(
                analyzer="char_wb", ngram_range=char_ngrams, lowercase=False, sublinear_tf=True, dtype=np.float32
            )

    def fit_transform(self, analysed: Sequence[Analysed]) -> tuple[sp.csr_matrix, sp.csr_matrix | None]:
        """Fit on these texts; their rows in the term space and in the character space."""
        terms = self.terms.fit_transform([a.terms for a in analysed])
        chars = None if self.chars is None else self.chars.fit_transform([a.stems for a in analysed])
        return terms, chars

    def term_matrix(self, analysed: Sequence[Analysed]) -> sp.csr_matrix:
        """Rows of the term space alone (L2-normalised), used for labels."""
        return self.terms.transform([a.terms for a in analysed])

    def char_matrix(self, analysed: Sequence[Analysed]) -> sp.csr_matrix | None:
        return None if self.chars is None else self.chars.transform([a.stems for a in analysed])

    def transform(self, analysed: Sequence[Analysed]) -> sp.csr_matrix:
        return combine(self.term_matrix(analysed), self.char_matrix(analysed), self.term_weight)


def combine(terms: sp.csr_matrix, chars: sp.csr_matrix | None, term_weight: float) -> sp.csr_matrix:
    """One row per text whose dot products are ``w * cos_terms + (1 - w) * cos_chars``."""
    if chars is None or term_weight >= 1.0:
        return terms.tocsr()
    return sp.hstack(
        [terms * np.float32(np.sqrt(term_weight)), chars * np.float32(np.sqrt(1.0 - term_weight))], format="csr"
    )


def surface_form(analysed: Sequence[Analysed], term: str) -> str:
    """How these texts most often wrote ``term`` (ties: more accents, then alphabetical)."""
    forms = Counter(a.surfaces[term] for a in analysed if term in a.surfaces)
    if not forms:
        return term
    return min(forms.items(), key=lambda item: (-item[1], -sum(ord(c) > 127 for c in item[0]), item[0]))[0]
