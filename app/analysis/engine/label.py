"""What a theme says: key phrases (class-based TF-IDF), representative quotes, an extractive
summary, and which themes look like the same thing twice."""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import CountVectorizer
from sklearn.preprocessing import normalize

PHRASES = 5
QUOTES_MIN, QUOTES_MAX = 3, 5
SENTENCE = re.compile(r"(?<=[.!?])\s+|\n+")


def term_counts(texts: Sequence[str]) -> tuple[sparse.csr_matrix, np.ndarray]:
    """Documents × words and word pairs (English stop words left out), and the terms."""
    vectorizer = CountVectorizer(ngram_range=(1, 2), stop_words="english", min_df=2,
                                 max_features=40_000, dtype=np.float32,
                                 token_pattern=r"(?u)\b[^\W\d_][\w'-]+\b")
    for min_df in (2, 1):
        vectorizer.set_params(min_df=min_df)
        try:
            return vectorizer.fit_transform(texts), vectorizer.get_feature_names_out()
        except ValueError:  # too few texts for min_df, or no words at all
            continue
    return sparse.csr_matrix((len(texts), 0), dtype=np.float32), np.array([], dtype=object)


def class_scores(counts: sparse.csr_matrix, groups: np.ndarray, count: int) -> np.ndarray:
    """c-TF-IDF (as in BERTopic): each group's documents joined into one, term frequency
    normalised per group, weighted by log(1 + mean words per group / the term's frequency).
    Returns groups × terms."""
    membership = sparse.csr_matrix(
        (np.ones(len(groups), dtype=np.float32), (groups, np.arange(len(groups)))),
        shape=(count, len(groups)),
    )
    per_group = np.asarray((membership @ counts).todense())
    tf = per_group / np.maximum(per_group.sum(axis=1, keepdims=True), 1)
    frequency = per_group.sum(axis=0)
    idf = np.log(1 + per_group.sum() / max(count, 1) / np.maximum(frequency, 1))
    return tf * idf


def key_phrases(scores: np.ndarray, terms: np.ndarray, limit: int = PHRASES) -> list[str]:
    """The best-scoring terms, where a phrase replaces the single words it contains."""
    chosen: list[str] = []
    for index in np.argsort(-scores)[: limit * 6]:
        if scores[index] <= 0:
            break
        term = str(terms[index])
        words = _stems(term)
        if any(words <= _stems(other) for other in chosen):
            continue
        chosen = [other for other in chosen if not _stems(other) <= words]
        chosen.append(term)
        if len(chosen) == limit:
            break
    return chosen


def _stems(phrase: str) -> set[str]:
    """The words of a phrase without a plural s, so "patient" and "patients" count as one."""
    return {w[:-1] if len(w) > 3 and w.endswith("s") and not w.endswith("ss") else w
            for w in phrase.split()}


def label_from(phrases: list[str]) -> str:
    if not phrases:
        return "Miscellaneous"
    text = ", ".join(phrases[:3])
    return (text[0].upper() + text[1:])[:120]


def _length_fit(text: str) -> float:
    """Quotes read best at one to three sentences: very short or very long ones rank lower."""
    length = len(text)
    if length < 25:
        return 0.5
    return 1.0 if length <= 400 else 0.7


def pick_quotes(rows: np.ndarray, vectors: np.ndarray, centre: np.ndarray,
                texts: Sequence[str]) -> list[int]:
    """Up to QUOTES_MAX rows near the centre and unlike one another (maximal marginal
    relevance). `rows` are the candidate (quotable) rows of the theme."""
    if len(rows) == 0:
        return []
    pool = rows[np.argsort(-(vectors[rows] @ centre))[:200]]
    relevance = (vectors[pool] @ centre) * np.array([_length_fit(texts[r]) for r in pool])
    chosen: list[int] = []
    redundancy = np.full(len(pool), -np.inf)
    available = np.ones(len(pool), dtype=bool)
    for _ in range(min(QUOTES_MAX, len(pool))):
        score = 0.7 * relevance - 0.3 * np.where(np.isinf(redundancy), 0, redundancy)
        score[~available] = -np.inf
        best = int(np.argmax(score))
        chosen.append(int(pool[best]))
        available[best] = False
        redundancy = np.maximum(redundancy, vectors[pool] @ vectors[pool[best]])
        available &= redundancy < 0.98  # near-identical wording adds nothing
        if not available.any():
            break
    return chosen


def summarise(quote_texts: Sequence[str], phrases: list[str], limit: int = 300) -> str:
    """Two sentences from the theme's quotable texts that carry most of its key phrases; when
    none can be quoted, the key phrases themselves."""
    sentences = [s.strip() for text in quote_texts for s in SENTENCE.split(text) if s.strip()]
    scored = []
    for position, sentence in enumerate(sentences):
        lowered = sentence.lower()
        hits = sum(len(phrases) - rank for rank, p in enumerate(phrases) if p in lowered)
        scored.append((-hits, position, sentence))
    picked = [s for hits, _, s in sorted(scored) if hits < 0][:2] or [s for *_, s in scored[:1]]
    summary = " ".join(picked)
    if not summary:
        return "Responses about " + ", ".join(phrases) + "." if phrases else ""
    return summary if len(summary) <= limit else summary[: limit - 1].rstrip() + "…"


def redundant_pairs(keys: list[str], centres: np.ndarray, phrases: list[list[str]],
                    limit: int = 15) -> list[tuple[str, str, float]]:
    """Pairs of leaves that look alike: centroids far more similar than the usual pair (more
    than 2.5 standard deviations above the mean similarity), or sharing much of their key
    phrases. Returns (key, key, centroid cosine), most similar first."""
    if len(keys) < 3:
        return []
    similarity = normalize(centres) @ normalize(centres).T
    upper = similarity[np.triu_indices(len(keys), 1)]
    threshold = upper.mean() + 2.5 * upper.std()
    found = []
    for i in range(len(keys)):
        for j in range(i + 1, len(keys)):
            a, b = set(phrases[i]), set(phrases[j])
            shared = len(a & b) / max(len(a | b), 1)
            if similarity[i, j] >= threshold or shared >= 0.4:
                found.append((keys[i], keys[j], round(float(similarity[i, j]), 3)))
    return sorted(found, key=lambda pair: -pair[2])[:limit]
