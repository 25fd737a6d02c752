"""Submissions: a person's data (export, erase) and their "your tasks" entries."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.db import Session
from app.packages import Task
from app.privacy.audit import record_event
from submissions import queries
from submissions.models import Draft, Submission


def export_personal_data(person) -> dict:
    """PERSON's drafts and submissions, with their answers (JSON-ready)."""
    drafts = Session.scalars(select(Draft).where(Draft.owner_id == person.id))
    submissions = Session.scalars(select(Submission).where(
        Submission.submitted_by_id == person.id))
    return {
        "drafts": [{"id": d.id, "form": d.form.title, "answers": d.answers, "consent": d.consent,
                    "updated_at": d.updated_at.isoformat()} for d in drafts],
        "submissions": [{
            "reference": s.reference, "form": s.form.title,
            "organisation": s.organisation.name if s.organisation else None,
            "role": s.submitter_role, "submitted_at": s.submitted_at.isoformat(),
            "withdrawn_at": s.withdrawn_at.isoformat() if s.withdrawn_at else None,
            "consent": s.consent,
            "answers": {a.question_key: a.text for a in s.answers}} for s in submissions],
    }


def erase_personal_data(actor, person) -> None:
    """Delete PERSON's own drafts and personal submissions (their FeedbackItems are the
    corpus's to erase); organisation submissions stay with the organisation, unattributed."""
    drafts = list(Session.scalars(select(Draft).where(Draft.owner_id == person.id,
                                                      Draft.organisation_id.is_(None))))
    personal = list(Session.scalars(select(Submission).where(
        Submission.submitted_by_id == person.id, Submission.organisation_id.is_(None))))
    for row in [*personal, *drafts]:
        Session.delete(row)
    for row in Session.scalars(select(Submission).where(Submission.submitted_by_id == person.id)):
        row.submitted_by_id = None
    Session.flush()
    record_event(actor, "submissions.erased", target=person,
                 detail={"drafts": len(drafts), "submissions": len(personal)})


def tasks(person):
    """Participants: drafts not yet submitted; analysts: submissions to redact and publish."""
    # Plain paths: tasks are gathered outside any request (no url_for).
    yield Task(_l("Submission drafts to finish"), queries.count_open_drafts(person),
               "/submissions/")
    if person.has_role("analyst"):
        yield Task(_l("Submissions to redact for publishing"), queries.count_to_redact(),
                   "/submissions/manage")
