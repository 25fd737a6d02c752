"""The deadline-day intake path: a person without an account loads a form and submits it.

The submit does the least work that makes a submission safe: ONE short transaction inserting
the submission row (with its idempotency key and receipt reference) and its answer rows. It
writes no job row and reads no other submission, so its cost does not grow with the number
stored. Everything else (FeedbackItems, screening, receipts, campaign detection) is done later,
in batches, by the sweeper (submissions.sweeper).

The form itself (its version, questions, governance groups and whether its consultation takes
submissions without an account) is read once per process and kept for
INTAKE_FORM_CACHE_SECONDS, so a submit checks everything before its first statement and holds
SQLite's write lock (BEGIN IMMEDIATE, taken by a POST's first statement) only for its inserts.
"""
from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import time
from dataclasses import dataclass, field

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import exc as sa_exc
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.db import Session, utcnow
from app.errors import OperationRefused
from submissions.answers import applicable_answers, check_answers, check_consent
from submissions.intake_sql import insert_submission
from submissions.labels import answer_text
from submissions.models import Submission, SubmissionForm
from submissions.operations.drafts import consent_scope_dict, new_reference

KEY_PATTERN = re.compile(r"^[A-Za-z0-9_-]{16,40}$")
EMAIL_PATTERN = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class QuestionView:
    """A question as the intake path reads it: its columns, and its options worked out once
    (translating every option label on every request cost milliseconds)."""

    def __init__(self, question, version: VersionView):
        for name in ("id", "key", "position", "kind", "prompt", "help_text", "is_required",
                     "max_chars", "choices", "show_if_key", "show_if_value"):
            setattr(self, name, getattr(question, name))
        self.options = question.options
        self.version = version


class VersionView:
    def __init__(self, version):
        self.id = version.id
        self.number = version.number
        self.questions = [QuestionView(q, self) for q in version.questions]
        self.answerable = [q for q in self.questions if q.kind != "section"]


@dataclass
class FormSnapshot:
    """A published form as the intake path needs it, read-only and shared by requests."""

    form: SubmissionForm  # detached, with its consultation loaded
    version: VersionView
    group_ids: set[int]
    groups: list
    allows_guests: bool  # the consultation's setting when the snapshot was read
    loaded_at: float = field(default_factory=time.monotonic)
    texts: dict = field(default_factory=dict)  # (key, closed value) -> answer text

    @property
    def by_key(self) -> dict:
        return {q.key: q for q in self.version.answerable}

    def answer_text(self, question, value) -> str:
        if question.kind in ("short_text", "long_text"):
            return answer_text(question, value)
        cache_key = (question.key, repr(value))
        text = self.texts.get(cache_key)
        if text is None:
            text = self.texts[cache_key] = answer_text(question, value)
        return text


_CACHE: dict[tuple, FormSnapshot] = {}


def form_snapshot(form_id: int) -> FormSnapshot | None:
    """FORM_ID's published form and current version, from this process's cache when fresh
    (INTAKE_FORM_CACHE_SECONDS; per language, for the option labels); None when there is no
    such published form."""
    from flask_babel import get_locale

    # Tests build and change forms between requests (and reuse ids after a rollback).
    ttl = float(current_app.config.get("INTAKE_FORM_CACHE_SECONDS",
                                       0 if current_app.testing else 5))
    cache_key = (form_id, str(get_locale()))
    cached = _CACHE.get(cache_key)
    if cached is not None and time.monotonic() - cached.loaded_at < ttl:
        return cached
    try:
        form = Session.get(SubmissionForm, form_id)
    except (sa_exc.OperationalError, sa_exc.TimeoutError):
        if cached is None:
            raise
        # The database is too busy even to read the form (a submit's first statement takes
        # the write lock): the copy loaded a moment ago lets the busy page keep the answers.
        Session.rollback()
        return cached
    if form is None or not form.is_published:
        _CACHE.pop(cache_key, None)
        return None
    from submissions import queries

    _ = form.consultation.title  # loaded while attached
    groups = list(queries.governance_groups())
    snapshot = FormSnapshot(form=form, version=VersionView(form.current_version),
                            group_ids={g.id for g in groups}, groups=groups,
                            allows_guests=form.allows_guests)
    _CACHE[cache_key] = snapshot
    return snapshot


def forget_forms() -> None:
    """Drop the cache (tests change forms between requests)."""
    _CACHE.clear()


def new_key() -> str:
    """The idempotency key a form carries: one submit however often it is posted."""
    return secrets.token_urlsafe(18)


def source_hash(address: str) -> str | None:
    """A keyed hash of the client's address: screening counts submissions per address
    without storing the address itself."""
    if not address:
        return None
    key = current_app.config["SECRET_KEY"]
    key = key.encode() if isinstance(key, str) else key
    return hmac.new(key, address.encode(), hashlib.sha256).hexdigest()[:24]


def check_submission(snapshot: FormSnapshot, *, key: str, details: dict, answers: dict,
                     consent: dict) -> dict[str, str]:
    """{field: what to fix}; empty when it may be stored. Reads nothing from the database
    (the form's state, like its questions, is the snapshot's)."""
    errors: dict[str, str] = {}
    if not snapshot.form.is_open():
        errors["_form"] = _("This consultation has closed: submissions can no longer be made.")
        return errors
    if not snapshot.allows_guests:
        errors["_form"] = _("Sign in to make a submission.")
        return errors
    if not KEY_PATTERN.match(key or ""):
        errors["_form"] = _("The page expired: reload it and submit again.")
    if not details.get("guest_name", "").strip():
        errors["guest_name"] = _("Give your name.")
    if not EMAIL_PATTERN.match(details.get("guest_email", "").strip()):
        errors["guest_email"] = _("Give an email address we can send your receipt to.")
    version = snapshot.version
    for qkey, message in check_answers(version, applicable_answers(version, answers)).items():
        errors[f"answer-{qkey}"] = message
    for name, message in check_consent(consent, snapshot.group_ids).items():
        errors[f"consent-{name}"] = message
    return errors


@dataclass(frozen=True)
class Receipt:
    submission_id: int
    reference: str
    created: bool


def find_by_key(key: str) -> Receipt | None:
    row = Session.execute(select(Submission.id, Submission.reference)
                          .where(Submission.idempotency_key == key)).first()
    return Receipt(row.id, row.reference, False) if row else None


def store_submission(snapshot: FormSnapshot, *, key: str, details: dict, answers: dict,
                     consent: dict, address: str = "") -> Receipt:
    """Insert the submission and its answers (checked already: check_submission); the caller
    commits. Two inserts compiled once (submissions.intake_sql) in the session's transaction,
    nothing else: a key already stored fails (unique), and the caller then finds that
    submission.
    Every value is worked out before the first statement, which takes the write lock."""
    version = snapshot.version
    answers = applicable_answers(version, answers)
    now = utcnow()
    reference = new_reference()
    submission = {
        "reference": reference, "idempotency_key": key, "form_id": snapshot.form.id,
        "version_id": version.id, "guest_name": details["guest_name"].strip()[:120],
        "guest_email": details["guest_email"].strip()[:254],
        "consent": consent_scope_dict(consent), "submitted_at": now, "updated_at": now,
        "submitter_role": "", "is_authorised": False, "source_hash": source_hash(address)}
    by_key = snapshot.by_key
    rows = [{"question_key": qkey, "value": value,
             "text": snapshot.answer_text(by_key[qkey], value)}
            for qkey, value in answers.items()]
    submission_id = insert_submission(Session.connection(), submission, rows)
    return Receipt(submission_id, reference, True)


def receive(snapshot: FormSnapshot, **values) -> Receipt:
    """store_submission and commit; a parallel request with the same key (or, once in 6e11,
    the same reference) is resolved to one submission. Raises OperationRefused when the
    values do not pass the checks."""
    errors = check_submission(snapshot, key=values["key"], details=values["details"],
                              answers=values["answers"], consent=values["consent"])
    if errors:
        raise IntakeRefused(errors)
    for _attempt in range(3):
        try:
            receipt = store_submission(snapshot, **values)
            Session.commit()
            return receipt
        except IntegrityError:
            Session.rollback()
            existing = find_by_key(values["key"])
            if existing is not None:
                return existing
    raise RuntimeError("could not store a submission after three attempts")


class IntakeRefused(OperationRefused):
    """What to fix, per field (the form is shown again with everything typed)."""

    def __init__(self, errors: dict[str, str]):
        super().__init__(next(iter(errors.values())))
        self.errors = errors
