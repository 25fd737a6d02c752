"""Jobs in one process: starting (queued only after the commit), running, failing,
cancelling, resuming from a checkpoint, recovering jobs whose worker died."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from app.db import Session, utcnow
from app.errors import OperationRefused
from app.jobs import cancel_job, create_job, run_job_inline, start_job
from app.jobs.models import Job
from app.jobs.runner import execute_job, recover_stale_jobs
from app.jobs.tasks import build_huey

pytestmark = pytest.mark.usefixtures("app_context")


def _fresh(job: Job) -> Job:
    return Session.get(Job, job.id, populate_existing=True)


def test_the_default_queue_is_a_sqlite_file_in_the_instance_folder(app, queue):
    from huey import SqliteHuey

    assert isinstance(queue.huey, SqliteHuey)
    assert app.config["JOBS_SQLITE_PATH"].startswith(app.instance_path)
    assert queue.huey.storage.filename == app.config["JOBS_SQLITE_PATH"]


def test_the_queue_file_is_as_durable_as_the_database_without_waiting_for_the_disk(tmp_path):
    """WAL with synchronous=NORMAL (1), as app/db.py sets for the database: huey's default,
    FULL (2), waits for an fsync on every message sent, in the web request."""
    huey = build_huey({"JOBS_SQLITE_PATH": str(tmp_path / "jobs.sqlite3")})
    conn = huey.storage.conn
    assert conn.execute("PRAGMA synchronous").fetchone()[0] == 1
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_redis_url_gives_a_redis_queue():
    from huey import RedisHuey

    huey = build_huey({"REDIS_URL": "redis://127.0.0.1:6379/11"})
    assert isinstance(huey, RedisHuey)


def test_a_started_job_is_sent_to_the_queue_only_when_the_transaction_commits(
        app, queue, make_user):
    user = make_user("participant")
    job = start_job(user, "demo", steps=2, seconds=0)
    assert job.id and job.status == "queued" and job.created_by_id == user.id
    assert job.title == "Demo job" and job.params == {"steps": 2, "seconds": 0}
    assert queue.huey.pending_count() == 0  # a worker could not find the row yet
    Session.commit()
    assert queue.huey.pending_count() == 1
    # What a worker does with the message: run the job, in an app context of its own.
    queue.huey.execute(queue.huey.dequeue())
    job = _fresh(job)
    assert (job.status, job.progress_done, job.progress_total) == ("done", 2, 2)
    assert job.result["steps"] == 2 and job.started_at and job.finished_at
    assert job.attempts == 1 and job.error is None


def test_a_rolled_back_job_is_never_sent(queue, make_user):
    start_job(make_user("participant"), "demo", steps=1)
    Session.rollback()
    Session.commit()  # a later, unrelated commit sends nothing either
    assert queue.huey.pending_count() == 0


def test_unknown_kinds_and_unserialisable_params_are_refused(make_user):
    with pytest.raises(OperationRefused, match="no kind of job"):
        start_job(None, "no.such.kind")
    with pytest.raises(OperationRefused, match="plain values"):
        start_job(None, "demo", user=make_user("participant"))


def test_a_job_runs_once_even_when_sent_twice(queue):
    job = create_job(None, "demo", params={"steps": 1, "seconds": 0})
    Session.commit()
    assert execute_job(job.id) == "done"
    assert execute_job(job.id) == "skipped"
    assert _fresh(job).attempts == 1


def test_a_failing_job_shows_a_message_for_people_and_logs_the_traceback(caplog):
    job = create_job(None, "test.boom")
    Session.commit()
    job = run_job_inline(job)
    assert job.status == "failed" and job.finished_at
    assert f"job {job.id}" in job.error and "unexpected problem" in job.error
    assert "secret internal detail" not in job.error and "Traceback" not in job.error
    assert job.progress_done == 1  # the progress it reported stays, for the page
    logged = "\n".join(r.getMessage() + (r.exc_text or "") for r in caplog.records)
    assert "secret internal detail" in logged and "Traceback" in logged


def test_a_job_that_finds_the_database_busy_is_tried_again_from_the_queue(app, queue,
                                                                          tmp_path):
    job = create_job(None, "test.contended",
                     params={"path": str(tmp_path / "scratch.db"), "busy_attempts": 1})
    Session.commit()
    assert execute_job(job.id) == "retry"
    job = _fresh(job)
    assert (job.status, job.attempts) == ("queued", 1) and "busy" in job.message
    [message] = queue.huey.pending()  # sent again, to run after a short wait
    assert message.args == (job.id,) and message.eta is not None
    assert execute_job(job.id) == "done"
    assert _fresh(job).result == {"ran_on_attempt": 2}


def test_a_job_busy_on_every_attempt_fails_after_the_last(app, tmp_path):
    app.config["JOBS_RETRY_SECONDS"] = 0
    try:
        job = run_job_inline(create_job(
            None, "test.contended",
            params={"path": str(tmp_path / "scratch.db"), "busy_attempts": 99}))
    finally:
        app.config["JOBS_RETRY_SECONDS"] = 2.0
    assert job.status == "failed" and job.attempts == app.config["JOBS_MAX_ATTEMPTS"]
    assert "unexpected problem" in job.error


def test_a_job_can_fail_with_its_own_message():
    job = run_job_inline(create_job(None, "test.refuse",
                                    params={"reason": "The file has no header row."}))
    assert (job.status, job.error) == ("failed", "The file has no header row.")


def test_a_job_of_a_kind_this_server_does_not_know_fails_saying_so():
    job = Job(kind="gone.away", title="Old job", params={}, status="queued")
    Session.add(job)
    Session.commit()
    job = run_job_inline(job)
    assert job.status == "failed" and "gone.away" in job.error


def test_a_job_cancelled_while_it_runs_stops_and_keeps_only_what_it_committed():
    job = run_job_inline(create_job(None, "test.cancelled_midway"))
    assert job.status == "cancelled"
    assert job.state == {"at": 1} and job.progress_done == 1


def test_cancelling(make_user):
    owner = make_user("participant")
    job = create_job(owner, "demo")
    cancel_job(owner, job)
    assert job.status == "cancelled" and job.finished_at and owner.display_name in job.message
    assert execute_job(job.id) == "skipped"
    with pytest.raises(OperationRefused, match="already ended"):
        cancel_job(owner, job)


def test_a_resumed_job_carries_on_from_its_checkpoint():
    job = create_job(None, "demo", params={"steps": 5, "seconds": 0})
    job.state = {"next_step": 2, "completed": [0, 1]}
    job.attempts = 1
    Session.commit()
    job = run_job_inline(job)
    assert job.status == "done" and job.attempts == 2
    assert job.state["completed"] == [0, 1, 2, 3, 4]
    assert job.result["resumed_from"] == 2
    assert (job.progress_done, job.progress_total) == (5, 5)


def _running(heartbeat_age: timedelta | None, attempts: int = 1) -> Job:
    job = create_job(None, "demo", params={"steps": 1, "seconds": 0})
    job.status, job.attempts = "running", attempts
    job.heartbeat_at = None if heartbeat_age is None else utcnow() - heartbeat_age
    return job


def test_recovery_requeues_running_jobs_whose_worker_stopped(app, queue):
    stale = _running(timedelta(minutes=5))
    alive = _running(timedelta(seconds=1))
    worn_out = _running(timedelta(minutes=5), attempts=app.config["JOBS_MAX_ATTEMPTS"])
    Session.commit()
    sent = recover_stale_jobs()
    assert sent == [stale.id]
    assert queue.huey.pending_count() == 1
    assert _fresh(stale).status == "queued" and "Interrupted" in _fresh(stale).message
    assert _fresh(alive).status == "running"
    assert _fresh(worn_out).status == "failed" and "interrupted" in _fresh(worn_out).error
    queue.huey.execute(queue.huey.dequeue())
    assert _fresh(stale).status == "done" and _fresh(stale).attempts == 2


def test_at_worker_start_old_queued_jobs_are_sent_again(queue):
    old = create_job(None, "demo", params={"steps": 1, "seconds": 0})
    old.created_at = utcnow() - timedelta(hours=1)
    new = create_job(None, "demo", params={"steps": 1, "seconds": 0})
    Session.commit()
    assert recover_stale_jobs() == []
    assert recover_stale_jobs(include_queued=True) == [old.id]
    assert new.id not in Session.scalars(select(Job.id).where(Job.status == "done")).all()


def test_can_view_and_can_cancel(make_user):
    owner, other = make_user("participant"), make_user("participant")
    job = create_job(owner, "demo")
    assert job.can_view(owner) and job.can_cancel(owner)
    assert not job.can_view(other) and not job.can_cancel(other)
    assert job.can_view(make_user("analyst")) and not job.can_cancel(make_user("analyst"))
    assert job.can_view(make_user("admin")) and job.can_cancel(make_user("admin"))
    for role in ("facilitator", "advisory", "kaitiaki"):
        assert not job.can_view(make_user(role)), role


@pytest.mark.parametrize("done, total, percent", [(412, 3000, 14), (2999, 3000, 99),
                                                  (3000, 3000, 100), (0, 10, 0)])
def test_percent(done, total, percent):
    assert Job(progress_done=done, progress_total=total, status="running").percent == percent


def test_a_job_that_lost_a_race_reads_nothing_before_writing_its_row(app, tmp_path):
    """After the rollback, the retry's UPDATE of the job row is the first statement of its
    transaction: a SELECT of the (expired) row before it would make SQLite refuse the UPDATE
    at once whenever another writer had committed in between, leaving the job "running"."""
    from sqlalchemy import event

    job = create_job(None, "test.contended",
                     params={"path": str(tmp_path / "scratch.db"), "busy_attempts": 1})
    Session.commit()
    statements = []

    def seen(_conn, _cursor, statement, *_args):
        statements.append(" ".join(statement.split()))

    connection = Session.connection()
    event.listen(connection, "before_cursor_execute", seen)
    try:
        assert execute_job(job.id, send_retries=False) == "retry"
    finally:
        event.remove(connection, "before_cursor_execute", seen)
    retry = next(n for n, sql in enumerate(statements)
                 if sql.startswith("UPDATE job SET status=") and "message=" in sql)
    rollback = max(n for n in range(retry) if statements[n].startswith("ROLLBACK"))
    between = statements[rollback + 1:retry]
    assert not [sql for sql in between if sql.startswith("SELECT")], between
