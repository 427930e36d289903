"""The evaluation set, its dev/test split, the two baselines and the scores (shared by quality.py and speed.py)."""

from __future__ import annotations

import json
import random
import re
from collections.abc import Hashable, Sequence
from itertools import combinations
from pathlib import Path

from sklearn.metrics import adjusted_rand_score

from concerto.clustering import Document

HERE = Path(__file__).resolve().parent
EVAL_SET = HERE / "eval_set.json"
# Written after the engine was built, by writers who never saw its code, its figures or
# the other sets; nothing was chosen on them (see README.md). Label -> file.
HOLDOUTS = {
    "held-1": HERE / "eval_holdout.json",
    "held-A": HERE / "eval_holdout_a.json",
    "held-B": HERE / "eval_holdout_b.json",
    "held-C": HERE / "eval_holdout_c.json",
}
# Issue 12's blind sets, for the multilingual encoder: not read by any tuning, run once with the
# engine as committed (see README.md, « Issue 12 »).
BLIND = {
    "held-D": HERE / "eval_holdout_d.json",
    "held-E": HERE / "eval_holdout_e.json",
    "held-F": HERE / "eval_holdout_f.json",
}


def load(path: Path = EVAL_SET) -> list[dict]:
    return json.loads(path.read_text(encoding="utf-8"))


def units(items: Sequence[dict]) -> dict[Hashable, Hashable]:
    """Item id -> its unit: an item and the paraphrases marked as its duplicates form one unit."""
    # A text may name as its duplicate one written further down the file: follow the links.
    partner = {item["id"]: item["duplicate_of"] for item in items}
    unit_of: dict[Hashable, Hashable] = {}
    for item in items:
        root, seen = item["id"], set()
        while partner.get(root) and partner[root] in partner and root not in seen:
            seen.add(root)
            root = partner[root]
        unit_of[item["id"]] = root
    return unit_of


def split(items: Sequence[dict]) -> tuple[list[dict], list[dict]]:
    """Dev and test halves by theme-balanced alternation.

    An item and the paraphrases marked as its duplicates form one unit (a pair
    is never split). Within each theme, in file order, single items alternate
    dev, test, dev...; duplicate units alternate too, on a counter that runs
    across themes so the pairs also split evenly. Each half keeps file order.
    """
    unit_of = units(items)
    has_duplicates = {unit_of[item["id"]] for item in items if item["duplicate_of"]}
    half: dict[Hashable, str] = {}
    counters: dict[object, int] = {}
    for item in items:
        unit = unit_of[item["id"]]
        if unit in half:
            continue
        counter = "pairs" if unit in has_duplicates else item["theme"]
        count = counters.get(counter, 0)
        half[unit] = "dev" if count % 2 == 0 else "test"
        counters[counter] = count + 1
    dev = [item for item in items if half[unit_of[item["id"]]] == "dev"]
    test = [item for item in items if half[unit_of[item["id"]]] == "test"]
    return dev, test


def documents(items: Sequence[dict]) -> list[Document]:
    return [Document(item["id"], item["text"]) for item in items]


def gold_pairs(items: Sequence[dict]) -> set[frozenset]:
    ids = {item["id"] for item in items}
    return {frozenset((item["id"], item["duplicate_of"])) for item in items if item["duplicate_of"] in ids}


# -- scores --------------------------------------------------------------------


def ari(items: Sequence[dict], groups: Sequence[Sequence[Hashable]]) -> float:
    cluster_of = {i: n for n, members in enumerate(groups) for i in members}
    assert len(cluster_of) == len(items) == sum(len(g) for g in groups), "not a partition of the items"
    return adjusted_rand_score([item["theme"] for item in items], [cluster_of[item["id"]] for item in items])


def pair_scores(gold: set[frozenset], found: set[frozenset]) -> tuple[float, float, float]:
    hits = len(gold & found)
    precision = hits / len(found) if found else 0.0
    recall = hits / len(gold) if gold else 0.0
    f1 = 2 * precision * recall / (precision + recall) if hits else 0.0
    return precision, recall, f1


def unit_counts(items: Sequence[dict], found: set[frozenset], prefix: str = "") -> dict[str, list[float]]:
    """Per unit: [marked pairs, pairs proposed (each shared half and half by its two units), right ones].

    Summed over any multiset of units these give precision, recall and
    F1 = 2 * right / (proposed + marked), which is what the bootstrap resamples.
    ``prefix`` keeps units of different sets apart when sets are pooled.
    """
    unit_of = units(items)
    gold = gold_pairs(items)
    counts = {f"{prefix}{unit}": [0.0, 0.0, 0.0] for unit in set(unit_of.values())}
    for pair in gold:
        counts[f"{prefix}{unit_of[next(iter(pair))]}"][0] += 1
    for pair in found:
        for member in pair:
            counts[f"{prefix}{unit_of[member]}"][1] += 0.5
        if pair in gold:
            counts[f"{prefix}{unit_of[next(iter(pair))]}"][2] += 1
    return counts


def f1_of(marked: float, proposed: float, right: float) -> float:
    return 2 * right / (proposed + marked) if right else 0.0


def bootstrap_margin(
    engine: dict[str, list[float]], baseline: dict[str, list[float]], rounds: int = 2000, seed: int = 0
) -> tuple[float, float, float]:
    """Duplicate F1 margin (engine - baseline) and its 95 % bootstrap interval, resampling units.

    Both methods are scored on the same resampled units in each round (a paired
    bootstrap), so the interval reflects which pairs happen to be in the set.
    """
    keys = sorted(engine)
    rng = random.Random(seed)

    def margin(chosen: Sequence[str]) -> float:
        e = [sum(engine[k][n] for k in chosen) for n in range(3)]
        b = [sum(baseline[k][n] for k in chosen) for n in range(3)]
        return f1_of(*e) - f1_of(*b)

    margins = sorted(margin(rng.choices(keys, k=len(keys))) for _ in range(rounds))
    return margin(keys), margins[int(0.025 * rounds)], margins[int(0.975 * rounds) - 1]


# -- baselines -----------------------------------------------------------------

_WORD = re.compile(r"\w+")
_ALNUM = re.compile(r"[^\W_]+")


def word_set(text: str) -> frozenset[str]:
    return frozenset(_WORD.findall(text.lower()))


def jaccard(a: frozenset, b: frozenset) -> float:
    union = len(a | b)
    return len(a & b) / union if union else 0.0


def jaccard_groups(items: Sequence[dict], threshold: float = 0.25, max_size: int = 5) -> list[list[Hashable]]:
    """What common retro tools do: word-set Jaccard, agglomerative grouping capped at ``max_size``.

    Every pair with Jaccard >= threshold (lowercase word sets, no stop words,
    no stemming) is taken in descending similarity (ties: input order); a pair
    merges the two groups it links (single link) unless the merged group would
    exceed ``max_size``, in which case that merge is refused and the next pair
    is tried.
    """
    sets = [word_set(item["text"]) for item in items]
    pairs = sorted(
        ((jaccard(sets[i], sets[j]), i, j) for i, j in combinations(range(len(items)), 2)),
        key=lambda p: (-p[0], p[1], p[2]),
    )
    parent = list(range(len(items)))
    size = [1] * len(items)

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for score, i, j in pairs:
        if score < threshold:
            break
        a, b = root(i), root(j)
        if a != b and size[a] + size[b] <= max_size:
            parent[b] = a
            size[a] += size[b]
    groups: dict[int, list[Hashable]] = {}
    for i, item in enumerate(items):
        groups.setdefault(root(i), []).append(item["id"])
    return list(groups.values())


def trigrams(text: str) -> frozenset[str]:
    """pg_trgm's trigram set: each lowercase alphanumeric word padded with two spaces before, one after."""
    found: set[str] = set()
    for word in _ALNUM.findall(text.lower()):
        padded = f"  {word} "
        found.update(padded[k : k + 3] for k in range(len(padded) - 2))
    return frozenset(found)


def trigram_pairs(items: Sequence[dict], threshold: float = 0.25) -> set[frozenset]:
    """What a common participation platform did: pg_trgm similarity(a, b) >= threshold."""
    sets = [trigrams(item["text"]) for item in items]
    return {
        frozenset((items[i]["id"], items[j]["id"]))
        for i, j in combinations(range(len(items)), 2)
        if jaccard(sets[i], sets[j]) >= threshold
    }
