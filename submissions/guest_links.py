"""The secret link a guest's receipt carries: whoever holds it may see their submission, change
it until the closing date and withdraw it. The token is 256 random bits, sent only in the
receipt email; only its SHA-256 is stored (submissions.guest_models.GuestLink), and the path
is redacted from every log (the package's secret_paths)."""
from __future__ import annotations

import hashlib
import secrets

from sqlalchemy import select

from app.db import Session, utcnow
from submissions.guest_models import GuestLink
from submissions.models import Submission

# What the corpus is told when a change to an authorless item comes through this link.
VERIFIED_BY = "receipt_link"


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_guest_link(submission: Submission) -> str:
    """A new secret link token for SUBMISSION (a guest's); adds and flushes its hash."""
    token = secrets.token_urlsafe(32)
    Session.add(GuestLink(submission_id=submission.id, token_hash=hash_token(token),
                          created_at=utcnow()))
    Session.flush()
    return token


def submission_for_link(token: str) -> Submission | None:
    """The guest submission TOKEN opens, or None (unknown token, or not a guest's)."""
    if not token or len(token) > 100:
        return None
    submission_id = Session.scalar(select(GuestLink.submission_id).where(
        GuestLink.token_hash == hash_token(token)))
    submission = Session.get(Submission, submission_id) if submission_id else None
    return submission if submission is not None and submission.is_guest else None
