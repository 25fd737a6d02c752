"""One-on-one interviews: the interviewee's consent, notes with revisions, key points (each a
FeedbackItem under that consent) and correction requests."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, CheckConstraint, Date, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db import Base, UTCDateTime, utcnow
from app.models import User

CONSENT_METHODS = ("written", "verbal", "recorded")
CORRECTION_STATUSES = ("open", "accepted", "refused")


class Interview(Base):
    __tablename__ = "workshop_interview"
    __table_args__ = (
        CheckConstraint("consent_method IS NULL OR consent_method IN "
                        "('written', 'verbal', 'recorded')", name="consent_method_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(
        ForeignKey("consultation.id", ondelete="CASCADE"), index=True)
    facilitator_id: Mapped[int | None] = mapped_column(
        ForeignKey("user.id", ondelete="SET NULL"), index=True)
    interviewee_id: Mapped[int | None] = mapped_column(
        ForeignKey("user.id", ondelete="SET NULL"), index=True)
    # For a person without an account (kept also for one with an account, as they were then).
    interviewee_name: Mapped[str] = mapped_column(String(200), default="")
    interviewee_organisation: Mapped[str] = mapped_column(String(200), default="")
    interviewee_contact: Mapped[str] = mapped_column(String(254), default="")
    scheduled_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # The consent as the facilitator recorded it; NULL consent_given_at: none recorded yet.
    consent_analysis: Mapped[bool | None] = mapped_column(Boolean)
    consent_quote: Mapped[str | None] = mapped_column(String(20))
    consent_publish: Mapped[str | None] = mapped_column(String(20))
    consent_governed_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("governance_group.id", ondelete="RESTRICT"))
    consent_method: Mapped[str | None] = mapped_column(String(20))
    consent_given_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    consent_form_name: Mapped[str | None] = mapped_column(String(100))  # a random file name
    consent_form_mimetype: Mapped[str | None] = mapped_column(String(50))
    questions: Mapped[str] = mapped_column(Text, default="")
    note_version: Mapped[int] = mapped_column(Integer, default=0)
    delete_by: Mapped[date] = mapped_column(Date)
    purged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    facilitator: Mapped[User | None] = relationship(foreign_keys=[facilitator_id])
    interviewee: Mapped[User | None] = relationship(foreign_keys=[interviewee_id])

    @property
    def has_consent(self) -> bool:
        return self.consent_given_at is not None

    @property
    def display_name(self) -> str:
        return self.interviewee.display_name if self.interviewee else self.interviewee_name

    def can_view(self, user) -> bool:
        """The facilitator who wrote it, analysts, and the interviewee: nobody else (404)."""
        if not getattr(user, "is_authenticated", False):
            return False
        return user.id in (self.facilitator_id, self.interviewee_id) or user.has_role("analyst")

    def can_write(self, user) -> bool:
        """Only the facilitator who runs the interview records consent and notes."""
        return bool(getattr(user, "is_authenticated", False) and user.id == self.facilitator_id
                    and user.has_role("facilitator"))

    def is_interviewee(self, user) -> bool:
        return bool(getattr(user, "is_authenticated", False) and self.interviewee_id is not None
                    and user.id == self.interviewee_id)


class InterviewNoteRevision(Base):
    """Every saved version of an interview's note (questions and key points), kept."""

    __tablename__ = "workshop_interview_revision"

    id: Mapped[int] = mapped_column(primary_key=True)
    interview_id: Mapped[int] = mapped_column(
        ForeignKey("workshop_interview.id", ondelete="CASCADE"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    questions: Mapped[str] = mapped_column(Text, default="")
    key_points: Mapped[str] = mapped_column(Text, default="")  # one per line, as saved
    saved_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    saved_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class InterviewKeyPoint(Base):
    """One key point: its text and consent are its FeedbackItem (source interview_note)."""

    __tablename__ = "workshop_interview_key_point"

    id: Mapped[int] = mapped_column(primary_key=True)
    interview_id: Mapped[int] = mapped_column(
        ForeignKey("workshop_interview.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    feedback_item_id: Mapped[int | None] = mapped_column(
        ForeignKey("feedback_item.id", ondelete="SET NULL"))
    is_current: Mapped[bool] = mapped_column(Boolean, default=True)


class CorrectionRequest(Base):
    __tablename__ = "workshop_interview_correction"
    __table_args__ = (
        CheckConstraint("status IN ('open', 'accepted', 'refused')", name="status_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    interview_id: Mapped[int] = mapped_column(
        ForeignKey("workshop_interview.id", ondelete="CASCADE"), index=True)
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    statement: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20), default="open")
    response: Mapped[str] = mapped_column(Text, default="")
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    interview: Mapped[Interview] = relationship()
