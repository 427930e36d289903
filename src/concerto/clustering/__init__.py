"""Suggestions for the facilitation board: clusters, likely duplicates, similar contributions.

``get_engine()`` returns the configured :class:`TextEngine` (``CONCERTO_TEXT_ENGINE``:
``tfidf``, the default, or ``package.module:Factory`` for a plug-in such as a
semantic embedding model). Engines are pure: no database, no network.
"""

from __future__ import annotations

from concerto.clustering.engines import get_engine
from concerto.clustering.model import Document, DuplicatePair, SimilarityIndex, SuggestedCluster, TextEngine

__all__ = ["Document", "DuplicatePair", "SimilarityIndex", "SuggestedCluster", "TextEngine", "get_engine"]
