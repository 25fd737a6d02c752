"""Candidate themes: dedupe, embed, cluster into two levels, label."""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
from threadpoolctl import threadpool_limits

from . import cluster, embed, label
from .types import CandidateTheme, Discovery, Doc

Progress = Callable[[float, str], None]
LABEL_SAMPLE = 3000
EMBEDDING_NAMES = {
    "tfidf": "TF-IDF of words and word pairs reduced by SVD to 200 dimensions",
    "minilm": "all-MiniLM-L6-v2 sentence embeddings (int8 ONNX on onnxruntime)",
    "static": "static token embeddings distilled from MiniLM (model2vec-style), IDF-weighted",
}
CLUSTERING_NAMES = {
    "kmeans": "k-means",
    "agglomerative": "Ward agglomerative clustering",
    "hdbscan": "HDBSCAN on a 10-dimensional PCA projection, noise joined to the nearest theme",
}
METHODS: dict[str, str] = {
    f"{e}-{c}": f"{EMBEDDING_NAMES[e]}; {CLUSTERING_NAMES[c]}"
    for e in EMBEDDING_NAMES for c in CLUSTERING_NAMES
}
DEFAULT_METHOD = "minilm-kmeans"  # chosen from bench/RESULTS.md (bench/analysis.py)


def configured_method() -> str:
    """KORERO_THEME_METHOD when it names a method, else DEFAULT_METHOD."""
    chosen = os.environ.get("KORERO_THEME_METHOD", "").strip()
    return chosen if chosen in METHODS else DEFAULT_METHOD


def _quiet(fraction: float, message: str) -> None:
    return None


def _within(progress: Progress, start: float, end: float) -> Progress:
    return lambda fraction, message: progress(start + (end - start) * fraction, message)


@dataclass
class Group:
    """Docs with the same text (case and spacing aside): embedded and clustered once."""

    text: str
    keys: list[int] = field(default_factory=list)
    quotable_keys: list[int] = field(default_factory=list)
    weight: int = 0


def dedupe(docs: Sequence[Doc]) -> list[Group]:
    """Exact duplicates become one group whose weight is the sum of theirs; blank texts are
    left out (they cannot be themed)."""
    groups: dict[str, Group] = {}
    for doc in docs:
        normal = " ".join(doc.text.split()).casefold()
        if not normal:
            continue
        group = groups.setdefault(normal, Group(text=doc.text.strip()))
        group.keys.append(doc.key)
        group.weight += doc.weight
        if doc.quotable:
            group.quotable_keys.append(doc.key)
    return list(groups.values())


def split_method(method: str) -> tuple[str, str]:
    if method not in METHODS:
        raise ValueError(f"unknown theme method {method!r}: choose one of {', '.join(METHODS)}")
    embedder, clusterer = method.split("-", 1)
    return embedder, clusterer


def minilm_limit() -> int:
    """Above this many distinct texts MiniLM would take too long on a small machine, and the
    static embedding distilled from it stands in (KORERO_THEME_MINILM_LIMIT)."""
    return int(os.environ.get("KORERO_THEME_MINILM_LIMIT", "30000"))


def discover(docs: Sequence[Doc], *, method: str | None = None, seed: int = 0,
             progress: Progress | None = None, leaf_k: int | None = None) -> Discovery:
    """Candidate themes for `docs`; progress(fraction, message) is called along the way.
    `method`: a name from METHODS; None means configured_method()."""
    with threadpool_limits(limits=embed.threads()):
        return _discover(docs, method or configured_method(), seed, progress or _quiet, leaf_k)


def _discover(docs: Sequence[Doc], method: str, seed: int, report: Progress,
              leaf_k: int | None) -> Discovery:
    started = time.perf_counter()
    embedder, clusterer = split_method(method)
    groups = dedupe(docs)
    if embedder == "minilm" and len(groups) > minilm_limit():
        embedder = "static"
    used = f"{embedder}-{clusterer}"
    report(0.02, f"{len(groups):,} distinct texts of {len(docs):,}")
    stats: dict[str, float] = {"docs": len(docs), "distinct": len(groups)}
    if not groups:
        return Discovery(used, seed, embed.EMBEDDER_VERSIONS[embedder], [], [], {}, 0.0, stats)
    texts = [group.text for group in groups]
    vectors = embed.embed_texts(embedder, texts, seed=seed,
                               progress=_within(report, 0.02, 0.6))
    stats["embed_seconds"] = time.perf_counter() - started
    report(0.6, "clustering")
    leaf, parent = cluster.hierarchy(vectors, clusterer, seed,
                                     min_size=cluster.min_theme_size(len(groups)), leaf_k=leaf_k)
    stats["cluster_seconds"] = time.perf_counter() - started - stats["embed_seconds"]
    report(0.75, "labelling themes")
    themes, leaf_keys = build_themes(groups, vectors, leaf, parent)
    report(0.95, "looking for redundant themes")
    pairs = _redundant(themes, vectors, leaf, leaf_keys)
    assignments = {key: leaf_keys[leaf[row]] for row, group in enumerate(groups)
                   for key in group.keys}
    seconds = time.perf_counter() - started
    stats["label_seconds"] = seconds - stats["embed_seconds"] - stats["cluster_seconds"]
    report(1.0, f"{len(themes)} candidate themes")
    return Discovery(used, seed, embed.EMBEDDER_VERSIONS[embedder], themes, pairs,
                     assignments, seconds, stats)


def preview(docs: Sequence[Doc], *, method: str | None = None, seed: int = 0,
            sample: int = 2000, progress: Progress | None = None) -> Discovery:
    """A quick look: discovery on a seeded random sample of `sample` docs."""
    if len(docs) > sample:
        rows = np.random.default_rng(seed).choice(len(docs), sample, replace=False)
        docs = [docs[row] for row in np.sort(rows)]
    return discover(docs, method=method, seed=seed, progress=progress)


def label_sample(leaf: np.ndarray, count: int, per_leaf: int = LABEL_SAMPLE) -> np.ndarray:
    """The rows key phrases are counted on: every row of a leaf, or a fixed spread of
    `per_leaf` of a bigger one (counting words and pairs is the slow part at 300,000)."""
    rows = []
    for c in range(count):
        members = np.flatnonzero(leaf == c)
        if len(members) > per_leaf:
            members = members[np.linspace(0, len(members) - 1, per_leaf).astype(np.int64)]
        rows.append(members)
    return np.sort(np.concatenate(rows))


def _order(values: np.ndarray, count: int, weights: np.ndarray) -> list[int]:
    """Cluster numbers, largest total weight first."""
    totals = np.bincount(values, weights=weights, minlength=count)
    return [int(i) for i in np.argsort(-totals, kind="stable")]


def build_themes(groups: list[Group], vectors: np.ndarray, leaf: np.ndarray,
                 parent: np.ndarray) -> tuple[list[CandidateTheme], dict[int, str]]:
    """Parents "1", "2"... largest first, each followed by its children "1.1", "1.2"...; a
    parent with a single leaf has no children (it is the leaf)."""
    weights = np.array([g.weight for g in groups], dtype=np.float64)
    leaf_count, parent_count = int(leaf.max()) + 1, int(parent.max()) + 1
    doc_parent = parent[leaf]
    rows = label_sample(leaf, leaf_count)
    counts, terms = label.term_counts([groups[r].text for r in rows])
    leaf_scores = label.class_scores(counts, leaf[rows], leaf_count)
    parent_scores = label.class_scores(counts, doc_parent[rows], parent_count)
    themes: list[CandidateTheme] = []
    leaf_keys: dict[int, str] = {}
    for p_rank, p in enumerate(_order(doc_parent, parent_count, weights), start=1):
        rows = np.flatnonzero(doc_parent == p)
        children = [c for c in _order(leaf, leaf_count, weights) if parent[c] == p]
        themes.append(_theme(str(p_rank), None, rows, parent_scores[p], terms, groups, vectors))
        if len(children) == 1:
            leaf_keys[children[0]] = str(p_rank)
            continue
        for c_rank, c in enumerate(children, start=1):
            key = f"{p_rank}.{c_rank}"
            leaf_keys[c] = key
            rows = np.flatnonzero(leaf == c)
            themes.append(_theme(key, str(p_rank), rows, leaf_scores[c], terms, groups, vectors))
    return themes, leaf_keys


def _theme(key: str, parent_key: str | None, rows: np.ndarray, scores: np.ndarray,
           terms: np.ndarray, groups: list[Group], vectors: np.ndarray) -> CandidateTheme:
    phrases = label.key_phrases(scores, terms)
    centre = vectors[rows].mean(axis=0)
    centre /= max(float(np.linalg.norm(centre)), 1e-12)
    quotable_rows = np.array([r for r in rows if groups[r].quotable_keys], dtype=np.int64)
    texts = [g.text for g in groups]
    quote_rows = label.pick_quotes(quotable_rows, vectors, centre, texts)
    norms = np.maximum(np.linalg.norm(vectors[rows], axis=1), 1e-12)
    similarity = np.clip((vectors[rows] @ centre) / norms, -1.0, 1.0)
    return CandidateTheme(
        key=key,
        parent_key=parent_key,
        label=label.label_from(phrases),
        key_phrases=phrases,
        member_keys=[k for r in rows for k in groups[r].keys],
        quote_keys=[groups[r].quotable_keys[0] for r in quote_rows],
        summary=label.summarise([texts[r] for r in quote_rows], phrases),
        size=int(sum(groups[r].weight for r in rows)),
        member_similarity=[round(float(s), 4) for s, r in zip(similarity, rows, strict=True)
                           for _ in groups[r].keys],
    )


def _redundant(themes: list[CandidateTheme], vectors: np.ndarray, leaf: np.ndarray,
               leaf_keys: dict[int, str]) -> list[tuple[str, str, float]]:
    by_key = {t.key: t for t in themes}
    numbers = sorted(leaf_keys, key=lambda c: [int(x) for x in leaf_keys[c].split(".")])
    keys = [leaf_keys[c] for c in numbers]
    centres = cluster.centroids(vectors, leaf, int(leaf.max()) + 1)[numbers]
    return label.redundant_pairs(keys, centres, [by_key[k].key_phrases for k in keys])
