"""Candidate themes on small synthetic corpora: limits, quotes, stability, dedupe."""

from __future__ import annotations

import statistics

import pytest
from sklearn.metrics import adjusted_mutual_info_score

from app.analysis.engine import (
    DEFAULT_METHOD,
    METHODS,
    Doc,
    configured_method,
    dedupe,
    discover,
    preview,
)
from app.analysis.engine.cluster import MAX_THEMES, min_theme_size

from .corpus import corpus

FAST = "tfidf-kmeans"


def leaves(discovery):
    parents_with_children = {t.parent_key for t in discovery.themes if t.parent_key}
    return [t for t in discovery.themes if t.key not in parents_with_children]


def test_min_theme_size_is_a_thousandth_of_items_or_five():
    assert min_theme_size(100) == 5
    assert min_theme_size(5_000) == 5
    assert min_theme_size(5_001) == 6
    assert min_theme_size(300_000) == 300


def test_methods_name_every_embedding_and_clustering():
    assert DEFAULT_METHOD in METHODS
    for embedding in ("tfidf", "minilm", "static"):
        for clustering in ("kmeans", "agglomerative", "hdbscan"):
            assert f"{embedding}-{clustering}" in METHODS


def test_unknown_method_is_refused_with_the_choices():
    docs, _ = corpus(30)
    with pytest.raises(ValueError, match="tfidf-kmeans"):
        discover(docs, method="word2vec-kmeans")


@pytest.mark.parametrize("clustering", ["kmeans", "agglomerative", "hdbscan"])
def test_hierarchy_stays_within_limits(clustering):
    docs, _ = corpus(1500, seed=1)
    found = discover(docs, method=f"tfidf-{clustering}", seed=0)
    distinct = len(dedupe(docs))
    keys = {t.key for t in found.themes}
    assert 2 <= len(found.themes) <= MAX_THEMES
    assert sum(t.parent_key is None for t in found.themes) <= 20
    for theme in found.themes:
        assert theme.parent_key is None or theme.parent_key in keys
        assert theme.parent_key is None or "." not in theme.parent_key  # two levels only
        assert len(set(theme.member_keys)) >= min_theme_size(distinct)
    leaf_keys = {t.key for t in leaves(found)}
    assert set(found.assignments) == {d.key for d in docs}
    assert set(found.assignments.values()) <= leaf_keys
    by_key = {t.key: t for t in found.themes}
    for theme in found.themes:
        if theme.parent_key:
            assert set(theme.member_keys) <= set(by_key[theme.parent_key].member_keys)


def test_themes_find_the_topics():
    docs, truth = corpus(600, seed=2)
    found = discover(docs, method=FAST, seed=0)
    parent_of = [found.assignments[d.key].split(".")[0] for d in docs]
    assert adjusted_mutual_info_score(truth, parent_of) > 0.6
    phrases = " ".join(p for t in found.themes for p in t.key_phrases)
    assert "parking" in phrases and "food" in phrases


def test_quotes_and_summaries_come_only_from_quotable_docs():
    docs, _ = corpus(600, seed=3, quotable_share=0.3)
    secret = [Doc(key=9000 + i, text=f"Zanzibarite {i % 7} car park parking spaces leaked",
                  quotable=False) for i in range(40)]
    found = discover(docs + secret, method=FAST, seed=0)
    quotable = {d.key for d in docs if d.quotable}
    for theme in found.themes:
        assert set(theme.quote_keys) <= quotable
        members = len(set(theme.member_keys) & quotable)
        assert min(3, members) <= len(theme.quote_keys) <= 5
        assert len(set(theme.quote_keys)) == len(theme.quote_keys)
        assert set(theme.quote_keys) <= set(theme.member_keys)
        assert theme.summary and "Zanzibarite" not in theme.summary


def test_a_duplicate_counts_through_its_quotable_copy():
    docs = [Doc(1, "The car park is far too small.", quotable=False),
            Doc(2, "the car park  is far too small.", quotable=True)]
    groups = dedupe(docs)
    assert len(groups) == 1
    assert groups[0].quotable_keys == [2]


def test_dedupe_sums_weights_and_leaves_out_blank_texts():
    docs = [Doc(1, "Parking is awful", True, 1), Doc(2, "  parking is   AWFUL ", True, 3),
            Doc(3, "Food is cold", True, 2), Doc(4, "   ", True, 5)]
    groups = dedupe(docs)
    assert [(g.keys, g.weight) for g in groups] == [([1, 2], 4), ([3], 2)]


def test_theme_size_is_the_sum_of_weights_and_duplicates_share_a_theme():
    docs, _ = corpus(400, seed=4)
    heavy = [Doc(5000 + i, docs[0].text, True, weight=10) for i in range(20)]
    found = discover(docs + heavy, method=FAST, seed=0)
    weight = {d.key: d.weight for d in docs + heavy}
    for theme in found.themes:
        assert theme.size == sum(weight[k] for k in theme.member_keys)
    assert {found.assignments[d.key] for d in heavy} == {found.assignments[docs[0].key]}
    assert sum(t.size for t in found.themes if t.parent_key is None) == sum(weight.values())


@pytest.mark.parametrize("method", [FAST, "tfidf-agglomerative"])
def test_theme_count_is_stable_across_seeds(method):
    docs, _ = corpus(800, seed=5)
    counts = [len(discover(docs, method=method, seed=seed).themes) for seed in range(5)]
    middle = statistics.median(counts)
    assert all(abs(c - middle) <= 0.2 * middle for c in counts), counts


def test_progress_is_reported_in_order_up_to_done():
    docs, _ = corpus(300, seed=6)
    seen: list[float] = []
    discover(docs, method=FAST, progress=lambda fraction, message: seen.append(fraction))
    assert seen == sorted(seen)
    assert seen[0] >= 0 and seen[-1] == 1.0


def test_redundant_pairs_name_leaf_themes():
    docs, _ = corpus(1500, seed=7)
    found = discover(docs, method=FAST, seed=0)
    keys = {t.key for t in found.themes}
    for a, b, score in found.redundant_pairs:
        assert a in keys and b in keys and a != b and -1.0 <= score <= 1.0


def test_nothing_to_theme_gives_no_themes():
    found = discover([Doc(1, "  ", True)], method=FAST)
    assert found.themes == [] and found.assignments == {}


def test_preview_themes_a_sample():
    docs, _ = corpus(900, seed=8)
    found = preview(docs, method=FAST, sample=300)
    assert len(found.assignments) == 300
    assert found.themes


@pytest.mark.parametrize("method", ["minilm-kmeans", "static-agglomerative", "static-hdbscan"])
def test_the_embedding_models_run_offline(method):
    docs, truth = corpus(240, seed=9, topics=["parking", "food", "staff", "noise"])
    found = discover(docs, method=method, seed=0)
    assert found.model_version and found.method == method
    parent_of = [found.assignments[d.key].split(".")[0] for d in docs]
    assert adjusted_mutual_info_score(truth, parent_of) > 0.3


def test_minilm_gives_way_to_the_static_table_above_the_limit(monkeypatch):
    monkeypatch.setenv("KORERO_THEME_MINILM_LIMIT", "100")
    docs, _ = corpus(240, seed=10)
    found = discover(docs, method="minilm-kmeans")
    assert found.method == "static-kmeans"
    assert found.model_version.startswith("static-")


def test_the_configured_method_is_the_default(monkeypatch):
    docs, _ = corpus(120, seed=11)
    monkeypatch.setenv("KORERO_THEME_METHOD", "tfidf-agglomerative")
    assert discover(docs).method == "tfidf-agglomerative"
    monkeypatch.setenv("KORERO_THEME_METHOD", "nonsense")
    assert configured_method() == DEFAULT_METHOD


@pytest.mark.parametrize("count", [1, 2, 7])
@pytest.mark.parametrize("method", ["tfidf-hdbscan", "tfidf-agglomerative", "static-kmeans"])
def test_a_handful_of_texts_makes_one_theme(method, count):
    texts = ["car park full", "cold food", "noisy ward at night", "kind nurses", "long wait",
             "parking fees", "dirty toilets"][:count]
    found = discover([Doc(i, t, True) for i, t in enumerate(texts)], method=method)
    assert [t.key for t in found.themes] == ["1"]
    assert found.themes[0].size == count and len(found.assignments) == count
