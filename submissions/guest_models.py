"""What people without an account need: whether a consultation takes their submissions (one
setting per consultation, as issue 19 asks: "when the consultation allows it"), and the secret
link their receipt carries to come back to their submission (only its SHA-256 is stored)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, UTCDateTime, utcnow


class SubmissionSettings(Base):
    """A consultation's submission settings. No row: the defaults (accounts only)."""

    __tablename__ = "submission_consultation_settings"

    consultation_id: Mapped[int] = mapped_column(
        ForeignKey("consultation.id", ondelete="CASCADE"), primary_key=True)
    # People without an account may submit (name + email, confirmed by a link).
    allows_guests: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class GuestLink(Base):
    """The secret link of a guest's receipt email: whoever holds it may see, edit (until the
    closing date) and withdraw that submission. Only the token's SHA-256 is stored."""

    __tablename__ = "submission_guest_link"

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(
        ForeignKey("submission.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
