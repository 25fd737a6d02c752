"""Starting and cancelling jobs. Operations add and flush; the caller commits.

start_job() sends the job to the queue only AFTER the surrounding transaction commits (an
SQLAlchemy after_commit hook on the session): sent any earlier, a worker could look for the
row before it exists, and a rolled-back request would leave a message for a job that never was.
"""
from __future__ import annotations

import json
import logging

from flask_babel import gettext as _
from sqlalchemy import event
from sqlalchemy.orm import Session as OrmSession
from sqlalchemy.orm import SessionTransaction

from app.db import Session, utcnow
from app.errors import OperationRefused
from app.jobs.models import Job
from app.jobs.registry import get_kind

log = logging.getLogger("korero.jobs")

_PENDING = "korero_jobs_to_enqueue"  # key in Session.info: ids waiting for the commit


def create_job(actor, kind: str, title: str | None = None, params: dict | None = None) -> Job:
    """Add a queued Job of KIND started by ACTOR (None from the CLI) and flush it. Does not
    send it to the queue (see start_job). Refuses an unknown kind, or params that are not JSON."""
    job_kind = get_kind(kind)
    if job_kind is None:
        raise OperationRefused(_("There is no kind of job called “%(kind)s”.", kind=kind))
    params = dict(params or {})
    try:
        json.dumps(params)
    except (TypeError, ValueError):
        raise OperationRefused(_("A job's parameters must be plain values (text, numbers, "
                                 "lists); pass ids rather than objects.")) from None
    job = Job(kind=kind, title=(title or str(job_kind.label))[:200], status="queued",
              params=params, progress_done=0, message="", attempts=0,
              created_by_id=getattr(actor, "id", None), created_at=utcnow())
    Session.add(job)
    Session.flush()
    return job


def start_job(actor, kind: str, title: str | None = None, **params) -> Job:
    """Create a job (see create_job) and send it to the queue once the caller commits.
    Nothing is sent if the transaction rolls back."""
    job = create_job(actor, kind, title, params)
    Session().info.setdefault(_PENDING, []).append(job.id)
    return job


def cancel_job(actor, job: Job) -> Job:
    """Mark JOB cancelled. A running job stops at its next progress report, and what it had
    not committed is rolled back. Refuses a job that has already ended."""
    if job.is_finished:
        raise OperationRefused(_("This job has already ended (%(status)s).",
                                 status=job.status_label))
    job.status = "cancelled"
    job.finished_at = utcnow()
    name = getattr(actor, "display_name", None)
    job.message = (_("Cancelled by %(name)s.", name=name) if name else _("Cancelled."))
    Session.flush()
    return job


# ---------------------------------------------------------------- enqueue after commit


@event.listens_for(OrmSession, "after_commit")
def _enqueue_after_commit(session: OrmSession) -> None:
    job_ids = session.info.pop(_PENDING, None)
    if not job_ids:
        return
    from app.jobs.tasks import enqueue

    for job_id in job_ids:
        try:
            enqueue(job_id)
        except Exception:  # the row is committed: a worker start picks it up (recover)
            log.exception("job %s: could not be sent to the queue; it stays queued", job_id)


@event.listens_for(OrmSession, "after_transaction_end")
def _forget_after_rollback(session: OrmSession, transaction: SessionTransaction) -> None:
    # after_commit has already taken the ids of a committed transaction; whatever is left
    # when the outermost transaction ends belonged to one that was rolled back.
    if transaction.parent is None:
        session.info.pop(_PENDING, None)
