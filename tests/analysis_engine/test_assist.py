"""Assisted coding on a separable toy set."""

import pytest

from app.analysis.engine import f1_with_interval, train_assistant

from .corpus import TOPICS, corpus

THEME_ID = {name: 10 + i for i, name in enumerate(sorted(TOPICS))}


def _split(size, seed):
    docs, truth = corpus(size, seed=seed)
    return [d.text for d in docs], [{THEME_ID[t]} for t in truth]


@pytest.mark.parametrize("embedding", ["minilm", "static", "tfidf"])
def test_suggestions_are_sensible_with_confidences_in_range(embedding):
    texts, labels = _split(240, seed=11)
    assistant = train_assistant(texts, labels, seed=0, embedding=embedding)
    new_texts, new_labels = _split(120, seed=12)
    ranked = assistant.predict(new_texts)
    for suggestions in ranked:
        confidences = [c for _, c in suggestions]
        assert all(0.0 <= c <= 1.0 for c in confidences)
        assert confidences == sorted(confidences, reverse=True)
    best = [{r[0][0]} for r in ranked]
    mean, low, _ = f1_with_interval(best, new_labels)
    assert mean >= 0.9 and low >= 0.8
    right = [r[0][1] for r, truth in zip(ranked, new_labels, strict=True) if r[0][0] in truth]
    assert min(right) > 0.3  # confident where right
    assert assistant.version.startswith("assist-")


def test_multi_label_items_get_both_themes():
    texts, labels = _split(240, seed=13)
    texts += [f"{a} {b}" for a, b in zip(texts[:60], texts[61:121], strict=True)]
    labels += [x | y for x, y in zip(labels[:60], labels[61:121], strict=True)]
    assistant = train_assistant(texts, labels, seed=0, embedding="tfidf")
    both = assistant.suggest(["The car park and parking spaces. Hospital food and menu choice."])
    assert both == [{THEME_ID["parking"], THEME_ID["food"]}]


def test_a_theme_every_item_has_is_always_suggested():
    texts = ["car park full", "cold dinner", "car park ticket machine", "menu choice poor"]
    labels = [{1, 3}, {2, 3}, {1, 3}, {2, 3}]
    assistant = train_assistant(texts, labels, embedding="tfidf")
    ranked = dict(assistant.predict(["car park"])[0])
    assert ranked[3] == 1.0


def test_nothing_to_learn_from_is_refused():
    with pytest.raises(ValueError):
        train_assistant([], [])


def test_choose_keeps_the_best_and_those_nearly_as_likely():
    from app.analysis.engine.assist import choose

    ranked = [(7, 0.6), (3, 0.3), (5, 0.2), (9, 0.05)]
    assert choose(ranked, 0.5) == [(7, 0.6), (3, 0.3)]
    assert choose(ranked, 0.3) == [(7, 0.6), (3, 0.3), (5, 0.2)]
    assert choose(ranked, 1.0) == [(7, 0.6)]
    assert choose([(4, 0.01)], 0.9) == [(4, 0.01)]  # the best, however unsure
    assert choose([], 0.5) == []


def test_the_rule_is_chosen_by_cross_validation_on_the_training_items_only():
    from app.analysis.engine.assist import DEFAULT_RELATIVE, RELATIVE_GRID

    texts, labels = _split(120, seed=14)
    assistant = train_assistant(texts, labels, embedding="tfidf")
    assert assistant.relative in RELATIVE_GRID
    suggested = assistant.suggest(texts[:5])
    ranked = assistant.predict(texts[:5])
    assert suggested == [{t for t, c in r if c >= assistant.relative * r[0][1]}
                         for r in ranked]
    few = train_assistant(texts[:10], labels[:10], embedding="tfidf")
    assert few.relative == DEFAULT_RELATIVE  # too few items to split into folds
