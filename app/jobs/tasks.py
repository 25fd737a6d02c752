"""The queue: a huey instance built from the app's settings, and its tasks.

SqliteHuey on a file in the instance folder by default (no server to run); RedisHuey when
REDIS_URL is set, so workers on several hosts share one queue. The queue only carries job ids:
the job row is the truth (app/jobs/runner.py).

Nothing is built at import time: create_app() calls init_app(app), which builds the huey
instance, registers its tasks as closures over that app, and keeps it in
app.extensions["korero_jobs"]. app/jobs/worker.py does the same for huey_consumer.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path

from flask import Flask, current_app, has_app_context
from huey import Huey, RedisHuey, SqliteHuey, crontab
from huey.storage import SqliteStorage

from app.db import Session
from app.jobs.registry import Schedule, schedules

log = logging.getLogger("korero.jobs")

QUEUE_NAME = "korero-jobs"


@dataclass
class JobQueue:
    huey: Huey
    run_job: object  # the huey task: run_job(job_id) enqueues
    recover_stale_jobs: object
    # Job kind -> the periodic task that starts it (registry.schedule_job).
    scheduled: dict[str, object] = field(default_factory=dict)


class QueueFileStorage(SqliteStorage):
    """huey's SQLite storage with the same durability as the database: WAL with
    synchronous=NORMAL (app/db.py). huey leaves SQLite's default, FULL, which waits for the
    disk (fsync) on every message sent: about 5 ms of a booking's time on this machine,
    spent holding a web worker. NORMAL loses nothing when the process dies; a power cut may
    lose the newest messages, as it may the newest commits of the database itself, and a job
    row whose message was lost is sent again when a worker starts (runner.recover_stale_jobs
    with include_queued)."""

    def _create_connection(self):
        conn = super()._create_connection()
        conn.execute("pragma synchronous=NORMAL")
        return conn


class QueueFileHuey(SqliteHuey):
    storage_class = QueueFileStorage


def build_huey(config) -> Huey:
    """The huey instance the settings ask for (nothing is enqueued or consumed here)."""
    if config.get("REDIS_URL"):
        return RedisHuey(QUEUE_NAME, url=config["REDIS_URL"], results=False, utc=True)
    path = Path(config["JOBS_SQLITE_PATH"])
    path.parent.mkdir(parents=True, exist_ok=True)
    return QueueFileHuey(QUEUE_NAME, filename=str(path), results=False, utc=True)


def _in_app_context(app: Flask, fn, *args, **kwargs):
    """Run FN inside APP's context and drop the thread's DB session afterwards, whatever
    happens, so the next task on this worker thread starts clean."""
    with app.app_context():
        try:
            return fn(*args, **kwargs)
        finally:
            Session.remove()


def init_app(app: Flask) -> JobQueue:
    from app.jobs import (
        demo,  # noqa: F401  (registers the demo kind)
        registry,
        runner,
    )

    huey = build_huey(app.config)

    @huey.task(name="run_job")
    def run_job(job_id: int) -> None:
        _in_app_context(app, runner.execute_job, job_id, heartbeat=True)

    @huey.periodic_task(crontab(minute="*"), name="recover_stale_jobs")
    def recover_stale_jobs() -> None:
        _in_app_context(app, runner.recover_stale_jobs)
        _in_app_context(app, registry.run_periodic)  # packages' "work owed?" checks

    @huey.on_startup("korero_recover_jobs")
    def _recover_at_startup() -> None:
        sent = _in_app_context(app, runner.recover_stale_jobs, include_queued=True)
        if sent:
            log.info("jobs sent to the queue again at worker start: %s", sent)
        _in_app_context(app, registry.run_periodic)

    scheduled = {kind: _schedule(app, huey, entry, run_job)
                 for kind, entry in schedules().items()}
    queue = JobQueue(huey=huey, run_job=run_job, recover_stale_jobs=recover_stale_jobs,
                     scheduled=scheduled)
    app.extensions["korero_jobs"] = queue
    return queue


def _start_scheduled(kind: str, run_job) -> int | None:
    """Start a job of KIND by the system (no actor), unless one is still queued or running:
    commit its row, then send it to the queue. (Not start_job: app.jobs.operations sends
    through this module, and the jobs package keeps its imports acyclic.)"""
    from sqlalchemy import select

    from app.db import utcnow
    from app.jobs.models import Job
    from app.jobs.registry import get_kind

    active = Session.scalar(select(Job.id).where(
        Job.kind == kind, Job.status.in_(("queued", "running"))).limit(1))
    if active is not None:
        Session.rollback()
        log.info("scheduled job %s skipped: one is still queued or running", kind)
        return None
    job = Job(kind=kind, title=str(get_kind(kind).label)[:200], status="queued", params={},
              progress_done=0, message="", attempts=0, created_by_id=None,
              created_at=utcnow())
    Session.add(job)
    Session.commit()
    run_job(job.id)
    return job.id


def _schedule(app: Flask, huey: Huey, entry: Schedule, run_job):
    """A huey periodic task that starts a job of ENTRY.kind when its crontab matches: the
    work itself then runs as an ordinary job (a row, progress, the /jobs/ pages)."""

    @huey.periodic_task(crontab(**entry.crontab_fields), name=f"scheduled:{entry.kind}")
    def start() -> int | None:
        return _in_app_context(app, _start_scheduled, entry.kind, run_job)

    return start


def get_queue(app: Flask | None = None) -> JobQueue:
    return (app or current_app).extensions["korero_jobs"]


def enqueue(job_or_id) -> None:
    """Send "run job N" to the queue now. Call it only once the job row is committed (a
    worker may pick the message up at once); start_job does that for you after the commit."""
    job_id = getattr(job_or_id, "id", job_or_id)
    if not has_app_context():
        log.error("job %s: no app context to find the queue; it stays queued until a worker "
                  "restarts", job_id)
        return
    get_queue().run_job(job_id)
