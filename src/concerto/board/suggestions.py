"""Suggestions for the board (assist, never impose) and similar contributions while typing.

The text engine (``concerto.clustering``) is pure and synchronous; grouping a
whole consultation takes up to a second or two, so it runs in a worker thread.
Nothing here writes: accepting a suggestion goes through ``board.services``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass


from concerto.accounts.services import Actor
from concerto.board import services as board
from concerto.clustering import Document, SimilarityIndex, get_engine
from concerto.clustering import store
from concerto.errors import N_, field_error
from concerto.markdown import plain_excerpt
from concerto.settings import get_settings
from concerto.tables import Contribution

SIMILAR_LIMIT = 5
# Shorter texts say too little to compare (and every keystroke would hit the index).
SIMILAR_MIN_LENGTH = 12
SCOPES = ("group", "consultation")


@dataclass
class SuggestedTheme:
    label: str
    items: list[dict]  # id, title, kind, working_group, group_title


@dataclass
class LikelyDuplicate:
    first: dict
    second: dict
    score: float


_CANDIDATES_SQL = """
SELECT c.id, c.title, c.body, c.working_group, g.title AS group_title, k.code AS kind, k.label AS kind_label,
       c.theme, c.duplicate_of
FROM contribution c
JOIN working_group g ON g.id = c.working_group
JOIN contribution_kind k ON k.id = c.kind
WHERE c.consultation = {} AND c.status = 'published'
ORDER BY c.id
"""


def _document(row: dict) -> Document:
    return Document(id=row["id"], text=f"{row['title']}\n{plain_excerpt(row['body'], 2_000)}", kind=row.get("kind"))


async def _candidates(consultation_id: int) -> list[dict]:
    return await Contribution.raw(_CANDIDATES_SQL, consultation_id)


async def suggest_themes(actor: Actor, group: dict, scope: str = "group") -> list[SuggestedTheme]:
    """Groupings of the contributions not in a theme yet (of the group, or of the whole consultation)."""
    actor.require_facilitator()
    if scope not in SCOPES:
        raise field_error("scope", N_("Choose one of the options offered."))
    rows = [
        row
        for row in await _candidates(actor.consultation_id)
        if row["theme"] is None and row["duplicate_of"] is None and (scope == "consultation" or row["working_group"] == group["id"])
    ]
    engine = get_engine(get_settings().text_engine)
    documents = [_document(row) for row in rows]
    await store.load_for(engine, documents)
    clusters = await asyncio.to_thread(engine.suggest, documents)
    by_id = {row["id"]: row for row in rows}
    return [
        SuggestedTheme(cluster.label, [by_id[item] for item in cluster.ids])
        for cluster in clusters
        if len(cluster.ids) > 1
    ]


async def likely_duplicates(actor: Actor, group: dict) -> list[LikelyDuplicate]:
    """Pairs of the group that may say the same thing, not yet grouped nor dismissed."""
    actor.require_facilitator()
    rows = [row for row in await _candidates(actor.consultation_id) if row["working_group"] == group["id"]]
    engine = get_engine(get_settings().text_engine)
    documents = [_document(row) for row in rows]
    await store.load_for(engine, documents)
    pairs = await asyncio.to_thread(engine.duplicates, documents)
    by_id = {row["id"]: row for row in rows}
    dismissed = await board.dismissed_pairs(group["id"])

    def root(contribution_id: int) -> int:
        return by_id[contribution_id]["duplicate_of"] or contribution_id

    return [
        LikelyDuplicate(by_id[pair.a], by_id[pair.b], pair.score)
        for pair in pairs
        if root(pair.a) != root(pair.b) and tuple(sorted((pair.a, pair.b))) not in dismissed
    ]


# -- sentence vectors computed after a write's answer -----------------------------------

_pending: asyncio.Queue | None = None
logger = logging.getLogger(__name__)


def remember_soon(rows: list[dict]) -> None:
    """Have the vectors of these contributions (rows with id, title, body) computed and stored
    once the answer has left; without the background task running (CLI, tests), nothing happens
    and the first suggestion computes them."""
    if _pending is not None:
        _pending.put_nowait([_document(row) for row in rows])


async def _encode_forever(queue: asyncio.Queue) -> None:
    while True:
        documents = await queue.get()
        while not queue.empty():  # a burst of posts is encoded as one batch
            documents += queue.get_nowait()
        try:
            engine = get_engine(get_settings().text_engine)
            await store.remember_documents(engine, documents)
            # Stored, then checked: a contribution erased meanwhile leaves no vector behind
            # (an erasure that commits after this check forgets the vector itself).
            ids = [document.id for document in documents]
            kept = {row["id"] for row in await Contribution.select(Contribution.id).where(Contribution.id.is_in(ids))}
            await store.forget_documents(engine, [document for document in documents if document.id not in kept])
        except Exception:  # never stop the task: a text missed here is encoded when first needed
            logger.exception("could not store the sentence vectors of %d contributions", len(documents))


@contextlib.asynccontextmanager
async def encoding() -> AsyncIterator[None]:
    """While the application runs: the task that encodes and stores the vectors of new texts."""
    global _pending
    _pending = asyncio.Queue()
    task = asyncio.create_task(_encode_forever(_pending))
    try:
        yield
    finally:
        _pending = None
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


async def forget(rows: list[dict]) -> int:
    """Remove the stored vectors of these contributions' texts (rows with title and body: an erasure)."""
    return await store.forget_documents(get_engine(get_settings().text_engine), [_document(row) for row in rows])


# -- similar contributions while typing --------------------------------------------

# What the index depends on: moderation changes a status without touching updated_at,
# so the published ids' sum is part of the version (a hide, a restore, a withdrawal move it).
_VERSION_SQL = """
SELECT COUNT(*) AS n, MAX(updated_at) AS latest, MAX(id) AS last,
       SUM(CASE WHEN status = 'published' THEN id ELSE 0 END) AS published
FROM contribution WHERE consultation = {}
"""
# The index may be a moment old (it is rebuilt while others read): what it finds is
# checked against the rows as they are now, with their supporters.
_STILL_PUBLISHED_SQL = """
SELECT c.id, (SELECT COUNT(*) FROM vote v WHERE v.contribution = c.id) AS votes
FROM contribution c WHERE c.consultation = {} AND c.status = 'published' AND c.id IN (%s)
"""


@dataclass
class _CachedIndex:
    version: tuple
    index: SimilarityIndex
    rows: dict[int, dict]


_indexes: dict[int, _CachedIndex] = {}
_building: dict[int, asyncio.Lock] = {}


async def _index(consultation_id: int) -> _CachedIndex:
    """The consultation's index, rebuilt (in a thread, once at a time) when contributions changed."""
    version = tuple((await Contribution.raw(_VERSION_SQL, consultation_id))[0].values())
    cached = _indexes.get(consultation_id)
    if cached is not None and cached.version == version:
        return cached
    async with _building.setdefault(consultation_id, asyncio.Lock()):
        cached = _indexes.get(consultation_id)
        if cached is not None and cached.version == version:
            return cached
        rows = await _candidates(consultation_id)
        engine = get_engine(get_settings().text_engine)
        documents = [_document(row) for row in rows]
        await store.load_for(engine, documents)
        index = await asyncio.to_thread(engine.index, documents)
        cached = _indexes[consultation_id] = _CachedIndex(version, index, {row["id"]: row for row in rows})
        return cached


async def similar(actor: Actor, text: str, group_id: int | None = None) -> list[dict]:
    """Published contributions close to ``text`` (best first), to support instead of repeating."""
    text = (text or "").strip()[:5_000] if isinstance(text, str) else ""
    if len(text) < SIMILAR_MIN_LENGTH:
        return []
    cached = await _index(actor.consultation_id)
    candidates = []
    for contribution_id, score in cached.index.similar(text, limit=SIMILAR_LIMIT * 3):
        row = cached.rows.get(contribution_id)
        if row is not None and (group_id is None or row["working_group"] == group_id):
            candidates.append((row, score))
    if not candidates:
        return []
    ids = [row["id"] for row, _score in candidates]
    sql = _STILL_PUBLISHED_SQL % ", ".join("{}" for _ in ids)
    votes = {row["id"]: row["votes"] for row in await Contribution.raw(sql, actor.consultation_id, *ids)}
    return [{**row, "score": score, "votes": votes[row["id"]]} for row, score in candidates if row["id"] in votes][:SIMILAR_LIMIT]
