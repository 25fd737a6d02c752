"""One-off experiments on the automatic themes (issue 21's AMI aim), outside the engine.

    .venv/bin/python -m bench.theme_experiments --reduce umap --neighbours 50 --dims 10 \
        --clustering kmeans --seeds 0,1,2

Scores leaves against the 44 `code`s and parents against the 9 `label`s of the NHS comments
exactly as bench/analysis.py does (exact duplicates clustered once, then every comment counted),
over several seeds, and prints each seed, the mean and spread, the CPU seconds and peak memory.
What it explores: UMAP before clustering (BERTopic's recipe), HDBSCAN / Ward on the projection,
c-TF-IDF re-assignment, sentence-level embeddings, MiniLM joined with TF-IDF. The results are
in bench/RESULTS.md ("Analysis: UMAP and other routes to the AMI aim").

`--reduce umap` needs umap-learn (`pip install umap-learn`: numba, llvmlite, pynndescent),
which is NOT a project dependency. Vectors and projections are cached in --cache, since MiniLM
takes minutes on 2 cores.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import time
from pathlib import Path

import numpy as np
from scipy import sparse
from sklearn.cluster import HDBSCAN, AgglomerativeClustering, KMeans
from sklearn.feature_extraction.text import CountVectorizer
from sklearn.metrics import adjusted_mutual_info_score as ami
from sklearn.preprocessing import normalize

from app.analysis.engine import Doc, cluster, dedupe, embed
from bench.analysis import load_rows

SENTENCE = re.compile(r"(?<=[.!?])\s+|\n+")


class Data:
    """The deduped comments, their codes and labels (one per comment), and cached vectors."""

    def __init__(self, cache: Path) -> None:
        self.cache = cache
        cache.mkdir(parents=True, exist_ok=True)
        rows = load_rows()
        groups = dedupe([Doc(i, r["feedback"], True) for i, r in enumerate(rows)])
        self.texts = [g.text for g in groups]
        self.expand = np.array([r for r, g in enumerate(groups) for _ in g.keys])
        self.codes = [rows[k]["code"] for g in groups for k in g.keys]
        self.labels = [rows[k]["label"] for g in groups for k in g.keys]
        self.weights = np.array([len(g.keys) for g in groups], dtype=np.float64)

    def cached(self, name: str, make) -> np.ndarray:
        path = self.cache / f"{name}.npy"
        if not path.exists():
            np.save(path, make())
        return np.load(path)

    def sentences(self) -> tuple[list[str], np.ndarray]:
        """Every comment split into sentences, and the comment each sentence comes from."""
        pieces, owner = [], []
        for row, text in enumerate(self.texts):
            parts = [s.strip() for s in SENTENCE.split(text) if len(s.strip()) > 2] or [text]
            pieces += parts
            owner += [row] * len(parts)
        return pieces, np.array(owner)

    def vectors(self, name: str) -> np.ndarray:
        if name == "minilm":
            return self.cached("minilm", lambda: embed.embed_minilm(self.texts))
        if name == "tfidf":
            return self.cached("tfidf", lambda: embed.embed_tfidf(self.texts, seed=0))
        if name == "static":  # the 300,000-item path's embedding
            return self.cached("static", lambda: embed.embed_static(self.texts))
        if name == "sentence-mean":
            summed = np.zeros((len(self.texts), 384), dtype=np.float32)
            np.add.at(summed, self.sentences()[1], self.sentence_vectors())
            return normalize(summed).astype(np.float32)
        if name.startswith("minilm+tfidf"):  # e.g. minilm+tfidf0.5: TF-IDF-SVD weighted 0.5
            weight = float(name.removeprefix("minilm+tfidf") or 1)
            joined = np.hstack([self.vectors("minilm"), weight * self.vectors("tfidf")])
            return normalize(joined).astype(np.float32)
        raise ValueError(f"unknown vectors {name!r}")

    def sentence_vectors(self) -> np.ndarray:
        return self.cached("minilm-sentences", lambda: embed.embed_minilm(self.sentences()[0]))


def project(data: Data, vectors: np.ndarray, args, seed: int, tag: str) -> np.ndarray:
    """UMAP to args.dims dimensions (cosine, args.neighbours neighbours), cached per seed."""
    if args.reduce == "none":
        return vectors

    def fit() -> np.ndarray:
        import umap  # not a project dependency: see the docstring

        model = umap.UMAP(n_neighbors=args.neighbours, n_components=args.dims, min_dist=0.0,
                          metric="cosine", random_state=seed, low_memory=True, n_jobs=1)
        return model.fit_transform(vectors).astype(np.float32)

    return data.cached(f"umap-{tag}-{args.neighbours}-{args.dims}-{seed}", fit)


def leaves_in(space: np.ndarray, args, k: int, seed: int, weights: np.ndarray) -> np.ndarray:
    """Leaf labels found in `space` (the projection, or the vectors themselves)."""
    if args.clustering == "kmeans":
        model = KMeans(n_clusters=k, n_init=2, random_state=seed, max_iter=100)
        return model.fit_predict(space, sample_weight=weights if args.weighted else None)
    if args.clustering == "agglomerative":
        return AgglomerativeClustering(n_clusters=k, linkage="ward").fit_predict(space)
    found = HDBSCAN(min_cluster_size=args.hdbscan_min, min_samples=5,
                    cluster_selection_method="leaf", copy=True).fit_predict(space)
    centres = np.stack([space[found == c].mean(axis=0) for c in range(found.max() + 1)])
    labels = np.argmin(((space[:, None, :] - centres[None]) ** 2).sum(-1), axis=1)  # noise too
    if labels.max() + 1 > k:  # merge down to k, as the engine's HDBSCAN does
        merged = np.stack([space[labels == c].mean(axis=0) for c in range(labels.max() + 1)])
        labels = AgglomerativeClustering(n_clusters=k, linkage="ward").fit_predict(merged)[labels]
    return labels


def sentence_majority(data: Data, args, k: int, seed: int) -> np.ndarray:
    """Cluster the sentences; each comment takes the leaf most of its characters fall in."""
    pieces, owner = data.sentences()
    space = project(data, data.sentence_vectors(), args, seed, "sentences")
    found = KMeans(n_clusters=k, n_init=2, random_state=seed, max_iter=100).fit_predict(space)
    votes = np.zeros((len(data.texts), k))
    np.add.at(votes, (owner, found), np.array([len(p) for p in pieces], dtype=np.float64))
    return votes.argmax(axis=1)


def ctfidf_reassign(data: Data, vectors: np.ndarray, leaf: np.ndarray,
                    weight: float) -> np.ndarray:
    """Each comment to the leaf maximising cos(vector, centroid) + weight × cos(its words,
    the leaf's class TF-IDF), as BERTopic's c-TF-IDF weighs words per topic."""
    counts = CountVectorizer(ngram_range=(1, 2), min_df=2, stop_words="english") \
        .fit_transform(data.texts).astype(np.float32).tocsr()
    count = leaf.max() + 1
    onehot = sparse.csr_matrix((np.ones(len(leaf)), (leaf, np.arange(len(leaf)))),
                               shape=(count, len(leaf)))
    per_class = np.asarray((onehot @ counts).todense())
    idf = np.log(1 + counts.sum() / count / np.maximum(per_class.sum(axis=0), 1))
    classes = normalize(per_class / np.maximum(per_class.sum(1, keepdims=True), 1) * idf)
    docs = normalize(counts.multiply(idf[None, :]).tocsr())
    score = vectors @ cluster.centroids(vectors, leaf, count).T + weight * (docs @ classes.T)
    return np.asarray(score).argmax(axis=1)


def run_seed(data: Data, args, seed: int) -> dict:
    vectors = data.vectors(args.vectors)
    min_size = cluster.min_theme_size(len(vectors))
    k = args.k or cluster.leaf_count(len(vectors), min_size)
    started = time.process_time()
    if args.sentences == "majority":
        leaf = sentence_majority(data, args, k, seed)
    else:
        space = project(data, vectors, args, seed, args.vectors)
        leaf = leaves_in(space, args, k, seed, data.weights)
    leaf = cluster.absorb_small(vectors, leaf, min_size)
    if args.ctfidf:
        leaf = cluster.absorb_small(vectors, ctfidf_reassign(data, vectors, leaf, args.ctfidf),
                                    min_size)
    count = leaf.max() + 1
    parent = cluster.merge_centroids(cluster.centroids(vectors, leaf, count),
                                     cluster.parent_count(count))
    return {"seed": seed, "code": ami(data.codes, leaf[data.expand]),
            "label": ami(data.labels, parent[leaf][data.expand]), "leaves": int(count),
            "cpu_s": time.process_time() - started}


def supervised_reference(data: Data) -> None:
    """Not clustering: AMI of 5-fold cross-validated logistic-regression predictions on the
    MiniLM vectors, trained on the human codes themselves. A rough ceiling for what the
    embedding can separate (optimistic: copies of a text can sit in train and test folds)."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import cross_val_predict

    vectors = data.vectors("minilm")[data.expand]
    for name, truth in (("code", np.array(data.codes)), ("label", np.array(data.labels))):
        predicted = cross_val_predict(LogisticRegression(C=10, max_iter=300), vectors, truth,
                                      cv=5)
        print(f"{name}: supervised AMI {ami(truth, predicted):.3f}, "
              f"accuracy {(predicted == truth).mean():.3f}", flush=True)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--vectors", default="minilm",
                        help="minilm, tfidf, static, sentence-mean, or minilm+tfidfW (TF-IDF-SVD weighted W)")
    parser.add_argument("--reduce", choices=("none", "umap"), default="none")
    parser.add_argument("--neighbours", type=int, default=15)
    parser.add_argument("--dims", type=int, default=5)
    parser.add_argument("--clustering", choices=("kmeans", "agglomerative", "hdbscan"),
                        default="kmeans")
    parser.add_argument("--hdbscan-min", type=int, default=11)
    parser.add_argument("--k", type=int, default=0, help="leaves (0: the engine's leaf_count)")
    parser.add_argument("--ctfidf", type=float, default=0.0, help="c-TF-IDF weight (0: off)")
    parser.add_argument("--sentences", choices=("", "majority"), default="")
    parser.add_argument("--weighted", action="store_true",
                        help="k-means weighs each distinct text by its copies")
    parser.add_argument("--seeds", default="0,1,2")
    parser.add_argument("--supervised", action="store_true",
                        help="print the supervised reference instead (see supervised_reference)")
    parser.add_argument("--cache", type=Path, default=Path("/tmp/korero-theme-experiments"))
    args = parser.parse_args(argv)
    data = Data(args.cache)
    if args.supervised:
        supervised_reference(data)
        return
    runs = []
    for seed in (int(s) for s in args.seeds.split(",")):
        runs.append(run_seed(data, args, seed))
        print({k: round(v, 3) if isinstance(v, float) else v for k, v in runs[-1].items()},
              flush=True)
    code, label = (np.array([r[c] for r in runs]) for c in ("code", "label"))
    print(json.dumps({
        "args": {k: str(v) for k, v in vars(args).items()},
        "code": f"{code.mean():.3f} ± {code.std():.3f} ({code.min():.3f}-{code.max():.3f})",
        "label": f"{label.mean():.3f} ± {label.std():.3f} ({label.min():.3f}-{label.max():.3f})",
        "peak_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "total_cpu_s": round(time.process_time()), "utc": time.strftime("%H:%M", time.gmtime()),
        "load": [round(x, 2) for x in os.getloadavg()],
    }, ensure_ascii=False), flush=True)


if __name__ == "__main__":
    main()
