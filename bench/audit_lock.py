"""What the global audit lock costs: concurrent audited writes on PostgreSQL.

    make bench                                   # runs this when BENCH_POSTGRES_URL is set
    BENCH_POSTGRES_URL=postgresql+psycopg://postgres@127.0.0.1:5432/korero_bench \\
        .venv/bin/python -m bench.audit_lock --per-worker 300

Every audit append takes one PostgreSQL advisory lock (app/privacy/audit.py), so appends from
all workers queue one behind another: two must never chain onto the same previous row. With W
concurrent writers (threads, each its own connection, one transaction per event, committed as a
view would), three runs are compared:

- plain: one INSERT of a row of similar size into a scratch table, no audit at all;
- audited, no lock: record_event with the advisory lock skipped (its chain forks: a yardstick
  only, never how the app runs);
- audited: record_event as the app runs it (lock, HMAC seal, personal-detail row, checkpoint
  line after the commit).

The database's public schema is DROPPED and re-created: point it at a database of its own.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.orm import sessionmaker

from bench.run import machine, write_results

START_MARK = "<!-- bench.audit_lock: start -->"
END_MARK = "<!-- bench.audit_lock: end -->"
WORKERS = (1, 2, 4, 8)


def _reset(url: str) -> None:
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
        conn.execute(text("CREATE TABLE bench_plain (id serial PRIMARY KEY, occurred_at "
                          "timestamptz, action text, detail text, ip text, seal text)"))
    engine.dispose()


def _run(kind: str, factory, workers: int, per_worker: int) -> dict:
    from app.db import Session
    from app.privacy import audit

    latencies: list[float] = []
    lock = threading.Lock()
    start = threading.Barrier(workers + 1)

    def one(i: int) -> None:
        if kind == "plain":
            Session.execute(text("INSERT INTO bench_plain (occurred_at, action, detail, ip, "
                                 "seal) VALUES (now(), 'login.failure', :d, '192.0.2.1', "
                                 ":s)"), {"d": f'{{"n":{i}}}', "s": "0" * 64})
        else:
            audit.record_event(None, "login.failure", actor_email=f"w{i}@example.test",
                               ip="192.0.2.1", detail={"reason": "wrong_password", "n": i})

    def worker() -> None:
        mine = []
        start.wait()
        for i in range(per_worker):
            session = factory()
            Session.registry.set(session)
            began = time.perf_counter()
            try:
                one(i)
                session.commit()
            finally:
                session.close()
                Session.registry.clear()
            mine.append(time.perf_counter() - began)
        with lock:
            latencies.extend(mine)

    saved = audit.is_postgres
    if kind == "audited, no lock":
        audit.is_postgres = lambda _session: False  # skips only the advisory lock
    threads = [threading.Thread(target=worker) for _ in range(workers)]
    for thread in threads:
        thread.start()
    start.wait()
    began = time.perf_counter()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - began
    audit.is_postgres = saved
    latencies.sort()
    return {"kind": kind, "workers": workers, "count": len(latencies), "seconds": seconds,
            "rate": len(latencies) / seconds,
            "p50": statistics.median(latencies) * 1000,
            "p99": latencies[int(len(latencies) * 0.99) - 1] * 1000}


def render(results: list[dict], per_worker: int, command: str, load: str) -> str:
    info = machine()
    by = {(r["kind"], r["workers"]): r for r in results}
    lines = [
        START_MARK,
        ("## The global audit lock under concurrent audited writes on PostgreSQL "
        "(`bench/audit_lock.py`)"),
        "",
        f"- Command: `{command}`",
        f"- Date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC",
        (f"- Machine: {info['cores']} cores, {info['cpu']}, {info['system']}, "
        f"Python {info['python']}; load average {load} before the run"),
        (f"- Load: W threads, each with its own connection, {per_worker} transactions each, one "
        "event per transaction, committed; PostgreSQL on the same machine."),
        "",
        ("| writers | plain insert /s | audited, no lock /s | audited /s | audited p50 ms | "
        "audited p99 ms | lock's cost (vs. no lock) |"),
        "|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for workers in sorted({r["workers"] for r in results}):
        plain, free, locked = (by[(k, workers)] for k in ("plain", "audited, no lock",
                                                           "audited"))
        cost = 1 - locked["rate"] / free["rate"] if free["rate"] else 0.0
        lines.append(f"| {workers} | {plain['rate']:.0f} | {free['rate']:.0f} | "
                     f"{locked['rate']:.0f} | {locked['p50']:.1f} | {locked['p99']:.1f} | "
                     f"{cost:+.0%} |")
    lines += [
        "",
        ("\"Audited, no lock\" forks the chain and is shown only as a yardstick. The lock is held "
        "from the append to the commit, so audited writes are serial: their rate stays flat as "
        "writers are added, while each waits longer (p99). A negative cost means the lock made no "
        "measurable difference at that concurrency (noise)."),
    ]
    if float(load.split()[0]) > (info["cores"] or 1):
        lines.append("The machine was busy (load above its core count: other work ran beside "
                     "the benchmark): compare the columns with each other, not the absolute "
                     "figures with other runs.")
    lines.append(END_MARK)
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default=os.environ.get("BENCH_POSTGRES_URL", ""))
    parser.add_argument("--per-worker", type=int, default=200)
    parser.add_argument("--no-write", action="store_true", help="print, leave RESULTS.md")
    args = parser.parse_args(argv)
    if not args.url.startswith("postgresql"):
        print("bench.audit_lock: set BENCH_POSTGRES_URL (a PostgreSQL database of its own; "
              "its public schema is dropped) to measure the audit lock. Skipped.")
        return 0
    load = " ".join(Path("/proc/loadavg").read_text().split()[:3])
    _reset(args.url)
    os.environ["KORERO_INSTANCE_PATH"] = tempfile.mkdtemp(prefix="korero-bench-audit-")
    os.environ["DATABASE_URL"] = args.url
    from app import create_app
    from app.migrate import upgrade

    upgrade(args.url)
    app = create_app()
    factory = sessionmaker(bind=app.extensions["korero_engine"], expire_on_commit=False)
    results = []
    with app.app_context():
        for workers in WORKERS:
            for kind in ("plain", "audited, no lock", "audited"):
                result = _run(kind, factory, workers, args.per_worker)
                print(f"{kind:>17} x{workers}: {result['rate']:7.0f}/s  "
                      f"p50 {result['p50']:6.1f} ms  p99 {result['p99']:6.1f} ms")
                results.append(result)
    command = "BENCH_POSTGRES_URL=… make bench (step: python -m bench.audit_lock " \
              f"--per-worker {args.per_worker})"
    section = render(results, args.per_worker, command, load)
    if args.no_write:
        print(section)
    else:
        write_results(section, START_MARK, END_MARK)
        print("Wrote bench/RESULTS.md")
    return 0


if __name__ == "__main__":
    sys.exit(main())
