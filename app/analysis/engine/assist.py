"""Assisted coding: a classifier trained on analysts' codings suggests themes with a
confidence for uncoded items.

One logistic regression per theme (one-vs-rest, so an item may get several themes) over word
and word-pair TF-IDF joined with a sentence embedding (MiniLM by default). Its probabilities
are the confidences (bench/RESULTS.md compares the mean confidence of the best suggestion
with how often it is right)."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from threadpoolctl import threadpool_limits

from . import embed

# MiniLM beside TF-IDF scored best in bench/RESULTS.md (the static table is about ten times
# faster to embed with, for a few points less F1: pass embedding="static" for huge corpora).
ASSIST_EMBEDDING = "minilm"
EMBEDDING_WEIGHT = 2.0  # the dense part's share beside the (unit-length) TF-IDF row
MIN_CONFIDENCE = 0.05


@dataclass
class Features:
    """Turns texts into the classifier's features: TF-IDF words and pairs, beside a sentence
    embedding ("static" or "minilm"; "tfidf" adds none)."""

    embedding: str
    vectorizer: TfidfVectorizer
    idf: np.ndarray | None = None  # the static embedding's token IDF over the training texts

    @classmethod
    def fit(cls, texts: Sequence[str], embedding: str) -> Features:
        if embedding not in embed.EMBEDDERS:
            raise ValueError(f"unknown embedding {embedding!r}")
        vectorizer = TfidfVectorizer(sublinear_tf=True, ngram_range=(1, 2), min_df=1,
                                     max_features=50_000, dtype=np.float32)
        vectorizer.fit(texts)
        idf = embed.token_idf(texts) if embedding == "static" else None
        return cls(embedding, vectorizer, idf)

    def __call__(self, texts: Sequence[str]) -> sparse.csr_matrix:
        words = self.vectorizer.transform(texts)
        if self.embedding == "tfidf":
            return words
        if self.embedding == "static":
            dense = embed.embed_static(texts, idf=self.idf)
        else:
            dense = embed.embed_texts(self.embedding, texts)
        return sparse.hstack([words, sparse.csr_matrix(dense * EMBEDDING_WEIGHT)], format="csr")


@dataclass
class Assistant:
    version: str
    themes: list[int]
    features: Features
    models: list[LogisticRegression | float]  # a fixed confidence where a theme is never/always

    def scores(self, texts: Sequence[str]) -> np.ndarray:
        """Items × themes confidences in [0, 1]."""
        with threadpool_limits(limits=embed.threads()):
            return self._scores(texts)

    def _scores(self, texts: Sequence[str]) -> np.ndarray:
        features = self.features(texts)
        columns = [
            np.full(len(texts), model) if isinstance(model, float)
            else model.predict_proba(features)[:, 1]
            for model in self.models
        ]
        return np.clip(np.column_stack(columns), 0.0, 1.0) if columns else np.zeros((len(texts), 0))

    def predict(self, texts: Sequence[str]) -> list[list[tuple[int, float]]]:
        """For each text, (theme id, confidence) best first: every theme at MIN_CONFIDENCE or
        more, and always the best one."""
        result = []
        for row in self.scores(texts):
            order = np.argsort(-row, kind="stable")
            result.append([(self.themes[i], float(row[i])) for rank, i in enumerate(order)
                           if rank == 0 or row[i] >= MIN_CONFIDENCE])
        return result

    def suggest(self, texts: Sequence[str], threshold: float = 0.5) -> list[set[int]]:
        """The themes at `threshold` confidence or more, or the best one when none is."""
        return [{t for t, c in ranked if c >= threshold} or {ranked[0][0]}
                for ranked in self.predict(texts)]


def _version(texts: Sequence[str], labels: Sequence[set[int]], embedding: str) -> str:
    digest = hashlib.sha256()
    for text, themes in zip(texts, labels, strict=True):
        digest.update(text.encode())
        digest.update(",".join(map(str, sorted(themes))).encode())
    return f"assist-lr-{embedding}+tfidf-{len(texts)}-{digest.hexdigest()[:10]}"


def train_assistant(texts: list[str], labels: list[set[int]], *, seed: int = 0,
                    embedding: str = ASSIST_EMBEDDING) -> Assistant:
    """Train on analysts' codings: `labels[i]` is the set of theme ids of `texts[i]`."""
    if len(texts) != len(labels):
        raise ValueError("texts and labels must list the same items")
    if not texts:
        raise ValueError("no coded items to learn from")
    with threadpool_limits(limits=embed.threads()):
        return _train(texts, labels, seed, embedding)


def _train(texts: list[str], labels: list[set[int]], seed: int, embedding: str) -> Assistant:
    themes = sorted({theme for item in labels for theme in item})
    featurise = Features.fit(texts, embedding)
    features = featurise(texts)
    models: list[LogisticRegression | float] = []
    for theme in themes:
        target = np.array([theme in item for item in labels], dtype=np.int64)
        if target.min() == target.max():  # every item has it (no item lacks it): nothing to learn
            models.append(float(target[0]))
            continue
        model = LogisticRegression(C=10.0, max_iter=2000, random_state=seed)
        models.append(model.fit(features, target))
    return Assistant(_version(texts, labels, embedding), themes, featurise, models)
