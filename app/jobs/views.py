"""Job pages: your jobs, one job with its progress bar, and its status as JSON for the bar.

The MATRIX lets any signed-in person in; each job is then loaded through object_or_404
(Job.can_view / can_cancel), so a job you did not start is a 404 unless you are an analyst or
an admin. Starting the demo job is admin-only.
"""
from __future__ import annotations

from flask import Blueprint, flash, jsonify, redirect, render_template, url_for
from flask_babel import format_number
from flask_babel import gettext as _
from flask_login import current_user

from app.db import Session
from app.errors import OperationRefused
from app.jobs import queries
from app.jobs.forms import DemoJobForm
from app.jobs.models import Job
from app.jobs.operations import cancel_job, start_job
from app.permissions import object_or_404

bp = Blueprint("jobs", __name__)


def progress_of(job: Job) -> dict:
    """The job's progress as the page and the JSON show it ("412 of 3,000 — 14%")."""
    done, total, percent = job.progress_done, job.progress_total, job.percent
    if total:
        text = _("%(done)s of %(total)s — %(percent)s%%", done=format_number(done),
                 total=format_number(total), percent=percent)
    elif job.status == "queued":
        text = _("Not started yet")
    else:
        text = _("%(done)s done", done=format_number(done))
    return {"done": done, "total": total, "percent": percent, "text": text}


@bp.get("/")
def index():
    """Your jobs (every job for analysts and admins), newest first."""
    jobs = queries.list_jobs_for(current_user)
    return render_template("jobs/index.html", jobs=jobs, progress_of=progress_of,
                           demo_form=DemoJobForm())


@bp.get("/<int:job_id>")
def show(job_id: int):
    """One job: status, a progress bar that follows it, and how it ended."""
    job = object_or_404(queries.get_job(job_id), "view", current_user)
    return render_template("jobs/show.html", job=job, progress=progress_of(job))


@bp.get("/<int:job_id>.json")
def status(job_id: int):
    """The job's status and progress, polled every second by static/js/jobs.js."""
    job = object_or_404(queries.get_job(job_id), "view", current_user)
    return jsonify({"id": job.id, "status": job.status, "status_label": job.status_label,
                    "is_finished": job.is_finished, "message": job.message,
                    "progress": progress_of(job)})


@bp.post("/demo")
def run_demo():
    """Start a demo job (admins), to check the worker runs and the progress bar moves."""
    form = DemoJobForm()
    if not form.validate_on_submit():
        for errors in form.errors.values():
            for error in errors:
                flash(str(error), "error")
        return redirect(url_for("jobs.index"))
    job = start_job(current_user, "demo", title=_("Demo job (%(n)s steps)", n=form.steps.data),
                    steps=form.steps.data)
    Session.commit()  # the job is sent to the queue after this commit
    flash(_("Demo job started. If it stays “Waiting to start”, the worker is not running."),
          "success")
    return redirect(url_for("jobs.show", job_id=job.id))


@bp.post("/<int:job_id>/cancel")
def cancel(job_id: int):
    """Cancel a job that has not ended (the person who started it, or an admin)."""
    job = object_or_404(queries.get_job(job_id), "cancel", current_user)
    try:
        cancel_job(current_user, job)
    except OperationRefused as error:
        Session.rollback()
        flash(str(error), "error")
        return redirect(url_for("jobs.show", job_id=job_id))
    Session.commit()
    flash(_("Job cancelled."), "success")
    return redirect(url_for("jobs.show", job_id=job_id))
