"""Reading interviews."""
from __future__ import annotations

from sqlalchemy import or_, select

from app.db import Session
from app.models import User
from workshops.interview_models import CorrectionRequest, Interview, InterviewNoteRevision


def interviews_for(person) -> list[Interview]:
    """What PERSON may open: analysts all; facilitators their own; anyone their own interviews."""
    stmt = select(Interview).order_by(Interview.scheduled_at.desc(), Interview.id.desc())
    if not person.has_role("analyst"):
        stmt = stmt.where(or_(Interview.facilitator_id == person.id,
                              Interview.interviewee_id == person.id))
    return list(Session.scalars(stmt))


def revisions_of(interview: Interview) -> list[InterviewNoteRevision]:
    return list(Session.scalars(select(InterviewNoteRevision).where(
        InterviewNoteRevision.interview_id == interview.id)
        .order_by(InterviewNoteRevision.version.desc())))


def corrections_of(interview: Interview) -> list[CorrectionRequest]:
    return list(Session.scalars(select(CorrectionRequest).where(
        CorrectionRequest.interview_id == interview.id).order_by(CorrectionRequest.id)))


def participants() -> list[User]:
    from app.models import UserRole

    return list(Session.scalars(select(User).join(UserRole).where(
        UserRole.role == "participant", User.is_enabled.is_(True)).order_by(User.display_name)))
