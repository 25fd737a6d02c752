"""Assisted coding: a classifier trained on analysts' codings suggests themes with a
confidence for uncoded items.

One logistic regression per theme (one-vs-rest, so an item may get several themes) over word
and word-pair TF-IDF joined with a sentence embedding (MiniLM by default). Its probabilities
are the confidences (bench/RESULTS.md compares the mean confidence of the best suggestion
with how often it is right). It suggests the best theme and those nearly as likely (choose),
"nearly" tuned by cross-validation on the training items."""

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
# One logistic regression per theme; C and the class weights as measured in bench/RESULTS.md.
C = 10.0
CLASS_WEIGHT: str | None = None
# Which themes to suggest: the best, and those at least RELATIVE times as confident (choose).
# RELATIVE is chosen among RELATIVE_GRID by FOLDS-fold cross-validation on the training items;
# DEFAULT_RELATIVE is where it starts (the cross-validated best on 500 and 1,000 NHS comments;
# 0.5 is the break-even for one true theme with calibrated confidences).
RELATIVE_GRID = (0.3, 0.35, 0.4, 0.45, 0.5, 0.6)
DEFAULT_RELATIVE = 0.4
TUNE_TOLERANCE = 0.005
FOLDS = 5
MIN_ITEMS_TO_TUNE = 20


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

    def dense(self, texts: Sequence[str]) -> np.ndarray | None:
        """The sentence embedding of TEXTS (None for "tfidf"): the slow part, done once per
        text and handed to __call__ (the threshold's cross-validation reuses it)."""
        if self.embedding == "tfidf":
            return None
        if self.embedding == "static":
            return embed.embed_static(texts, idf=self.idf)
        return embed.embed_texts(self.embedding, texts)

    def __call__(self, texts: Sequence[str], dense: np.ndarray | None = None) -> sparse.csr_matrix:
        words = self.vectorizer.transform(texts)
        if self.embedding == "tfidf":
            return words
        if dense is None:
            dense = self.dense(texts)
        return sparse.hstack([words, sparse.csr_matrix(dense * EMBEDDING_WEIGHT)], format="csr")


def choose(ranked: Sequence[tuple[int, float]], relative: float) -> list[tuple[int, float]]:
    """The suggestions to make from RANKED (best first): the best theme, and every other
    whose confidence is at least RELATIVE times the best's. Per-item F1 rewards a second
    theme only when it is nearly as likely as the first (2(p1 + p2)/3 > p1 when p2 > p1/2,
    for one true theme), whatever the confidences' overall level."""
    if not ranked:
        return []
    best = ranked[0][1]
    return [(theme, confidence) for rank, (theme, confidence) in enumerate(ranked)
            if rank == 0 or confidence >= relative * best]


@dataclass
class Assistant:
    version: str
    themes: list[int]
    features: Features
    models: list[LogisticRegression | float]  # a fixed confidence where a theme is never/always
    relative: float = DEFAULT_RELATIVE  # chosen by cross-validation on the training items

    def scores(self, texts: Sequence[str]) -> np.ndarray:
        """Items × themes confidences in [0, 1]."""
        with threadpool_limits(limits=embed.threads()):
            return _scores(self.features, self.models, texts)

    def predict(self, texts: Sequence[str]) -> list[list[tuple[int, float]]]:
        """For each text, (theme id, confidence) best first: every theme at MIN_CONFIDENCE or
        more, and always the best one."""
        return _ranked(self.scores(texts), self.themes)

    def suggest(self, texts: Sequence[str]) -> list[set[int]]:
        """The themes to suggest for each text (see choose)."""
        return [{theme for theme, _ in self.choose(ranked)} for ranked in self.predict(texts)]

    def choose(self, ranked: Sequence[tuple[int, float]]) -> list[tuple[int, float]]:
        return choose(ranked, self.relative)


def _scores(features: Features, models, texts: Sequence[str],
            dense: np.ndarray | None = None) -> np.ndarray:
    matrix = features(texts, dense)
    columns = [
        np.full(len(texts), model) if isinstance(model, float)
        else model.predict_proba(matrix)[:, 1]
        for model in models
    ]
    return np.clip(np.column_stack(columns), 0.0, 1.0) if columns else np.zeros((len(texts), 0))


def _ranked(scores: np.ndarray, themes: list[int]) -> list[list[tuple[int, float]]]:
    result = []
    for row in scores:
        order = np.argsort(-row, kind="stable")
        result.append([(themes[i], float(row[i])) for rank, i in enumerate(order)
                       if rank == 0 or row[i] >= MIN_CONFIDENCE])
    return result


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


def _fit(texts: list[str], labels: list[set[int]], themes: list[int], seed: int,
         embedding: str, dense: np.ndarray | None):
    featurise = Features.fit(texts, embedding)
    features = featurise(texts, dense)
    models: list[LogisticRegression | float] = []
    for theme in themes:
        target = np.array([theme in item for item in labels], dtype=np.int64)
        if target.min() == target.max():  # every item has it, or none: nothing to learn
            models.append(float(target[0]))
            continue
        model = LogisticRegression(C=C, class_weight=CLASS_WEIGHT, max_iter=2000,
                                   random_state=seed)
        models.append(model.fit(features, target))
    return featurise, models


def _choose_relative(texts: list[str], labels: list[set[int]], themes: list[int], seed: int,
                     embedding: str, dense: np.ndarray | None) -> float:
    """The RELATIVE_GRID value with the best per-item F1 over a K-fold cross-validation on
    the training items alone (DEFAULT_RELATIVE when they are too few to split)."""
    if len(texts) < MIN_ITEMS_TO_TUNE:
        return DEFAULT_RELATIVE
    from sklearn.model_selection import KFold

    from .agreement import item_f1

    ranked: list[list[tuple[int, float]] | None] = [None] * len(texts)
    for train, held in KFold(FOLDS, shuffle=True, random_state=seed).split(texts):
        part = [texts[i] for i in train]
        featurise, models = _fit(part, [labels[i] for i in train], themes, seed, embedding,
                                 None if dense is None else dense[train])
        scores = _scores(featurise, models, [texts[i] for i in held],
                         None if dense is None else dense[held])
        for i, row in zip(held, _ranked(scores, themes), strict=True):
            ranked[i] = row

    def f1_at(relative: float) -> float:
        return float(np.mean([item_f1({t for t, _ in choose(row, relative)}, truth)
                              for row, truth in zip(ranked, labels, strict=True)]))

    scores = {relative: f1_at(relative) for relative in RELATIVE_GRID}
    # Differences smaller than TUNE_TOLERANCE are the folds' noise (bench/RESULTS.md): among
    # the values that close to the best, the one nearest the default.
    best = max(scores.values())
    return min((relative for relative, f1 in scores.items() if f1 >= best - TUNE_TOLERANCE),
               key=lambda relative: (abs(relative - DEFAULT_RELATIVE), relative))


def _train(texts: list[str], labels: list[set[int]], seed: int, embedding: str) -> Assistant:
    themes = sorted({theme for item in labels for theme in item})
    dense = Features.fit(texts[:1], embedding).dense(texts)  # the embedding needs no fitting
    if embedding == "static":  # ... except the static one's IDF: per fit, as Features does
        dense = None
    relative = _choose_relative(texts, labels, themes, seed, embedding, dense)
    featurise, models = _fit(texts, labels, themes, seed, embedding, dense)
    return Assistant(_version(texts, labels, embedding), themes, featurise, models, relative)
