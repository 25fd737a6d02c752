"""Starting and stopping a real job worker (huey_consumer or `flask jobs worker`) for tests."""
from __future__ import annotations

import signal
import subprocess
import sys
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
