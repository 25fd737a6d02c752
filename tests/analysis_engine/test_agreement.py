"""Agreement figures against values worked out by hand."""

import pytest
from sklearn.metrics import cohen_kappa_score

from app.analysis.engine import cohen_kappa, f1_with_interval


def test_per_item_f1_mean_by_hand():
    predicted = [{1}, {1, 2}, {3}, set()]
    actual = [{1}, {2}, {4}, set()]
    # items: 1, 2*1/(2+1) = 2/3, 0, 1 (both empty) -> mean 2/3
    mean, low, high = f1_with_interval(predicted, actual, rounds=2000, seed=1)
    assert mean == pytest.approx(2 / 3)
    assert 0.0 <= low <= mean <= high <= 1.0
    assert low < high


def test_interval_collapses_when_every_item_scores_the_same():
    mean, low, high = f1_with_interval([{1}, {2}, {3}], [{1}, {2}, {3}])
    assert (mean, low, high) == (1.0, 1.0, 1.0)


def test_interval_is_repeatable_for_a_seed():
    predicted = [{1}, {2}, {1}, {3}, {2}] * 4
    actual = [{1}, {1}, {1}, {3}, {3}] * 4
    assert f1_with_interval(predicted, actual, seed=3) == f1_with_interval(
        predicted, actual, seed=3)


def test_f1_refuses_mismatched_lists():
    with pytest.raises(ValueError):
        f1_with_interval([{1}], [{1}, {2}])


def test_kappa_single_theme_by_hand():
    a = [{1}, {1}, {2}, {2}, {1}, {2}]
    b = [{1}, {2}, {2}, {2}, {1}, {1}]
    # observed 4/6; chance (3/6)(3/6) + (3/6)(3/6) = 1/2; kappa = (2/3 - 1/2)/(1/2) = 1/3
    assert cohen_kappa(a, b, [1, 2]) == pytest.approx(1 / 3)
    flat_a, flat_b = [next(iter(x)) for x in a], [next(iter(x)) for x in b]
    assert cohen_kappa(a, b, [1, 2]) == pytest.approx(cohen_kappa_score(flat_a, flat_b))


def test_kappa_multi_label_pools_yes_no_decisions():
    a = [{1, 2}, {1}, set()]
    b = [{1}, {1, 2}, set()]
    # decisions over themes [1, 2]: a = 1,1,1,0,0,0; b = 1,0,1,1,0,0
    # observed 4/6; p(a yes) = 1/2, p(b yes) = 1/2; chance 1/2; kappa = 1/3
    assert cohen_kappa(a, b, [1, 2]) == pytest.approx(1 / 3)


def test_kappa_perfect_and_chance_agreement():
    same = [{1}, {2}, {3}]
    assert cohen_kappa(same, same, [1, 2, 3]) == 1.0
    assert cohen_kappa([{1}, {1}], [{1}, {1}], [1]) == 1.0  # no chance for disagreement
