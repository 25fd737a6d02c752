"""Starting and stopping real processes for tests: a job worker (huey_consumer or `flask jobs
worker`), and a web server process running a given script (`serving`)."""
from __future__ import annotations

import http.client
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from app.config import PROJECT_ROOT

BIN = Path(sys.executable).parent


def start_worker(env, log: Path, command: str = "huey_consumer",
                 threads: int = 2) -> subprocess.Popen:
    """A worker process for the app that ENV describes, writing to LOG."""
    if command == "huey_consumer":
        args = [str(BIN / "huey_consumer"), "app.jobs.worker.huey", "-w", str(threads),
                "-k", "thread"]
    else:
        args = [str(BIN / "flask"), "--app", "app", "jobs", "worker"]
    return subprocess.Popen(args, env=env, cwd=PROJECT_ROOT, stdout=log.open("a"),
                            stderr=subprocess.STDOUT)


def stop_worker(process: subprocess.Popen) -> None:
    """Ctrl-C, as a person stops it; killed when it has not stopped after 15 s."""
    if process.poll() is None:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def free_port() -> int:
    """A TCP port on the loopback no one listens on now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def serving(script: str, database_url: str) -> Iterator[int]:
    """A real server process running SCRIPT (Python source given the database URL and the port
    as argv[1] and argv[2]), up when this yields its port; stopped afterwards."""
    port = free_port()
    process = subprocess.Popen([sys.executable, "-c", script, database_url, str(port)],
                               cwd=PROJECT_ROOT, env=dict(os.environ))
    try:
        deadline = time.monotonic() + 60
        while not _answers(port):
            assert process.poll() is None and time.monotonic() < deadline, "server not up"
            time.sleep(0.2)
        yield port
    finally:
        process.terminate()
        process.wait(15)


def _answers(port: int) -> bool:
    try:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        conn.request("GET", "/healthz")
        ok = conn.getresponse().status == 200
        conn.close()
        return ok
    except OSError:
        return False
