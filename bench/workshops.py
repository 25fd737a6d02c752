"""Bookings per second over HTTP, with many signed-in clients booking a few workshops at once,
then the count check: never more confirmed bookings than places, and every booking the server
acknowledged is stored.

    make bench                      # runs this as its third step
    .venv/bin/python -m bench.workshops --clients 16 --people 600 --workshops 3

Served as `make run` serves it: gunicorn with gunicorn.conf.py and WEB_CONCURRENCY (2) sync
workers beside the job worker (`flask jobs worker`, which makes and sends the booking emails),
on a fresh seeded SQLite database (WAL), rate limits off, mail written to the instance outbox. PEOPLE participant accounts are added and signed in by a session cookie made with the
app's key (the sign-in form is bench/signins.py's subject, not this one). Each client first
opens the booking form of each of its people (for the CSRF token), then, all together, posts
them: only the POSTs are timed. A bare Flask endpoint (bench/hello.py) is measured in the same
run with the same number of clients, and the ratio is reported. Figures go to bench/RESULTS.md.
"""
from __future__ import annotations

import argparse
import http.client
import json
import re
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

from bench.run import (
    BIN,
    ROOT,
    free_port,
    machine,
    measure,
    prepare_instance,
    stop,
    wait_until_up,
    write_results,
)

START_MARK = "<!-- bench.workshops: start -->"
END_MARK = "<!-- bench.workshops: end -->"
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')

SETUP = r"""
import json, sys, time
from datetime import timedelta
from app import create_app
from app.db import Session, utcnow
from app.models import User, UserRole
from app.queries import get_current_consultation
from workshops.models import Workshop
people, workshops, capacity = (int(v) for v in sys.argv[1:4])
app = create_app()
with app.app_context():
    consultation = get_current_consultation()
    start = utcnow() + timedelta(days=5)
    made = []
    for n in range(workshops):
        w = Workshop(consultation_id=consultation.id, title=f"Bench hui {n}", format="online",
                     meeting_link="https://meet.example.test/bench", starts_at=start,
                     ends_at=start + timedelta(hours=2), capacity=capacity,
                     booking_deadline_at=start - timedelta(hours=1), status="published")
        Session.add(w)
        made.append(w)
    users = [User(email=f"bench{n}@bench.example.test", display_name=f"Bench {n}",
                  role_rows=[UserRole(role="participant")]) for n in range(people)]
    Session.add_all(users)
    Session.commit()
    signer = app.session_interface.get_signing_serializer(app)
    cookie = app.config["SESSION_COOKIE_NAME"]
    print(json.dumps({
        "workshops": [w.id for w in made],
        "people": [[u.id, cookie + "=" + signer.dumps({"_user_id": f"{u.id}:{u.session_version}",
                    "_fresh": True, "last_active": time.time()})] for u in users]}))
"""


def _cookies(response, cookie: str) -> str:
    jar = dict(part.split("=", 1) for part in cookie.split("; ") if "=" in part)
    for name, value in response.getheaders():
        if name.lower() == "set-cookie":
            key, _, rest = value.split(";", 1)[0].partition("=")
            jar[key] = rest
    return "; ".join(f"{k}={v}" for k, v in jar.items())


def start_like_make_run(port: int, workers: int, env: dict) -> list[subprocess.Popen]:
    """gunicorn and the job worker, as app/serve.py starts them."""
    command = [str(BIN / "gunicorn"), "-c", "gunicorn.conf.py", "--workers", str(workers),
               "--bind", f"127.0.0.1:{port}", "--access-logfile", "-", "app:create_app()"]
    worker = [str(BIN / "flask"), "--app", "app", "jobs", "worker"]
    return [subprocess.Popen(cmd, cwd=ROOT, env=env, start_new_session=True,
                             stdout=subprocess.DEVNULL) for cmd in (command, worker)]


def prepare_forms(port: int, jobs: list) -> list:
    """(path, cookie, token) for each (workshop, person): GET the booking form once."""
    prepared = []
    for workshop_id, (_user_id, cookie) in jobs:
        path = f"/workshops/{workshop_id}/book"
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        conn.request("GET", path, headers={"Cookie": cookie})
        response = conn.getresponse()
        html = response.read().decode()
        conn.close()
        if response.status != 200:
            raise RuntimeError(f"GET {path} answered {response.status}")
        prepared.append((path, _cookies(response, cookie), CSRF.search(html).group(1)))
    return prepared


def post_all(port: int, prepared: list, results: list, start: threading.Barrier) -> None:
    start.wait()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    for path, cookie, token in prepared:
        body = urllib.parse.urlencode({"csrf_token": token})
        began = time.perf_counter()
        try:
            conn.request("POST", path, body, {
                "Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie})
            response = conn.getresponse()
            response.read()
            ok = response.status == 302 and response.getheader("Location", "").endswith(
                path.removesuffix("/book"))
        except OSError:
            ok = False
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        results.append((ok, path, cookie, time.perf_counter() - began))
    conn.close()


def count_check(database: Path, workshop_ids: list[int], capacity: int, acknowledged: int):
    with sqlite3.connect(database) as db:
        rows = db.execute(
            "SELECT workshop_id, status, COUNT(*) FROM workshop_booking WHERE workshop_id IN "
            f"({','.join('?' * len(workshop_ids))}) GROUP BY workshop_id, status",
            workshop_ids).fetchall()
    confirmed = {w: 0 for w in workshop_ids}
    stored = 0
    for workshop_id, status, count in rows:
        stored += count
        if status == "confirmed":
            confirmed[workshop_id] = count
    over = {w: n for w, n in confirmed.items() if n > capacity}
    return {"stored": stored, "acknowledged": acknowledged, "confirmed": confirmed,
            "over_capacity": over, "ok": not over and stored == acknowledged}


def email_jobs(database: Path) -> dict:
    """How far the job worker got with the booking emails by the end of the run."""
    with sqlite3.connect(database) as db:
        return dict(db.execute("SELECT status, COUNT(*) FROM job WHERE kind = "
                               "'workshops.send_notices' GROUP BY status").fetchall())


def render(args, rate, latencies, hello, check, statuses, command, load_before) -> str:
    info = machine()
    ordered = sorted(latencies)
    p99 = ordered[max(0, int(len(ordered) * 0.99) - 1)]
    return "\n".join([
        START_MARK,
        "## Workshop bookings over HTTP against bare Flask (`bench/workshops.py`)",
        "",
        f"- Command: `{command}`",
        f"- Date: {datetime.now(UTC):%Y-%m-%d %H:%M UTC}",
        (f"- Machine: {info['cores']} cores, {info['cpu']}, {info['system']}, "
         f"Python {info['python']}; load average {load_before} before the run"),
        (f"- Server: as `make run` serves it: gunicorn -c gunicorn.conf.py, {args.workers} sync "
         "workers and the job worker, SQLite (WAL) seeded with the demo, rate limits off; "
         "each booking queues a job that makes its confirmation or waitlist email (with its "
         ".ics) and writes it to the instance outbox."),
        (f"- Load: {args.clients} concurrent signed-in clients (Python http.client, keep-alive) "
         f"booking {args.workshops} workshops of {args.capacity} places for {args.people} "
         "people; each booking is one POST of the booking form (CSRF checked), "
         "timed from the first POST to the last. The bare Flask hello is measured with the "
         "same number of clients in the same run."),
        "",
        "| target | per second | p50 ms | p99 ms | errors | ratio to bare Flask |",
        "|---|---:|---:|---:|---:|---:|",
        (f"| bare Flask hello (`GET /`) | {hello.rate:.0f} | {hello.p50_ms:.1f} | {hello.p99_ms:.1f} "
         f"| {hello.errors} | 100% |"),
        (f"| Kōrero bookings (`POST /workshops/<id>/book`) | {rate:.0f} | "
         f"{1000 * statistics.median(latencies):.1f} | {1000 * p99:.1f} | "
         f"{statuses.get(False, 0)} | {100 * rate / hello.rate:.0f}% |"),
        "",
        (f"Count check: {check['stored']} bookings stored for {check['acknowledged']} "
         f"acknowledged; confirmed per workshop {sorted(check['confirmed'].values())} for "
         f"{args.capacity} places each (never more); "
         f"{'passed' if check['ok'] else 'FAILED'}. Email jobs when the run ended: "
         f"{check.get('email_jobs')}."),
        END_MARK,
    ]) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--people", type=int, default=1200)
    parser.add_argument("--workshops", type=int, default=3)
    parser.add_argument("--capacity", type=int, default=100)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--no-write", action="store_true", help="print only")
    args = parser.parse_args(argv)
    extra = argv if argv is not None else sys.argv[1:]
    command = ("make bench (its third step: python -m bench.workshops)" if not extra
               else "python -m bench.workshops " + " ".join(extra))
    load_before = machine()["load"]
    with tempfile.TemporaryDirectory(prefix="korero-bench-") as tmp:
        instance = Path(tmp) / "instance"
        print(f"Preparing a seeded SQLite database in {tmp} ...")
        env = prepare_instance(instance)
        setup = subprocess.run(
            [str(BIN / "python"), "-c", SETUP, str(args.people), str(args.workshops),
             str(args.capacity)], cwd=ROOT, env=env, check=True, capture_output=True, text=True)
        data = json.loads(setup.stdout.strip().splitlines()[-1])
        jobs = [(data["workshops"][n % len(data["workshops"])], person)
                for n, person in enumerate(data["people"])]
        port, hello_port = free_port(), free_port()
        from bench.run import start_gunicorn

        servers = [*start_like_make_run(port, args.workers, env),
                   start_gunicorn("bench.hello:create_app()", hello_port, args.workers, env)]
        try:
            wait_until_up(port, "/healthz")
            wait_until_up(hello_port, "/")
            print(f"Opening {len(jobs)} booking forms ...")
            shares = [jobs[n::args.clients] for n in range(args.clients)]
            prepared = [prepare_forms(port, share) for share in shares]
            results: list = []
            start = threading.Barrier(args.clients + 1)
            threads = [threading.Thread(target=post_all, args=(port, p, results, start))
                       for p in prepared]
            for thread in threads:
                thread.start()
            start.wait()
            began = time.perf_counter()
            for thread in threads:
                thread.join()
            elapsed = time.perf_counter() - began
            print(f"{len(results)} bookings in {elapsed:.1f} s")
            hello = measure("bare Flask hello", hello_port, "/", 10.0, args.clients, "python")
        finally:
            for server in servers:
                stop(server)
        statuses = Counter(ok for ok, *_ in results)
        check = count_check(instance / "korero.sqlite3", data["workshops"], args.capacity,
                            statuses.get(True, 0))
        check["email_jobs"] = email_jobs(instance / "korero.sqlite3")
    rate = len(results) / elapsed
    latencies = [seconds for *_, seconds in results]
    print(f"  bookings/s {rate:.0f}; bare Flask {hello.rate:.0f} req/s; check {check}")
    if not args.no_write:
        write_results(render(args, rate, latencies, hello, check, statuses, command,
                             load_before), START_MARK, END_MARK)
        print("Wrote bench/RESULTS.md")
    return 0 if check["ok"] and not statuses.get(False) else 1


if __name__ == "__main__":
    raise SystemExit(main())
