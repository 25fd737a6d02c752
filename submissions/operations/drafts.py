"""Drafts and submissions: start, save (with a version check), submit (idempotent), withdraw.

The submit path is one short transaction: the submission row, its answers, and its
idempotency key (the draft's submit_key, unique). The intake sweeper (submissions.sweeper) later
turns the answers into FeedbackItems and emails the receipt, in batches. Nothing here reads
other submissions.
"""
from __future__ import annotations

import secrets

from flask_babel import gettext as _
from sqlalchemy import select, update

from app.db import Session, utcnow
from app.errors import OperationRefused
from app.privacy.audit import record_event
from submissions.answers import applicable_answers, changed_keys, check_answers, check_consent
from submissions.labels import answer_text
from submissions.models import Attachment, Draft, DraftChange, Submission, SubmissionAnswer

REFERENCE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"  # no 0/O, 1/I/L, U: read aloud safely


class DraftConflict(OperationRefused):
    """Someone saved the draft since this copy was loaded: nothing was overwritten."""

    def __init__(self, draft: Draft):
        super().__init__(_("Someone (perhaps you, in another tab) saved this draft since you "
                           "opened it. Nothing was overwritten: compare both and save again."))
        self.draft = draft


def new_reference() -> str:
    """A short unguessable reference like KOR-7K3M-Q9XD (30^8, about 6.6e11, values)."""
    chars = "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(8))
    return f"KOR-{chars[:4]}-{chars[4:]}"


def _check_open(form) -> None:
    if not form.is_open():
        raise OperationRefused(_("This consultation has closed: submissions can no longer be "
                                 "made or changed."))


def start_draft(actor, form, *, organisation=None) -> Draft:
    """A new draft of FORM's current version for ACTOR (None: a person without an account,
    when the form allows it), or shared by ORGANISATION's members. Refuses a closed form, an
    organisation ACTOR is not a member of, and guests where the form does not allow them."""
    _check_open(form)
    if actor is None and not form.allows_guests:
        raise OperationRefused(_("Sign in to make a submission."))
    if organisation is not None and (actor is None or all(
            m.organisation_id != organisation.id for m in actor.memberships)):
        raise OperationRefused(_("You can only make a submission for an organisation you "
                                 "belong to."), field="organisation")
    now = utcnow()
    draft = Draft(form_id=form.id, version_id=form.current_version.id,
                  owner_id=getattr(actor, "id", None),
                  organisation_id=organisation.id if organisation is not None else None,
                  answers={}, consent={}, version=1, submit_key=secrets.token_urlsafe(24),
                  created_at=now, updated_at=now, updated_by_id=getattr(actor, "id", None))
    Session.add(draft)
    Session.flush()
    return draft


def save_draft(actor, draft: Draft, *, base_version: int, answers: dict, consent: dict,
               details: dict) -> Draft:
    """Store ANSWERS, CONSENT and DETAILS (guest_name, guest_email, submitter_role,
    is_authorised) as the draft's next version, and who changed which answers.

    Raises DraftConflict when BASE_VERSION is not the draft's version (someone saved in
    between); refuses a closed form. The version check is a conditional UPDATE, so two
    concurrent saves of one version cannot both win, on either database.
    """
    _check_open(draft.form)
    if base_version != draft.version:
        raise DraftConflict(draft)
    old_answers = dict(draft.answers or {})
    now = utcnow()
    values = {"answers": answers, "consent": consent, "version": draft.version + 1,
              "updated_at": now, "updated_by_id": getattr(actor, "id", None),
              "guest_name": (details.get("guest_name") or "").strip()[:120],
              "guest_email": (details.get("guest_email") or "").strip()[:254],
              "submitter_role": (details.get("submitter_role") or "").strip()[:200],
              "is_authorised": bool(details.get("is_authorised"))}
    result = Session.execute(update(Draft).where(Draft.id == draft.id,
                                                 Draft.version == base_version).values(**values))
    if result.rowcount != 1:
        Session.expire(draft)
        raise DraftConflict(draft)
    Session.expire(draft)
    keys = changed_keys(old_answers, answers)
    if keys:
        Session.add(DraftChange(draft_id=draft.id, user_id=getattr(actor, "id", None),
                                version=base_version + 1, changed_keys=keys, changed_at=now))
    Session.flush()
    return draft


def find_submission(draft: Draft) -> Submission | None:
    return Session.scalar(select(Submission).where(Submission.idempotency_key == draft.submit_key))


def _check_submitter(actor, draft: Draft) -> None:
    if draft.is_guest:
        if not draft.guest_name.strip():
            raise OperationRefused(_("Give your name."), field="guest_name")
        if "@" not in draft.guest_email or len(draft.guest_email) < 3:
            raise OperationRefused(_("Give an email address we can send your receipt to."),
                                   field="guest_email")
    if draft.organisation_id is not None:
        if not draft.submitter_role.strip():
            raise OperationRefused(_("Say what your role in the organisation is."),
                                   field="submitter_role")
        if not draft.is_authorised:
            raise OperationRefused(_("Confirm that you are authorised to make this submission "
                                     "for the organisation."), field="is_authorised")


def consent_scope_dict(consent: dict) -> dict:
    return {"analysis": consent.get("analysis") == "yes", "quote": consent.get("quote"),
            "publish": consent.get("publish"), "governed_by_id": consent.get("governed_by")}


def submit_draft(actor, draft: Draft, *, group_ids: set[int]) -> tuple[Submission, bool]:
    """Submit DRAFT as it is saved: (the submission, whether anything changed).

    Idempotent: the draft's submit_key is the submission's idempotency key, so a repeated
    submit finds the submission; unchanged answers change nothing (the same receipt), changed
    ones update it (until the closing date) and record it again. Refuses a closed form,
    answers or consent that do not pass the checks (OperationRefused naming the question), a
    guest without name and email, an organisation draft without role and mandate, and a
    withdrawn submission.
    """
    existing = find_submission(draft)
    version = draft.form_version
    answers = applicable_answers(version, draft.answers or {})
    consent = consent_scope_dict(draft.consent or {})
    if existing is not None and existing.withdrawn_at is not None:
        raise OperationRefused(_("This submission was withdrawn."))
    if existing is not None and _same(existing, answers, consent):
        return existing, False
    _check_open(draft.form)
    _check_submitter(actor, draft)
    errors = check_answers(version, answers)
    if errors:
        key, message = next(iter(errors.items()))
        raise OperationRefused(message, field=f"answer-{key}")
    consent_errors = check_consent(draft.consent or {}, group_ids)
    if consent_errors:
        name, message = next(iter(consent_errors.items()))
        raise OperationRefused(message, field=f"consent-{name}")
    now = utcnow()
    submission = existing or Submission(
        reference=new_reference(), idempotency_key=draft.submit_key, form_id=draft.form_id,
        draft_id=draft.id, submitted_at=now,
        submitted_by_id=getattr(actor, "id", None), organisation_id=draft.organisation_id)
    submission.version_id = draft.version_id
    submission.submitter_role = draft.submitter_role
    submission.is_authorised = draft.is_authorised
    submission.guest_name, submission.guest_email = draft.guest_name, draft.guest_email
    submission.consent = consent
    submission.updated_at = now
    submission.recorded_at = None
    submission.published_at = None  # changed words are reviewed again before publishing
    if existing is None:
        Session.add(submission)
    _store_answers(submission, version, answers)
    submission.receipt_sent_at = None
    Session.flush()
    # No job row here: the intake sweeper (submissions.sweeper) picks up every submission whose
    # recorded_at is None, in batches; the view asks for a sweep after its commit.
    return submission, True


def _store_answers(submission: Submission, version, answers: dict) -> None:
    """Update the answers in place (a new list would insert before deleting, and trip the
    one-answer-per-question constraint)."""
    by_key = {q.key: q for q in version.answerable}
    stored = {a.question_key: a for a in submission.answers}
    for key, answer in stored.items():
        if key not in answers:
            submission.answers.remove(answer)
    Session.flush()
    for key, value in answers.items():
        answer = stored.get(key) or SubmissionAnswer(question_key=key)
        answer.value, answer.text = value, answer_text(by_key[key], value)
        if key not in stored:
            submission.answers.append(answer)


def _same(submission: Submission, answers: dict, consent: dict) -> bool:
    stored = {a.question_key: a.value for a in submission.answers}
    return stored == answers and (submission.consent or {}) == consent


def withdraw_submission(actor, submission: Submission, *, ip: str = "",
                        verified_by: str | None = None) -> Submission:
    """Withdraw SUBMISSION and every FeedbackItem made from it (consent withdrawn: never
    counted, quoted or published again). Refuses after the closing date, and twice. A
    submission made without an account is withdrawn only with VERIFIED_BY, how the view
    verified that the guest holds its secret (their receipt's link or the signed session they
    submitted in: submissions.guest_links); the corpus records it."""
    from submissions.recording import withdraw_items

    if submission.withdrawn_at is not None:
        raise OperationRefused(_("This submission is already withdrawn."))
    _check_open(submission.form)
    if submission.submitted_by is None and verified_by is None:
        raise OperationRefused(_("A submission made without an account is withdrawn from the "
                                 "link in its receipt email."))
    submission.withdrawn_at = utcnow()
    submission.published_at = None
    withdraw_items(submission, ip=ip)
    Session.flush()
    record_event(actor, "submissions.withdrawn", target=submission, ip=ip)
    return submission


def confirm_guest_email(submission: Submission) -> bool:
    """Mark a guest's email address confirmed (the emailed link). False if it already was."""
    if submission.email_confirmed_at is not None:
        return False
    submission.email_confirmed_at = utcnow()
    Session.flush()
    return True


def add_attachment(actor, draft: Draft, *, filename: str, content: bytes) -> Attachment:
    """Check CONTENT (type by content, size, zip bombs), store it under a random name and add
    it to DRAFT. Refuses a closed form, an empty or too large file, and any other type."""
    from submissions import attachments

    _check_open(draft.form)
    if not content:
        raise OperationRefused(_("Choose a file to attach."), field="file")
    if len(content) > attachments.max_bytes():
        raise OperationRefused(_("This file is larger than %(mb)d MB: attach a smaller one.",
                                 mb=attachments.max_bytes() // (1024 * 1024)), field="file")
    kind = attachments.detect_kind(content)
    label = "".join(ch for ch in (filename or "").replace("\\", "/").rpartition("/")[2]
                    if ch.isprintable()).strip()[:200] or f"attachment.{kind}"
    attachment = Attachment(draft_id=draft.id, stored_name=attachments.store(content),
                            filename=label, kind=kind, size=len(content),
                            uploaded_by_id=getattr(actor, "id", None), uploaded_at=utcnow())
    Session.add(attachment)
    Session.flush()
    return attachment


def delete_attachment(actor, attachment: Attachment) -> None:
    """Remove an attachment from its draft (and its file). Refuses after the closing date."""
    from submissions import attachments

    _check_open(attachment.draft.form)
    stored = attachment.stored_name
    Session.delete(attachment)
    Session.flush()
    attachments.remove(stored)
