"""`flask --app app jobs ...`: list, show, watch, cancel, run the worker, start a demo job."""
from __future__ import annotations

import time

import click
from flask import current_app
from flask.cli import with_appcontext

from app.db import Session
from app.errors import OperationRefused
from app.jobs import queries
from app.jobs.models import JOB_STATUSES, Job
from app.jobs.operations import cancel_job, create_job, start_job
from app.jobs.priority import lower_worker_priority
from app.jobs.runner import run_job_inline
from app.jobs.tasks import get_queue

POLL_SECONDS = 0.5


@click.group("jobs")
def jobs_group() -> None:
    """Background jobs: see them, follow one, run the worker."""


def _load(job_id: int) -> Job:
    job = Session.get(Job, job_id, populate_existing=True)
    if job is None:
        raise click.ClickException(f"There is no job {job_id}. `flask --app app jobs list` "
                                   "shows the recent ones.")
    return job


def _progress_line(job: Job) -> str:
    if job.progress_total:
        return f"{job.progress_done:,} of {job.progress_total:,} — {job.percent}%"
    return f"{job.progress_done:,} done"


@jobs_group.command("list")
@click.option("--status", type=click.Choice(JOB_STATUSES), help="Only jobs in this state.")
@click.option("--limit", default=20, show_default=True, help="How many, newest first.")
@with_appcontext
def list_command(status: str | None, limit: int) -> None:
    """The most recent jobs, newest first."""
    jobs = queries.list_recent_jobs(status=status, limit=limit)
    if not jobs:
        click.echo("No jobs.")
        return
    for job in jobs:
        click.echo(f"{job.id:>6}  {job.status:<9}  {_progress_line(job):<24}  "
                   f"{job.kind:<16}  {job.title}")


def _show(job: Job) -> None:
    click.echo(f"Job {job.id}: {job.title} ({job.kind})")
    click.echo(f"  status:   {job.status}" + (f" — {job.message}" if job.message else ""))
    click.echo(f"  progress: {_progress_line(job)}")
    click.echo(f"  started by: {job.created_by.email if job.created_by else 'the command line'}"
               f"; queued {job.created_at:%Y-%m-%d %H:%M:%S} UTC; attempts {job.attempts}")
    if job.result:
        click.echo(f"  result:   {job.result}")
    if job.error:
        click.echo(f"  error:    {job.error}")


def _follow(job_id: int) -> Job:
    """A progress bar that follows job JOB_ID until it ends; returns the ended row."""
    job = _load(job_id)
    warned = False
    started = time.monotonic()
    with click.progressbar(length=job.progress_total or 1, label=job.title[:40],
                           show_percent=True, show_pos=True) as bar:
        while not job.is_finished:
            if job.progress_total:
                bar.length = job.progress_total
            bar.update(job.progress_done - bar.pos)
            if job.status == "queued" and not warned and time.monotonic() - started > 5:
                click.echo("\nStill waiting to start: is the worker running? "
                           "(`flask --app app jobs worker`, or `make run`)", err=True)
                warned = True
            Session.rollback()  # end the read transaction so the next poll sees new commits
            time.sleep(POLL_SECONDS)
            job = _load(job_id)
        if job.progress_total:
            bar.length = job.progress_total
        bar.update(job.progress_done - bar.pos)
    return job


def _exit_for(job: Job) -> None:
    _show(job)
    if job.status != "done":
        raise click.exceptions.Exit(1)


@jobs_group.command("show")
@click.argument("job_id", type=int)
@with_appcontext
def show_command(job_id: int) -> None:
    """Everything about job JOB_ID (its status, progress, result or error)."""
    _show(_load(job_id))


@jobs_group.command("watch")
@click.argument("job_id", type=int)
@with_appcontext
def watch_command(job_id: int) -> None:
    """Follow job JOB_ID with a progress bar until it ends. Exits 1 unless it finished."""
    _exit_for(_follow(job_id))


@jobs_group.command("cancel")
@click.argument("job_id", type=int)
@with_appcontext
def cancel_command(job_id: int) -> None:
    """Cancel job JOB_ID; a running job stops at its next progress report."""
    try:
        cancel_job(None, _load(job_id))
    except OperationRefused as error:
        Session.rollback()
        raise click.ClickException(str(error)) from None
    Session.commit()
    click.echo(f"Cancelled job {job_id}.")


@jobs_group.command("demo")
@click.option("--steps", default=20, show_default=True, type=click.IntRange(1, 10_000),
              help="How many steps; each sleeps --seconds.")
@click.option("--seconds", default=0.2, show_default=True, type=click.FloatRange(0, 60),
              help="How long each step sleeps.")
@click.option("--inline", is_flag=True,
              help="Run it here, in this process, instead of sending it to the worker.")
@click.option("--no-watch", is_flag=True, help="Queue it and return at once.")
@with_appcontext
def demo_command(steps: int, seconds: float, inline: bool, no_watch: bool) -> None:
    """Start a demo job that shows progress end to end (queue, worker, progress bar)."""
    title = f"Demo job ({steps} steps)"
    if inline:
        job = create_job(None, "demo", title, {"steps": steps, "seconds": seconds})
        Session.commit()
        click.echo(f"Running job {job.id} here.")
        _exit_for(run_job_inline(job))
        return
    job = start_job(None, "demo", title, steps=steps, seconds=seconds)
    Session.commit()  # sent to the queue after this commit
    click.echo(f"Queued job {job.id}; its page is {current_app.config['BASE_URL']}/jobs/"
               f"{job.id}")
    if not no_watch:
        _exit_for(_follow(job.id))


@jobs_group.command("worker")
@click.option("--workers", "-w", type=int, default=None,
              help="Worker threads (default: JOBS_WORKERS, 2).")
@with_appcontext
def worker_command(workers: int | None) -> None:
    """Run the job worker in the foreground (what `make run` starts beside the web server).

    The same as `huey_consumer app.jobs.worker.huey -w 2 -k thread`. Ctrl-C (SIGINT) stops it
    after the running jobs' current step; SIGTERM stops it at once, and the interrupted jobs
    resume from their last checkpoint when a worker starts again.
    """
    queue = get_queue()
    count = workers or int(current_app.config["JOBS_WORKERS"])
    where = current_app.config["REDIS_URL"] and "Redis" or current_app.config["JOBS_SQLITE_PATH"]
    niceness = lower_worker_priority(current_app.config["JOBS_WORKER_NICE"])
    click.echo(f"Job worker: {count} threads at niceness {niceness}, queue in {where}.")
    consumer = queue.huey.create_consumer(workers=count, worker_type="thread", periodic=True,
                                          check_worker_health=True)
    consumer.run()
