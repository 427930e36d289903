"""The words-only text engine (CONCERTO_TEXT_ENGINE=tfidf; the lexical half of the default engine).

French TF-IDF, average-linkage clustering, cosine thresholds.

Why this method (see README.md beside this file and bench/clustering/ for the figures):
post-its and contributions are short, so what they share is a few words in
varying forms. Snowball stems (PyStemmer) and character n-grams of those stems
bring the forms together; TF-IDF weighs down what every text says; scikit-learn
and SciPy do the maths, deterministically, with no model to download. A
sentence encoder is blended in by the default engine (``meaning.py``).

Everything is computed on the documents given: IDF, vocabulary and
thresholds therefore adapt to the consultation's own vocabulary.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterator, Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from sklearn.cluster import AgglomerativeClustering

from concerto.clustering.french import title_of
from concerto.clustering.labels import cluster_label
from concerto.clustering.model import Document, DuplicatePair, SuggestedCluster, check_unique_ids
from concerto.clustering.vectors import Analysed, Vectoriser, analyse, combine, surface_form

# Thresholds chosen on the dev half of bench/clustering/eval_set.json (see bench/clustering/README.md).
CLUSTER_THRESHOLD = 0.97  # cosine distance: average similarity within a cluster >= 0.03
CLUSTER_QUANTILE = 0.85  # ... and above the 85th percentile of the corpus's pairwise similarities,
CLUSTER_QUANTILE_CAP = 0.2  # capped: with a handful of texts the percentile is noise (a guard, not tuned)
CLUSTER_TERM_WEIGHT = 0.7  # share of the stems-and-bigrams space when clustering (the rest: character n-grams)
DUPLICATE_THRESHOLD = 0.2
MUTUAL_NEIGHBOURS = 2  # a duplicate pair must be among each other's two nearest texts
SIMILAR_THRESHOLD = 0.15
TERM_WEIGHT = 0.3  # share of the stems-and-bigrams space for duplicates and similar contributions
_BLOCK = 1024  # rows per block when looking for duplicate pairs in a large corpus


class TfidfIndex:
    """The vectors of a fitted corpus; a query is one sparse product."""

    def __init__(self, ids: list[Hashable], vectoriser: Vectoriser | None, matrix: sp.csr_matrix | None, threshold: float) -> None:
        self._ids = ids
        self._vectoriser = vectoriser
        self._columns = matrix.T.tocsr() if matrix is not None else None
        self._threshold = threshold

    def __len__(self) -> int:
        return len(self._ids)

    def similar(self, text: str, *, limit: int = 5) -> list[tuple[Hashable, float]]:
        if self._vectoriser is None or limit <= 0:
            return []
        query = analyse(text)
        if query.empty:
            return []
        scores = (self._vectoriser.transform([query]) @ self._columns).toarray().ravel()
        above = np.flatnonzero(scores >= self._threshold)
        if above.size > limit:
            above = above[np.argpartition(-scores[above], limit - 1)[:limit]]
        best = sorted(above, key=lambda i: (-scores[i], i))[:limit]
        return [(self._ids[i], round(min(float(scores[i]), 1.0), 3)) for i in best]


@dataclass
class _Fitted:
    analysed: list[Analysed]
    active: list[int]  # positions of the texts that have words
    vectoriser: Vectoriser | None
    terms: sp.csr_matrix | None  # rows of ``active``, term space
    chars: sp.csr_matrix | None  # rows of ``active``, character n-grams

    def matrix(self, term_weight: float) -> sp.csr_matrix:
        return combine(self.terms, self.chars, term_weight)


class TfidfEngine:
    """French TF-IDF engine; thresholds are cosine similarities in the combined space."""

    name = "tfidf"

    def __init__(
        self,
        *,
        cluster_threshold: float = CLUSTER_THRESHOLD,
        cluster_quantile: float = CLUSTER_QUANTILE,
        cluster_term_weight: float = CLUSTER_TERM_WEIGHT,
        duplicate_threshold: float = DUPLICATE_THRESHOLD,
        similar_threshold: float = SIMILAR_THRESHOLD,
        term_weight: float = TERM_WEIGHT,
        mutual_neighbours: int = MUTUAL_NEIGHBOURS,
    ) -> None:
        self.cluster_threshold = cluster_threshold
        self.cluster_quantile = cluster_quantile
        self.cluster_term_weight = cluster_term_weight
        self.duplicate_threshold = duplicate_threshold
        self.similar_threshold = similar_threshold
        self.term_weight = term_weight
        self.mutual_neighbours = mutual_neighbours

    # -- shared steps ---------------------------------------------------------

    def _fit(self, documents: Sequence[Document]) -> _Fitted:
        """Analyse every text; fit and vectorise the non-empty ones (positions listed in ``active``)."""
        check_unique_ids(documents)
        analysed = [analyse(document.text) for document in documents]
        active = [i for i, a in enumerate(analysed) if not a.empty]
        if not active:
            return _Fitted(analysed, active, None, None, None)
        texts = [analysed[i] for i in active]
        vectoriser = Vectoriser(self.term_weight)
        return _Fitted(analysed, active, vectoriser, *vectoriser.fit_transform(texts))

    # -- TextEngine ------------------------------------------------------------

    def suggest(self, documents: Sequence[Document]) -> list[SuggestedCluster]:
        fitted = self._fit(documents)
        analysed, active = fitted.analysed, fitted.active
        groups: list[list[int]] = [[i] for i in range(len(documents)) if analysed[i].empty]
        if active:
            # A canonical order (by content) makes the partition independent of the input order.
            order = sorted(range(len(active)), key=lambda k: (analysed[active[k]].stems, analysed[active[k]].stripped, active[k]))
            rows = self._cluster_rows(fitted)[order]
            similarity = (rows @ rows.T).toarray()
            for members in self._partition(similarity):
                groups.append(sorted(active[order[k]] for k in members))
            term_rows = fitted.terms[order]
            names = fitted.vectoriser.terms.get_feature_names_out()
            local = {active[k]: position for position, k in enumerate(order)}
        groups.sort(key=lambda members: (-len(members), members[0]))
        clusters = []
        for members in groups:
            if analysed[members[0]].empty:
                representative = members[0]
                label = title_of(analysed[representative].stripped) or "—"
            else:
                rows_here = [local[i] for i in members]
                # Ties go to the first member in content order, so shuffling the input changes nothing.
                by_content = sorted(range(len(members)), key=lambda m: rows_here[m])
                central = self._most_central(similarity, [rows_here[m] for m in by_content])
                representative = members[by_content[central]]
                # Words are shown as this cluster's members wrote them (« locaux », not « locale »).
                texts = [analysed[i] for i in members]
                label = cluster_label(
                    rows_here, term_rows, names, lambda term: surface_form(texts, term), title_of(analysed[representative].stripped)
                )
            clusters.append(
                SuggestedCluster(label=label, ids=tuple(documents[i].id for i in members), representative=documents[representative].id)
            )
        return clusters

    def duplicates(self, documents: Sequence[Document]) -> list[DuplicatePair]:
        fitted = self._fit(documents)
        active = fitted.active
        if len(active) < 2:
            return []
        found: list[tuple[float, int, int]] = []
        k = min(self.mutual_neighbours, len(active) - 1)
        nearest: list[set[int]] = []
        for start, block in self._pair_blocks(fitted):
            rows = np.arange(block.shape[0])
            block[rows, start + rows] = -1.0  # a text is not its own neighbour
            if k:
                nearest.extend(set(top.tolist()) for top in np.argpartition(-block, k - 1, axis=1)[:, :k])
            for row, col in zip(*np.nonzero(block >= self.duplicate_threshold)):
                if col > start + row:
                    found.append((round(min(float(block[row, col]), 1.0), 3), start + int(row), int(col)))
        if k:
            found = [(score, i, j) for score, i, j in found if j in nearest[i] and i in nearest[j]]
        found = [(score, active[i], active[j]) for score, i, j in found]
        found.sort(key=lambda item: (-item[0], item[1], item[2]))
        return [DuplicatePair(a=documents[a].id, b=documents[b].id, score=score) for score, a, b in found]

    def index(self, documents: Sequence[Document]) -> TfidfIndex:
        fitted = self._fit(documents)
        if not fitted.active:
            return TfidfIndex([], None, None, self.similar_threshold)
        ids = [documents[i].id for i in fitted.active]
        return TfidfIndex(ids, self._query_vectoriser(fitted), self._pair_rows(fitted), self.similar_threshold)

    # -- what a blended engine (blend.py) extends ------------------------------

    def _cluster_rows(self, fitted: _Fitted) -> sp.csr_matrix:
        """Rows whose dot products are the similarities used to cluster."""
        return fitted.matrix(self.cluster_term_weight)

    def _pair_rows(self, fitted: _Fitted) -> sp.csr_matrix:
        """Rows whose dot products are the similarities of duplicates and of the index."""
        return fitted.matrix(self.term_weight)

    def _pair_blocks(self, fitted: _Fitted, matrix: sp.csr_matrix | None = None) -> Iterator[tuple[int, np.ndarray]]:
        """Pairwise similarities of ``matrix`` (default ``_pair_rows``) by blocks of rows: (first row, block)."""
        matrix = self._pair_rows(fitted) if matrix is None else matrix
        columns = matrix.T.tocsr()
        for start in range(0, matrix.shape[0], _BLOCK):
            yield start, (matrix[start : start + _BLOCK] @ columns).toarray()

    def _query_vectoriser(self, fitted: _Fitted) -> Vectoriser:
        """Turns a text being typed into a row comparable with ``_pair_rows``."""
        return fitted.vectoriser

    # -- helpers ---------------------------------------------------------------

    def _partition(self, similarity: np.ndarray) -> list[list[int]]:
        """Average-linkage agglomerative clustering on cosine distance, cut at the threshold."""
        n = similarity.shape[0]
        if n == 1:
            return [[0]]
        distance = np.clip(1.0 - similarity.astype(np.float64), 0.0, 2.0)
        distance = (distance + distance.T) / 2
        np.fill_diagonal(distance, 0.0)
        # Members of a cluster must be, on average, more alike than most pairs of this corpus:
        # the cut adapts to corpora whose texts share more words (large consultations, recombined notes).
        cut = self.cluster_threshold
        if self.cluster_quantile < 1.0:
            pairs = similarity[np.triu_indices(n, 1)]
            typical = min(float(np.quantile(pairs, self.cluster_quantile)), CLUSTER_QUANTILE_CAP)
            cut = min(cut, 1.0 - typical)
        labels = AgglomerativeClustering(
            n_clusters=None, metric="precomputed", linkage="average", distance_threshold=max(cut, 1e-9)
        ).fit_predict(distance)
        members: dict[int, list[int]] = {}
        for k, label in enumerate(labels):
            members.setdefault(int(label), []).append(k)
        return list(members.values())

    @staticmethod
    def _most_central(similarity: np.ndarray, rows: list[int]) -> int:
        """Index (in ``rows``) of the member most similar on average to the others; first on ties.

        Ties are within float32 rounding: a pair's two products differ in their last bits."""
        if len(rows) == 1:
            return 0
        block = similarity[np.ix_(rows, rows)]
        totals = block.sum(axis=1) - np.diag(block)
        return int(np.flatnonzero(totals >= totals.max() - 1e-6 * max(1.0, abs(float(totals.max()))))[0])
