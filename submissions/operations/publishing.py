"""Published submissions: an analyst redacts passages, then publishes (consent permitting)."""
from __future__ import annotations

from flask_babel import gettext as _

from app.corpus.operations import REDACTED
from app.db import Session, utcnow
from app.errors import OperationRefused
from app.privacy.audit import record_event
from submissions.models import Redaction, Submission

__all__ = ["REDACTED", "public_text", "publish_submission", "redact"]


def _require_analyst(actor) -> None:
    if actor is None or not actor.has_role("analyst"):
        raise OperationRefused(_("Only analysts may redact and publish submissions."))


def redact(actor, submission: Submission, *, question_key: str, passage: str,
           reason: str, ip: str = "") -> Redaction:
    """Hide PASSAGE of one answer on the public page and in the corpus (the answer's
    FeedbackItem, which analysis and public reports read, through the corpus's staff
    redaction), keeping REASON beside the original. Refuses a passage that is not in that
    answer, and an empty reason."""
    _require_analyst(actor)
    answer = next((a for a in submission.answers if a.question_key == question_key), None)
    passage, reason = (passage or "").strip(), (reason or "").strip()
    if answer is None:
        raise OperationRefused(_("Choose one of the submission's answers."), field="question_key")
    if not passage or passage not in answer.text:
        raise OperationRefused(_("Copy the passage exactly as it appears in the answer."),
                               field="passage")
    if not reason:
        raise OperationRefused(_("Say why the passage is redacted."), field="reason")
    redaction = Redaction(submission_id=submission.id, question_key=question_key,
                          passage=passage, reason=reason[:500], redacted_by_id=actor.id,
                          redacted_at=utcnow())
    submission.redactions.append(redaction)
    Session.flush()
    _redact_in_corpus(actor, submission, question_key, passage, reason, ip)
    record_event(actor, "submissions.redacted", target=submission, ip=ip,
                 detail={"question": question_key, "reason": reason[:500]})
    return redaction


def _redact_in_corpus(actor, submission: Submission, question_key: str, passage: str,
                      reason: str, ip: str) -> None:
    """Carry the redaction to the answer's FeedbackItem. Not recorded yet (the job has not
    run), or the passage already gone from it: the recording applies every redaction itself
    (`recording.record_answers`), so nothing is left to do here."""
    from app.corpus.operations import redact_feedback
    from submissions.recording import answer_item

    item = answer_item(submission, question_key)
    if item is not None and passage in item.text:
        redact_feedback(actor, item, [passage], reason=reason, ip=ip)


def publish_submission(actor, submission: Submission, *, publish: bool = True) -> Submission:
    """Put a redacted submission on the public page (or take it off). Refuses one whose
    consent does not allow publishing, or that is withdrawn."""
    _require_analyst(actor)
    if publish and not submission.may_be_public:
        raise OperationRefused(_("The submitter did not agree to publishing, or withdrew it."))
    submission.published_at = utcnow() if publish else None
    Session.flush()
    record_event(actor, "submissions.published" if publish else "submissions.unpublished",
                 target=submission)
    return submission


def public_text(text: str, redactions, question_key: str) -> str:
    """TEXT with every redacted passage of QUESTION_KEY replaced (the same marker the corpus
    uses, so the public page and the corpus read alike)."""
    for redaction in redactions:
        if redaction.question_key == question_key:
            text = text.replace(redaction.passage, REDACTED)
    return text
