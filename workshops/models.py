"""Workshops, their bookings and outputs; each person's private calendar feed."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db import Base, UTCDateTime, utcnow
from app.models import Consultation, Organisation, User

FORMATS = ("in_person", "online", "hybrid")
STATUSES = ("draft", "published", "cancelled")
BOOKING_STATUSES = ("confirmed", "waitlisted", "cancelled")
ATTENDANCE = ("attended", "no_show")
LANGUAGES = ("en", "mi", "sm", "to", "fj", "niu", "tkl", "ckm", "nzsl")
STAFF_ROLES = ("facilitator", "admin")


def _site_zone_name() -> str:
    from workshops.timezones import default_zone_name

    return default_zone_name()


def _in(values) -> str:
    return ", ".join(f"'{v}'" for v in values)


class Workshop(Base):
    __tablename__ = "workshop"
    __table_args__ = (
        CheckConstraint(f"format IN ({_in(FORMATS)})", name="format_known"),
        CheckConstraint(f"status IN ({_in(STATUSES)})", name="status_known"),
        CheckConstraint("capacity > 0", name="capacity_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(
        ForeignKey("consultation.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    format: Mapped[str] = mapped_column(String(20))
    region: Mapped[str] = mapped_column(String(80), default="")
    venue_address: Mapped[str] = mapped_column(Text, default="")
    meeting_link: Mapped[str] = mapped_column(String(500), default="")
    # An IANA time zone: the workshop's times are typed, shown and written to .ics files in it.
    timezone: Mapped[str] = mapped_column(String(64), default=lambda: _site_zone_name())
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    capacity: Mapped[int] = mapped_column(Integer)
    booking_deadline_at: Mapped[datetime] = mapped_column(UTCDateTime)
    languages: Mapped[str] = mapped_column(String(200), default="en")  # comma-separated codes
    accessibility: Mapped[str] = mapped_column(Text, default="")
    audience: Mapped[str] = mapped_column(String(20), default="everyone")  # or a stakeholder group
    status: Mapped[str] = mapped_column(String(20), default="draft", index=True)
    # Bumped by every booking change: the row lock that serialises bookings of one workshop
    # (see operations.book_place), and the SEQUENCE of its calendar entries.
    lock_version: Mapped[int] = mapped_column(Integer, default=0)
    ics_sequence: Mapped[int] = mapped_column(Integer, default=0)
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    consultation: Mapped[Consultation] = relationship()
    created_by: Mapped[User | None] = relationship()
    # Who runs this workshop: only they (and admins) see its roster, access needs and outputs.
    facilitator_links: Mapped[list[WorkshopFacilitator]] = relationship(
        cascade="all, delete-orphan", order_by="WorkshopFacilitator.added_at")

    @property
    def zone(self):
        """The workshop's time zone as a ZoneInfo (the site's, if its name is unknown)."""
        from workshops.timezones import zone_of

        return zone_of(self.timezone)

    @property
    def language_codes(self) -> list[str]:
        return [code for code in self.languages.split(",") if code]

    @property
    def is_online(self) -> bool:
        return self.format in ("online", "hybrid")

    @property
    def has_venue(self) -> bool:
        return self.format in ("in_person", "hybrid")

    def is_bookable(self, now: datetime | None = None) -> bool:
        return self.status == "published" and (now or utcnow()) < self.booking_deadline_at

    def can_view(self, user) -> bool:
        """Published and cancelled workshops are public; drafts only for their facilitators."""
        if self.status != "draft":
            return True
        return self.can_manage(user)

    def is_facilitated_by(self, user) -> bool:
        """USER is one of this workshop's facilitators (assigned, and still a facilitator)."""
        return bool(getattr(user, "is_authenticated", False) and user.has_role("facilitator")
                    and any(link.user_id == user.id for link in self.facilitator_links))

    def can_manage(self, user) -> bool:
        """Admins, and the facilitators of this workshop: editing it, its roster (with access
        needs), check-in, exports and outputs. Other facilitators are told nothing (404)."""
        if not getattr(user, "is_authenticated", False):
            return False
        return user.has_role("admin") or self.is_facilitated_by(user)

    def can_book(self, user) -> bool:
        if not getattr(user, "is_authenticated", False) or self.status != "published":
            return False
        if self.audience == "everyone":
            return True
        return any(org.stakeholder_group == self.audience for org in user.organisations) \
            or self.can_manage(user)


class WorkshopFacilitator(Base):
    """One facilitator assigned to one workshop (the creator is assigned automatically)."""

    __tablename__ = "workshop_facilitator"

    workshop_id: Mapped[int] = mapped_column(
        ForeignKey("workshop.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user.id", ondelete="CASCADE"), primary_key=True, index=True)
    added_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    added_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User] = relationship(foreign_keys=[user_id])


class Booking(Base):
    __tablename__ = "workshop_booking"
    __table_args__ = (
        UniqueConstraint("workshop_id", "user_id", name="uq_workshop_booking_person"),
        CheckConstraint(f"status IN ({_in(BOOKING_STATUSES)})", name="status_known"),
        CheckConstraint(f"attendance IS NULL OR attendance IN ({_in(ATTENDANCE)})",
                        name="attendance_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    workshop_id: Mapped[int] = mapped_column(
        ForeignKey("workshop.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(20))
    # Waitlist order: when the person (last) asked for a place; ties broken by id.
    queued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    access_needs: Mapped[str] = mapped_column(Text, default="")
    dietary_needs: Mapped[str] = mapped_column(Text, default="")
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisation.id", ondelete="SET NULL"))
    attendance: Mapped[str | None] = mapped_column(String(20))
    reminder_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    workshop: Mapped[Workshop] = relationship()
    user: Mapped[User] = relationship()
    organisation: Mapped[Organisation | None] = relationship()

    @property
    def is_active(self) -> bool:
        return self.status in ("confirmed", "waitlisted")

    def can_view(self, user) -> bool:
        """The person who booked; the workshop's facilitators and admins."""
        if not getattr(user, "is_authenticated", False):
            return False
        return user.id == self.user_id or self.workshop.can_manage(user)

    def can_cancel(self, user) -> bool:
        return getattr(user, "is_authenticated", False) and user.id == self.user_id


class WorkshopOutput(Base):
    """One key point recorded from a session; its text and consent live in its FeedbackItem
    (source workshop_output, source_id = this id), attributed to the workshop, not a person."""

    __tablename__ = "workshop_output"

    id: Mapped[int] = mapped_column(primary_key=True)
    workshop_id: Mapped[int] = mapped_column(
        ForeignKey("workshop.id", ondelete="CASCADE"), index=True)
    feedback_item_id: Mapped[int | None] = mapped_column(
        ForeignKey("feedback_item.id", ondelete="SET NULL"))
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    workshop: Mapped[Workshop] = relationship()


class CalendarFeed(Base):
    """A person's private feed of their bookings. Only the token's SHA-256 is stored; a new
    token revokes the old one."""

    __tablename__ = "workshop_calendar_feed"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), unique=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    is_revoked: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User] = relationship()
