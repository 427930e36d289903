"""Issue 12's blind sets D, E, F: the default engine against today's words-only engine and both baselines.

    python bench/clustering/blind.py          # about a minute
    python bench/clustering/blind.py --dev    # the same report on the development sets held-1, A, B, C

Run once with the engine as committed (the decision rule is in README.md, « Issue 12 »,
written before the sets were first run); nothing may be chosen on these figures.

For each set and pooled (units of the three sets together):
- grouping: ARI of the sentence engine (``meaning``), the words-only engine (``tfidf``) and the
  word-set Jaccard baseline, each with a 95 % subsampling interval (the distinct texts of a
  bootstrap draw), and the
  paired margin meaning − tfidf;
- duplicates: P/R/F1 of each (trigram baseline for the last), F1 with its 95 % interval (units:
  a text and its marked paraphrases, resampled), and the paired F1 margins against tfidf and
  against the trigram baseline.
"""

from __future__ import annotations

import random
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import numpy as np  # noqa: E402
from sklearn.metrics import adjusted_rand_score  # noqa: E402

import evalset as ev  # noqa: E402

from concerto.clustering import get_engine  # noqa: E402

ROUNDS, SEED = 2000, 0


def _interval(values: Sequence[float]) -> tuple[float, float]:
    ordered = sorted(values)
    return ordered[int(0.025 * len(ordered))], ordered[int(0.975 * len(ordered)) - 1]


def labels_of(items: Sequence[dict], groups: Sequence[Sequence]) -> list[int]:
    cluster_of = {identifier: n for n, members in enumerate(groups) for identifier in members}
    return [cluster_of[item["id"]] for item in items]


def ari_rounds(truth: list, predicted: dict[str, list[int]], rng: random.Random) -> dict[str, list[float]]:
    """ARI of each method on the same random subsets of the texts, ROUNDS times.

    A text drawn twice would always sit with itself in both partitions and lift the ARI, so
    each round keeps the distinct texts of a bootstrap draw (about 63 % of them): a
    subsampling interval, not a bootstrap one.
    """
    n = len(truth)
    found: dict[str, list[float]] = {name: [] for name in predicted}
    for _ in range(ROUNDS):
        chosen = sorted({rng.randrange(n) for _ in range(n)})
        for name, labels in predicted.items():
            found[name].append(adjusted_rand_score([truth[i] for i in chosen], [labels[i] for i in chosen]))
    return found


def f1_rounds(counts: dict[str, dict[str, list[float]]], rng: random.Random) -> dict[str, list[float]]:
    """Duplicate F1 of each method on the same resampled units, ROUNDS times."""
    keys = sorted(next(iter(counts.values())))
    found: dict[str, list[float]] = {name: [] for name in counts}
    for _ in range(ROUNDS):
        chosen = rng.choices(keys, k=len(keys))
        for name, per_unit in counts.items():
            found[name].append(ev.f1_of(*(sum(per_unit[k][n] for k in chosen) for n in range(3))))
    return found


def main() -> None:
    meaning, words = get_engine("meaning"), get_engine("tfidf")
    chosen = ev.HOLDOUTS if "--dev" in sys.argv[1:] else ev.BLIND
    sets = {label: ev.load(path) for label, path in chosen.items()}
    methods: dict[str, Callable] = {"meaning": meaning, "tfidf": words}
    pooled_counts: dict[str, dict[str, list[float]]] = {"meaning": {}, "tfidf": {}, "trigram": {}}
    pooled_ari_rounds: dict[str, list[list[float]]] = {"meaning": [], "tfidf": [], "jaccard": []}
    pooled_ari: dict[str, list[float]] = {"meaning": [], "tfidf": [], "jaccard": []}
    print(f"Blind sets: {', '.join(f'{label} ({len(items)} texts, {len(ev.gold_pairs(items))} pairs)' for label, items in sets.items())}")
    print(f"Intervals: 95 %, {ROUNDS:,} resamplings, seed {SEED} (ARI: distinct texts of a bootstrap draw; F1: units drawn"
          " with replacement); margins paired (same resample for both)")
    for label, items in sets.items():
        rng = random.Random(SEED)
        truth = [item["theme"] for item in items]
        documents = ev.documents(items)
        predicted = {name: labels_of(items, [c.ids for c in engine.suggest(documents)]) for name, engine in methods.items()}
        predicted["jaccard"] = labels_of(items, ev.jaccard_groups(items))
        gold = ev.gold_pairs(items)
        found = {name: {frozenset((p.a, p.b)) for p in engine.duplicates(documents)} for name, engine in methods.items()}
        found["trigram"] = ev.trigram_pairs(items)
        counts = {name: ev.unit_counts(items, pairs, f"{label}:") for name, pairs in found.items()}
        for name, per_unit in counts.items():
            pooled_counts[name].update(per_unit)
        aris = ari_rounds(truth, predicted, rng)
        f1s = f1_rounds(counts, rng)
        print(f"\n{label}")
        for name in ("meaning", "tfidf", "jaccard"):
            value = adjusted_rand_score(truth, predicted[name])
            pooled_ari[name].append(value)
            pooled_ari_rounds[name].append(aris[name])
            low, high = _interval(aris[name])
            print(f"  ARI {name:8} {value:6.3f} [{low:+.3f}, {high:+.3f}]  ({len(set(predicted[name]))} groups)")
        low, high = _interval([a - b for a, b in zip(aris["meaning"], aris["tfidf"])])
        print(f"  ARI margin meaning - tfidf {pooled_ari['meaning'][-1] - pooled_ari['tfidf'][-1]:+.3f} [{low:+.3f}, {high:+.3f}]")
        for name in ("meaning", "tfidf", "trigram"):
            precision, recall, f1 = ev.pair_scores(gold, found[name])
            low, high = _interval(f1s[name])
            print(f"  duplicates {name:8} P {precision:.2f} R {recall:.2f} F1 {f1:.3f} [{low:.3f}, {high:.3f}]  "
                  f"({len(found[name] & gold)} right of {len(found[name])} proposed, {len(gold)} marked)")
        for other in ("tfidf", "trigram"):
            margin = ev.f1_of(*_totals(counts["meaning"])) - ev.f1_of(*_totals(counts[other]))
            low, high = _interval([a - b for a, b in zip(f1s["meaning"], f1s[other])])
            print(f"  F1 margin meaning - {other} {margin:+.3f} [{low:+.3f}, {high:+.3f}]")

    print(f"\nPooled ({', '.join(sets)})")
    for name in ("meaning", "tfidf", "jaccard"):
        rounds = np.mean(np.array(pooled_ari_rounds[name]), axis=0)
        low, high = _interval(list(rounds))
        print(f"  ARI {name:8} mean of the {len(sets)} {np.mean(pooled_ari[name]):.3f} [{low:+.3f}, {high:+.3f}]")
    margin_rounds = np.mean(np.array(pooled_ari_rounds["meaning"]) - np.array(pooled_ari_rounds["tfidf"]), axis=0)
    low, high = _interval(list(margin_rounds))
    print(f"  ARI margin meaning - tfidf {np.mean(pooled_ari['meaning']) - np.mean(pooled_ari['tfidf']):+.3f} [{low:+.3f}, {high:+.3f}]")
    f1s = f1_rounds(pooled_counts, random.Random(SEED))
    for name in ("meaning", "tfidf", "trigram"):
        marked, proposed, right = _totals(pooled_counts[name])
        low, high = _interval(f1s[name])
        print(f"  duplicates {name:8} P {right / proposed if proposed else 0:.2f} R {right / marked:.2f} "
              f"F1 {ev.f1_of(marked, proposed, right):.3f} [{low:.3f}, {high:.3f}]  ({right:.0f} right of {proposed:.0f}, {marked:.0f} marked)")
    verdict = []
    for other in ("tfidf", "trigram"):
        margin = ev.f1_of(*_totals(pooled_counts["meaning"])) - ev.f1_of(*_totals(pooled_counts[other]))
        low, high = _interval([a - b for a, b in zip(f1s["meaning"], f1s[other])])
        print(f"  F1 margin meaning - {other} {margin:+.3f} [{low:+.3f}, {high:+.3f}]")
        if other == "tfidf":
            verdict.append(("F1 ahead of tfidf, interval above zero", low > 0))
    ari = float(np.mean(pooled_ari["meaning"]))
    f1 = ev.f1_of(*_totals(pooled_counts["meaning"]))
    verdict = [("ARI >= 0.25 (mean of the three)", ari >= 0.25), ("duplicate F1 >= 0.45", f1 >= 0.45), *verdict]
    print("\nDecision rule: " + "; ".join(f"{what}: {'met' if ok else 'NOT met'}" for what, ok in verdict))


def _totals(per_unit: dict[str, list[float]]) -> tuple[float, float, float]:
    return tuple(sum(counts[n] for counts in per_unit.values()) for n in range(3))


if __name__ == "__main__":
    main()
