"""Dev-only search for the multilingual sentence encoder blended with TF-IDF (issue 12).

    python bench/clustering/tune_usem.py

Development data: every set that existed before issue 12's blind sets were written — the
first set (150) and held-1, A, B, C (160 each), 790 texts and 143 pairs in five registers.
They were held out for the words-only engine; for the encoder they are development data.
The blind sets D, E, F are not read here. Choices are made on the five pooled, so that
they transfer across registers rather than fit one set.
"""

from __future__ import annotations

import sys
from itertools import product
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import evalset as ev  # noqa: E402

from concerto.clustering.blend import BlendedEngine  # noqa: E402
from concerto.clustering.embeddings import usem_encoder  # noqa: E402


def dev_sets() -> dict[str, list[dict]]:
    return {"first": ev.load(), **{label: ev.load(path) for label, path in ev.HOLDOUTS.items()}}


def main() -> None:
    sets = dev_sets()
    encode = usem_encoder()
    for items in sets.values():  # every text once, into the encoder's cache
        encode([item["text"] for item in items])
    print("Duplicates, pooled dev F1 (P, R): weight x mutual_neighbours x duplicate_threshold")
    results = []
    for weight, mutual, threshold in product((0.5, 0.7, 0.85, 0.95), (1, 2), (0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6)):
        engine = BlendedEngine(encode, weight=weight, mutual_neighbours=mutual, duplicate_threshold=threshold)
        right = proposed = marked = 0
        per_set = []
        for items in sets.values():
            gold = ev.gold_pairs(items)
            found = {frozenset((pair.a, pair.b)) for pair in engine.duplicates(ev.documents(items))}
            right += len(found & gold)
            proposed += len(found)
            marked += len(gold)
            per_set.append(ev.pair_scores(gold, found)[2])
        precision = right / proposed if proposed else 0.0
        recall = right / marked if marked else 0.0
        f1 = 2 * right / (proposed + marked) if proposed + marked else 0.0
        results.append((f1, min(per_set), weight, mutual, threshold))
        print(f"  w {weight:.2f} mutual {mutual} t {threshold:.2f}: F1 {f1:.3f} (P {precision:.2f} R {recall:.2f}; worst set {min(per_set):.2f})")
    best = max(results)
    print("  best pooled:", best)
    print("Grouping, mean dev ARI: cluster_weight x cluster_threshold (quantile 0.85)")
    results = []
    for weight, threshold in product((0.0, 0.3, 0.5, 0.7, 0.85), (0.9, 0.93, 0.95, 0.97)):
        engine = BlendedEngine(encode, weight=0.5, cluster_weight=weight, cluster_threshold=threshold)
        scores = [ev.ari(items, [cluster.ids for cluster in engine.suggest(ev.documents(items))]) for items in sets.values()]
        results.append((sum(scores) / len(scores), min(scores), weight, threshold))
        print(f"  cluster_weight {weight:.2f} threshold {threshold:.2f}: mean ARI {sum(scores) / len(scores):.3f} (worst {min(scores):.3f})")
    print("  best mean:", max(results))


if __name__ == "__main__":
    main()
