"""Reading jobs. Nothing here writes."""
from __future__ import annotations

from sqlalchemy import select

from app.db import Session
from app.jobs.models import SEE_ALL_ROLES, Job

LIST_LIMIT = 100


def get_job(job_id: int) -> Job | None:
    return Session.get(Job, job_id)


def list_jobs_for(actor, *, limit: int = LIST_LIMIT) -> list[Job]:
    """Newest first: ACTOR's own jobs, or every job for analysts and admins."""
    query = select(Job).order_by(Job.id.desc()).limit(limit)
    if not actor.has_role(*SEE_ALL_ROLES):
        query = query.where(Job.created_by_id == actor.id)
    return list(Session.scalars(query))


def list_recent_jobs(*, status: str | None = None, limit: int = LIST_LIMIT) -> list[Job]:
    """Every job, newest first (the CLI, which runs with the operator's full access)."""
    query = select(Job).order_by(Job.id.desc()).limit(limit)
    if status:
        query = query.where(Job.status == status)
    return list(Session.scalars(query))
