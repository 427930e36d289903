"""What the text engines take and give back, and the two protocols they follow."""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from typing import Protocol, runtime_checkable


@dataclass(frozen=True)
class Document:
    """One text to compare; for a contribution, ``text`` is its title, a newline, then its body."""

    id: Hashable
    text: str
    kind: str | None = None


@dataclass(frozen=True)
class SuggestedCluster:
    """A proposed group: a readable label, its members in input order, and the most central member."""

    label: str
    ids: tuple
    representative: Hashable


@dataclass(frozen=True)
class DuplicatePair:
    """Two texts that probably say the same thing; ``a`` comes before ``b`` in the input."""

    a: Hashable
    b: Hashable
    score: float


@runtime_checkable
class SimilarityIndex(Protocol):
    def similar(self, text: str, *, limit: int = 5) -> list[tuple[Hashable, float]]:
        """Ids of the indexed documents closest to ``text``, best first, above the engine's threshold."""
        ...


@runtime_checkable
class TextEngine(Protocol):
    def suggest(self, documents: Sequence[Document]) -> list[SuggestedCluster]:
        """A partition of the documents: every id in exactly one cluster, largest first."""
        ...

    def duplicates(self, documents: Sequence[Document]) -> list[DuplicatePair]:
        """Likely duplicate pairs, best score first, then in input order."""
        ...

    def index(self, documents: Sequence[Document]) -> SimilarityIndex:
        """An index built once and queried many times (similar contributions while typing)."""
        ...


def check_unique_ids(documents: Sequence[Document]) -> None:
    """Raise ValueError naming the first id that appears twice."""
    seen: set = set()
    for document in documents:
        if document.id in seen:
            raise ValueError(f"duplicate id: {document.id!r}")
        seen.add(document.id)
