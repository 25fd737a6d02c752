"""Running one job: claim it, hand its function a context, record how it ended.

Every write to the job row is a conditional UPDATE on (id, status='running', attempts=N):
- the claim (queued -> running) succeeds for one worker only, so a job enqueued twice runs once;
- a cancelled job, or one a newer attempt has taken over, refuses the older run's next write,
  which stops that run (JobCancelled) and rolls back whatever it had not yet committed.

ctx.progress() and ctx.checkpoint() are commit points: what the job has flushed so far is
committed together with its progress (and, for checkpoint, its resume state). A job that
must not redo work after a restart saves where it is with checkpoint() at the end of each unit
of work; after a restart it finds that state in ctx.state and carries on from there.
"""
from __future__ import annotations

import logging
import threading
import time
from datetime import timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import inspect, or_, select, update

from app.db import Session, utcnow
from app.jobs.contention import lost_a_race
from app.jobs.models import MESSAGE_LENGTH, Job
from app.jobs.registry import get_kind

log = logging.getLogger("korero.jobs")


class JobFailed(Exception):
    """Raise from a job to stop it with a message for people (shown on the job page)."""


class JobCancelled(BaseException):
    """The job was cancelled, or taken over by a newer attempt, while it ran.

    A BaseException (like KeyboardInterrupt) so that a job's own `except Exception` cannot
    swallow it and carry on writing."""


class JobContext:
    """What a job function gets: ctx.job (the row), ctx.params, ctx.state (the state saved at
    the last checkpoint; {} on a first run), ctx.is_resumed, ctx.progress(), ctx.checkpoint()."""

    def __init__(self, job: Job, *, progress_seconds: float = 1.0):
        self.job = job
        self.params = dict(job.params or {})
        self.state: dict = dict(job.state or {})
        self.is_resumed = job.state is not None
        self._attempt = job.attempts
        self._progress_seconds = progress_seconds
        self._pending: dict = {}
        self._last_write = 0.0

    def progress(self, done: int, total: int | None = None, message: str | None = None) -> None:
        """Report DONE of TOTAL (and a short message). Written at most once per
        JOBS_PROGRESS_SECONDS, and always when done reaches total; a write commits."""
        self._collect(done, total, message)
        total_now = self._pending.get("progress_total", self.job.progress_total)
        reached_end = total_now is not None and done >= total_now
        if reached_end or time.monotonic() - self._last_write >= self._progress_seconds:
            self._write()

    def checkpoint(self, state: dict | None = None, *, done: int | None = None,
                   total: int | None = None, message: str | None = None) -> None:
        """Save STATE (JSON-able; default: ctx.state as it is now) with the progress, and
        commit it together with the work done so far. Always written."""
        if state is not None:
            self.state = dict(state)
        self._collect(done, total, message)
        self._pending["state"] = dict(self.state)
        self._write()

    def _collect(self, done, total, message) -> None:
        if done is not None:
            self._pending["progress_done"] = int(done)
        if total is not None:
            self._pending["progress_total"] = int(total)
        if message is not None:
            self._pending["message"] = str(message)[:MESSAGE_LENGTH]

    def _write(self) -> None:
        values = {**self._pending, "heartbeat_at": utcnow()}
        result = Session.execute(
            update(Job)
            .where(Job.id == self.job.id, Job.status == "running",
                   Job.attempts == self._attempt)
            .values(**values))
        if result.rowcount != 1:
            Session.rollback()
            raise JobCancelled(f"job {self.job.id} is no longer running as attempt "
                               f"{self._attempt}")
        Session.commit()
        self._pending.clear()
        self._last_write = time.monotonic()


class _Heartbeat(threading.Thread):
    """Marks a running job alive every few seconds from its own connection, so a job that is
    busy between progress reports is not mistaken for one whose worker died."""

    def __init__(self, engine, job_id: int, attempt: int, interval: float):
        super().__init__(name=f"job-{job_id}-heartbeat", daemon=True)
        self.engine, self.job_id, self.attempt, self.interval = engine, job_id, attempt, interval
        self.stopped = threading.Event()

    def run(self) -> None:
        table = Job.__table__
        while not self.stopped.wait(self.interval):
            try:
                with self.engine.begin() as conn:
                    conn.execute(update(table)
                                 .where(table.c.id == self.job_id, table.c.status == "running",
                                        table.c.attempts == self.attempt)
                                 .values(heartbeat_at=utcnow()))
            except Exception:  # a busy database: try again next beat
                log.warning("job %s: heartbeat not written", self.job_id, exc_info=True)


def _claim(job_id: int) -> Job | None:
    """queued -> running for this worker, or None when it is not queued (any more)."""
    now = utcnow()
    claimed = Session.execute(
        update(Job).where(Job.id == job_id, Job.status == "queued")
        .values(status="running", started_at=now, heartbeat_at=now,
                attempts=Job.attempts + 1)
        .execution_options(synchronize_session=False))
    Session.commit()
    if claimed.rowcount != 1:
        return None
    return Session.get(Job, job_id, populate_existing=True)


def _id_of(job: Job) -> int:
    """JOB's id without reading the row: after a rollback every attribute of JOB is expired,
    and reading one would begin a transaction with a SELECT. On SQLite such a transaction
    cannot wait for the write lock, and its UPDATE fails at once ("database is locked")
    whenever another connection has committed since (on deadline day, always): the job was
    then left "running" until the stale-job check, a minute or more later."""
    return inspect(job).identity[0]


def _finish(job: Job, attempt: int, **values) -> bool:
    now = utcnow()
    result = Session.execute(
        update(Job).where(Job.id == _id_of(job), Job.status == "running",
                          Job.attempts == attempt)
        .values(finished_at=now, heartbeat_at=now, **values))
    if result.rowcount != 1:
        Session.rollback()
        return False
    Session.commit()
    return True


def _retry_delay(attempt: int) -> float:
    return float(current_app.config["JOBS_RETRY_SECONDS"]) * attempt


def _retry_later(job: Job, attempt: int, *, send: bool) -> bool:
    """Put a job that lost a race for the database back in the queue (from its last
    checkpoint), sent again after a short wait that grows with each attempt. False when it
    has had JOBS_MAX_ATTEMPTS already, or is no longer this attempt's to requeue."""
    if attempt >= int(current_app.config["JOBS_MAX_ATTEMPTS"]):
        return False
    result = Session.execute(
        update(Job).where(Job.id == _id_of(job), Job.status == "running",
                          Job.attempts == attempt)
        .values(status="queued", heartbeat_at=utcnow(),
                message=_("The database was busy; trying again shortly.")[:MESSAGE_LENGTH])
        .execution_options(synchronize_session=False))
    Session.commit()
    if result.rowcount != 1:
        return False
    if send:
        queue = current_app.extensions["korero_jobs"]
        queue.run_job.schedule((_id_of(job),), delay=_retry_delay(attempt))
    return True



def execute_job(job_id: int, *, heartbeat: bool = False, send_retries: bool = True) -> str:
    """Run job JOB_ID if it is queued; returns how it ended ('skipped' when it was not ours
    to run, 'retry' when it lost a race for the database and was queued again: sent to the
    queue after a short wait, or, with SEND_RETRIES false, left for the caller to run again).
    Needs an app context. Never raises for a failing job: failures are recorded."""
    job = _claim(job_id)
    if job is None:
        log.info("job %s: not queued any more, nothing to do", job_id)
        return "skipped"
    attempt, kind_name = job.attempts, job.kind  # read now: a rollback expires the row
    config = current_app.config
    kind = get_kind(kind_name)
    if kind is None:
        _finish(job, attempt, status="failed", error=_(
            "This server does not know how to run jobs of the kind “%(kind)s”. Ask an "
            "administrator to check that the worker runs the same version as the site.",
            kind=kind_name))
        return "failed"
    beat = None
    if heartbeat:
        beat = _Heartbeat(current_app.extensions["korero_engine"], job.id, attempt,
                          float(config["JOBS_HEARTBEAT_SECONDS"]))
        beat.start()
    ctx = JobContext(job, progress_seconds=float(config["JOBS_PROGRESS_SECONDS"]))
    log.info("job %s (%s): attempt %s started%s", job.id, job.kind, attempt,
             " from a checkpoint" if ctx.is_resumed else "")
    try:
        result = kind.fn(ctx, **ctx.params)
        final = {"status": "done", "result": result, **ctx._pending}
        if "message" not in final:
            final["message"] = _("Finished.")
        if not _finish(job, attempt, **final):
            log.info("job %s: cancelled before it could finish", job.id)
            return "cancelled"
        log.info("job %s (%s): done", job.id, job.kind)
        return "done"
    except JobCancelled:
        Session.rollback()
        log.info("job %s: stopped (cancelled or taken over)", job_id)
        return "cancelled"
    except JobFailed as error:
        Session.rollback()
        log.warning("job %s (%s) failed: %s", job_id, kind_name, error)
        _finish(job, attempt, status="failed", error=str(error))
        return "failed"
    except Exception as error:
        Session.rollback()
        if lost_a_race(error) and _retry_later(job, attempt, send=send_retries):
            log.warning("job %s (%s): the database was busy on attempt %s; queued again",
                        job_id, kind_name, attempt)
            return "retry"
        log.exception("job %s (%s) failed on attempt %s", job_id, kind_name, attempt)
        _finish(job, attempt, status="failed", error=_(
            "The job stopped because of an unexpected problem. It has been logged; quote "
            "job %(id)s to the site's administrators.", id=job_id))
        return "failed"
    finally:
        if beat is not None:
            beat.stopped.set()
            beat.join(5)


def run_job_inline(job: Job) -> Job:
    """Run a queued JOB in this process and thread (the CLI's --inline, tests), without the
    queue; returns the row as it ended. The job must be committed or at least flushed. A job
    that lost a race for the database is run again here, after the same short wait."""
    attempt = 1
    while execute_job(job.id, send_retries=False) == "retry":
        time.sleep(_retry_delay(attempt))
        attempt += 1
    return Session.get(Job, job.id, populate_existing=True)


def recover_stale_jobs(*, include_queued: bool = False) -> list[int]:
    """Jobs marked running whose heartbeat stopped more than JOBS_STALE_SECONDS ago lost their
    worker: put them back in the queue to resume from their checkpoint (or fail them once they
    were interrupted JOBS_MAX_ATTEMPTS times). With INCLUDE_QUEUED (at worker start), also
    re-send queued jobs older than that, in case their message was lost; a duplicate message
    is harmless (the claim lets one through). Commits; returns the ids sent to the queue."""
    config = current_app.config
    cutoff = utcnow() - timedelta(seconds=float(config["JOBS_STALE_SECONDS"]))
    max_attempts = int(config["JOBS_MAX_ATTEMPTS"])
    is_stale = or_(Job.heartbeat_at.is_(None), Job.heartbeat_at < cutoff)
    rows = Session.execute(select(Job.id, Job.attempts)
                           .where(Job.status == "running", is_stale)).all()
    to_send: list[int] = []
    for job_id, attempts in rows:
        still_stale = update(Job).where(Job.id == job_id, Job.status == "running", is_stale,
                                        Job.attempts == attempts)
        if attempts >= max_attempts:
            Session.execute(still_stale.values(
                status="failed", finished_at=utcnow(),
                error=_("The job was interrupted %(n)d times (its worker stopped while it "
                        "ran), so it was not started again. Start a new one.", n=attempts))
                .execution_options(synchronize_session=False))
            log.warning("job %s: interrupted %s times; marked failed", job_id, attempts)
            continue
        result = Session.execute(still_stale.values(
            status="queued", message=_("Interrupted; waiting to resume.")[:MESSAGE_LENGTH])
            .execution_options(synchronize_session=False))
        if result.rowcount == 1:
            log.warning("job %s: its worker stopped; queued again to resume", job_id)
            to_send.append(job_id)
    if include_queued:
        to_send += Session.scalars(select(Job.id).where(Job.status == "queued",
                                                        Job.created_at < cutoff)).all()
    Session.commit()
    to_send = sorted(set(to_send))
    # The queue app.jobs.tasks built for this app (looked up here, not imported: tasks
    # imports this module).
    queue = current_app.extensions["korero_jobs"]
    for job_id in to_send:
        queue.run_job(job_id)
    return to_send
