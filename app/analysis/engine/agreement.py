"""Agreement figures: per-item F1 with a bootstrap interval, and Cohen's kappa."""

from __future__ import annotations

import numpy as np


def item_f1(predicted: set[int], actual: set[int]) -> float:
    """F1 of one item's themes; two empty sets agree fully."""
    if not predicted and not actual:
        return 1.0
    return 2 * len(predicted & actual) / (len(predicted) + len(actual))


def f1_with_interval(
    predicted: list[set[int]], actual: list[set[int]], *, rounds: int = 1000, seed: int = 0
) -> tuple[float, float, float]:
    """Mean per-item F1, and the 2.5th and 97.5th percentiles of its bootstrap distribution
    (items resampled with replacement `rounds` times)."""
    if len(predicted) != len(actual):
        raise ValueError("predicted and actual must list the same items")
    if not predicted:
        raise ValueError("no items to compare")
    scores = np.array([item_f1(p, a) for p, a in zip(predicted, actual, strict=True)])
    rng = np.random.default_rng(seed)
    samples = rng.integers(0, len(scores), size=(rounds, len(scores)))
    means = scores[samples].mean(axis=1)
    low, high = np.percentile(means, [2.5, 97.5])
    return float(scores.mean()), float(low), float(high)


def _kappa(observed: float, expected: float) -> float:
    if expected >= 1.0:
        return 1.0 if observed >= 1.0 else 0.0
    return (observed - expected) / (1.0 - expected)


def cohen_kappa(a: list[set[int]], b: list[set[int]], themes: list[int]) -> float:
    """Cohen's kappa between two coders over the same items.

    When each coder gave every item exactly one theme, this is the textbook kappa over the
    themes as categories. Otherwise (multi-label coding) every (item, theme) pair is one yes/no
    decision, and kappa is computed over all those decisions pooled."""
    if len(a) != len(b):
        raise ValueError("both coders must code the same items")
    if not a:
        raise ValueError("no items to compare")
    if all(len(x) == 1 for x in a) and all(len(x) == 1 for x in b):
        first = [next(iter(x)) for x in a]
        second = [next(iter(x)) for x in b]
        observed = np.mean([x == y for x, y in zip(first, second, strict=True)])
        categories = set(first) | set(second) | set(themes)
        expected = sum(
            (first.count(c) / len(a)) * (second.count(c) / len(b)) for c in categories
        )
        return float(_kappa(float(observed), expected))
    yes_a = np.array([[t in x for t in themes] for x in a], dtype=bool).ravel()
    yes_b = np.array([[t in x for t in themes] for x in b], dtype=bool).ravel()
    observed = float(np.mean(yes_a == yes_b))
    pa, pb = yes_a.mean(), yes_b.mean()
    expected = float(pa * pb + (1 - pa) * (1 - pb))
    return float(_kappa(observed, expected))
