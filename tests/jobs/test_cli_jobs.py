"""`flask --app app jobs ...` through the app's CLI runner, against the test database."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from app.db import Session
from app.jobs import create_job, run_job_inline
from app.jobs.models import Job


@pytest.fixture
def cli(app):
    runner = app.test_cli_runner()
    return lambda *args: runner.invoke(args=list(args))


def test_demo_inline_list_show_and_watch(cli):
    result = cli("jobs", "demo", "--steps", "3", "--seconds", "0", "--inline")
    assert result.exit_code == 0, result.output
    job = Session.scalars(select(Job).order_by(Job.id.desc())).first()
    assert job.status == "done" and job.progress_done == 3
    assert "3 of 3 — 100%" in result.output and "status:   done" in result.output
    listing = cli("jobs", "list")
    assert f"{job.id:>6}  done" in listing.output and "Demo job (3 steps)" in listing.output
    shown = cli("jobs", "show", str(job.id))
    assert "started by: the command line" in shown.output and "attempts 1" in shown.output
    watched = cli("jobs", "watch", str(job.id))  # already ended: shows it and exits 0
    assert watched.exit_code == 0 and "status:   done" in watched.output


def test_watching_a_failed_job_exits_1_and_cancel_refuses_an_ended_job(app, cli):
    with app.app_context():
        run_job_inline(create_job(None, "test.refuse", params={"reason": "No header row."}))
    job = Session.scalars(select(Job).order_by(Job.id.desc())).first()
    result = cli("jobs", "watch", str(job.id))
    assert result.exit_code == 1 and "No header row." in result.output
    result = cli("jobs", "cancel", str(job.id))
    assert result.exit_code == 1 and "already ended" in result.output


def test_show_names_a_missing_job(cli):
    result = cli("jobs", "show", "999999")
    assert result.exit_code == 1 and "There is no job 999999" in result.output


def test_demo_queues_without_running_when_asked(cli, queue):
    result = cli("jobs", "demo", "--steps", "2", "--no-watch")
    assert result.exit_code == 0, result.output
    assert "Queued job" in result.output and queue.huey.pending_count() == 1
