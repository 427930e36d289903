"""Readable labels for suggested clusters: a few distinctive words, or a representative title."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import numpy as np
import scipy.sparse as sp

SEPARATOR = " · "


def cluster_label(
    members: Sequence[int],
    term_rows: sp.csr_matrix,
    term_names: Sequence[str],
    written: Callable[[str], str],
    fallback: str,
    *,
    max_terms: int = 3,
) -> str:
    """The 2–3 terms that best set these rows apart from the others, shown as ``written`` gives them.

    A term counts only if several members use it (at least two, and a third of
    the cluster); with fewer than two words from such terms the label is ``fallback``, the
    title of the cluster's representative. A bigram replaces one of its words when every
    member using that word uses it in that bigram (« tiers-lieux »).
    """
    size = len(members)
    if size < 2 or term_rows.shape[1] == 0:
        return fallback
    inside = term_rows[list(members)]
    present = np.asarray((inside > 0).sum(axis=0)).ravel()
    needed = max(2, math.ceil(size / 3))
    candidates = np.flatnonzero(present >= needed)
    if candidates.size == 0:
        return fallback
    mean_inside = np.asarray(inside.sum(axis=0)).ravel() / size
    others = term_rows.shape[0] - size
    if others:
        mean_outside = (np.asarray(term_rows.sum(axis=0)).ravel() - mean_inside * size) / others
    else:
        mean_outside = np.zeros_like(mean_inside)
    score = mean_inside - mean_outside
    # Stable order: best score, then the term's name, so equal scores never depend on chance.
    ranked = sorted(candidates, key=lambda t: (-round(float(score[t]), 6), term_names[t]))
    bigrams_of: dict[str, list[int]] = {}
    for t in ranked:
        name = term_names[t]
        if " " in name:
            for stem in name.split(" "):
                bigrams_of.setdefault(stem, []).append(t)
    chosen: list[str] = []
    used: set[str] = set()
    for t in ranked:
        name = term_names[t]
        stems = set(name.split(" "))
        if stems & used:
            continue
        if " " not in name:
            upgrade = [b for b in bigrams_of.get(name, []) if present[b] == present[t] and not set(term_names[b].split(" ")) & used]
            if upgrade:
                name = term_names[upgrade[0]]
                stems = set(name.split(" "))
        chosen.append(written(name))
        used |= stems
        if len(chosen) == max_terms:
            break
    # One shared word (« payées ») says less than the title of the most central member.
    if sum(len(term.split()) for term in chosen) < 2:
        return fallback
    return SEPARATOR.join(chosen)
