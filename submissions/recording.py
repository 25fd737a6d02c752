"""Turning a submission into FeedbackItems, and its receipt: the job after the submit.

Each answer becomes one FeedbackItem (source `submission_answer`, source id
"<submission id>:<question key>", its question key, under the submitter's consent): text answers
as written, closed answers as their labels with the structured answer beside them (the
question's label, kind and options, and the options chosen: `closed_answer`), so reports chart
them from the corpus. The job then emails the receipt with a PDF copy.
"""
from __future__ import annotations

import logging

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.corpus.closed import ClosedAnswer
from app.corpus.models import FeedbackItem
from app.corpus.operations import record_feedback, withdraw_consent
from app.corpus.scope import ConsentScope
from app.db import Session, utcnow
from app.jobs import job
from app.models import Organisation
from submissions.models import TEXT_KINDS, Submission

log = logging.getLogger("korero.submissions")
SOURCE = "submission_answer"


def source_id(submission: Submission, key: str) -> str:
    return f"{submission.id}:{key}"


def items_of(submission: Submission) -> list[FeedbackItem]:
    prefix = f"{submission.id}:"
    return list(Session.scalars(select(FeedbackItem).where(
        FeedbackItem.source == SOURCE, FeedbackItem.source_id.startswith(prefix))))


def answer_item(submission: Submission, key: str) -> FeedbackItem | None:
    """The FeedbackItem of one answer (None until the recording job has run)."""
    return Session.scalar(select(FeedbackItem).where(
        FeedbackItem.source == SOURCE, FeedbackItem.source_id == source_id(submission, key)))


# The corpus's name for each closed kind of question (submissions.models.QUESTION_KINDS).
CORPUS_KINDS = {"single_choice": "single_choice", "multiple_choice": "multiple_choice",
                "agreement": "scale", "yes_no": "yes_no", "ranking": "ranking"}


def closed_answer(question, value) -> ClosedAnswer | None:
    """ANSWER's structured form for the corpus, or None for a text question or no answer. A
    chosen value the question no longer offers (an answer to an older version of the form)
    is kept, as an option labelled with its own value, rather than lost."""
    if question is None or question.kind in TEXT_KINDS or question.kind not in CORPUS_KINDS \
            or value in (None, "", []):
        return None
    chosen = [str(v) for v in (value if isinstance(value, list) else [value])]
    options = [(str(v), str(label)) for v, label in question.options]
    known = {v for v, _label in options}
    options += [(v, v) for v in dict.fromkeys(chosen) if v not in known]
    return ClosedAnswer.of(question.prompt, CORPUS_KINDS[question.kind], options,
                           list(dict.fromkeys(chosen)))


def questions_of(submission: Submission) -> dict:
    """The questions SUBMISSION answered (its form version's), by key."""
    return {q.key: q for q in submission.form_version.questions}


def scope_of(submission: Submission) -> ConsentScope:
    consent = submission.consent or {}
    return ConsentScope(analysis=bool(consent.get("analysis")),
                        quote=consent.get("quote") or "none",
                        publish=consent.get("publish") or "none",
                        governed_by_id=consent.get("governed_by_id"))


def record_answers(submission: Submission) -> int:
    """Create or update the FeedbackItems of SUBMISSION's answers; withdraw those of answers
    it no longer has. The recording actor is the person who submitted it (the corpus lets only
    an item's author record it); none for a submission made without an account."""
    author = submission.submitted_by
    verified_by = guest_verification(submission)
    organisation = (Session.get(Organisation, submission.organisation_id)
                    if submission.organisation_id else None)
    scope = scope_of(submission)
    consultation = submission.form.consultation
    answered = set()
    questions = questions_of(submission)
    for answer in submission.answers:
        if not answer.text.strip():
            continue
        answered.add(source_id(submission, answer.question_key))
        record_feedback(author, consultation=consultation, source=SOURCE,
                        source_id=source_id(submission, answer.question_key),
                        text=corpus_text(submission, answer), author=author,
                        organisation=organisation, question_key=answer.question_key,
                        consent=scope, created_at=submission.submitted_at,
                        verified_by=verified_by,
                        closed=closed_answer(questions.get(answer.question_key),
                                             answer.value))
    for attachment in (submission.draft.attachments if submission.draft else []):
        text = _attachment_text(attachment)
        if text:
            key = f"file-{attachment.id}"
            answered.add(source_id(submission, key))
            record_feedback(author, consultation=consultation, source=SOURCE,
                            source_id=source_id(submission, key), text=text, author=author,
                            organisation=organisation, question_key="attachment",
                            consent=scope, created_at=submission.submitted_at,
                            verified_by=verified_by)
    for item in items_of(submission):
        if item.source_id not in answered and item.consent_analysis:
            withdraw_consent(author, item, reason="answer removed from the submission",
                             verified_by=verified_by)
    submission.recorded_at = utcnow()
    Session.flush()
    return len(answered)


def guest_verification(submission: Submission) -> str | None:
    """How the corpus knows a change to a guest's submission is theirs: only they reach it,
    through their receipt's secret link or the signed session they submitted in (see
    submissions.guest_links). None for a submission made with an account."""
    return "receipt_link" if submission.submitted_by_id is None else None


def corpus_text(submission: Submission, answer) -> str:
    """What the corpus holds for ANSWER: its text with the analysts' redactions applied, so
    a submitter's later edit never brings a redacted passage back."""
    from submissions.operations.publishing import public_text

    return public_text(answer.text, submission.redactions, answer.question_key)


def _attachment_text(attachment) -> str:
    from submissions import attachments

    try:
        return attachments.extract_text(attachment.kind, attachments.read(attachment.stored_name))
    except Exception:  # a damaged file must not stop the answers being recorded
        log.exception("attachment %s: could not extract its text", attachment.id)
        return ""


def withdraw_items(submission: Submission, *, ip: str = "") -> int:
    count = 0
    for item in items_of(submission):
        if item.consent_analysis or item.consent_publish != "none" or item.consent_quote != "none":
            withdraw_consent(submission.submitted_by, item, reason="submission withdrawn", ip=ip,
                             verified_by=guest_verification(submission))
            count += 1
    return count


@job("submissions.record", label=_l("Record a submission"))
def record_submission_job(ctx, submission_id: int, send_receipt: bool = True) -> dict:
    """Record the answers as FeedbackItems, then email the receipt (with its PDF)."""
    submission = Session.get(Submission, submission_id)
    if submission is None or submission.withdrawn_at is not None:
        return {"recorded": 0}
    ctx.progress(0, 2, "Recording answers")
    count = record_answers(submission)
    Session.commit()
    ctx.progress(1, 2, "Sending the receipt")
    if send_receipt:
        from submissions.receipts import send_receipt as send

        send(submission)
    ctx.progress(2, 2, "Done")
    return {"recorded": count}
