"""Sentence vectors stored once per text and model (clustering/store.py), on both databases."""

from __future__ import annotations

import asyncio

import numpy as np

from concerto.clustering import store
from concerto.tables import TextEmbedding


class CountingEncoder:
    """A stand-in for the model: deterministic vectors, and a record of what it was asked."""

    def __init__(self) -> None:
        self.calls: list[list[str]] = []

    def __call__(self, texts: list[str]) -> np.ndarray:
        self.calls.append(list(texts))
        return np.array([[len(text), sum(map(ord, text)) % 97, 1.0] for text in texts], dtype=np.float32)


async def test_each_text_is_encoded_once_then_read_back(database):
    encode = CountingEncoder()
    texts = ["Des locaux partagés", "Une monnaie locale", "Des locaux partagés"]
    first = await store.vectors(texts, encode, "model-1")
    assert encode.calls == [["Des locaux partagés", "Une monnaie locale"]]  # the repeated text once
    assert first.shape == (3, 3) and np.array_equal(first[0], first[2])
    again = await store.vectors(["Une monnaie locale", "Des locaux partagés", "Un troisième texte"], encode, "model-1")
    assert encode.calls[1:] == [["Un troisième texte"]]  # only the new one
    assert np.array_equal(again[0], first[1]) and np.array_equal(again[1], first[0])
    assert await TextEmbedding.count() == 3
    # Another model's vectors are its own; an edited text is a new text.
    await store.vectors(["Des locaux partagés"], encode, "model-2")
    assert encode.calls[-1] == ["Des locaux partagés"] and await TextEmbedding.count() == 4


async def test_concurrent_readers_store_one_vector_per_text(database):
    encode = CountingEncoder()
    texts = [f"Contribution numéro {i}" for i in range(40)]
    results = await asyncio.gather(*(store.vectors(texts, encode, "m") for _ in range(4)))
    assert all(np.array_equal(result, results[0]) for result in results)
    assert await TextEmbedding.count() == 40  # a vector stored meanwhile by another reader is kept


async def test_an_erasure_forgets_the_vectors_of_the_erased_texts(database):
    encode = CountingEncoder()
    await store.remember(["Texte d'Alice", "Texte de Bob"], encode, "m")
    assert await store.forget(["Texte d'Alice", "Jamais vu"], "m") == 1
    rows = await TextEmbedding.select(TextEmbedding.key)
    assert [row["key"] for row in rows] == [store.key_of("m", "Texte de Bob")]
    assert await store.vectors([], encode, "m") is not None


async def test_an_engine_reads_stored_vectors_instead_of_encoding_again(database):
    from concerto.clustering import Document
    from concerto.clustering.meaning import MeaningEngine

    encode = CountingEncoder()
    documents = [Document(1, "Des **locaux** partagés"), Document(2, "Une monnaie locale"), Document(3, "🎉")]
    first = MeaningEngine(encode, model="model-1")
    assert await store.load_for(first, documents) == 2  # the emoji has no words: never encoded
    assert encode.calls == [["Des locaux partagés", "Une monnaie locale"]]  # Markdown stripped, as the engine reads it
    first.suggest(documents)
    first.duplicates(documents)
    assert len(encode.calls) == 1  # the engine found them in memory
    # Another process (a fresh engine, an empty memory) reads them from the database.
    second = MeaningEngine(encode, model="model-1")
    assert await store.load_for(second, documents) == 2
    second.index(documents)
    assert len(encode.calls) == 1
    assert await store.forget_documents(second, documents[:1]) == 1
    assert await TextEmbedding.count() == 1
    # Engines without an encoder have nothing to store.
    from concerto.clustering.tfidf import TfidfEngine

    assert await store.load_for(TfidfEngine(), documents) == 0
