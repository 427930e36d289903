"""Dev-only search behind the ``meaning`` engine's constants (issue 12).

    python bench/clustering/tune_usem.py     # about 30 s

Development data: every set that existed before issue 12's blind sets were written — the
first set (150) and held-1, A, B, C (160 each), 790 texts and 143 pairs in five registers.
They were held out for the words-only engine; for the encoder they are development data.
The blind sets D, E, F are not read here. Choices are made on the five pooled, from plateaus
rather than single best cells, so that they transfer across registers rather than fit one set.

Printed: duplicates' pooled F1 over the sentence weight x hubness neighbours x pair rate;
themes' mean ARI over the sentence weight x graph neighbours; similar-while-typing recall@5
and texts shown over the threshold.
"""

from __future__ import annotations

import sys
from itertools import product
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import numpy as np  # noqa: E402

import evalset as ev  # noqa: E402
import quality  # noqa: E402

from concerto.clustering import meaning  # noqa: E402
from concerto.clustering.embeddings import USEM_MODEL, usem_encoder  # noqa: E402
from concerto.clustering.meaning import MeaningEngine  # noqa: E402


def dev_sets() -> dict[str, list[dict]]:
    return {"first": ev.load(), **{label: ev.load(path) for label, path in ev.HOLDOUTS.items()}}


class _Patched:
    """The engine's module constants set for one cell of the grid."""

    def __init__(self, **values) -> None:
        self.values, self.saved = values, {}

    def __enter__(self) -> None:
        for name, value in self.values.items():
            self.saved[name] = getattr(meaning, name)
            setattr(meaning, name, value)

    def __exit__(self, *_exc) -> None:
        for name, value in self.saved.items():
            setattr(meaning, name, value)


def pooled_duplicates(engine: MeaningEngine, sets: dict[str, list[dict]]) -> tuple[float, float]:
    right = proposed = marked = 0
    per_set = []
    for items in sets.values():
        gold = ev.gold_pairs(items)
        found = {frozenset((pair.a, pair.b)) for pair in engine.duplicates(ev.documents(items))}
        right, proposed, marked = right + len(found & gold), proposed + len(found), marked + len(gold)
        per_set.append(ev.pair_scores(gold, found)[2])
    return ev.f1_of(marked, proposed, right), min(per_set)


def main() -> None:
    sets = dev_sets()
    encode = usem_encoder()
    for items in sets.values():  # every text once, into the encoder's cache
        encode([item["text"] for item in items])

    print("Duplicates, pooled dev F1 (worst set): sentence weight x hubness neighbours, by pair rate")
    rates = (0.15, 0.2, 0.25, 0.3, 0.4)
    print("  " + " " * 24 + "  ".join(f"rate {rate:<5}" for rate in rates))
    for weight, hubness in product((0.4, 0.5, 0.6, 0.7, 1.0 - 1e-6), (3, 5, 10)):
        cells = []
        for rate in rates:
            with _Patched(PAIR_WEIGHT=weight, HUBNESS_NEIGHBOURS=hubness, DUPLICATE_RATE=rate):
                f1, worst = pooled_duplicates(MeaningEngine(encode, model=USEM_MODEL), sets)
            cells.append(f"{f1:.3f} ({worst:.2f})")
        print(f"  weight {weight:.2f} hubness {hubness:>2}:  " + "  ".join(cells))

    print("Themes, mean dev ARI (worst set): sentence weight x graph neighbours")
    for weight, neighbours in product((1.0, 0.85, 0.7), (6, 8, 10)):
        with _Patched(CLUSTER_WEIGHT=weight, GRAPH_NEIGHBOURS=neighbours):
            engine = MeaningEngine(encode, model=USEM_MODEL)
            scores = [ev.ari(items, [cluster.ids for cluster in engine.suggest(ev.documents(items))]) for items in sets.values()]
        print(f"  weight {weight:.2f} neighbours {neighbours:>2}: {np.mean(scores):.3f} ({min(scores):.3f})")

    print("Similar while typing, mean dev recall@5 and texts shown: threshold")
    for threshold in (0.15, 0.2, 0.25, 0.3, 0.35):
        engine = MeaningEngine(encode, model=USEM_MODEL)
        engine.similar_threshold = threshold
        results = [quality.similar_scores(engine, items) for items in sets.values()]
        print(f"  {threshold:.2f}: recall@5 {np.mean([r for r, _ in results]):.3f}, shown {np.mean([s for _, s in results]):.2f}")


if __name__ == "__main__":
    main()
