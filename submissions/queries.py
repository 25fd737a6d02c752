"""Submissions: queries (read only)."""
from __future__ import annotations

from sqlalchemy import exists, func, or_, select
from sqlalchemy.orm import selectinload

from app.db import Session
from app.governance.models import GovernanceGroup
from app.models import Organisation
from submissions.models import Draft, Submission, SubmissionAnswer, SubmissionForm

LIST_LIMIT = 200


def get_form(form_id: int) -> SubmissionForm | None:
    return Session.get(SubmissionForm, form_id)


def list_forms(consultation_id: int | None = None, *, published_only: bool = False):
    stmt = select(SubmissionForm).order_by(SubmissionForm.id.desc())
    if consultation_id is not None:
        stmt = stmt.where(SubmissionForm.consultation_id == consultation_id)
    if published_only:
        stmt = stmt.where(SubmissionForm.status == "published")
    return list(Session.scalars(stmt.limit(LIST_LIMIT)))


def _mine(person):
    org_ids = [m.organisation_id for m in person.memberships]
    return or_(Draft.owner_id == person.id, Draft.organisation_id.in_(org_ids or [-1]))


def list_drafts_for(person) -> list[Draft]:
    """PERSON's drafts and their organisations' that are not submitted yet."""
    submitted = select(Submission.draft_id).where(Submission.draft_id.is_not(None))
    return list(Session.scalars(select(Draft).where(_mine(person), Draft.id.not_in(submitted))
                                .order_by(Draft.updated_at.desc()).limit(LIST_LIMIT)))


def list_submissions_for(person) -> list[Submission]:
    org_ids = [m.organisation_id for m in person.memberships]
    return list(Session.scalars(select(Submission).where(or_(
        Submission.submitted_by_id == person.id,
        Submission.organisation_id.in_(org_ids or [-1]))).order_by(Submission.id.desc())
        .limit(LIST_LIMIT)))


def count_open_drafts(person) -> int:
    submitted = select(Submission.draft_id).where(Submission.draft_id.is_not(None))
    return Session.scalar(select(func.count()).select_from(Draft).where(
        _mine(person), Draft.id.not_in(submitted))) or 0


def form_submissions(form: SubmissionForm):
    """A form's submissions, newest first, for `paginate`: a deadline day leaves hundreds of
    thousands, so the analysts' list is read a page at a time, with what each row shows
    loaded in the same round trips (no query per row)."""
    return (select(Submission).where(Submission.form_id == form.id)
            .options(selectinload(Submission.organisation),
                     selectinload(Submission.form_version))
            .order_by(Submission.id.desc()))


def governance_groups() -> list[GovernanceGroup]:
    return list(Session.scalars(select(GovernanceGroup).order_by(GovernanceGroup.name)))


def published_submissions(*, search: str = "", group: str = ""):
    """The statement for the public page: published, not withdrawn (publishing checked the
    consent; any change or withdrawal unpublishes), newest first; SEARCH in the answers'
    text, GROUP a stakeholder group or "individual"."""
    stmt = (select(Submission).where(Submission.published_at.is_not(None),
                                     Submission.withdrawn_at.is_(None))
            .order_by(Submission.published_at.desc(), Submission.id.desc()))
    if group == "individual":
        stmt = stmt.where(Submission.organisation_id.is_(None))
    elif group:
        stmt = stmt.join(Organisation, Organisation.id == Submission.organisation_id).where(
            Organisation.stakeholder_group == group)
    if search.strip():
        # Searched in the stored text: a redacted passage may match, but is never shown.
        needle = f"%{search.strip().lower()}%"
        stmt = stmt.where(exists().where(SubmissionAnswer.submission_id == Submission.id,
                                         func.lower(SubmissionAnswer.text).like(needle)))
    return stmt


def count_to_redact() -> int:
    """Submissions whose consent allows publishing that are not published yet (any consent
    change clears published_at, so these need an analyst's review)."""
    rows = Session.scalars(select(Submission.consent).where(
        Submission.published_at.is_(None), Submission.withdrawn_at.is_(None)).limit(10_000))
    return sum(1 for consent in rows if (consent or {}).get("publish") == "public")
