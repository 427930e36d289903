"""Sentence vectors computed once per text and model, kept in the database (table ``text_embedding``).

Encoding 10,000 texts takes about 15 s on two cores, reading their stored vectors a
fraction of a second: suggestions and the similar-while-typing index are to read them, so
that only texts never seen before (or seen by another model) are encoded. The key is the
SHA-256 of the model's version and the text, so an edited contribution gets a new vector and
two identical texts share one. ``remember`` is meant to run after a write's answer (a
background task); a reader that finds a vector missing computes it itself.

Not wired yet (issue 12 is in progress): no engine of the application reads or writes here so far.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Callable, Sequence

import numpy as np

from concerto import db
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


async def forget(texts: Sequence[str], model: str) -> int:
    """Remove the vectors of these texts (a person's erasure); returns how many went."""
    keys = list(dict.fromkeys(key_of(model, text) for text in texts))
    removed = 0
    for start in range(0, len(keys), CHUNK):
        chunk = keys[start : start + CHUNK]
        async with db.write_transaction():
            removed += len(await TextEmbedding.delete().where(TextEmbedding.key.is_in(chunk)).returning(TextEmbedding.id))
    return removed
