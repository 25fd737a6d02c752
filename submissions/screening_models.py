"""Screening: what the intake sweeper flagged on a submission, and the analyst's decision.

Only flagged submissions get a row (most submissions pass screening and need nobody's time).
A decision (accept or reject, with a reason) is audited (submissions.screening).
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db import Base, UTCDateTime, utcnow
from app.models import User
from submissions.models import Submission

FLAG_KINDS = ("offensive", "name", "empty", "unconfirmed", "burst")
REVIEW_STATUSES = ("flagged", "accepted", "rejected")

# The sweeper counts the submissions from one address in a window: this index answers it.
Index("ix_submission_source_hash_submitted_at", Submission.source_hash, Submission.submitted_at)


class SubmissionReview(Base):
    """The screening of one flagged submission: its flags, and the decision once made."""

    __tablename__ = "submission_review"

    submission_id: Mapped[int] = mapped_column(
        ForeignKey("submission.id", ondelete="CASCADE"), primary_key=True)
    consultation_id: Mapped[int] = mapped_column(
        ForeignKey("consultation.id", ondelete="CASCADE"))
    flags: Mapped[list] = mapped_column(JSON, default=list)  # kinds, in FLAG_KINDS
    details: Mapped[dict] = mapped_column(JSON, default=dict)  # kind -> what was found
    status: Mapped[str] = mapped_column(String(10), default="flagged")
    reason: Mapped[str] = mapped_column(Text, default="")
    flagged_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    submission: Mapped[Submission] = relationship()
    decided_by: Mapped[User | None] = relationship()

    __table_args__ = (Index("ix_submission_review_queue", "consultation_id", "status"),)
