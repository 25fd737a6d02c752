"""The scale part of bench/analysis.py: candidate themes for 300,000 synthetic responses made
from the NHS comments, a full discovery and a sampled preview, each in a child process (its
peak memory is its own). Run through `python -m bench.analysis --only scale`."""
from __future__ import annotations

import os
import random
import re
import time
from datetime import UTC, datetime

from bench.analysis import in_child, load_rows, peak_mb
from bench.run import machine

SENTENCE = re.compile(r"(?<=[.!?])\s+")
OPENERS = ["", "", "", "Overall, ", "To be honest, ", "I think ", "Just to say, ", "Also, "]


def synthetic_responses(count: int, seed: int = 0) -> list[str]:
    """Responses made from the NHS comments: each takes one to three sentences from random
    comments, sometimes opens with a filler phrase, drops a word now and then (one word in
    twenty) and changes case; one in ten is an exact copy of an earlier response (as campaign
    copies are)."""
    rng = random.Random(seed)
    sentences = [s.strip() for r in load_rows() for s in SENTENCE.split(r["feedback"])
                 if len(s.strip()) > 3]
    responses: list[str] = []
    for _ in range(count):
        if responses and rng.random() < 0.1:
            responses.append(rng.choice(responses))
            continue
        parts = [rng.choice(sentences) for _ in range(rng.choice((1, 1, 2, 3)))]
        words = [w for w in " ".join(parts).split() if rng.random() > 0.05] or parts[0].split()
        text = rng.choice(OPENERS) + " ".join(words)
        responses.append(text.lower() if rng.random() < 0.1 else text)
    return responses


def scale_for(count: int, sample: int | None) -> dict:
    from app.analysis.engine import DEFAULT_METHOD, Doc, discover, preview

    started = time.perf_counter()
    texts = synthetic_responses(count)
    docs = [Doc(i, t, i % 3 != 0) for i, t in enumerate(texts)]
    made = time.perf_counter() - started
    marks: list[tuple[float, str]] = []
    clock = time.perf_counter()

    def progress(fraction: float, message: str) -> None:
        marks.append((time.perf_counter() - clock, message))

    if sample:
        result = preview(docs, method=DEFAULT_METHOD, seed=0, sample=sample, progress=progress)
    else:
        result = discover(docs, method=DEFAULT_METHOD, seed=0, progress=progress)
    return {"count": count, "sample": sample, "make_s": made, "seconds": result.seconds,
            "method": result.method, "themes": len(result.themes), "stats": result.stats,
            "peak_mb": peak_mb(), "quotes": sum(len(t.quote_keys) for t in result.themes)}


def scale_section(args) -> str:
    threads = os.environ.get("KORERO_THEME_THREADS", "1 (the default)")
    load_before = machine()["load"]
    full = in_child(scale_for, args.scale_items, None)
    load_middle = machine()["load"]
    quick = in_child(scale_for, args.scale_items, args.preview_sample)
    info = machine()
    stats = full["stats"]
    met = full["seconds"] <= 600 and full["peak_mb"] <= 4096
    lines = [
        "## Analysis: candidate themes for 300,000 responses (`bench/analysis.py`)", "",
        (f"- Command: `.venv/bin/python -m bench.analysis --only scale --scale-items "
        f"{args.scale_items} --preview-sample {args.preview_sample}` (part of `make bench`)"),
        (f"- Date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC; machine: {info['cores']} cores, "
        f"{info['cpu']}; load average {load_before} before, {load_middle} between, "
        f"{info['load']} after: the machine is shared with other engineers, so these are "
        f"slower than on an idle machine. Threads: {threads}."),
        (f"- Data: {args.scale_items:,} synthetic responses recombined from the NHS comments "
        "(`synthetic_responses`: one to three random sentences of random comments, a filler "
        "opening now and then, one word in twenty dropped, one in ten lower-cased, one in ten "
        "an exact copy of an earlier response), made in "
        f"{full['make_s']:.0f} s (not counted)."),
        "",
        ("| run | method used | distinct texts | themes | embed s | cluster s | label s "
        "| total s | peak MB |"),
        "|---|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for name, r in (("full", full), (f"preview ({args.preview_sample:,} sample)", quick)):
        s = r["stats"]
        lines.append(
            f"| {name} | `{r['method']}` | {int(s['distinct']):,} | {r['themes']} "
            f"| {s['embed_seconds']:.0f} | {s['cluster_seconds']:.0f} | {s['label_seconds']:.0f} "
            f"| {r['seconds']:.0f} | {r['peak_mb']:.0f} |")
    lines += [
        "",
        (f"Full run {full['seconds']:.0f} s and {full['peak_mb']:.0f} MB peak (targets ≤ 600 s, "
        f"≤ 4,096 MB): {'met' if met else 'NOT met'}; preview {quick['seconds']:.0f} s (target "
        f"≤ 60 s): {'met' if quick['seconds'] <= 60 else 'NOT met'}. "
        f"{int(stats['distinct']):,} distinct of {args.scale_items:,}."),
        "",
    ]
    return "\n".join(lines)


