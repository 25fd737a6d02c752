"""The automatic-theme engine (app/analysis/engine), measured before choosing its default.

    make bench     # runs this with the defaults below, among the other benchmarks
    .venv/bin/python -m bench.analysis [--only quality,assist,scale] [--items N]
        [--scale-items 300000] [--preview-sample 2000] [--no-write]

- quality: every embedding × clustering on ../shared/data/theming/nhs_feedback_phase1.csv
  (10,334 NHS comments coded by people): adjusted mutual information of the leaf themes against
  the 44 `code`s and of the parent themes against the 9 `label`s, runtime and peak memory.
- assist: per-item F1 (bootstrap 95% interval) of assisted coding trained on 200, 500 and
  1,000 coded comments, tested on 2,000 others, against `code` and `label`.
- scale: candidate themes for 300,000 synthetic responses end to end (dedupe, embed, cluster,
  label) with the default method, and a preview on a sample; wall time and peak memory (the
  child process's maximum resident set).

Each measurement runs in its own process, so its peak memory is its own. Results go to
bench/RESULTS.md between this benchmark's markers, one section per part.
"""

from __future__ import annotations

import argparse
import csv
import multiprocessing
import os
import random
import resource
import sys
import time
import tracemalloc
from datetime import UTC, datetime
from pathlib import Path

from bench.run import machine, write_results

ROOT = Path(__file__).resolve().parent.parent

def _data() -> Path:
    """../shared beside the clone (or two levels up, from a git worktree), or BENCH_THEMING_CSV."""
    if os.environ.get("BENCH_THEMING_CSV"):
        return Path(os.environ["BENCH_THEMING_CSV"])
    found = [base / "shared" / "data" / "theming" / "nhs_feedback_phase1.csv"
             for base in (ROOT.parent, ROOT.parent.parent)]
    return next((path for path in found if path.exists()), found[0])


DATA = _data()

def marks(part: str) -> tuple[str, str]:
    """Each part keeps its own section, so parts can be re-run one at a time."""
    return f"<!-- bench.analysis {part}: start -->", f"<!-- bench.analysis {part}: end -->"

EMBEDDINGS = ("tfidf", "static", "minilm")
CLUSTERINGS = ("kmeans", "agglomerative", "hdbscan")
ASSIST_EMBEDDINGS = ("tfidf", "static", "minilm")
TRAIN_SIZES = (200, 500, 1000)
TEST_SIZE = 2000
BASELINE_AMI = 0.271
LATER_AMI_NOTES = (
    " Later (2026-11-28 16:00 UTC, one-off scripts, k-means at k=47 on all 10,334 comments "
    "without the dedupe, two seeds; the baseline scored 0.271 the same way): centring, "
    "removing the top 1-8 principal components (all-but-the-top) 0.22-0.27, max-pooled "
    "MiniLM 0.27, mean- and max-pooled joined 0.275-0.279: no route to 0.32 with this "
    "model. UMAP before clustering, c-TF-IDF, sentence-level clustering and more, over three "
    "to five seeds (2026-11-28 18:05-18:52 UTC, bench/theme_experiments.py): MiniLM "
    "variants 0.257-0.288, best UMAP to 10 dimensions + k-means 0.285 (section \"Analysis: "
    "UMAP and other routes to the AMI aim\")."
)
CHOICE = (
    "Choice: `DEFAULT_METHOD = \"minilm-kmeans\"` (app/analysis/engine/pipeline.py): the best AMI "
    "against both the codes and the labels in this table, with clustering among the fastest and "
    "least memory-hungry. MiniLM is the slow part (about 30-280 texts/s on 2 cores depending "
    "on load), so above `KORERO_THEME_MINILM_LIMIT` (30,000) distinct texts a discovery embeds "
    "with the static table instead (the next best embedding, over 50 times faster): the "
    "300,000 run below. The AMI aim of 0.32 is NOT met: the best is a little above the 0.271 "
    "baseline. Exploratory runs outside this benchmark (MiniLM + k-means with k from 25 to 60, "
    "PCA to 50 dimensions, PCA whitening, MiniLM joined with TF-IDF, spectral clustering on a "
    "15-nearest-neighbour graph) all scored 0.26-0.28 against the codes: the embedding, not the "
    "clustering, is the limit here." + LATER_AMI_NOTES
)

ASSIST_NOTES = (
    "How the default was chosen (2026-11-28, on the label target at 500, one-off scripts "
    "over the same split with MiniLM vectors cached): with the fixed 0.5 rule, class-balanced "
    "weights, C of 1, 3, 30 or 100, character 2-5-grams added, the embedding weighted 1 or 4, "
    "MiniLM alone, a multinomial (softmax) regression, separate TF-IDF and MiniLM models "
    "averaged, ensembles of these, max-pooled or sentence-averaged MiniLM, self-training on "
    "the 7,334 comments in neither sample, and label spreading over a MiniLM neighbour graph "
    "all stayed within about ±0.01 of 0.686 in 5-fold cross-validation on the training "
    "sample. Only the suggestion rule moved it: suggesting a second theme when it is nearly "
    "as likely as the first (the break-even for one true theme is half the best's confidence) "
    "gained 1-2 points in cross-validation at 500 and 1,000, with 0.4 at or near the best "
    "there. R is tuned per training set, but differences under 0.005 in its cross-validation "
    "are taken as noise (it stays nearest 0.4): at 200 items the folds alone pointed to 0.7, "
    "which generalised worse. Those scripts printed the test F1 beside the cross-validated "
    "one, so the test figures were seen while choosing: read the 0.005 margin above 0.70 as "
    "within noise (the interval reaches 0.688)."
)


def load_rows(limit: int | None = None) -> list[dict[str, str]]:
    with DATA.open(newline="", encoding="utf-8") as handle:
        rows = [r for r in csv.DictReader(handle) if r["feedback"].strip()]
    return rows[:limit] if limit else rows


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def in_child(function, *args):
    """Run function(*args) in a fresh process (spawned: nothing inherited) and return its
    result; each measurement's peak memory is then its own."""
    context = multiprocessing.get_context("spawn")
    with context.Pool(1) as pool:
        return pool.apply(function, args)


# ---------------------------------------------------------------- quality


def quality_for(embedding: str, limit: int | None) -> list[dict]:
    """One embedding, embedded once, clustered by each clustering."""
    from sklearn.metrics import adjusted_mutual_info_score as ami

    from app.analysis.engine import Doc, cluster, dedupe, embed

    rows = load_rows(limit)
    groups = dedupe([Doc(i, r["feedback"], True) for i, r in enumerate(rows)])
    texts = [g.text for g in groups]
    started = time.perf_counter()
    vectors = embed.EMBEDDERS[embedding](texts)
    embed_seconds = time.perf_counter() - started
    embed_peak = peak_mb()
    codes = [rows[k]["code"] for g in groups for k in g.keys]
    labels = [rows[k]["label"] for g in groups for k in g.keys]
    expand = [r for r, g in enumerate(groups) for _ in g.keys]
    results = []
    for clustering in CLUSTERINGS:
        tracemalloc.start()
        started = time.perf_counter()
        leaf, parent = cluster.hierarchy(vectors, clustering, 0,
                                         min_size=cluster.min_theme_size(len(groups)))
        seconds = time.perf_counter() - started
        traced = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()
        results.append({
            "method": f"{embedding}-{clustering}",
            "ami_code": ami(codes, leaf[expand]), "ami_label": ami(labels, parent[leaf][expand]),
            "leaves": int(leaf.max()) + 1, "parents": int(parent.max()) + 1,
            "embed_s": embed_seconds, "cluster_s": seconds, "cluster_mb": traced,
            "peak_mb": max(embed_peak, peak_mb()),
        })
    return results


def stability_for(method: str, limit: int | None, seeds: int = 3) -> dict:
    """Full discovery with several seeds: theme counts and the time of one whole run."""
    from app.analysis.engine import Doc, discover

    rows = load_rows(limit)
    docs = [Doc(i, r["feedback"], i % 2 == 0) for i, r in enumerate(rows)]
    runs = [discover(docs, method=method, seed=seed) for seed in range(seeds)]
    return {"counts": [len(r.themes) for r in runs], "seconds": [r.seconds for r in runs],
            "peak_mb": peak_mb(), "example": [(t.key, t.label, t.size) for t in runs[0].themes],
            "pairs": runs[0].redundant_pairs[:5]}


def quality_section(args) -> tuple[str, str]:
    load_before = machine()["load"]
    table = [r for e in EMBEDDINGS for r in in_child(quality_for, e, args.items)]
    best = max(table, key=lambda r: r["ami_code"] + r["ami_label"])
    from app.analysis.engine import DEFAULT_METHOD

    stable = in_child(stability_for, DEFAULT_METHOD, args.items)
    info = machine()
    lines = [
        "## Analysis: automatic themes on the NHS comments (`bench/analysis.py`)", "",
        (f"- Command: `.venv/bin/python -m bench.analysis --only quality{_items(args)}` "
        "(part of `make bench`)"),
        f"- Date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC",
        (f"- Machine: {info['cores']} cores, {info['cpu']}; load average {load_before} before, "
        f"{info['load']} after. The machine is shared with other engineers' tests and "
        "benchmarks: times are pessimistic and noisy."),
        (f"- Data: `{DATA.name}`, {len(load_rows(args.items)):,} comments, exact duplicates "
        "embedded once. AMI = adjusted mutual information of the leaf themes against the 44 "
        "`code`s and of the parent themes against the 9 `label`s (seed 0). Peak MB: the "
        "process's maximum resident set (models included); clustering MB: numpy's peak "
        "allocation during clustering (tracemalloc). The static token table was already "
         "distilled (`make theme-models`); a cold start distils the tokens it meets first."), "",
        ("| method | AMI code | AMI label | leaves | parents | embed s | cluster s "
        "| clustering MB | peak MB |"),
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in table:
        lines.append(
            f"| `{r['method']}` | {r['ami_code']:.3f} | {r['ami_label']:.3f} | {r['leaves']} "
            f"| {r['parents']} | {r['embed_s']:.1f} | {r['cluster_s']:.1f} "
            f"| {r['cluster_mb']:.0f} | {r['peak_mb']:.0f} |")
    counts = stable["counts"]
    lines += [
        "", (f"Best AMI (code + label): `{best['method']}` ({best['ami_code']:.3f} / "
        f"{best['ami_label']:.3f}); baseline MiniLM + k-means at k=44: {BASELINE_AMI}; "
        "aim ≥ 0.32."),
        (f"Default `{DEFAULT_METHOD}` end to end (dedupe, embed, cluster, label), seeds 0-2: "
        f"{counts} themes (spread {_spread(counts):.0%} of the median; aim ±20%), "
        f"{min(stable['seconds']):.0f}-{max(stable['seconds']):.0f} s a run, "
        f"peak {stable['peak_mb']:.0f} MB."),
        "Its largest themes (seed 0): " + "; ".join(
            f"{k} {label} ({size})" for k, label, size in stable["example"][:8]) + ".",
        ("(The first run embeds; the next seeds reuse the embedding, as a re-run in one worker "
        "does.)"),
        "", CHOICE, "",
    ]
    return "\n".join(lines), best["method"]


def _spread(counts: list[int]) -> float:
    middle = sorted(counts)[len(counts) // 2]
    return max(abs(c - middle) for c in counts) / middle if middle else 0.0


def _items(args) -> str:
    return f" --items {args.items}" if args.items else ""


# ---------------------------------------------------------------- assisted coding


def assist_for(embedding: str, column: str, limit: int | None) -> list[dict]:
    from app.analysis.engine import f1_with_interval, train_assistant

    rows = load_rows(limit)
    order = list(range(len(rows)))
    random.Random(0).shuffle(order)
    test = order[:TEST_SIZE]
    ids = {name: i for i, name in enumerate(sorted({r[column] for r in rows}))}
    test_texts = [rows[i]["feedback"] for i in test]
    test_labels = [{ids[rows[i][column]]} for i in test]
    results = []
    for size in TRAIN_SIZES:
        train = order[TEST_SIZE : TEST_SIZE + size]
        started = time.perf_counter()
        assistant = train_assistant([rows[i]["feedback"] for i in train],
                                    [{ids[rows[i][column]]} for i in train], embedding=embedding)
        ranked = assistant.predict(test_texts)
        predicted = assistant.suggest(test_texts)
        seconds = time.perf_counter() - started
        mean, low, high = f1_with_interval(predicted, test_labels)
        # The rule before the relative one, on the same model: every theme at 0.5, else the best.
        fixed = [{t for t, c in r if c >= 0.5} or {r[0][0]} for r in ranked]
        fixed_mean, fixed_low, fixed_high = f1_with_interval(fixed, test_labels)
        best_right = [r[0][0] in truth for r, truth in zip(ranked, test_labels, strict=True)]
        results.append({"embedding": embedding, "column": column, "size": size, "f1": mean,
                        "low": low, "high": high, "seconds": seconds,
                        "relative": assistant.relative,
                        "fixed": (fixed_mean, fixed_low, fixed_high),
                        "sizes": sum(len(p) for p in predicted) / len(predicted),
                        "confidence": sum(r[0][1] for r in ranked) / len(ranked),
                        "right": sum(best_right) / len(best_right)})
    return results


def assist_section(args) -> str:
    from app.analysis.engine import assist

    load_before = machine()["load"]
    table = [r for column in ("code", "label") for e in ASSIST_EMBEDDINGS
             for r in in_child(assist_for, e, column, args.items)]
    info = machine()
    lines = [
        "## Analysis: assisted coding on the NHS comments (`bench/analysis.py`)", "",
        f"- Command: `.venv/bin/python -m bench.analysis --only assist{_items(args)}`",
        (f"- Date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC; machine: {info['cores']} cores, "
        f"load average {load_before} before, {info['load']} after (shared machine)."),
        (f"- Trained on the first N of a seeded shuffle, tested on {TEST_SIZE:,} other comments; "
        f"one-vs-rest logistic regression (C={assist.C}, class weights {assist.CLASS_WEIGHT}) "
        "over TF-IDF words and pairs beside the embedding (`tfidf`: TF-IDF alone). Suggestions "
        "(`Assistant.suggest`): the best theme, and every other at least R times as confident, "
        f"R chosen among {list(assist.RELATIVE_GRID)} by {assist.FOLDS}-fold cross-validation "
        "on the N training comments alone (the test comments play no part in it). "
        "The `… ≥ 0.5` rows score the same models with the rule used before (every theme at "
        "confidence ≥ 0.5, else the best one). Per-item F1 with its bootstrap 95% interval "
        "(1,000 rounds). Seconds: train (with the cross-validation) + predict."),
        "",
        "| target | features | suggestions | F1 @200 | F1 @500 | F1 @1,000 | R chosen | s @1,000 |",
        "|---|---|---|---|---|---|---|---:|",
    ]
    for column in ("code", "label"):
        for e in ASSIST_EMBEDDINGS:
            cells = [r for r in table if r["column"] == column and r["embedding"] == e]
            figures = " | ".join(f"{r['f1']:.3f} ({r['low']:.3f}-{r['high']:.3f})"
                                 for r in cells)
            chosen_r = ", ".join(f"{r['relative']:g}" for r in cells)
            lines.append(f"| `{column}` | {e} | relative R | {figures} | {chosen_r} "
                         f"| {cells[-1]['seconds']:.1f} |")
        cells = [r for r in table if r["column"] == column
                 and r["embedding"] == assist.ASSIST_EMBEDDING]
        figures = " | ".join(f"{r['fixed'][0]:.3f} ({r['fixed'][1]:.3f}-{r['fixed'][2]:.3f})"
                             for r in cells)
        lines.append(f"| `{column}` | {assist.ASSIST_EMBEDDING} | every theme ≥ 0.5 | {figures} "
                     "| – | – |")
    chosen = next(r for r in table if r["column"] == "label" and r["size"] == 500
                  and r["embedding"] == assist.ASSIST_EMBEDDING)
    verdict = "met" if chosen["low"] >= 0.70 else (
        "met by the point estimate, not by the whole interval" if chosen["f1"] >= 0.70
        else "NOT met")
    lines += ["", (f"Calibration of the default at 500: the best suggestion's mean confidence "
                   f"{chosen['confidence']:.3f}, right {chosen['right']:.1%} of the time (labels); "
                   f"{chosen['sizes']:.2f} themes suggested an item on average."),
              "", (f"Default: {assist.ASSIST_EMBEDDING} beside TF-IDF with the relative rule. F1 "
                   f"at 500 coded items against the 9 labels {chosen['f1']:.3f} "
                   f"({chosen['low']:.3f}-{chosen['high']:.3f}); target ≥ 0.70: {verdict}. "
                   f"With the earlier fixed rule the same models score {chosen['fixed'][0]:.3f}. "
                   "Against the 44 codes, with about 11 examples a code at 500, it is lower "
                   "still."), "", ASSIST_NOTES, ""]
    return "\n".join(lines)


def _scale_section(args) -> str:
    from bench.analysis_scale import scale_section  # it imports this module's helpers

    return scale_section(args)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", default="quality,assist,scale",
                        help="comma-separated parts: quality, assist, scale")
    parser.add_argument("--items", type=int, default=None,
                        help="use only the first N NHS comments (quick checks)")
    parser.add_argument("--scale-items", type=int, default=300_000)
    parser.add_argument("--preview-sample", type=int, default=2_000)
    parser.add_argument("--no-write", action="store_true", help="print, leave RESULTS.md")
    args = parser.parse_args(argv)
    if not DATA.exists():
        print(f"{DATA} is missing: the analysis benchmark needs the shared theming data.")
        return 0
    builders = {"quality": lambda: quality_section(args)[0], "assist": lambda: assist_section(args),
                "scale": lambda: _scale_section(args)}
    for part in args.only.split(","):
        if part not in builders:
            parser.error(f"unknown part {part!r}: choose from {', '.join(builders)}")
        start, end = marks(part)
        section = "\n".join([start, builders[part](), end, ""])
        print(section, flush=True)
        if not args.no_write:
            write_results(section, start, end)
    return 0


if __name__ == "__main__":
    sys.exit(main())
