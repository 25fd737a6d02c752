"""Writing interviews: scheduling, the interviewee's consent, notes (with revisions and key
points as FeedbackItems), corrections, consent changes by the interviewee, and retention.
Every function takes the actor, adds and flushes, and never commits."""
from __future__ import annotations

import secrets
from datetime import date, datetime, timedelta
from pathlib import Path

from flask_babel import gettext as _
from sqlalchemy import select

from app.config import instance_path
from app.corpus.models import FeedbackItem
from app.corpus.operations import record_feedback, update_consent
from app.corpus.scope import PUBLISH_LEVELS, QUOTE_LEVELS, ConsentScope
from app.db import Session, utcnow
from app.errors import OperationRefused
from app.privacy.audit import record_event
from app.uploads import check_document
from workshops.interview_models import (
    CONSENT_METHODS,
    CorrectionRequest,
    Interview,
    InterviewKeyPoint,
    InterviewNoteRevision,
)

DEFAULT_RETENTION_DAYS = 365


def consent_form_folder() -> Path:
    """Outside static: the files are served only through the audited download view."""
    return instance_path() / "interview-consent-forms"


def _refuse_unless_writer(actor, interview: Interview) -> None:
    if not interview.can_write(actor):
        raise OperationRefused(_("Only the facilitator running this interview may do that."))


def schedule_interview(actor, consultation, *, scheduled_at: datetime, interviewee=None,
                       name: str = "", organisation: str = "", contact: str = "",
                       retention_days: int = DEFAULT_RETENTION_DAYS) -> Interview:
    """An interview with a participant (INTERVIEWEE) or a person without an account (NAME)."""
    if actor is None or not actor.has_role("facilitator"):
        raise OperationRefused(_("Only facilitators schedule interviews."))
    if interviewee is None and not name.strip():
        raise OperationRefused(_("Give the interviewee's name, or choose a participant."),
                               field="name")
    interview = Interview(
        consultation_id=consultation.id, facilitator_id=actor.id,
        interviewee_id=interviewee.id if interviewee is not None else None,
        interviewee_name=(name or (interviewee.display_name if interviewee else "")).strip(),
        interviewee_organisation=organisation.strip(), interviewee_contact=contact.strip(),
        scheduled_at=scheduled_at,
        delete_by=(scheduled_at + timedelta(days=retention_days)).date())
    Session.add(interview)
    Session.flush()
    record_event(actor, "workshops.interview_added", target=interview)
    return interview


def check_consent_form(content: bytes) -> tuple[str, str]:
    """(mimetype, suffix) of an acceptable form; refuses anything not a PDF, PNG or JPEG (told
    by its first bytes, never by its name or declared type: app/uploads.py)."""
    return check_document(content, field="consent_form",
                          message=_("The consent form must be a PDF, PNG or JPEG file."))


def record_consent(actor, interview: Interview, scope: ConsentScope, *, method: str,
                   given_at: datetime, form_content: bytes | None = None) -> Interview:
    """Record how and when the interviewee consented, and to what (before any note)."""
    _refuse_unless_writer(actor, interview)
    if method not in CONSENT_METHODS:
        raise OperationRefused(_("Choose written, verbal or recorded."), field="method")
    if given_at > utcnow() + timedelta(minutes=5):
        raise OperationRefused(_("Consent cannot have been given in the future."),
                               field="given_at")
    if form_content:
        mimetype, suffix = check_consent_form(form_content)
        folder = consent_form_folder()
        folder.mkdir(parents=True, exist_ok=True)
        name = secrets.token_hex(16) + suffix
        (folder / name).write_bytes(form_content)
        _remove_form(interview)
        interview.consent_form_name, interview.consent_form_mimetype = name, mimetype
    had_consent = interview.has_consent
    interview.consent_analysis = scope.analysis
    interview.consent_quote = scope.quote
    interview.consent_publish = scope.publish
    interview.consent_governed_by_id = scope.governed_by_id
    interview.consent_method = method
    interview.consent_given_at = given_at
    Session.flush()
    if had_consent:
        _apply_to_items(actor, interview, scope, reason="consent re-recorded by the facilitator")
    record_event(actor, "workshops.consent_recorded", target=interview,
                 detail={"consent": f"{method}; {_scope_words(scope)}"})
    return interview


def _scope_words(scope: ConsentScope) -> str:
    """The scope as words with spaces: the audit page can wrap it (canonical JSON cannot)."""
    return (f"analysis {'yes' if scope.analysis else 'no'}, quote {scope.quote}, "
            f"publish {scope.publish}, governed by {scope.governed_by_id or 'none'}")


def consent_of(interview: Interview) -> ConsentScope:
    return ConsentScope(analysis=bool(interview.consent_analysis),
                        quote=interview.consent_quote or "none",
                        publish=interview.consent_publish or "none",
                        governed_by_id=interview.consent_governed_by_id)


def key_point_items(interview: Interview) -> list[FeedbackItem]:
    return list(Session.scalars(select(FeedbackItem).join(
        InterviewKeyPoint, InterviewKeyPoint.feedback_item_id == FeedbackItem.id).where(
        InterviewKeyPoint.interview_id == interview.id, InterviewKeyPoint.is_current.is_(True))
        .order_by(InterviewKeyPoint.position)))


def save_note(actor, interview: Interview, *, questions: str, key_points: list[str]) -> Interview:
    """Save the note as a new revision; each key point is a FeedbackItem under the recorded
    consent (attributed to the interviewee when they have an account). Refuses before consent
    is recorded, and after the note was purged."""
    _refuse_unless_writer(actor, interview)
    if not interview.has_consent:
        raise OperationRefused(_("Record the interviewee's consent before saving any note."))
    if interview.purged_at is not None:
        raise OperationRefused(_("This interview's notes were deleted at the end of their "
                               "retention period."))
    points = [point.strip() for point in key_points if point.strip()]
    interview.note_version += 1
    interview.questions = questions.strip()
    Session.add(InterviewNoteRevision(interview_id=interview.id, version=interview.note_version,
                                      questions=interview.questions, key_points="\n".join(points),
                                      saved_by_id=actor.id))
    existing = list(Session.scalars(select(InterviewKeyPoint).where(
        InterviewKeyPoint.interview_id == interview.id).order_by(InterviewKeyPoint.position)))
    by_position = {kp.position: kp for kp in existing}
    consultation = interview_consultation(interview)
    for position, text in enumerate(points, start=1):
        key_point = by_position.get(position)
        if key_point is None:
            key_point = InterviewKeyPoint(interview_id=interview.id, position=position)
            Session.add(key_point)
            Session.flush()
        key_point.is_current = True
        scope = consent_of(interview)
        if key_point.feedback_item_id is not None:
            # An item's consent may have been narrowed by the interviewee: keep theirs.
            item = Session.get(FeedbackItem, key_point.feedback_item_id)
            scope = ConsentScope.from_item(item) if item is not None else scope
        item = record_feedback(actor, consultation=consultation, source="interview_note",
                               source_id=key_point.id, text=text, author=interview.interviewee,
                               consent=scope)
        key_point.feedback_item_id = item.id
    for key_point in existing:
        if key_point.position > len(points) and key_point.is_current:
            key_point.is_current = False
            item = Session.get(FeedbackItem, key_point.feedback_item_id)
            if item is not None and item.consent_analysis:
                update_consent(actor, item, ConsentScope.withdrawn(item.governed_by_id),
                               reason="key point removed from the note")
    Session.flush()
    record_event(actor, "workshops.note_saved", target=interview,
                 detail={"version": interview.note_version, "key_points": len(points)})
    return interview


def interview_consultation(interview: Interview):
    from app.models import Consultation

    return Session.get(Consultation, interview.consultation_id)


# ---------------------------------------------------------------- the interviewee


def request_correction(actor, interview: Interview, statement: str) -> CorrectionRequest:
    if not interview.is_interviewee(actor):
        raise OperationRefused(_("Only the person interviewed may ask for a correction."))
    if not statement.strip():
        raise OperationRefused(_("Say what should be corrected."), field="statement")
    request = CorrectionRequest(interview_id=interview.id, requested_by_id=actor.id,
                                statement=statement.strip())
    Session.add(request)
    Session.flush()
    record_event(actor, "workshops.correction_requested", target=request)
    return request


def decide_correction(actor, request: CorrectionRequest, *, accept: bool,
                      response: str = "") -> CorrectionRequest:
    """Accept (the facilitator then edits the note) or refuse with reasons; a refused
    statement stays beside the note for good."""
    _refuse_unless_writer(actor, request.interview)
    if request.status != "open":
        raise OperationRefused(_("This request has already been decided."))
    if not accept and not response.strip():
        raise OperationRefused(_("Say why the correction is refused."), field="response")
    request.status = "accepted" if accept else "refused"
    request.response = response.strip()
    request.decided_by_id = actor.id
    request.decided_at = utcnow()
    Session.flush()
    record_event(actor, "workshops.correction_decided", target=request,
                 detail={"status": request.status})
    return request


def _narrower_or_equal(new: ConsentScope, old: ConsentScope) -> bool:
    return ((not new.analysis or old.analysis)
            and QUOTE_LEVELS.index(new.quote) <= QUOTE_LEVELS.index(old.quote)
            and PUBLISH_LEVELS.index(new.publish) <= PUBLISH_LEVELS.index(old.publish))


def _apply_to_items(actor, interview: Interview, scope: ConsentScope, *, reason: str) -> int:
    changed = 0
    for item in key_point_items(interview):
        if ConsentScope.from_item(item) != scope:
            update_consent(actor, item, scope, reason=reason)
            changed += 1
    return changed


def change_my_consent(actor, interview: Interview, scope: ConsentScope) -> int:
    """The interviewee narrows (or withdraws) consent: it takes effect on every FeedbackItem
    of the interview at once. Refuses widening: that needs the facilitator and a new consent."""
    if not interview.is_interviewee(actor):
        raise OperationRefused(_("Only the person interviewed may change this consent."))
    current = consent_of(interview)
    scope = ConsentScope(analysis=scope.analysis, quote=scope.quote, publish=scope.publish,
                         governed_by_id=current.governed_by_id)
    if not _narrower_or_equal(scope, current):
        raise OperationRefused(_("You can narrow or withdraw your consent here. To widen it, "
                                 "talk to your facilitator."))
    interview.consent_analysis = scope.analysis
    interview.consent_quote = scope.quote
    interview.consent_publish = scope.publish
    Session.flush()
    changed = _apply_to_items(actor, interview, scope, reason="changed by the interviewee")
    record_event(actor, "workshops.consent_narrowed", target=interview,
                 detail={"scope": _scope_words(scope)})
    return changed


# ---------------------------------------------------------------- retention


def _remove_form(interview: Interview) -> str | None:
    name = interview.consent_form_name
    if name:
        (consent_form_folder() / name).unlink(missing_ok=True)
        interview.consent_form_name = interview.consent_form_mimetype = None
    return name


def _delete_notes(interview: Interview) -> dict:
    """Delete INTERVIEW's revisions, key points (with their FeedbackItems) and consent form;
    what was deleted, counted."""
    revisions = Session.scalars(select(InterviewNoteRevision).where(
        InterviewNoteRevision.interview_id == interview.id)).all()
    key_points = Session.scalars(select(InterviewKeyPoint).where(
        InterviewKeyPoint.interview_id == interview.id)).all()
    items = 0
    for key_point in key_points:
        item = Session.get(FeedbackItem, key_point.feedback_item_id) \
            if key_point.feedback_item_id else None
        Session.delete(key_point)
        if item is not None:
            Session.delete(item)
            items += 1
    for revision in revisions:
        Session.delete(revision)
    form = _remove_form(interview)
    interview.questions = ""
    Session.flush()
    return {"interview_id": interview.id, "revisions": len(revisions),
            "key_points": len(key_points), "feedback_items": items, "consent_form": bool(form)}


def purge_expired(today: date | None = None) -> list[dict]:
    """Delete the notes, key points (with their FeedbackItems) and consent forms of every
    interview past its delete-by date; what was purged is in the audit log."""
    today = today or utcnow().date()
    purged = []
    for interview in Session.scalars(select(Interview).where(
            Interview.delete_by < today, Interview.purged_at.is_(None)).order_by(Interview.id)):
        detail = _delete_notes(interview)
        interview.purged_at = utcnow()
        Session.flush()
        detail["delete_by"] = interview.delete_by.isoformat()
        record_event(None, "workshops.interview_purged", target=interview, detail=detail)
        purged.append(detail)
    return purged


def erase_interviews_of(actor, person) -> int:
    """Erasing PERSON: delete every interview OF them (as interviewee) with its notes, key
    points and their FeedbackItems, corrections and consent form. The audit event keeps only
    counts, never what was said. How many interviews were deleted."""
    interviews = Session.scalars(select(Interview).where(
        Interview.interviewee_id == person.id).order_by(Interview.id)).all()
    for interview in interviews:
        detail = _delete_notes(interview)
        for correction in Session.scalars(select(CorrectionRequest).where(
                CorrectionRequest.interview_id == interview.id)):
            Session.delete(correction)
        record_event(actor, "workshops.interview_erased", target_type="workshop_interview",
                     target_id=str(interview.id), detail=detail)
        Session.delete(interview)
    Session.flush()
    return len(interviews)
