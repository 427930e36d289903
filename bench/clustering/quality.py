"""Quality of the text engine on the project's evaluation set, next to two baselines.

    python bench/clustering/quality.py            # the configured engine (CONCERTO_TEXT_ENGINE, default meaning)
    python bench/clustering/quality.py --engine package.module:Factory
    python bench/clustering/quality.py --tune     # redo the threshold search, on the dev half only

Prints, for the dev half, the test half, the whole set and each held-out set (then the
held-out sets pooled):
- grouping: adjusted Rand index against the themes, engine vs word-set Jaccard grouping;
- duplicates: precision / recall / F1 against the marked paraphrase pairs, engine vs pg_trgm similarity;
- similar while typing: for each marked pair, is the other text among the 5 shown (recall@5), and
  how many texts are shown on average for a query.
"""

from __future__ import annotations

import argparse
import sys
from itertools import product
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import evalset as ev  # noqa: E402

from concerto.clustering import Document, get_engine  # noqa: E402


def similar_scores(engine, items) -> tuple[float, float]:
    """Recall@5 of the marked paraphrase when the other text is typed, and mean number of texts shown."""
    by_id = {item["id"]: item for item in items}
    hits = total = 0
    shown = 0
    queries = 0
    for pair in sorted(ev.gold_pairs(items), key=sorted):
        for typed, wanted in (sorted(pair), sorted(pair)[::-1]):
            others = [Document(i["id"], i["text"]) for i in items if i["id"] != typed]
            found = [found_id for found_id, _ in engine.index(others).similar(by_id[typed]["text"], limit=5)]
            hits += wanted in found
            total += 1
    # Average number shown, over every text of the set typed against the others.
    index_all = engine.index(ev.documents(items))
    for item in items:
        results = [found_id for found_id, _ in index_all.similar(item["text"], limit=6) if found_id != item["id"]][:5]
        shown += len(results)
        queries += 1
    return hits / total if total else 0.0, shown / queries


def evaluate(engine, items) -> dict:
    clusters = engine.suggest(ev.documents(items))
    found = {frozenset((pair.a, pair.b)) for pair in engine.duplicates(ev.documents(items))}
    gold = ev.gold_pairs(items)
    recall5, shown = similar_scores(engine, items)
    return {
        "ari": ev.ari(items, [cluster.ids for cluster in clusters]),
        "clusters": len(clusters),
        "largest": max(len(cluster.ids) for cluster in clusters),
        "found": found,
        "dup": ev.pair_scores(gold, found),
        "dup_found": len(found),
        "dup_right": len(found & gold),
        "gold": len(gold),
        "recall5": recall5,
        "shown": shown,
    }


def baselines(items) -> dict:
    groups = ev.jaccard_groups(items)
    found = ev.trigram_pairs(items)
    gold = ev.gold_pairs(items)
    return {
        "ari": ev.ari(items, groups),
        "clusters": len(groups),
        "largest": max(len(group) for group in groups),
        "found": found,
        "dup": ev.pair_scores(gold, found),
        "dup_found": len(found),
        "dup_right": len(found & gold),
    }


def describe(label: str, items) -> None:
    themes = len({item["theme"] for item in items})
    print(f"{label}: {len(items)} texts, {themes} themes, {len(ev.gold_pairs(items))} paraphrase pairs, "
          f"{sum(1 for item in items if item.get('lookalike_of'))} look-alikes across themes")


def report(engine, name: str) -> None:
    items = ev.load()
    dev, test = ev.split(items)
    holdouts = {label: ev.load(path) for label, path in ev.HOLDOUTS.items() if path.exists()}
    describe("Evaluation set", items)
    print(f"Halves: dev {len(dev)} texts / {len(ev.gold_pairs(dev))} pairs, test {len(test)} texts / {len(ev.gold_pairs(test))} pairs")
    for label, held in holdouts.items():
        describe(f"Held-out set {label} (never used to choose anything)", held)
    print(f"Engine: {name} ({type(engine).__module__}.{type(engine).__name__})")
    settings = {
        key: value for key, value in vars(engine).items() if not key.startswith("_") and isinstance(value, (int, float, str))
    }
    if settings:
        print("Thresholds:", ", ".join(f"{key}={value}" for key, value in settings.items()))
    print("Baselines: word-set Jaccard grouping (>= 0.25, at most 5 per group); pg_trgm similarity >= 0.25 for duplicates")
    print("F1 margin: engine minus trigram, with its paired 95 % bootstrap interval (2,000 resamplings of the units)")
    print()
    header = (
        f"{'':7} | {'ARI engine':>10} {'Jaccard':>8} {'margin':>7} | {'dup P/R/F1 engine':>18} {'trigram':>15} "
        f"{'F1 margin [95 % CI]':>22} | {'sim R@5':>7} {'shown':>5}"
    )
    print(header)
    print("-" * len(header))
    pooled: tuple[dict, dict] = ({}, {})
    for label, part in [("dev", dev), ("test", test), ("all", items), *holdouts.items()]:
        mine, base = evaluate(engine, part), baselines(part)
        counts = ev.unit_counts(part, mine["found"], label), ev.unit_counts(part, base["found"], label)
        if label in holdouts:
            for into, more in zip(pooled, counts):
                into.update(more)
        p, r, _f = mine["dup"]
        bp, br, _bf = base["dup"]
        f, low, high = ev.bootstrap_margin(*counts)
        print(
            f"{label:7} | {mine['ari']:10.3f} {base['ari']:8.3f} {mine['ari'] - base['ari']:+7.3f} | "
            f"{p:5.2f}/{r:5.2f}/{mine['dup'][2]:5.2f}  {bp:4.2f}/{br:4.2f}/{base['dup'][2]:4.2f} "
            f"{f:+6.2f} [{low:+5.2f}, {high:+5.2f}] | {mine['recall5']:7.2f} {mine['shown']:5.1f}"
        )
        print(
            f"{'':7} | clusters {mine['clusters']} (largest {mine['largest']}) vs {base['clusters']} (largest {base['largest']}); "
            f"pairs proposed {mine['dup_found']} (right {mine['dup_right']}) vs {base['dup_found']} (right {base['dup_right']}), "
            f"marked {mine['gold']}"
        )
    if len(holdouts) > 1:
        engine_counts, base_counts = pooled
        totals = [[sum(c[n] for c in counts.values()) for n in range(3)] for counts in pooled]
        f, low, high = ev.bootstrap_margin(engine_counts, base_counts)
        (marked, proposed, right), (_, base_proposed, base_right) = totals
        print()
        print(
            f"held-out sets pooled ({len(holdouts)} sets, {marked:.0f} marked pairs): duplicate F1 engine "
            f"{ev.f1_of(*totals[0]):.2f} ({right:.0f} right of {proposed:.0f} proposed) vs trigram "
            f"{ev.f1_of(*totals[1]):.2f} ({base_right:.0f} right of {base_proposed:.0f}); "
            f"margin {f:+.2f} [95 % CI {low:+.2f}, {high:+.2f}]"
        )


def tune() -> None:
    """The search that chose the tfidf engine's defaults, on the dev half only."""
    from concerto.clustering.tfidf import TfidfEngine

    dev, _test = ev.split(ev.load())
    docs, gold = ev.documents(dev), ev.gold_pairs(dev)
    print("Grouping (dev ARI): cluster_term_weight x cluster_threshold x cluster_quantile (1.0: no quantile cut)")
    results = []
    for weight, threshold, quantile in product((0.5, 0.7, 1.0), (0.95, 0.96, 0.97, 0.98, 0.99), (0.85, 0.9, 0.95, 1.0)):
        engine = TfidfEngine(cluster_term_weight=weight, cluster_threshold=threshold, cluster_quantile=quantile)
        clusters = engine.suggest(docs)
        score = ev.ari(dev, [cluster.ids for cluster in clusters])
        results.append((score, weight, threshold, quantile))
        print(
            f"  weight {weight:4.2f} threshold {threshold:5.3f} quantile {quantile:4.2f}: ARI {score:.3f} "
            f"({len(clusters)} clusters, largest {len(clusters[0].ids)})"
        )
    print("  best:", max(results))
    print("Duplicates (dev F1): term_weight x mutual_neighbours x duplicate_threshold")
    results = []
    for weight, mutual, threshold in product((0.2, 0.3, 0.4, 0.5, 0.7), (0, 1, 2), (0.15, 0.175, 0.2, 0.225, 0.25)):
        engine = TfidfEngine(term_weight=weight, mutual_neighbours=mutual, duplicate_threshold=threshold)
        found = {frozenset((pair.a, pair.b)) for pair in engine.duplicates(docs)}
        precision, recall, f1 = ev.pair_scores(gold, found)
        results.append((f1, weight, mutual, threshold))
        print(f"  weight {weight:.1f} mutual {mutual} threshold {threshold:5.3f}: P {precision:.2f} R {recall:.2f} F1 {f1:.2f}")
    print("  best:", max(results))
    print("Similar while typing (dev recall@5 / texts shown): similar_threshold")
    for threshold in (0.1, 0.125, 0.15, 0.175, 0.2, 0.25):
        recall5, shown = similar_scores(TfidfEngine(similar_threshold=threshold), dev)
        print(f"  threshold {threshold:5.3f}: recall@5 {recall5:.2f}, {shown:.1f} shown on average")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--engine", help="engine name (default: CONCERTO_TEXT_ENGINE or meaning)")
    parser.add_argument("--tune", action="store_true", help="rerun the dev-only search of the tfidf thresholds")
    args = parser.parse_args()
    if args.tune:
        tune()
        return
    engine = get_engine(args.engine)
    report(engine, args.engine or "configured")


if __name__ == "__main__":
    main()
