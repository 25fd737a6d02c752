"""Forum benchmark: a 50-post thread page for a signed-in participant, served like `make run`
serves it (gunicorn, WEB_CONCURRENCY workers, the seeded demo database), beside the bare Flask
endpoint (bench/hello.py) on an identical server in the same run. Target: the thread page at
≥ 30% of the bare endpoint's requests/s.

    .venv/bin/python -m bench.forum --seconds 10 --clients 8

Figures go to bench/RESULTS.md between the bench.forum markers.
"""
from __future__ import annotations

import argparse
import http.client
import os
import re
import subprocess
import sys
import tempfile
import urllib.parse
from datetime import UTC, datetime
from pathlib import Path

from bench.run import (
    ROOT,
    free_port,
    machine,
    prepare_instance,
    start_gunicorn,
    stop,
    wait_until_up,
    write_results,
)

START_MARK = "<!-- bench.forum: start -->"
END_MARK = "<!-- bench.forum: end -->"
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')

MAKE_THREAD = """
from sqlalchemy import select
from app import create_app
from app.db import Session
from app.models import User
from forums import operations
from forums.models import ForumSpace
app = create_app()
with app.app_context():
    author = Session.scalar(select(User).where(User.email.like('participant@%')))
    other = Session.scalar(select(User).where(User.email.like('analyst@%')))
    space = Session.scalar(select(ForumSpace).where(ForumSpace.kind == 'open'))
    thread = operations.create_thread(other, space, title='Benchmark thread',
                                      body='The **opening** post of a long thread.')
    for n in range(49):
        operations.reply(author if n % 2 else other, thread,
                         body=f'Reply {n}: whānau data, *consent* and [a link](https://example.org).')
    Session.commit()
    print(thread.id)
"""


def _cookie(response) -> str:
    return "; ".join(value.split(";", 1)[0] for name, value in response.getheaders()
                     if name.lower() == "set-cookie")


def sign_in(port: int, email: str, password: str) -> str:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    conn.request("GET", "/account/login")
    page = conn.getresponse()
    html = page.read().decode()
    cookie = _cookie(page)
    body = urllib.parse.urlencode({"email": email, "password": password,
                                   "csrf_token": CSRF.search(html).group(1)})
    conn.request("POST", "/account/login", body, {
        "Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie})
    answer = conn.getresponse()
    answer.read()
    if answer.status != 302:
        raise RuntimeError(f"could not sign in as {email}: {answer.status}")
    return _cookie(answer) or cookie


def _ms(value: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s)", value).groups()
    return float(number) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def wrk(port: int, path: str, seconds: int, clients: int, cookie: str = "") -> dict:
    command = ["wrk", "--latency", "-t", str(min(clients, 2)), "-c", str(clients),
               "-d", f"{seconds}s"]
    if cookie:
        command += ["-H", f"Cookie: {cookie}"]
    output = subprocess.run([*command, f"http://127.0.0.1:{port}{path}"], check=True,
                            capture_output=True, text=True).stdout
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    return {"rate": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),
            "p50": _ms(re.search(r"50%\s+([\d.]+(?:us|ms|s))", output).group(1)),
            "p99": _ms(re.search(r"99%\s+([\d.]+(?:us|ms|s))", output).group(1)),
            "errors": int(bad.group(1)) if bad else 0}


def _median_run(runs: list[dict]) -> dict:
    """The run with the median rate (its latencies with it), and every run's rate."""
    ordered = sorted(runs, key=lambda run: run["rate"])
    return {**ordered[len(ordered) // 2], "rates": [run["rate"] for run in runs]}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--repeat", type=int, default=3, help="runs per target (the median "
                        "is reported: the machine may be shared)")
    parser.add_argument("--workers", type=int, default=int(os.environ.get("WEB_CONCURRENCY", "2")))
    parser.add_argument("--no-write", action="store_true", help="print only")
    args = parser.parse_args(argv)
    password = os.environ.get("KORERO_DEMO_PASSWORD", "korero-demo-2026")
    load_before = machine()["load"]
    with tempfile.TemporaryDirectory() as folder:
        env = prepare_instance(Path(folder))
        env.setdefault("KORERO_DEMO_PASSWORD", password)
        thread_id = subprocess.run([sys.executable, "-c", MAKE_THREAD], cwd=ROOT, env=env,
                                   check=True, capture_output=True, text=True
                                   ).stdout.strip().splitlines()[-1]
        hello_port, app_port = free_port(), free_port()
        hello = start_gunicorn("bench.hello:create_app()", hello_port, args.workers, env)
        korero = start_gunicorn("app:create_app()", app_port, args.workers, env)
        try:
            wait_until_up(hello_port, "/")
            wait_until_up(app_port, "/healthz")
            cookie = sign_in(app_port, "participant2@demo.korero.nz", password)
            path = f"/forums/threads/{thread_id}"
            wrk(app_port, path, 2, args.clients, cookie)  # warm-up (and the first read's write)
            wrk(hello_port, "/", 2, args.clients)
            targets = {"bare": (hello_port, "/", ""), "health": (app_port, "/healthz", ""),
                       "page": (app_port, path, cookie)}
            runs: dict[str, list[dict]] = {name: [] for name in targets}
            for _ in range(args.repeat):  # interleaved, so a burst of load hits every target
                for name, (port, target, with_cookie) in targets.items():
                    runs[name].append(wrk(port, target, args.seconds, args.clients,
                                          with_cookie))
        finally:
            stop(hello)
            stop(korero)
    bare, health, page = (_median_run(runs[name]) for name in ("bare", "health", "page"))
    ratios = sorted(p / b for p, b in zip(page["rates"], bare["rates"], strict=True) if b)
    ratio = ratios[len(ratios) // 2] if ratios else 0.0
    info = machine()
    rates = ", ".join(f"{rate:.0f}" for rate in page["rates"])

    def row(label: str, result: dict) -> str:
        return (f"| {label} | {result['rate']:.0f} | {result['p50']:.2f} | {result['p99']:.2f} | "
                f"{result['errors']} | {result['rate'] / bare['rate']:.0%} |")

    section = "\n".join([
        START_MARK, "## Forum: a 50-post thread page (`bench/forum.py`)", "",
        (f"- Command: `.venv/bin/python -m bench.forum --seconds {args.seconds} --clients "
         f"{args.clients} --repeat {args.repeat}` (part of `make bench`)"),
        f"- Date: {datetime.now(UTC).strftime('%Y-%m-%d %H:%M UTC')}",
        (f"- Machine: {info['cores']} cores, {info['cpu']}; load average {load_before} before "
         f"the run, {info['load']} after (the machine is shared: each target ran "
         f"{args.repeat} times, interleaved; the median run is shown)."),
        (f"- Server: gunicorn, {args.workers} sync workers each, SQLite seeded with the demo; "
         f"wrk, {args.clients} connections, {args.seconds} s per run, over loopback; the thread "
         "page signed in as the demo participant2, who has read it (a plain read writes "
         "nothing)."), "",
        "| target | requests/s | p50 ms | p99 ms | non-2xx | share of bare Flask |",
        "|---|---:|---:|---:|---:|---:|",
        row("bare Flask `/`", bare), row("Kōrero `/healthz` (anonymous, `SELECT 1`)", health),
        row("thread page, 50 posts, signed in", page), "",
        (f"Thread page at **{ratio:.0%}** of the bare endpoint (median of the {args.repeat} "
         f"paired runs; thread-page rates {rates}); target ≥ 30%: "
         f"{'met' if ratio >= 0.3 else 'NOT met'}."), END_MARK, ""])
    if not args.no_write:
        write_results(section, START_MARK, END_MARK)
    print(section)
    return 0 if page["errors"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
