"""Reports benchmark: a themed report over 300,000 items, the 300,000-row item CSV streamed,
and the PDF of a 50-page report, in one process on a fresh SQLite database (the default
deployment), beside a bare Flask endpoint measured in the same run. Targets (DESIGN.md): the
themed report built in ≤ 3 s; the CSV streamed in ≤ 15 s with flat memory.

    .venv/bin/python -m bench.reports --items 300000

Figures go to bench/RESULTS.md between the bench.reports markers.
"""
from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
import tracemalloc
from datetime import UTC, datetime
from pathlib import Path

from bench.run import machine, write_results

START_MARK = "<!-- bench.reports: start -->"
END_MARK = "<!-- bench.reports: end -->"
GROUPS = ("ngo", "iwi_maori", "pasifika", "government", "other", None)
STANCES = ("supports", "opposes", "mixed", "unclear", None)
WORDS = ("whānau", "consent", "provider", "data", "privacy", "trust", "share", "agency",
         "client", "safe", "records", "iwi", "community", "funding", "outcomes")


def _app(instance: Path):
    os.environ.update(KORERO_INSTANCE_PATH=str(instance), KORERO_ENV="development",
                      LOG_LEVEL="WARNING", RATELIMIT_ENABLED="0")
    os.environ.pop("DATABASE_URL", None)
    from app import create_app
    from app.migrate import upgrade

    app = create_app()
    upgrade(app.config["DATABASE_URL"])
    return app


def _fill(items: int, themes: int, seed: int = 7) -> tuple[int, list[int]]:
    """A consultation with ITEMS feedback items (most quotable, some withdrawn, a few
    campaigns) coded to THEMES themes, inserted in bulk."""
    from sqlalchemy import insert, text

    from app.analysis.models import Codebook, Coding, Theme
    from app.corpus.models import FeedbackCampaign, FeedbackItem
    from app.db import Session, utcnow
    from app.models import Consultation

    rng = random.Random(seed)
    now = utcnow()
    consultation = Consultation(slug="bench-reports", title="Benchmark consultation",
                                status="open", opens_at=now, closes_at=now)
    Session.add(consultation)
    Session.flush()
    codebook = Codebook(consultation_id=consultation.id, version=1, updated_at=now)
    Session.add(codebook)
    Session.flush()
    theme_rows = [Theme(codebook_id=codebook.id, name=f"Theme {n}: {rng.choice(WORDS)}",
                        description=f"What people said about {rng.choice(WORDS)}.",
                        position=n) for n in range(themes)]
    Session.add_all(theme_rows)
    campaign = FeedbackCampaign(consultation_id=consultation.id, question_key="q1",
                                template_text="We support the proposal.", member_count=0)
    Session.add(campaign)
    Session.flush()
    theme_ids = [t.id for t in theme_rows]
    texts = [" ".join(rng.choices(WORDS, k=18)) for _ in range(2000)]
    batch = []
    for n in range(items):
        batch.append({
            "consultation_id": consultation.id, "source": "imported_row",
            "source_id": f"bench-{n}", "text": texts[n % len(texts)],
            "stakeholder_group": rng.choice(GROUPS), "question_key": f"q{n % 5}",
            "created_at": now, "updated_at": now, "consent_analysis": n % 50 != 0,
            "consent_quote": "anonymous" if n % 7 else "none",
            "consent_publish": "public" if n % 3 else "working_group", "consent_version": 1,
            "campaign_id": campaign.id if n % 100 == 1 else None})
        if len(batch) == 20_000:
            Session.execute(insert(FeedbackItem), batch)
            batch = []
    if batch:
        Session.execute(insert(FeedbackItem), batch)
    first = Session.query(FeedbackItem.id).order_by(FeedbackItem.id).first()[0]
    codings = []
    for item_id in range(first, first + items):
        for theme_id in rng.sample(theme_ids, k=1 + (item_id % 3 == 0)):
            codings.append({"item_id": item_id, "theme_id": theme_id,
                            "stance": rng.choice(STANCES), "origin": "analyst",
                            "status": "applied", "created_at": now})
        if len(codings) >= 20_000:
            Session.execute(insert(Coding), codings)
            codings = []
    if codings:
        Session.execute(insert(Coding), codings)
    Session.commit()
    Session.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))  # as a running site would have
    Session.execute(text("ANALYZE"))
    return consultation.id, theme_ids


def _bare_flask_seconds(app, requests: int = 2000) -> float:
    """Seconds per request of a bare Flask endpoint through the test client, same process."""
    from flask import Flask

    bare = Flask("bare")
    bare.add_url_rule("/", "hello", lambda: "Hello")
    client = bare.test_client()
    started = time.perf_counter()
    for _ in range(requests):
        client.get("/")
    return (time.perf_counter() - started) / requests


def _report(consultation_id: int, audience: str, title: str):
    from app.db import Session
    from app.models import Consultation
    from app.reports.filters import ReportFilters
    from app.reports.operations import create_report

    report = create_report(None, Session.get(Consultation, consultation_id),
                           title=title, audience=audience, filters=ReportFilters())
    Session.commit()
    return report


def run(items: int, themes: int) -> dict:
    with tempfile.TemporaryDirectory(prefix="korero-bench-reports-") as folder:
        app = _app(Path(folder))
        with app.test_request_context():
            return _measure(app, items, themes)


def _measure(app, items: int, themes: int) -> dict:
    from app.db import Session
    from app.reports.builder import build_content
    from app.reports.exports import export_content
    from app.reports.operations import build_report

    figures: dict = {"items": items, "themes": themes}
    started = time.perf_counter()
    consultation_id, _ = _fill(items, themes)
    figures["fill_s"] = time.perf_counter() - started
    report = _report(consultation_id, "working_group", "Benchmark report")
    started = time.perf_counter()
    build_content(report)  # the themed report: every count, quote and table (first run)
    figures["report_cold_s"] = time.perf_counter() - started
    started, cpu = time.perf_counter(), time.process_time()
    build_content(report)  # again, with the database in the page cache
    figures["report_s"] = time.perf_counter() - started
    figures["report_cpu_s"] = time.process_time() - cpu
    from app.analysis import queries

    started = time.perf_counter()
    queries.method_notes(consultation_id)  # analysis's query, part of the figure above
    figures["method_s"] = time.perf_counter() - started
    queries._FIGURES.clear()  # as a fresh worker would: the coding figures computed again
    started = time.perf_counter()
    queries.method_notes(consultation_id)
    figures["method_cold_s"] = time.perf_counter() - started
    figures.update(_after_new_coding(report, consultation_id))
    build = build_report(None, report)
    Session.commit()
    figures.update(_current_check(build))
    started, cpu = time.perf_counter(), time.process_time()
    rows = sum(chunk.count("\r\n") for chunk in export_content(report, build, "csv")[0]) - 1
    figures["csv_s"], figures["csv_rows"] = time.perf_counter() - started, rows
    figures["csv_cpu_s"] = time.process_time() - cpu
    tracemalloc.start()
    for _chunk in export_content(report, build, "csv")[0]:
        pass
    figures["csv_peak_mb"] = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    figures.update(_pdf(build, report))
    figures["bare_ms"] = _bare_flask_seconds(app) * 1000
    return figures


def _after_new_coding(report, consultation_id: int) -> dict:
    """The build again after an analyst codes one more item (committed): the coding stamp
    has moved, so the method notes' figures are computed afresh."""
    from sqlalchemy import select

    from app.analysis.models import Codebook, Coding, Theme
    from app.corpus.models import FeedbackItem
    from app.db import Session
    from app.reports.builder import build_content

    theme_id = Session.scalar(select(Theme.id).join(Codebook).where(
        Codebook.consultation_id == consultation_id).order_by(Theme.id).limit(1))
    item_id = Session.scalar(select(FeedbackItem.id).where(
        FeedbackItem.consultation_id == consultation_id).order_by(FeedbackItem.id.desc())
        .limit(1))
    Session.add(Coding(item_id=item_id, theme_id=theme_id, stance="mixed"))
    Session.commit()
    started, cpu = time.perf_counter(), time.process_time()
    build_content(report)
    return {"report_recoded_s": time.perf_counter() - started,
            "report_recoded_cpu_s": time.process_time() - cpu}


def _current_check(build) -> dict:
    """The public page's per-view check that its build is current: the first after the build
    (the consent digest cached by the build), then with the cache emptied (a fresh worker)."""
    from app.reports import builder
    from app.reports.operations import is_current

    started = time.perf_counter()
    assert is_current(build)
    cached = time.perf_counter() - started
    builder._DIGESTS.clear()
    started = time.perf_counter()
    assert is_current(build)
    return {"current_cached_ms": cached * 1000,
            "current_cold_ms": (time.perf_counter() - started) * 1000}


def _pdf(build, report) -> dict:
    """The PDF of a long report: the build's content with its themes repeated until the
    document runs to about 50 pages (quotes and tables as a real report has them)."""
    import copy
    import io

    from pypdf import PdfReader

    from app.reports.exports import document

    data = copy.deepcopy(build.data)
    themes = data["themes"]
    for theme in themes:
        theme["quotes"] = theme["quotes"] or [{"item": 0, "text": " ".join(WORDS * 3),
                                              "attribution": None}]
    data["themes"] = (themes * (40 // max(len(themes), 1) + 1))[:40]
    started = time.perf_counter()
    pdf = document.pdf_bytes(report, build, data)
    seconds = time.perf_counter() - started
    return {"pdf_s": seconds, "pdf_pages": len(PdfReader(io.BytesIO(pdf)).pages)}


def render(figures: dict, command: str, load_before: str) -> str:
    info = machine()
    bare = figures["bare_ms"]
    return "\n".join([
        START_MARK,
        "## Reports (bench/reports.py)",
        "",
        (f"Run {datetime.now(UTC):%Y-%m-%d %H:%M} UTC: `{command}`. Machine: {info['cores']} "
        f"cores ({info['cpu']}), Python {info['python']}, {info['system']}; load average "
        f"{load_before} before, {info['load']} after. The machine is shared with other "
        "engineers' builds and tests, so these figures are pessimistic."),
        "",
        (f"One process, fresh SQLite database (WAL), {figures['items']:,} feedback items coded "
        f"to {figures['themes']} themes (about 1.3 codings per item; 1 in 50 withdrawn; 1 in "
        f"100 in a campaign); inserting them took {figures['fill_s']:.1f} s."),
        "",
        "| what | figure | target | bare Flask request (same run) |",
        "|---|---|---|---|",
        (f"| themed report built, first run (counts, suppression, RR3, quotes, method "
         f"notes) | {figures['report_cold_s']:.2f} s | ≤ 3 s | |"),
        (f"| themed report built again (database in the page cache) | "
         f"{figures['report_s']:.2f} s ({figures['report_cpu_s']:.2f} s of CPU) | ≤ 3 s | "
         f"{bare:.3f} ms: the build costs {figures['report_s'] * 1000 / bare:,.0f} bare "
         "requests |"),
        (f"| of which analysis's `method_notes` (coding figures cached under the coding "
         f"stamp) | {figures['method_s']:.2f} s (computed afresh, as by a new worker: "
         f"{figures['method_cold_s']:.2f} s) | | |"),
        (f"| the report again after one more item is coded (the coding stamp has moved: "
         f"figures computed afresh) | {figures['report_recoded_s']:.2f} s "
         f"({figures['report_recoded_cpu_s']:.2f} s of CPU) | ≤ 3 s | |"),
        (f"| public page's check that its build is current (per view; consent digest cached) "
         f"| {figures['current_cached_ms']:.0f} ms (uncached: "
         f"{figures['current_cold_ms']:.0f} ms) | | |"),
        (f"| item CSV streamed ({figures['csv_rows']:,} rows) | {figures['csv_s']:.2f} s "
        f"({figures['csv_rows'] / figures['csv_s']:,.0f} rows/s; "
        f"{figures['csv_cpu_s']:.1f} s of CPU) | ≤ 15 s | "
        f"{figures['csv_s'] * 1000 / figures['csv_rows'] / bare:.2f} bare requests per row |"),
        (f"| CSV peak Python memory (tracemalloc, second pass) | "
        f"{figures['csv_peak_mb']:.1f} MB | flat | |"),
        (f"| PDF (WeasyPrint) of a {figures['pdf_pages']}-page report | "
        f"{figures['pdf_s']:.1f} s | | |"),
        "",
        ("Before branch `reportspeed` (run 2026-11-28 13:43 UTC, load average 1.86-4.47): "
         "report built again 3.35 s (3.31 s of CPU), of which `method_notes` 1.14 s; "
         "closed-question counts were added to the build after that run. What changed: two "
         "covering indexes (migration reports_0002: `ix_feedback_item_report` on feedback_item "
         "(consultation, countable, campaign, source, group, governing group) and "
         "`ix_coding_item_status_theme` on coding (item, status, theme, stance, origin)) let "
         "participation and the countable total read index pages only, and let the per-theme "
         "counts walk each countable item's codings in index order with no per-item sort; the "
         "closed-question counts start from the choices; the method notes' coded-item counts "
         "and agreement figures are cached under `codebook.coding_stamp`, which database "
         "triggers (migration analysis_0005) move with every coding, theme or countability "
         "change. Earlier, branch `reportsperf` took the build from 32.41 s (7.04 s of CPU) "
         "at load 5-9 to the figures above."),
        END_MARK,
        "",
    ])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=300_000)
    parser.add_argument("--themes", type=int, default=12)
    parser.add_argument("--no-write", action="store_true", help="print, do not write")
    args = parser.parse_args(argv)
    load_before = " ".join(f"{n:.2f}" for n in os.getloadavg())
    figures = run(args.items, args.themes)
    command = f".venv/bin/python -m bench.reports --items {args.items} --themes {args.themes}"
    section = render(figures, command, load_before)
    print(section)
    if not args.no_write:
        write_results(section, START_MARK, END_MARK)
    return 0


if __name__ == "__main__":
    sys.exit(main())
