"""First benchmark: how fast Kōrero serves its home page and health check, next to a bare
Flask "hello" endpoint served the same way (gunicorn, same workers, same machine).

    make bench            # = .venv/bin/python -m bench.run
    .venv/bin/python -m bench.run --seconds 10 --clients 4 --client python

Each server runs in its own gunicorn with WEB_CONCURRENCY workers (default 2) against a fresh,
migrated and seeded SQLite database in a temporary instance folder. The load comes from CLIENTS
concurrent clients for SECONDS per target: `wrk` when it is installed (and --client auto), else
Python's http.client in separate processes. The client runs on the same cores as the server,
so the figures are a floor, not a ceiling. Results go to bench/RESULTS.md between markers, so
other benchmarks can keep their own sections in the same file.
"""
from __future__ import annotations

import argparse
import http.client
import multiprocessing
import os
import platform
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "RESULTS.md"
BIN = Path(sys.executable).parent
CLIENT_DESCRIPTIONS = {
    "wrk": "wrk",
    "python": "Python http.client, one process per client, a new connection per request",
}
START_MARK = "<!-- bench.run: start -->"
END_MARK = "<!-- bench.run: end -->"


@dataclass
class Result:
    name: str
    path: str
    requests: int
    errors: int
    seconds: float
    p50_ms: float
    p99_ms: float

    @property
    def rate(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


# ---------------------------------------------------------------- servers


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until_up(port: int, path: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", path)
            if conn.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"server on port {port} did not answer {path} within {timeout:.0f} s")


def start_gunicorn(target: str, port: int, workers: int, env: dict) -> subprocess.Popen:
    command = [str(BIN / "gunicorn"), "--workers", str(workers), "--bind", f"127.0.0.1:{port}",
               "--log-level", "warning", target]
    return subprocess.Popen(command, cwd=ROOT, env=env, start_new_session=True)


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def prepare_instance(instance: Path) -> dict:
    """A fresh instance folder with a migrated, seeded SQLite database; returns the env."""
    env = {**os.environ, "KORERO_INSTANCE_PATH": str(instance), "KORERO_ENV": "development",
           "LOG_LEVEL": "WARNING", "RATELIMIT_ENABLED": "0"}
    env.pop("DATABASE_URL", None)
    env.pop("REDIS_URL", None)
    flask = [str(BIN / "flask"), "--app", "app"]
    subprocess.run([*flask, "db-upgrade"], cwd=ROOT, env=env, check=True,
                   stdout=subprocess.DEVNULL)
    subprocess.run([*flask, "seed-demo"], cwd=ROOT, env=env, check=True,
                   stdout=subprocess.DEVNULL)
    return env


# ---------------------------------------------------------------- load


def _python_client(port: int, path: str, seconds: float, queue) -> None:
    latencies, errors = [], 0
    deadline = time.perf_counter() + seconds
    while True:
        started = time.perf_counter()
        if started >= deadline:
            break
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            conn.request("GET", path)
            response = conn.getresponse()
            response.read()
            conn.close()
            if response.status != 200:
                errors += 1
                continue
        except OSError:
            errors += 1
            continue
        latencies.append(time.perf_counter() - started)
    queue.put((latencies, errors))


def load_with_python(port: int, path: str, seconds: float, clients: int) -> tuple:
    queue = multiprocessing.Queue()
    workers = [multiprocessing.Process(target=_python_client, args=(port, path, seconds, queue))
               for _ in range(clients)]
    started = time.perf_counter()
    for worker in workers:
        worker.start()
    latencies, errors = [], 0
    for _ in workers:
        got, bad = queue.get()
        latencies += got
        errors += bad
    for worker in workers:
        worker.join()
    elapsed = time.perf_counter() - started
    latencies.sort()
    p50 = statistics.median(latencies) * 1000 if latencies else float("nan")
    p99 = latencies[int(len(latencies) * 0.99) - 1] * 1000 if latencies else float("nan")
    return len(latencies), errors, elapsed, p50, p99


def _wrk_ms(value: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s)", value).groups()
    return float(number) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def load_with_wrk(port: int, path: str, seconds: float, clients: int) -> tuple:
    output = subprocess.run(
        ["wrk", "--latency", "-t", str(min(clients, 2)), "-c", str(clients), "-d",
         f"{int(seconds)}s", f"http://127.0.0.1:{port}{path}"],
        check=True, capture_output=True, text=True).stdout
    requests = int(re.search(r"(\d+) requests in", output).group(1))
    elapsed = _wrk_ms(re.search(r"requests in ([\d.]+(?:us|ms|s))", output).group(1)) / 1000
    p50 = _wrk_ms(re.search(r"50%\s+([\d.]+(?:us|ms|s))", output).group(1))
    p99 = _wrk_ms(re.search(r"99%\s+([\d.]+(?:us|ms|s))", output).group(1))
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    socket_errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), "
                              r"timeout (\d+)", output)
    errors = int(bad.group(1)) if bad else 0
    if socket_errors:
        errors += sum(int(n) for n in socket_errors.groups())
    return requests, errors, elapsed, p50, p99


def measure(name: str, port: int, path: str, seconds: float, clients: int, client: str) -> Result:
    load = load_with_wrk if client == "wrk" else load_with_python
    load(port, path, min(2.0, seconds), clients)  # warm-up: imports, caches, connections
    requests, errors, elapsed, p50, p99 = load(port, path, seconds, clients)
    result = Result(name, path, requests, errors, elapsed, p50, p99)
    print(f"  {name:<28} {result.rate:8.0f} req/s   p50 {p50:6.1f} ms   p99 {p99:6.1f} ms"
          f"   errors {errors}")
    return result


# ---------------------------------------------------------------- report


def machine() -> dict:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {"cores": os.cpu_count(), "cpu": cpu, "python": platform.python_version(),
            "system": f"{platform.system()} {platform.release()} {platform.machine()}",
            "load": " ".join(f"{n:.2f}" for n in os.getloadavg())}


def render(results: list[Result], args, client: str, command: str, load_before: str) -> str:
    info = machine()
    bare = next(r for r in results if r.name == "bare Flask hello")
    now = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        START_MARK,
        "## Home page and health check against bare Flask (`bench/run.py`)",
        "",
        f"- Command: `{command}`",
        f"- Date: {now}",
        (f"- Machine: {info['cores']} cores, {info['cpu']}, {info['system']}, "
        f"Python {info['python']}; load average {load_before} before the run"),
        (f"- Server: gunicorn, {args.workers} sync workers, SQLite (WAL) seeded with the demo; "
        f"the bare Flask app is served by an identical gunicorn."),
        (f"- Load: {args.clients} concurrent clients for {args.seconds:g} s per target "
        f"({CLIENT_DESCRIPTIONS[client]}), "
        "after a 2 s warm-up, on the same machine as the server (the client takes CPU from "
        "the server: these figures are a floor)."),
        "",
        "| target | requests/s | p50 ms | p99 ms | errors | share of bare Flask |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        share = f"{100 * r.rate / bare.rate:.0f}%" if bare.rate else "n/a"
        lines.append(f"| {r.name} (`GET {r.path}`) | {r.rate:.0f} | {r.p50_ms:.1f} | "
                     f"{r.p99_ms:.1f} | {r.errors} | {share} |")
    lines += [
        "",
        ("The home page reads the current consultation and renders the full layout; `/healthz` "
        "runs `SELECT 1`. Nothing is cached between requests yet."),
        END_MARK,
    ]
    return "\n".join(lines) + "\n"


def write_results(section: str, start: str = START_MARK, end: str = END_MARK) -> None:
    """Put SECTION in place of the part of RESULTS.md between START and END (or append it)."""
    if RESULTS.exists():
        text = RESULTS.read_text()
        if start in text and end in text:
            head, rest = text.split(start, 1)
            tail = rest.split(end, 1)[1].lstrip("\n")
            RESULTS.write_text(head + section + ("\n" + tail if tail else ""))
            return
        RESULTS.write_text(text.rstrip("\n") + "\n\n" + section)
        return
    RESULTS.write_text("# Kōrero benchmark results\n\nEach section is written by the benchmark "
                       "named in its heading; re-run it with the command shown.\n\n" + section)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=10.0, help="per target (default 10)")
    parser.add_argument("--clients", type=int, default=4, help="concurrent clients (default 4)")
    parser.add_argument("--workers", type=int,
                        default=int(os.environ.get("WEB_CONCURRENCY", "2")),
                        help="gunicorn workers (default WEB_CONCURRENCY or 2)")
    parser.add_argument("--client", choices=("auto", "python", "wrk"), default="auto")
    parser.add_argument("--no-write", action="store_true", help="print only")
    args = parser.parse_args(argv)
    client = args.client
    if client == "auto":
        client = "wrk" if shutil.which("wrk") else "python"
    command = "make bench" if argv is None and not sys.argv[1:] else (
        "python -m bench.run " + " ".join(argv if argv is not None else sys.argv[1:]))

    load_before = machine()["load"]  # 1/5/15-minute load average: is the machine quiet?
    with tempfile.TemporaryDirectory(prefix="korero-bench-") as tmp:
        print(f"Preparing a seeded SQLite database in {tmp} ...")
        env = prepare_instance(Path(tmp) / "instance")
        korero_port, hello_port = free_port(), free_port()
        servers = [start_gunicorn("app:create_app()", korero_port, args.workers, env),
                   start_gunicorn("bench.hello:create_app()", hello_port, args.workers, env)]
        try:
            wait_until_up(korero_port, "/healthz")
            wait_until_up(hello_port, "/")
            print(f"Measuring with {client}, {args.clients} clients, {args.seconds:g} s each:")
            results = [
                measure("bare Flask hello", hello_port, "/", args.seconds, args.clients, client),
                measure("Kōrero home page", korero_port, "/", args.seconds, args.clients, client),
                measure("Kōrero health check", korero_port, "/healthz", args.seconds,
                        args.clients, client),
            ]
        finally:
            for server in servers:
                stop(server)
    if any(r.errors for r in results):
        print("Some requests failed: see the errors column.")
    if not args.no_write:
        write_results(render(results, args, client, command, load_before))
        print(f"Wrote {RESULTS.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
