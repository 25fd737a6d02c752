"""A REAL worker: huey_consumer (and `flask jobs worker`) as separate processes, on a real
queue (a SQLite file, or Redis) and a real app database (a SQLite file of its own, migrated).

The restart test SIGKILLs the worker in the middle of a checkpointing job, starts a worker
again and sees the job resume from its checkpoint and finish with every step done once."""
from __future__ import annotations

import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
from worker_support import start_worker, stop_worker

from app.config import PROJECT_ROOT
from app.migrate import upgrade

BIN = Path(sys.executable).parent
REDIS_URL = "redis://127.0.0.1:6379/11"  # this worktree's Redis database


@pytest.fixture
def site(tmp_path):
    """An instance folder and a migrated SQLite database, and the environment a worker needs."""
    database = tmp_path / "korero.sqlite3"
    upgrade(f"sqlite:///{database}")
    env = {**os.environ, "KORERO_INSTANCE_PATH": str(tmp_path),
           "DATABASE_URL": f"sqlite:///{database}", "SECRET_KEY": "worker-test",
           "REDIS_URL": "", "LOG_LEVEL": "INFO", "JOBS_STALE_SECONDS": "2",
           "JOBS_HEARTBEAT_SECONDS": "0.5", "JOBS_PROGRESS_SECONDS": "0"}
    env.pop("TEST_DATABASE_URL", None)
    return tmp_path, database, env


def _flask(env, *args) -> str:
    result = subprocess.run([str(BIN / "flask"), "--app", "app", *args], env=env, check=False,
                            cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def _job_row(database: Path, job_id: int) -> dict:
    with sqlite3.connect(database, timeout=10) as conn:
        conn.row_factory = sqlite3.Row
        return dict(conn.execute("SELECT * FROM job WHERE id = ?", (job_id,)).fetchone())


def _wait_for(database, job_id, condition, timeout: float, log: Path) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        row = _job_row(database, job_id)
        if condition(row):
            return row
        time.sleep(0.1)
    raise AssertionError(f"job {job_id} never got there: {_job_row(database, job_id)}\n"
                         f"worker log:\n{log.read_text()}")


def _queue_demo(env, steps: int, seconds: float) -> int:
    out = _flask(env, "jobs", "demo", "--steps", str(steps), "--seconds", str(seconds),
                 "--no-watch")
    return int(re.search(r"Queued job (\d+)", out).group(1))


@pytest.mark.parametrize("backend", ["sqlite", "redis"])
def test_a_real_worker_runs_a_job(site, backend):
    tmp_path, database, env = site
    if backend == "redis":
        import redis

        env["REDIS_URL"] = REDIS_URL
        redis.Redis.from_url(REDIS_URL).flushdb()
    log = tmp_path / "worker.log"
    job_id = _queue_demo(env, steps=5, seconds=0.05)
    if backend == "sqlite":
        assert (tmp_path / "jobs.sqlite3").exists()  # the embedded queue, in the instance
    worker = start_worker(env, log)
    try:
        row = _wait_for(database, job_id, lambda r: r["status"] == "done", 60, log)
    finally:
        stop_worker(worker)
        if backend == "redis":
            redis.Redis.from_url(REDIS_URL).flushdb()
    assert (row["progress_done"], row["progress_total"], row["attempts"]) == (5, 5, 1)
    assert _flask(env, "jobs", "show", str(job_id)).count("status:   done") == 1


def test_a_job_resumes_from_its_checkpoint_after_the_worker_is_killed(site):
    tmp_path, database, env = site
    log = tmp_path / "worker.log"
    steps = 20
    job_id = _queue_demo(env, steps=steps, seconds=0.3)
    worker = start_worker(env, log)
    try:
        _wait_for(database, job_id, lambda r: r["progress_done"] >= 5, 60, log)
        worker.send_signal(signal.SIGKILL)
        worker.wait(10)
    finally:
        stop_worker(worker)
    killed = _job_row(database, job_id)
    assert killed["status"] == "running" and 5 <= killed["progress_done"] < steps
    time.sleep(2.5)  # longer than JOBS_STALE_SECONDS: its heartbeat has stopped

    worker = start_worker(env, log, command="flask")  # `flask jobs worker` this time
    try:
        row = _wait_for(database, job_id, lambda r: r["status"] == "done", 60, log)
    finally:
        stop_worker(worker)
    assert (row["progress_done"], row["progress_total"]) == (steps, steps)
    assert row["attempts"] == 2
    import json

    state, result = json.loads(row["state"]), json.loads(row["result"])
    assert state["completed"] == list(range(steps))  # every step recorded exactly once
    assert result["resumed_from"] >= killed["progress_done"]
    # Steps done before the checkpoint ran once; only the step in hand when the worker was
    # killed may have started twice.
    started = Counter(int(n) for n in re.findall(rf"demo job {job_id}: step (\d+) started",
                                                log.read_text()))
    assert set(started) == set(range(steps))
    assert [n for n, count in started.items() if count > 1] in ([], [killed["progress_done"]])
    assert "its worker stopped; queued again to resume" in log.read_text()


def _niceness_of_threads(pid: int) -> set[int]:
    """The niceness of every thread of process PID (Linux keeps one per thread)."""
    values = set()
    for task in Path(f"/proc/{pid}/task").iterdir():
        fields = (task / "stat").read_text().rsplit(")", 1)[1].split()
        values.add(int(fields[16]))  # field 19 of stat(5), counted after the name
    return values


@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="reads /proc (Linux)")
@pytest.mark.parametrize("command", ["huey_consumer", "flask"])
def test_the_worker_runs_its_jobs_at_a_lower_priority_than_the_web_server(site, command):
    """Web requests first, background work after: every thread of the worker (the job threads
    included) runs at JOBS_WORKER_NICE, and the jobs still run."""
    tmp_path, database, env = site
    base = os.getpriority(os.PRIO_PROCESS, 0)
    wanted = min(19, max(base, 7))
    env = {**env, "JOBS_WORKER_NICE": "7"}
    log = tmp_path / "worker.log"
    job_id = _queue_demo(env, steps=3, seconds=0.05)
    worker = start_worker(env, log, command=command)
    try:
        _wait_for(database, job_id, lambda r: r["status"] == "done", 60, log)
        assert _niceness_of_threads(worker.pid) == {wanted}
    finally:
        stop_worker(worker)


def _in_a_fresh_process(code: str) -> str:
    return subprocess.run([sys.executable, "-c", code], check=True, capture_output=True,
                          text=True, cwd=PROJECT_ROOT, timeout=60).stdout.split()


def test_lowering_the_priority_never_raises_it_and_reaches_the_threads_started_after():
    code = ("import os, threading\nfrom app.jobs.priority import lower_worker_priority\n"
            "def now(): return os.getpriority(os.PRIO_PROCESS, 0)\n"
            "seen = []\n"
            "print(lower_worker_priority(9), now())\n"
            "thread = threading.Thread(target=lambda: seen.append(now()))\n"
            "thread.start(); thread.join(); print(seen[0])\n")
    base = os.getpriority(os.PRIO_PROCESS, 0)
    assert _in_a_fresh_process(code) == [str(max(base, 9))] * 3
    # Already lower in priority than asked (or asked for 0): left as it is.
    code = ("import os\nfrom app.jobs.priority import lower_worker_priority\n"
            "os.nice(max(0, 12 - os.getpriority(os.PRIO_PROCESS, 0)))\n"
            "print(lower_worker_priority(5), lower_worker_priority(0),"
            " os.getpriority(os.PRIO_PROCESS, 0))\n")
    assert _in_a_fresh_process(code) == [str(max(base, 12))] * 3
