"""Sentence vectors computed once per text and model, kept in the database (table ``text_embedding``).

Encoding 10,000 texts takes about 15 s on two cores, reading their stored vectors a
fraction of a second: suggestions and the similar-while-typing index are to read them, so
that only texts never seen before (or seen by another model) are encoded. The key is the
SHA-256 of the model's version and the text, so an edited contribution gets a new vector and
two identical texts share one. ``remember`` is meant to run after a write's answer (a
background task); a reader that finds a vector missing computes it itself.

``load_for(engine, documents)`` is what the application calls before an engine runs:
the vectors of the documents are read from here (or encoded once and stored) and put in
the engine's in-memory cache, so the engine itself stays synchronous and pure.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Callable, Sequence

import numpy as np

from concerto import db
from concerto.clustering.blend import CachedEncoder
from concerto.clustering.model import Document
from concerto.clustering.vectors import analyse
from concerto.tables import TextEmbedding

Encoder = Callable[[list[str]], np.ndarray]
CHUNK = 500  # keys per query: under both engines' limits on parameters


def key_of(model: str, text: str) -> str:
    return hashlib.sha256(f"{model}\n{text}".encode()).hexdigest()


async def _stored(keys: Sequence[str]) -> dict[str, bytes]:
    found: dict[str, bytes] = {}
    for start in range(0, len(keys), CHUNK):
        chunk = list(keys[start : start + CHUNK])
        rows = await TextEmbedding.select(TextEmbedding.key, TextEmbedding.vector).where(TextEmbedding.key.is_in(chunk))
        found.update((row["key"], bytes(row["vector"])) for row in rows)
    return found


async def _store(model: str, vectors: dict[str, np.ndarray]) -> None:
    """Insert new vectors; one already stored by a concurrent reader or writer is kept as it is."""
    items = list(vectors.items())
    for start in range(0, len(items), CHUNK):
        chunk = items[start : start + CHUNK]
        values = ", ".join("({}, {}, {})" for _ in chunk)
        arguments = [value for key, vector in chunk for value in (key, model, np.asarray(vector, "<f4").tobytes())]
        async with db.write_transaction():
            await TextEmbedding.raw(
                f'INSERT INTO "text_embedding" ("key", "model", "vector") VALUES {values} ON CONFLICT ("key") DO NOTHING',
                *arguments,
            )


async def vectors(texts: Sequence[str], encode: Encoder, model: str) -> np.ndarray:
    """One row per text (float32), read from the database or encoded (in a thread) and stored."""
    if not texts:
        return np.zeros((0, 0), dtype=np.float32)
    keys = [key_of(model, text) for text in texts]
    found = await _stored(list(dict.fromkeys(keys)))
    missing = {key: text for key, text in zip(keys, texts) if key not in found}
    if missing:
        encoded = await asyncio.to_thread(encode, list(missing.values()))
        computed = {key: np.asarray(row, dtype="<f4") for key, row in zip(missing, encoded)}
        await _store(model, computed)
        found.update((key, row.tobytes()) for key, row in computed.items())
    return np.vstack([np.frombuffer(found[key], dtype="<f4") for key in keys])


async def remember(texts: Sequence[str], encode: Encoder, model: str) -> None:
    """Compute and store the vectors of new texts (after a write's answer)."""
    await vectors(list(dict.fromkeys(texts)), encode, model)


def sentences(documents: Sequence[Document]) -> list[str]:
    """What a sentence engine encodes of each document (its text without Markdown), for documents with words."""
    found = []
    for document in documents:
        analysed = analyse(document.text)
        if not analysed.empty:
            found.append(analysed.stripped)
    return found


def _stored_encoder(engine: object) -> tuple[CachedEncoder, str] | None:
    encoder, model = getattr(engine, "encode", None), getattr(engine, "model", None)
    return (encoder, model) if isinstance(encoder, CachedEncoder) and isinstance(model, str) else None


async def load_for(engine: object, documents: Sequence[Document]) -> int:
    """Put the stored vectors of ``documents`` in ``engine``'s memory, encoding and storing new ones.

    A no-op for engines without a sentence encoder (``tfidf``, most plug-ins). Returns
    how many texts were not in memory.
    """
    found = _stored_encoder(engine)
    if found is None:
        return 0
    encoder, model = found
    missing = encoder.missing(sentences(documents))
    if missing:
        encoder.prime(dict(zip(missing, await vectors(missing, encoder, model))))
    return len(missing)


async def remember_documents(engine: object, documents: Sequence[Document]) -> None:
    """Make sure the database holds these documents' vectors (after a write's answer).

    Unlike ``load_for``, the database is asked even for texts already in memory: a text
    typed before it was posted was encoded for similar-while-typing, never stored.
    """
    found = _stored_encoder(engine)
    if found is not None and documents:
        texts = sentences(documents)
        encoder, model = found
        encoder.prime(dict(zip(texts, await vectors(texts, encoder, model))))


async def forget_documents(engine: object, documents: Sequence[Document]) -> int:
    """Remove the vectors of these documents' texts, stored and in memory (a person's erasure)."""
    found = _stored_encoder(engine)
    if found is None or not documents:
        return 0
    texts = sentences(documents)
    found[0].drop(texts)
    return await forget(texts, found[1])


async def forget(texts: Sequence[str], model: str) -> int:
    """Remove the vectors of these texts (a person's erasure); returns how many went."""
    keys = list(dict.fromkeys(key_of(model, text) for text in texts))
    removed = 0
    for start in range(0, len(keys), CHUNK):
        chunk = keys[start : start + CHUNK]
        async with db.write_transaction():
            removed += len(await TextEmbedding.delete().where(TextEmbedding.key.is_in(chunk)).returning(TextEmbedding.id))
    return removed
