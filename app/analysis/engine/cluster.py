"""Clustering into a two-level hierarchy of leaves grouped under parents.

Leaves come from k-means, Ward agglomerative or HDBSCAN on the document vectors; every leaf is
then at least `min_size` documents (small ones join their nearest neighbour), and parents are
the leaves' centroids grouped by Ward agglomerative clustering. Agglomerative and HDBSCAN cost
O(n²): above SAMPLE_LIMIT documents they run on a seeded sample and everything else joins the
nearest centroid.
"""

from __future__ import annotations

import math

import numpy as np
from scipy import sparse
from sklearn.cluster import HDBSCAN, AgglomerativeClustering, KMeans
from sklearn.decomposition import PCA
from sklearn.preprocessing import normalize

MAX_THEMES = 70
MAX_PARENTS = 20
MAX_LEAVES = MAX_THEMES - MAX_PARENTS
SAMPLE_LIMIT = 8_000  # agglomerative and HDBSCAN: O(n²)
KMEANS_SAMPLE_LIMIT = 40_000  # k-means fits on this many, the rest join the nearest centre
CLUSTERERS = ("kmeans", "agglomerative", "hdbscan")


def min_theme_size(items: int) -> int:
    """Every theme covers at least max(0.1% of items, 5) items."""
    return max(math.ceil(0.001 * items), 5)


def leaf_count(items: int, min_size: int) -> int:
    """About sqrt(n)/2 leaves: 50 from 10,000 items up, fewer for small sets, never more than
    the items can fill at min_size each."""
    return int(max(1, min(MAX_LEAVES, items // min_size, round(math.sqrt(items) / 2))))


def parent_count(leaves: int) -> int:
    """About 3.5 leaves a parent: 14 parents for 50 leaves; 10-20 on real consultations."""
    return int(max(1, min(MAX_PARENTS, leaves, round(leaves / 3.5))))


def centroids(vectors: np.ndarray, labels: np.ndarray, count: int) -> np.ndarray:
    """Unit-length mean vector of each cluster (a sparse one-hot product: fast at 300,000)."""
    membership = sparse.csr_matrix(
        (np.ones(len(labels), dtype=np.float32), (labels, np.arange(len(labels)))),
        shape=(count, len(labels)),
    )
    return normalize(np.asarray(membership @ vectors)).astype(np.float32)


def nearest(vectors: np.ndarray, centres: np.ndarray) -> np.ndarray:
    return np.argmax(vectors @ centres.T, axis=1)


def _sample(n: int, seed: int, limit: int = SAMPLE_LIMIT) -> np.ndarray:
    if n <= limit:
        return np.arange(n)
    return np.sort(np.random.default_rng(seed).choice(n, limit, replace=False))


def _extend(vectors: np.ndarray, rows: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """Labels for every row, from labels fitted on `rows`: the rest join the nearest centroid."""
    labels = _compact(labels)
    if len(rows) == len(vectors):
        return labels
    return nearest(vectors, centroids(vectors[rows], labels, labels.max() + 1))


def _compact(labels: np.ndarray) -> np.ndarray:
    _, compact = np.unique(labels, return_inverse=True)
    return compact.astype(np.int64)


def kmeans(vectors: np.ndarray, k: int, seed: int) -> np.ndarray:
    rows = _sample(len(vectors), seed, KMEANS_SAMPLE_LIMIT)
    model = KMeans(n_clusters=k, n_init=2, random_state=seed, max_iter=60)
    return _extend(vectors, rows, model.fit_predict(vectors[rows]))


def agglomerative(vectors: np.ndarray, k: int, seed: int) -> np.ndarray:
    rows = _sample(len(vectors), seed)
    labels = AgglomerativeClustering(n_clusters=k, linkage="ward").fit_predict(vectors[rows])
    return _extend(vectors, rows, labels)


def hdbscan(vectors: np.ndarray, k: int, seed: int, min_size: int) -> np.ndarray:
    """HDBSCAN on a 10-dimensional PCA projection (density is meaningless in 384 dimensions);
    noise joins the nearest cluster; more than k clusters are merged down to k."""
    rows = _sample(len(vectors), seed)
    dims = min(10, vectors.shape[1], len(rows) - 1)
    reduced = PCA(n_components=dims, random_state=seed).fit_transform(vectors[rows])
    found = HDBSCAN(min_cluster_size=max(min_size, 5), min_samples=5,
                    cluster_selection_method="leaf", copy=True).fit_predict(reduced)
    if found.max() < 1:  # nothing or one cluster: fall back to k-means on the sample
        found = kmeans(vectors[rows], k, seed)
    clustered = found >= 0
    centres = centroids(vectors[rows][clustered], _compact(found[clustered]), found.max() + 1)
    labels = _extend(vectors, rows, nearest(vectors[rows], centres))
    if labels.max() + 1 > k:
        groups = merge_centroids(centroids(vectors, labels, labels.max() + 1), k)
        labels = groups[labels]
    return _compact(labels)


def merge_centroids(centres: np.ndarray, k: int) -> np.ndarray:
    """Group centroids into k groups (Ward): the group of each centroid."""
    if k >= len(centres):
        return np.arange(len(centres))
    return AgglomerativeClustering(n_clusters=k, linkage="ward").fit_predict(centres)


def absorb_small(vectors: np.ndarray, labels: np.ndarray, min_size: int) -> np.ndarray:
    """Each leaf smaller than min_size joins the leaf with the nearest centroid, smallest
    first, until every leaf has min_size (or only one is left)."""
    labels = _compact(labels)
    while labels.max() > 0:
        sizes = np.bincount(labels)
        smallest = int(np.argmin(sizes))
        if sizes[smallest] >= min_size:
            break
        centres = centroids(vectors, labels, len(sizes))
        similarity = centres @ centres[smallest]
        similarity[smallest] = -np.inf
        labels[labels == smallest] = int(np.argmax(similarity))
        labels = _compact(labels)
    return labels


def leaves(vectors: np.ndarray, clusterer: str, k: int, min_size: int, seed: int) -> np.ndarray:
    if k <= 1:  # too few texts for two themes of min_size: one theme
        return np.zeros(len(vectors), dtype=np.int64)
    if clusterer == "kmeans":
        labels = kmeans(vectors, k, seed)
    elif clusterer == "agglomerative":
        labels = agglomerative(vectors, k, seed)
    elif clusterer == "hdbscan":
        labels = hdbscan(vectors, k, seed, min_size)
    else:
        raise ValueError(f"unknown clustering {clusterer!r}: choose one of {CLUSTERERS}")
    return absorb_small(vectors, labels, min_size)


def hierarchy(vectors: np.ndarray, clusterer: str, seed: int, *, min_size: int,
              leaf_k: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(leaf of each vector, parent of each leaf); every leaf has min_size vectors."""
    k = leaf_k or leaf_count(len(vectors), min_size)
    leaf = leaves(vectors, clusterer, min(k, len(vectors)), min_size, seed)
    count = leaf.max() + 1
    parent = merge_centroids(centroids(vectors, leaf, count), parent_count(count))
    return leaf, _compact(parent)
