"""TF-IDF blended with dense sentence vectors: the slot for semantic models.

An *encoder* turns texts into L2-normalised rows (``list[str] -> ndarray``): a
sentence-embedding model, for instance (see ``embeddings.py``). A similarity
becomes ``(1 - w) * tfidf + w * dense``: the dense block, scaled by ``sqrt(w)``,
is appended to the TF-IDF rows scaled by ``sqrt(1 - w)``, so duplicates and the
similar-while-typing index work unchanged. Suggested themes have their own weight
(none by default: on the evaluation set, dense vectors helped duplicates but blurred
themes), and labels always come from the participants' words.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator, Sequence

import numpy as np
import scipy.sparse as sp

from concerto.clustering.tfidf import TfidfEngine, _Fitted
from concerto.clustering.vectors import Analysed, Vectoriser

Encoder = Callable[[list[str]], np.ndarray]


class CachedEncoder:
    """Remembers the vectors of the last ``size`` texts: boards and indexes re-encode the same contributions."""

    def __init__(self, encode: Encoder, size: int = 50_000) -> None:
        self.encode, self.size = encode, size
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        # The web app calls engines from worker threads; one model call at a time, one cache.
        self._lock = threading.Lock()

    def prime(self, vectors: dict[str, np.ndarray]) -> None:
        """Vectors computed elsewhere (read from the database): later calls find them here."""
        with self._lock:
            for text, row in vectors.items():
                self._cache[text] = np.asarray(row, dtype=np.float32)
                self._cache.move_to_end(text)
            while len(self._cache) > self.size:
                self._cache.popitem(last=False)

    def drop(self, texts: Sequence[str]) -> None:
        """Forget these texts' vectors (a person's erasure)."""
        with self._lock:
            for text in texts:
                self._cache.pop(text, None)

    def missing(self, texts: Sequence[str]) -> list[str]:
        """The texts whose vectors are not in memory."""
        with self._lock:
            return [text for text in dict.fromkeys(texts) if text not in self._cache]

    def __call__(self, texts: list[str]) -> np.ndarray:
        with self._lock:
            missing = list(dict.fromkeys(text for text in texts if text not in self._cache))
            if missing:
                for text, row in zip(missing, np.asarray(self.encode(missing), dtype=np.float32)):
                    self._cache[text] = row
            rows = []
            for text in texts:
                self._cache.move_to_end(text)
                rows.append(self._cache[text])
            while len(self._cache) > self.size:
                self._cache.popitem(last=False)
            return np.vstack(rows)


def _normalised(dense: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(dense, axis=1, keepdims=True)
    return (dense / np.where(norms > 0, norms, 1.0)).astype(np.float32)


def _stack(lexical: sp.csr_matrix, dense: np.ndarray, weight: float) -> sp.csr_matrix:
    return sp.hstack(
        [lexical * np.float32(np.sqrt(1.0 - weight)), sp.csr_matrix(_normalised(dense) * np.float32(np.sqrt(weight)))],
        format="csr",
    )


class _BlendedVectoriser:
    """What the index needs from a vectoriser: queries into the blended space."""

    def __init__(self, vectoriser: Vectoriser, encode: Encoder, weight: float) -> None:
        self.vectoriser, self.encode, self.weight = vectoriser, encode, weight

    def transform(self, analysed: Sequence[Analysed]) -> sp.csr_matrix:
        return _stack(self.vectoriser.transform(analysed), self.encode([a.stripped for a in analysed]), self.weight)


class BlendedEngine(TfidfEngine):
    """The TF-IDF engine with a dense block in its similarities.

    ``weight`` applies to duplicates and to similar contributions; ``cluster_weight``
    to suggested themes (0: themes from words only).
    """

    name = "tfidf+dense"

    def __init__(self, encode: Encoder | None, *, weight: float, cluster_weight: float = 0.0, **thresholds) -> None:
        """``encode`` None: a subclass computes its vectors from the fitted corpus (``_dense``, ``_query_encoder``)."""
        super().__init__(**thresholds)
        if not (0.0 < weight < 1.0 and 0.0 <= cluster_weight < 1.0):
            raise ValueError("dense weights must be in [0, 1), and the duplicates' one above 0")
        self.encode = encode if encode is None or isinstance(encode, CachedEncoder) else CachedEncoder(encode)
        self.weight, self.cluster_weight = weight, cluster_weight

    def _dense(self, fitted: _Fitted) -> np.ndarray:
        """Rows of the fitted texts (``fitted.active``)."""
        return self.encode([fitted.analysed[i].stripped for i in fitted.active])

    def _query_encoder(self, fitted: _Fitted) -> Encoder:
        """Turns texts being typed into rows comparable with ``_dense(fitted)``."""
        return self.encode

    def _cluster_rows(self, fitted: _Fitted) -> sp.csr_matrix:
        rows = super()._cluster_rows(fitted)
        return _stack(rows, self._dense(fitted), self.cluster_weight) if self.cluster_weight else rows

    def _pair_rows(self, fitted: _Fitted) -> sp.csr_matrix:
        return _stack(super()._pair_rows(fitted), self._dense(fitted), self.weight)

    def _pair_blocks(self, fitted: _Fitted) -> Iterator[tuple[int, np.ndarray]]:
        # The same sums as the stacked rows give, with the dense part as one BLAS product
        # (a sparse product over dense columns is an order of magnitude slower).
        dense = _normalised(self._dense(fitted))
        for start, lexical in super()._pair_blocks(fitted, super()._pair_rows(fitted)):
            yield start, (1.0 - self.weight) * lexical + self.weight * (dense[start : start + lexical.shape[0]] @ dense.T)

    def _query_vectoriser(self, fitted: _Fitted) -> _BlendedVectoriser:
        return _BlendedVectoriser(fitted.vectoriser, self._query_encoder(fitted), self.weight)
