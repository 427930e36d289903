"""Speed and memory of the text engine on synthetic French consultations.

    python bench/clustering/speed.py                 # 2,000 for suggestions, 10,000 for the index
    python bench/clustering/speed.py --engine package.module:Factory --queries 200

The corpora are built deterministically by recombining sentences of the
evaluation set and of the demo consultation: a title taken from one text, a
body of one to three sentences taken from others. Times are wall-clock on this
machine; memory is the Python-level peak (tracemalloc, which also sees numpy's
arrays) and the process's resident set (current and peak, from the kernel).
"""

from __future__ import annotations

import argparse
import asyncio
import random
import re
import resource
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import evalset as ev  # noqa: E402

from concerto.clustering import Document, get_engine  # noqa: E402
from concerto.demo.content import CONTRIBUTIONS  # noqa: E402

_SENTENCE = re.compile(r"(?<=[.!?…])\s+|\n+")


def sentence_pool() -> tuple[list[str], list[str]]:
    """Titles and body sentences from the evaluation set and the demo."""
    titles, sentences = [], []
    for item in ev.load():
        first, _, rest = item["text"].partition("\n")
        titles.append(first)
        sentences.extend(s for s in _SENTENCE.split(rest or first) if len(s) > 20)
    for contribution in CONTRIBUTIONS:
        titles.append(contribution["title"])
        sentences.extend(s for s in _SENTENCE.split(contribution["body"]) if len(s) > 20)
    return titles, sentences


def corpus(size: int, seed: int) -> list[Document]:
    titles, sentences = sentence_pool()
    rng = random.Random(seed)
    return [
        Document(f"s{seed}-{n}", rng.choice(titles) + "\n" + " ".join(rng.sample(sentences, rng.randint(1, 3))))
        for n in range(size)
    ]


def rss_mib() -> tuple[float, float]:
    """Current and peak resident set size of this process, in MiB."""
    with open("/proc/self/statm") as statm:
        pages = int(statm.read().split()[1])
    current = pages * resource.getpagesize() / 2**20
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return current, peak


def peak_allocated(action) -> float:
    """MiB allocated at the peak of one run of ``action`` (tracemalloc slows it: never timed)."""
    tracemalloc.start()
    action()
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak / 2**20


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--engine", help="engine name (default: CONCERTO_TEXT_ENGINE or meaning)")
    parser.add_argument("--suggest-size", type=int, default=2000)
    parser.add_argument("--index-size", type=int, default=10000)
    parser.add_argument("--queries", type=int, default=500)
    parser.add_argument("--repeat", type=int, default=3, help="runs of suggest() and duplicates(); the median is shown")
    args = parser.parse_args()

    engine = get_engine(args.engine)
    print(f"Engine: {type(engine).__module__}.{type(engine).__name__}")
    small = corpus(args.suggest_size, seed=1)
    words = sum(len(d.text.split()) for d in small) / len(small)
    print(f"Corpus: {len(small):,} synthetic contributions, {words:.0f} words each on average")
    started = time.perf_counter()
    engine.suggest(small[:50])  # imports and the model's loading out of the measurement
    print(f"first call (imports, loading the model, 50 texts): {time.perf_counter() - started:.2f} s; RSS {rss_mib()[0]:.0f} MiB")
    # Cold: no text seen before (a sentence engine encodes all of them; TF-IDF has nothing to remember).
    started = time.perf_counter()
    engine.suggest(small)
    print(f"suggest({len(small):,}) cold:  {time.perf_counter() - started:.2f} s (every text new to the engine)")

    times = []
    for _ in range(args.repeat):
        started = time.perf_counter()
        clusters = engine.suggest(small)
        times.append(time.perf_counter() - started)
    peak = peak_allocated(lambda: engine.suggest(small))
    sizes = sorted((len(c.ids) for c in clusters), reverse=True)
    print(
        f"suggest({len(small):,}) warm:  median {statistics.median(times):.2f} s over {args.repeat} runs "
        f"(min {min(times):.2f}, max {max(times):.2f}); {len(clusters):,} clusters, largest {sizes[:5]}; "
        f"peak allocated {peak:.0f} MiB"
    )
    times = []
    for _ in range(args.repeat):
        started = time.perf_counter()
        pairs = engine.duplicates(small)
        times.append(time.perf_counter() - started)
    peak = peak_allocated(lambda: engine.duplicates(small))
    print(f"duplicates({len(small):,}):  median {statistics.median(times):.2f} s; {len(pairs):,} pairs; peak allocated {peak:.0f} MiB")

    large = corpus(args.index_size, seed=2)
    started = time.perf_counter()
    index = engine.index(large)
    seconds = time.perf_counter() - started
    del index
    tracemalloc.start()
    index = engine.index(large)
    kept, peak = (value / 2**20 for value in tracemalloc.get_traced_memory())
    tracemalloc.stop()
    print(f"index({len(large):,}) cold:  built in {seconds:.2f} s (every text new to the engine: the first import of a large consultation)")
    started = time.perf_counter()
    del index
    index = engine.index(large)
    print(f"index({len(large):,}) warm:  built in {time.perf_counter() - started:.2f} s; peak allocated {peak:.0f} MiB, the index keeps {kept:.0f} MiB")

    queries = [d.text for d in corpus(args.queries, seed=3)]
    # While typing, the text is often unfinished: every other query is cut after its title and a few words.
    queries = [q if n % 2 else " ".join(q.split()[: 6 + n % 10]) for n, q in enumerate(queries)]
    index.similar(queries[0])
    latencies = []
    shown = 0
    for query in queries:
        started = time.perf_counter()
        results = index.similar(query, limit=5)
        latencies.append((time.perf_counter() - started) * 1000)
        shown += len(results)
    latencies.sort()
    p50 = latencies[len(latencies) // 2]
    p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))]
    print(
        f"similar() in {len(large):,}: p50 {p50:.1f} ms, p99 {p99:.1f} ms, max {latencies[-1]:.1f} ms "
        f"over {len(queries)} queries ({shown / len(queries):.1f} results each on average)"
    )
    current, peak_rss = rss_mib()
    print(f"process RSS: {current:.0f} MiB now, {peak_rss:.0f} MiB at peak")
    if getattr(engine, "model", None):
        asyncio.run(stored_vectors(engine, large))


async def stored_vectors(engine, documents: list[Document]) -> None:
    """What the application does: vectors kept in the database (SQLite here), read by a process that
    never saw them (a restart, another worker), then the engine's warm run."""
    import tempfile

    from concerto import db
    from concerto.clustering import store
    from concerto.clustering.blend import CachedEncoder
    from concerto.db.migrate import migrate

    with tempfile.TemporaryDirectory() as folder:
        async with db.connected(f"sqlite:///{folder}/vectors.db"):
            await migrate(quiet=True)
            started = time.perf_counter()
            await store.load_for(engine, documents)  # in memory already: stored as computed
            texts = store.sentences(documents)
            await store.vectors(texts, engine.encode, engine.model)
            print(f"store {len(texts):,} vectors in SQLite: {time.perf_counter() - started:.2f} s")
            # A fresh process: an empty memory, the model never called.
            fresh = type(engine)(CachedEncoder(_refuse), model=engine.model)
            for size in (2_000, len(documents)):
                fresh.encode = CachedEncoder(_refuse)
                started = time.perf_counter()
                await store.load_for(fresh, documents[:size])
                read = time.perf_counter() - started
                started = time.perf_counter()
                if size == 2_000:
                    fresh.suggest(documents[:size])
                    what = "suggest"
                else:
                    fresh.index(documents[:size])
                    what = "index"
                print(f"after a restart, {size:,}: vectors read in {read:.2f} s, then {what}() in {time.perf_counter() - started:.2f} s")


def _refuse(texts: list[str]):
    raise AssertionError(f"{len(texts)} texts encoded: they should have been read from the database")


if __name__ == "__main__":
    main()
