"""Suggestions for the facilitation board: clusters, likely duplicates, similar contributions.

``get_engine()`` returns the configured :class:`TextEngine` (``CONCERTO_TEXT_ENGINE``:
``meaning``, the default (a multilingual sentence encoder with the words), ``tfidf`` (words
only), or ``package.module:Factory`` for a plug-in). Engines are pure: no database, no
network; ``store.py`` feeds them the sentence vectors kept in the database.
"""

from __future__ import annotations

from concerto.clustering.engines import get_engine
from concerto.clustering.model import Document, DuplicatePair, SimilarityIndex, SuggestedCluster, TextEngine

__all__ = ["Document", "DuplicatePair", "SimilarityIndex", "SuggestedCluster", "TextEngine", "get_engine"]
