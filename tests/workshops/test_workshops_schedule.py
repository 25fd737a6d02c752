"""The job worker starts the reminders and the retention purge by itself: each is a huey
periodic task (registered through app.jobs.registry.schedule_job) that starts an ordinary job,
never a second one while the first is queued or running."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from app.db import Session, utcnow
from app.jobs.models import Job
from app.jobs.tasks import get_queue
from workshops import operations as ops

pytest_plugins = ("workshops_fixtures",)


@pytest.fixture
def queue(app):
    queue = get_queue(app)
    queue.huey.flush()
    yield queue
    queue.huey.flush()


def _due(queue, when: datetime) -> set[str]:
    return {task.name for task in queue.huey.read_periodic(when)}


def test_reminders_hourly_and_the_purge_nightly_are_periodic_tasks(queue):
    assert {"workshops.send_reminders", "workshops.purge_expired"} <= set(queue.scheduled)
    assert "scheduled:workshops.send_reminders" in _due(
        queue, datetime(2026, 3, 1, 9, 5, tzinfo=UTC))
    assert "scheduled:workshops.send_reminders" not in _due(
        queue, datetime(2026, 3, 1, 9, 6, tzinfo=UTC))
    nightly = datetime(2026, 3, 1, 14, 30, tzinfo=UTC)
    assert "scheduled:workshops.purge_expired" in _due(queue, nightly)
    assert "scheduled:workshops.purge_expired" not in _due(queue, nightly + timedelta(hours=1))


def test_a_scheduled_run_starts_one_job_that_sends_the_reminders(app, queue, make_workshop,
                                                                   make_user, smtp_server):
    person = make_user()
    ops.book_place(person, make_workshop(days=1,
                                         booking_deadline_at=utcnow() + timedelta(hours=2)))
    Session.commit()
    start = queue.scheduled["workshops.send_reminders"]
    job_id = start.call_local()
    assert job_id is not None and queue.huey.pending_count() == 1
    assert start.call_local() is None  # still queued: no second job piles up
    queue.huey.execute(queue.huey.dequeue())
    Session.expire_all()
    job = Session.get(Job, job_id)
    assert (job.kind, job.status, job.created_by_id) == ("workshops.send_reminders", "done",
                                                          None)
    assert job.result == {"sent": 1}
    [message] = smtp_server.wait_for(1)
    assert message["To"] == person.email
    # Once it has run, the next hour's start makes a new job (which finds nothing to send).
    assert start.call_local() not in (None, job_id)
    queue.huey.execute(queue.huey.dequeue())
    Session.expire_all()
    last = Session.scalar(select(Job).order_by(Job.id.desc()))
    assert last.status == "done" and last.result == {"sent": 0}


def test_a_scheduled_purge_runs_as_a_job(app, queue):
    job_id = queue.scheduled["workshops.purge_expired"].call_local()
    queue.huey.execute(queue.huey.dequeue())
    Session.expire_all()
    job = Session.get(Job, job_id)
    assert job.status == "done" and job.result == {"purged": 0}
