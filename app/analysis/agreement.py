"""Agreement between coders: Cohen's kappa between two analysts, and per-item F1 (with a
bootstrap 95% interval) between a model's suggestions and what analysts decided.

Each item's coding is a set of theme ids. Kappa treats every (item, theme) pair as one yes/no
decision both coders made, pooled over the themes of the codebook (the usual way to extend
kappa to multi-label coding). The engine (`app.analysis.engine`) offers the same two functions
with the same signatures; these are plain Python so the workspace needs no numeric library.
"""
from __future__ import annotations

import random
from collections.abc import Sequence


def cohen_kappa(a: Sequence[set[int]], b: Sequence[set[int]], themes: Sequence[int]) -> float:
    """Cohen's kappa of two coders' theme sets over the same items, pooled over THEMES.
    1.0 when both coders agree on every decision, including when neither used any theme."""
    if len(a) != len(b):
        raise ValueError("both coders must code the same items")
    agree = yes_a = yes_b = total = 0
    for first, second in zip(a, b, strict=True):
        for theme in themes:
            in_a, in_b = theme in first, theme in second
            agree += in_a == in_b
            yes_a += in_a
            yes_b += in_b
            total += 1
    if total == 0:
        raise ValueError("nothing to compare")
    observed = agree / total
    expected = (yes_a * yes_b + (total - yes_a) * (total - yes_b)) / (total * total)
    if expected == 1.0:
        return 1.0
    return (observed - expected) / (1.0 - expected)


def item_f1(predicted: set[int], actual: set[int]) -> float:
    """F1 of one item's predicted themes against its actual ones (1.0 when both are empty)."""
    if not predicted and not actual:
        return 1.0
    overlap = len(predicted & actual)
    if overlap == 0:
        return 0.0
    precision = overlap / len(predicted)
    recall = overlap / len(actual)
    return 2 * precision * recall / (precision + recall)


def f1_with_interval(predicted: Sequence[set[int]], actual: Sequence[set[int]], *,
                     rounds: int = 1000, seed: int = 0) -> tuple[float, float, float]:
    """The mean per-item F1 and its 95% bootstrap interval (percentiles of ROUNDS resamples
    of the items, with a fixed SEED so the page shows the same figure every time)."""
    if len(predicted) != len(actual):
        raise ValueError("predicted and actual must cover the same items")
    if not predicted:
        raise ValueError("nothing to compare")
    scores = [item_f1(p, a) for p, a in zip(predicted, actual, strict=True)]
    mean = sum(scores) / len(scores)
    rng = random.Random(seed)
    n = len(scores)
    means = sorted(sum(scores[rng.randrange(n)] for _ in range(n)) / n for _ in range(rounds))
    low = means[int(0.025 * (rounds - 1))]
    high = means[int(0.975 * (rounds - 1))]
    return mean, low, high
