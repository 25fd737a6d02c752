""""Your tasks": what needs a person now, with counts. Reads only.

The page (main.tasks) shows the core's own entries (below) and every feature package's, each
package declaring its own through `FeaturePackage.tasks` (gathered by app.packages.tasks_for),
so the page grows with the features and the core never needs to know what a booking is.
"""
from __future__ import annotations

from flask import Flask, url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from app.auth.models import Invitation
from app.db import Session, utcnow
from app.jobs.models import Job
from app.packages import Task, tasks_for


def count_active_jobs_started_by(person) -> int:
    """PERSON's own background jobs that are waiting to start or running."""
    return Session.scalar(select(func.count(Job.id)).where(
        Job.created_by_id == person.id, Job.status.in_(("queued", "running")))) or 0


def count_pending_invitations() -> int:
    """Invitations sent and not yet accepted, withdrawn or expired."""
    return Session.scalar(select(func.count(Invitation.id)).where(
        Invitation.accepted_at.is_(None), Invitation.revoked_at.is_(None),
        Invitation.expires_at > utcnow())) or 0


def core_tasks(person) -> list[Task]:
    """The core's entries for PERSON: their running jobs; for admins, open invitations."""
    found = [Task(_l("Your background jobs still running"), count_active_jobs_started_by(person),
                  url_for("jobs.index"))]
    if person.has_role("admin"):
        found.append(Task(_l("Invitations waiting to be accepted"), count_pending_invitations(),
                          url_for("admin.invitations")))
    return [task for task in found if task.count]


def tasks_for_person(app: Flask, person) -> list[Task]:
    """Everything that needs PERSON now: the core's entries, then each package's."""
    return [*core_tasks(person), *tasks_for(app, person)]
