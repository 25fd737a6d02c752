"""Jobs tests: the test app's real SQLite queue file, emptied around each test, and job kinds
that exist only for the tests (the registry is process-wide, like the real kinds)."""
from __future__ import annotations

import sqlite3

import pytest
from sqlalchemy import update

from app.db import Session
from app.jobs import JobFailed, job
from app.jobs.models import Job
from app.jobs.tasks import get_queue


@job("test.boom", label="A job that breaks")
def _boom(ctx):
    ctx.progress(1, 2, "half way")
    raise ValueError("secret internal detail /srv/korero/app.py line 7")


@job("test.refuse", label="A job that refuses")
def _refuse(ctx, reason):
    raise JobFailed(reason)


@job("test.cancelled_midway", label="A job cancelled while it runs")
def _cancelled_midway(ctx):
    ctx.checkpoint({"at": 1}, done=1, total=3)
    # Someone else (another process) cancels it now.
    Session.execute(update(Job).where(Job.id == ctx.job.id).values(status="cancelled")
                    .execution_options(synchronize_session=False))
    Session.commit()
    ctx.checkpoint({"at": 2}, done=2, total=3)  # refused: raises JobCancelled
    raise AssertionError("a cancelled job went on running")


def _hold_a_write_lock_and_fail_to_take_it(path: str) -> None:
    """Raise the error SQLite gives a writer that finds the write lock taken: two real
    connections to a scratch database, the second with no time to wait."""
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        sqlite3.connect(path, timeout=0, isolation_level=None).execute("BEGIN IMMEDIATE")
    finally:
        holder.execute("ROLLBACK")
        holder.close()


@job("test.contended", label="A job that finds the database busy at first")
def _contended(ctx, path, busy_attempts):
    """Busy on its first BUSY_ATTEMPTS attempts (a real SQLite lock conflict), then done."""
    if ctx.job.attempts <= busy_attempts:
        _hold_a_write_lock_and_fail_to_take_it(path)
    return {"ran_on_attempt": ctx.job.attempts}


@pytest.fixture(autouse=True)
def queue(app):
    """The test app's queue (a real SQLite file in its instance folder), empty."""
    queue = get_queue(app)
    queue.huey.flush()
    yield queue
    queue.huey.flush()


@pytest.fixture
def app_context(app):
    """Operations called directly run inside an app context, as they do under a view, a CLI
    command or a task. (Not for tests that make requests: flask.g would outlive them.)"""
    with app.app_context():
        yield
