"""Writing workshops and bookings. Every function takes the actor, adds and flushes, never
commits; what must be emailed once the change is committed is returned as `Notice`s, which the
caller sends after its commit (workshops.notifications.send_notices)."""
from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import select, update

from app.corpus.operations import record_feedback, withdraw_consent
from app.corpus.scope import ConsentScope
from app.db import Session, utcnow
from app.errors import OperationRefused
from app.privacy.audit import record_event
from workshops.models import (
    ATTENDANCE,
    FORMATS,
    LANGUAGES,
    Booking,
    CalendarFeed,
    Workshop,
    WorkshopFacilitator,
    WorkshopOutput,
)
from workshops.timezones import is_known_zone


@dataclass(frozen=True)
class Notice:
    """An email to send after commit: KIND is a template under templates/workshops/emails."""

    kind: str  # "confirmed", "waitlisted", "promoted", "booking_cancelled", "workshop_cancelled"
    booking_id: int


WORKSHOP_FIELDS = ("title", "description", "format", "region", "venue_address", "meeting_link",
                   "timezone", "starts_at", "ends_at", "capacity", "booking_deadline_at",
                   "languages", "accessibility", "audience")


def _refuse_unless_facilitator(actor) -> None:
    if actor is None or not actor.has_role("facilitator", "admin"):
        raise OperationRefused(_("Only facilitators may run workshops."))


def _refuse_unless_runs(actor, workshop: Workshop) -> None:
    """Only the workshop's own facilitators (and admins) edit, publish or cancel it."""
    if actor is None or not workshop.can_manage(actor):
        raise OperationRefused(_("Only this workshop's facilitators may change it."))


def _check_workshop(data: dict) -> None:
    if not (data.get("title") or "").strip():
        raise OperationRefused(_("Give the workshop a title."), field="title")
    if data.get("format") not in FORMATS:
        raise OperationRefused(_("Choose in person, online or hybrid."), field="format")
    if data["ends_at"] <= data["starts_at"]:
        raise OperationRefused(_("The workshop must end after it starts."), field="ends_at")
    if data["booking_deadline_at"] > data["starts_at"]:
        raise OperationRefused(_("Bookings must close before the workshop starts."),
                               field="booking_deadline_at")
    if int(data.get("capacity") or 0) < 1:
        raise OperationRefused(_("A workshop needs at least one place."), field="capacity")
    if data["format"] in ("online", "hybrid") and not (data.get("meeting_link") or "").strip():
        raise OperationRefused(_("An online or hybrid workshop needs a meeting link."),
                               field="meeting_link")
    if data["format"] in ("in_person", "hybrid") and not (data.get("venue_address") or "").strip():
        raise OperationRefused(_("An in-person or hybrid workshop needs a venue address."),
                               field="venue_address")
    if "timezone" in data and not is_known_zone(data["timezone"]):
        raise OperationRefused(_("Choose the workshop's time zone from the list (for example "
                                 "Pacific/Auckland)."), field="timezone")
    unknown = [code for code in data.get("languages", []) if code not in LANGUAGES]
    if unknown:
        raise OperationRefused(_("Choose languages from the list."), field="languages")


def _apply(workshop: Workshop, data: dict) -> None:
    for name in WORKSHOP_FIELDS:
        if name in data:
            value = data[name]
            if name == "languages":
                value = ",".join(value)
            elif isinstance(value, str):
                value = value.strip()
            setattr(workshop, name, value)
    workshop.updated_at = utcnow()


def create_workshop(actor, consultation, data: dict) -> Workshop:
    """A draft workshop. Refuses non-facilitators and inconsistent times, places or venue."""
    _refuse_unless_facilitator(actor)
    _check_workshop(data)
    workshop = Workshop(consultation_id=consultation.id, created_by_id=actor.id, status="draft")
    _apply(workshop, data)
    if actor.has_role("facilitator"):  # an admin who is not a facilitator only creates it
        workshop.facilitator_links.append(WorkshopFacilitator(user_id=actor.id,
                                                              added_by_id=actor.id,
                                                              added_at=utcnow()))
    Session.add(workshop)
    Session.flush()
    record_event(actor, "workshops.created", target=workshop)
    return workshop


def update_workshop(actor, workshop: Workshop, data: dict) -> Workshop:
    """Edit a workshop that is not cancelled; capacity cannot drop below confirmed bookings."""
    _refuse_unless_runs(actor, workshop)
    if workshop.status == "cancelled":
        raise OperationRefused(_("A cancelled workshop cannot be edited."))
    _check_workshop(data)
    _lock(workshop)
    if int(data["capacity"]) < confirmed_count(workshop):
        raise OperationRefused(_("More people are already booked than that: the capacity "
                                 "cannot be lower than %(n)s.", n=confirmed_count(workshop)),
                               field="capacity")
    _apply(workshop, data)
    workshop.ics_sequence += 1
    Session.flush()
    record_event(actor, "workshops.updated", target=workshop)
    return workshop


def publish_workshop(actor, workshop: Workshop) -> Workshop:
    _refuse_unless_runs(actor, workshop)
    if workshop.status != "draft":
        raise OperationRefused(_("Only a draft workshop can be published."))
    workshop.status = "published"
    workshop.updated_at = utcnow()
    Session.flush()
    record_event(actor, "workshops.published", target=workshop)
    return workshop


def cancel_workshop(actor, workshop: Workshop) -> list[Notice]:
    """Cancel the workshop and every booking; everyone booked or waiting is told."""
    _refuse_unless_runs(actor, workshop)
    if workshop.status == "cancelled":
        raise OperationRefused(_("This workshop is already cancelled."))
    _lock(workshop)
    workshop.status = "cancelled"
    workshop.ics_sequence += 1
    workshop.updated_at = utcnow()
    notices = []
    for booking in Session.scalars(select(Booking).where(
            Booking.workshop_id == workshop.id,
            Booking.status.in_(("confirmed", "waitlisted"))).order_by(Booking.id)):
        booking.status = "cancelled"
        booking.updated_at = utcnow()
        notices.append(Notice("workshop_cancelled", booking.id))
    Session.flush()
    record_event(actor, "workshops.cancelled", target=workshop,
                 detail={"bookings_cancelled": len(notices)})
    return notices


# ---------------------------------------------------------------- booking


def _lock(workshop: Workshop) -> None:
    """Serialise every booking change of WORKSHOP: a write to its row is a row lock on
    PostgreSQL and the database's write lock on SQLite. It is the first statement of the
    transaction's booking work, so on SQLite it waits its turn (busy timeout) instead of
    failing on a stale read snapshot; everything after it reads committed, current counts."""
    Session.execute(update(Workshop).where(Workshop.id == workshop.id)
                    .values(lock_version=Workshop.lock_version + 1)
                    .execution_options(synchronize_session=False))
    Session.refresh(workshop)


def confirmed_count(workshop: Workshop) -> int:
    from sqlalchemy import func

    return Session.scalar(select(func.count(Booking.id)).where(
        Booking.workshop_id == workshop.id, Booking.status == "confirmed")) or 0


def _has_free_place(workshop: Workshop) -> bool:
    """Fewer than CAPACITY confirmed: reads at most CAPACITY rows (LIMIT), so a booking costs
    the same however long the waitlist or however many other bookings there are."""
    from sqlalchemy import func

    confirmed = select(Booking.id).where(Booking.workshop_id == workshop.id,
                                         Booking.status == "confirmed").limit(workshop.capacity)
    taken = Session.scalar(select(func.count()).select_from(confirmed.subquery())) or 0
    return taken < workshop.capacity


def book_place(actor, workshop: Workshop, *, access_needs: str = "", dietary_needs: str = "",
               organisation=None, now: datetime | None = None) -> tuple[Booking, list[Notice]]:
    """Book ACTOR a place, or a place on the waitlist when the workshop is full.

    Idempotent: a second request (a double click, a retry) returns the booking already made.
    Refuses a workshop not open for booking (draft, cancelled, past its deadline), one for
    another audience, and an organisation the person does not belong to.
    """
    if not workshop.can_book(actor):
        raise OperationRefused(_("This workshop is not open to you for booking."))
    if organisation is not None and all(m.organisation_id != organisation.id
                                        for m in actor.memberships):
        raise OperationRefused(_("You can only book for an organisation you belong to."),
                               field="organisation")
    _lock(workshop)
    # Taken under the lock, so waitlist order (queued_at, then id) is the order of booking.
    now = now or utcnow()
    booking = Session.scalar(select(Booking).where(Booking.workshop_id == workshop.id,
                                                   Booking.user_id == actor.id))
    if booking is not None and booking.is_active:
        return booking, []
    if not workshop.is_bookable(now):
        raise OperationRefused(_("Booking for this workshop has closed."))
    status = "confirmed" if _has_free_place(workshop) else "waitlisted"
    if booking is None:
        booking = Booking(workshop_id=workshop.id, user_id=actor.id)
        Session.add(booking)
    booking.status = status
    booking.queued_at = now
    booking.attendance = None
    booking.reminder_sent_at = None
    booking.access_needs = (access_needs or "").strip()
    booking.dietary_needs = (dietary_needs or "").strip()
    booking.organisation_id = organisation.id if organisation is not None else None
    booking.updated_at = now
    Session.flush()
    return booking, [Notice(status, booking.id)]


def waitlist(workshop: Workshop) -> list[Booking]:
    return list(Session.scalars(select(Booking).where(
        Booking.workshop_id == workshop.id, Booking.status == "waitlisted")
        .order_by(Booking.queued_at, Booking.id)))


def cancel_booking(actor, booking: Booking, *, now: datetime | None = None) -> list[Notice]:
    """Cancel ACTOR's own booking; a freed place goes to the first person waiting."""
    if not booking.can_cancel(actor):
        raise OperationRefused(_("Only the person who booked may cancel this booking."))
    workshop = booking.workshop
    _lock(workshop)
    Session.refresh(booking)
    if not booking.is_active:
        return []
    freed = booking.status == "confirmed"
    booking.status = "cancelled"
    booking.updated_at = now or utcnow()
    notices = [Notice("booking_cancelled", booking.id)]
    Session.flush()
    if freed and workshop.status == "published":
        notices.extend(_promote(workshop))
    return notices


def _promote(workshop: Workshop) -> list[Notice]:
    notices = []
    free = workshop.capacity - confirmed_count(workshop)
    for booking in waitlist(workshop)[:max(free, 0)]:
        booking.status = "confirmed"
        booking.updated_at = utcnow()
        notices.append(Notice("promoted", booking.id))
    Session.flush()
    return notices


def set_attendance(actor, booking: Booking, attendance: str | None) -> Booking:
    """Check a confirmed person in (attended) or mark them a no-show; None clears it."""
    if not booking.workshop.can_manage(actor):
        raise OperationRefused(_("Only the workshop's facilitators may check people in."))
    if attendance is not None and attendance not in ATTENDANCE:
        raise OperationRefused(_("Choose attended or no-show."))
    if booking.status != "confirmed":
        raise OperationRefused(_("Only confirmed bookings can be checked in."))
    booking.attendance = attendance
    booking.updated_at = utcnow()
    Session.flush()
    return booking


def mark_reminded(booking: Booking, now: datetime) -> None:
    booking.reminder_sent_at = now
    Session.flush()


# ---------------------------------------------------------------- outputs


def record_output(actor, workshop: Workshop, *, text: str, consent: ConsentScope) -> WorkshopOutput:
    """One key point of the session, as a FeedbackItem attributed to the workshop (no author)."""
    if not workshop.can_manage(actor):
        raise OperationRefused(_("Only the workshop's facilitators may record its outputs."))
    if workshop.status != "published":
        raise OperationRefused(_("Outputs can only be recorded for a published workshop."))
    if not (text or "").strip():
        raise OperationRefused(_("Write the key point before saving."), field="text")
    output = WorkshopOutput(workshop_id=workshop.id, recorded_by_id=actor.id)
    Session.add(output)
    Session.flush()
    item = record_feedback(actor, consultation=workshop.consultation, source="workshop_output",
                           source_id=output.id, text=text, consent=consent)
    output.feedback_item_id = item.id
    Session.flush()
    record_event(actor, "workshops.output_recorded", target=output)
    return output


def withdraw_output(actor, output: WorkshopOutput, *, reason: str, ip: str = "") -> None:
    """Withdraw one recorded key point: its FeedbackItem's consent is withdrawn (no longer
    analysed, quoted or published) through the corpus, which records "consent.changed"; the
    withdrawal and its REASON are audited here too. Only the facilitator who recorded it (or
    an admin) may: the corpus refuses anyone else."""
    from app.corpus.models import FeedbackItem

    if not output.workshop.can_manage(actor):
        raise OperationRefused(_("Only the workshop's facilitators may withdraw its outputs."))
    reason = (reason or "").strip()
    if not reason:
        raise OperationRefused(_("Say why this key point is withdrawn: the reason is kept in "
                                 "the audit log."), field="reason")
    item = Session.get(FeedbackItem, output.feedback_item_id) \
        if output.feedback_item_id is not None else None
    if item is None or not item.consent_analysis:
        raise OperationRefused(_("This key point is already withdrawn."))
    withdraw_consent(actor, item, reason=reason, ip=ip)
    record_event(actor, "workshops.output_withdrawn", target=output, ip=ip,
                 detail={"workshop_id": output.workshop_id, "feedback_item_id": item.id,
                         "reason": reason})


# ---------------------------------------------------------------- calendar feed


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_feed_token(actor) -> str:
    """A new secret for ACTOR's calendar feed; the old address stops working."""
    token = secrets.token_urlsafe(24)
    feed = Session.scalar(select(CalendarFeed).where(CalendarFeed.user_id == actor.id))
    if feed is None:
        feed = CalendarFeed(user_id=actor.id)
        Session.add(feed)
    feed.token_hash = hash_token(token)
    feed.is_revoked = False
    feed.created_at = utcnow()
    Session.flush()
    record_event(actor, "workshops.feed_issued", target=feed)
    return token


def revoke_feed(actor) -> None:
    feed = Session.scalar(select(CalendarFeed).where(CalendarFeed.user_id == actor.id))
    if feed is not None:
        feed.is_revoked = True
        feed.token_hash = hash_token(secrets.token_urlsafe(24))  # the old secret is gone
        Session.flush()
        record_event(actor, "workshops.feed_revoked", target=feed)
