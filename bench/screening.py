"""Screening and campaign detection over N stored submissions, each timed on its own.

    .venv/bin/python -m bench.screening --submissions 300000 [--keep DIR] [--profile FILE]

Seeds a fresh SQLite instance (`seed-demo --submissions N`: the demo consultation plus N
synthetic submissions, recorded as items), keeps a pristine copy, and then measures, in a
child process on a copy of it so every run starts from the same state:

- screening every submission (`submissions.screening.screen_all`, what the sweeper and the
  re-screen do in batches);
- campaign detection over the demo consultation's submission answers (`detect_campaigns`,
  source `submission_answer`), including writing the campaigns and every member's row.

Each is reported as wall seconds and CPU seconds (the process's own plus any worker
processes'): the machine is shared, so the wall figures move with the load average while the
CPU seconds say what the work itself costs. `--keep DIR` reuses (or creates) the seeded
instance in DIR, so later runs skip the seeding. `--profile FILE` writes cProfile statistics
of both steps to FILE.{screening,detection}.prof. The results go to stdout as JSON; the
figures in bench/RESULTS.md are written by hand from it (with the load average).
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.intake import prepare, seed_stored
from bench.run import BIN, ROOT, machine


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _timed(step, profile: str | None, name: str):
    """(result, wall seconds, CPU seconds of this process and its finished children)."""
    import cProfile

    # CPU time, not wall time: the shared machine's load would otherwise blur the profile.
    profiler = cProfile.Profile(time.process_time) if profile else None
    wall, cpu, children = time.perf_counter(), time.process_time(), _children_cpu()
    if profiler:
        profiler.enable()
    result = step()
    if profiler:
        profiler.disable()
        profiler.dump_stats(f"{profile}.{name}.prof")
    return (result, time.perf_counter() - wall,
            time.process_time() - cpu + _children_cpu() - children)


def measure_child() -> None:
    """(Run in a subprocess with the instance's env.) Screen, then detect; print JSON."""
    from sqlalchemy import func, select

    from app import create_app
    from app.corpus.campaigns import detect_campaigns
    from app.corpus.models import FeedbackItem
    from app.db import Session
    from submissions.recording import SOURCE
    from submissions.screening import screen_all

    profile = os.environ.get("BENCH_PROFILE") or None
    with create_app().app_context():
        def screening():
            counts = screen_all()
            Session.commit()
            return counts

        screened, screen_wall, screen_cpu = _timed(screening, profile, "screening")
        consultation_id = Session.scalar(select(FeedbackItem.consultation_id).where(
            FeedbackItem.source == SOURCE).group_by(FeedbackItem.consultation_id)
            .order_by(func.count().desc()).limit(1))

        def detection():
            result = detect_campaigns(consultation_id, source=SOURCE, similarity=0.6)
            Session.commit()
            return result

        found, detect_wall, detect_cpu = _timed(detection, profile, "detection")
        print(json.dumps({
            "submissions": screened[0], "flagged": screened[1],
            "screening_seconds": round(screen_wall, 1), "screening_cpu": round(screen_cpu, 1),
            "detection_seconds": round(detect_wall, 1), "detection_cpu": round(detect_cpu, 1),
            **{k: v for k, v in found.summary().items() if k != "seconds"},
            "total_seconds": round(screen_wall + detect_wall, 1),
            "total_cpu": round(screen_cpu + detect_cpu, 1)}))


def _copy_instance(pristine: Path, target: Path) -> None:
    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(pristine, target, ignore=shutil.ignore_patterns("korero.sqlite3*"))
    with sqlite3.connect(pristine / "korero.sqlite3") as source, \
            sqlite3.connect(target / "korero.sqlite3") as copy:
        source.backup(copy)  # a consistent copy, WAL included


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--submissions", type=int, default=300_000)
    parser.add_argument("--keep", type=Path, help="reuse (or create) the seeded instance here")
    parser.add_argument("--profile", help="write cProfile stats to PROFILE.<step>.prof")
    parser.add_argument("--runs", type=int, default=1)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="korero-screening-") as tmp:
        base = args.keep or Path(tmp)
        pristine = base / f"pristine-{args.submissions}"
        marker = pristine / "seeded"
        env = None
        if not marker.exists():
            if pristine.exists():
                shutil.rmtree(pristine)
            env = prepare(pristine)
            seconds = seed_stored(env, args.submissions)
            marker.write_text(f"{seconds:.0f}\n")
            print(f"seed-demo --submissions {args.submissions}: {seconds:.0f} s",
                  file=sys.stderr)
        run = base / f"run-{os.getpid()}"  # concurrent runs on one --keep do not collide
        for _ in range(args.runs):
            _copy_instance(pristine, run)
            env = {**os.environ, "KORERO_INSTANCE_PATH": str(run), "KORERO_ENV": "development",
                   "LOG_LEVEL": "WARNING", "RATELIMIT_ENABLED": "0",
                   "BENCH_PROFILE": args.profile or ""}
            env.pop("DATABASE_URL", None)
            env.pop("REDIS_URL", None)
            load_before = machine()["load"]
            out = subprocess.run(
                [str(BIN / "python"), "-c",
                 "from bench.screening import measure_child; measure_child()"],
                cwd=ROOT, env=env, check=True, capture_output=True, text=True).stdout
            result = json.loads(out.strip().splitlines()[-1])
            result["load_before"], result["load_after"] = load_before, machine()["load"]
            print(json.dumps(result))
        shutil.rmtree(run, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
