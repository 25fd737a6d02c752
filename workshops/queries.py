"""Reading workshops and bookings."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import Select, func, select

from app.db import Session, utcnow
from app.web.dates import local_day_start
from workshops.models import (
    Booking,
    CalendarFeed,
    Workshop,
    WorkshopFacilitator,
    WorkshopOutput,
)
from workshops.operations import hash_token


@dataclass
class Filters:
    region: str = ""
    format: str = ""
    audience: str = ""
    on_or_after: date | None = None
    with_places_only: bool = False


def confirmed_counts(workshop_ids) -> dict[int, int]:
    rows = Session.execute(select(Booking.workshop_id, func.count(Booking.id)).where(
        Booking.workshop_id.in_(list(workshop_ids)), Booking.status == "confirmed")
        .group_by(Booking.workshop_id))
    return dict(rows.all())


def places_left(workshop: Workshop) -> int:
    return max(0, workshop.capacity - confirmed_counts([workshop.id]).get(workshop.id, 0))


def _runs(user_id: int):
    """A condition: the workshop is run by the person USER_ID."""
    return select(WorkshopFacilitator.user_id).where(
        WorkshopFacilitator.workshop_id == Workshop.id,
        WorkshopFacilitator.user_id == user_id).correlate(Workshop).exists()


def list_workshops_stmt(consultation_id: int | None, filters: Filters, *,
                        include_drafts: bool = False, drafts_run_by: int | None = None) -> Select:
    """Published (and cancelled) workshops, soonest first. INCLUDE_DRAFTS adds every draft
    (for admins); DRAFTS_RUN_BY adds the drafts that person facilitates."""
    stmt = select(Workshop)
    if consultation_id is not None:
        stmt = stmt.where(Workshop.consultation_id == consultation_id)
    if drafts_run_by is not None and not include_drafts:
        stmt = stmt.where((Workshop.status != "draft") | _runs(drafts_run_by))
    elif not include_drafts:
        stmt = stmt.where(Workshop.status != "draft")
    if filters.region:
        stmt = stmt.where(Workshop.region == filters.region)
    if filters.format:
        stmt = stmt.where(Workshop.format == filters.format)
    if filters.audience:
        stmt = stmt.where(Workshop.audience == filters.audience)
    if filters.on_or_after:
        stmt = stmt.where(Workshop.starts_at >= local_day_start(filters.on_or_after))
    if filters.with_places_only:
        confirmed = (select(func.count(Booking.id)).where(
            Booking.workshop_id == Workshop.id, Booking.status == "confirmed")
            .correlate(Workshop).scalar_subquery())
        stmt = stmt.where(Workshop.status == "published", confirmed < Workshop.capacity)
    return stmt.order_by(Workshop.starts_at, Workshop.id)


def list_regions(consultation_id: int | None) -> list[str]:
    stmt = select(Workshop.region).where(Workshop.region != "", Workshop.status != "draft")
    if consultation_id is not None:
        stmt = stmt.where(Workshop.consultation_id == consultation_id)
    return sorted(set(Session.scalars(stmt)))


def workshops_in_month(consultation_id: int | None, year: int, month: int, *,
                       include_drafts: bool = False,
                       drafts_run_by: int | None = None) -> list[Workshop]:
    start = local_day_start(date(year, month, 1))
    following = date(year + (month == 12), month % 12 + 1, 1)
    stmt = list_workshops_stmt(consultation_id, Filters(), include_drafts=include_drafts,
                               drafts_run_by=drafts_run_by)
    stmt = stmt.where(Workshop.starts_at >= start, Workshop.starts_at < local_day_start(following))
    return list(Session.scalars(stmt))


def booking_of(workshop: Workshop, person) -> Booking | None:
    if not getattr(person, "is_authenticated", False):
        return None
    return Session.scalar(select(Booking).where(Booking.workshop_id == workshop.id,
                                                Booking.user_id == person.id))


def waitlist_position(booking: Booking) -> int | None:
    if booking.status != "waitlisted":
        return None
    ahead = Session.scalar(select(func.count(Booking.id)).where(
        Booking.workshop_id == booking.workshop_id, Booking.status == "waitlisted",
        (Booking.queued_at < booking.queued_at)
        | ((Booking.queued_at == booking.queued_at) & (Booking.id < booking.id))))
    return (ahead or 0) + 1


def roster(workshop: Workshop) -> list[Booking]:
    """Confirmed first (by name), then the waitlist in order, then cancellations."""
    from app.models import User

    order = {"confirmed": 0, "waitlisted": 1, "cancelled": 2}
    rows = list(Session.scalars(select(Booking).join(User, User.id == Booking.user_id)
                                .where(Booking.workshop_id == workshop.id)
                                .order_by(Booking.queued_at, Booking.id)))
    return sorted(rows, key=lambda b: (order[b.status],
                                       b.user.display_name.lower() if b.status == "confirmed"
                                       else ""))


def bookings_of(person) -> list[Booking]:
    return list(Session.scalars(select(Booking).join(Workshop).where(
        Booking.user_id == person.id, Booking.status.in_(("confirmed", "waitlisted")))
        .order_by(Workshop.starts_at)))


def all_bookings_of(person) -> list[Booking]:
    return list(Session.scalars(select(Booking).where(Booking.user_id == person.id)
                                .order_by(Booking.id)))


def feed_owner(token: str):
    feed = Session.scalar(select(CalendarFeed).where(CalendarFeed.token_hash == hash_token(token),
                                                     CalendarFeed.is_revoked.is_(False)))
    return feed.user if feed is not None else None


def has_feed(person) -> bool:
    return Session.scalar(select(CalendarFeed.id).where(CalendarFeed.user_id == person.id,
                                                        CalendarFeed.is_revoked.is_(False))) \
        is not None


def reminders_due(now: datetime | None = None, *, hours: int = 48) -> list[Booking]:
    """Confirmed bookings of published workshops starting within HOURS, not yet reminded."""
    now = now or utcnow()
    return list(Session.scalars(select(Booking).join(Workshop).where(
        Booking.status == "confirmed", Booking.reminder_sent_at.is_(None),
        Workshop.status == "published", Workshop.starts_at > now,
        Workshop.starts_at <= now + timedelta(hours=hours)).order_by(Booking.id)))


def outputs_of(workshop: Workshop) -> list[tuple[WorkshopOutput, object]]:
    """Each output with its FeedbackItem (text and consent)."""
    from app.corpus.models import FeedbackItem

    return list(Session.execute(select(WorkshopOutput, FeedbackItem).outerjoin(
        FeedbackItem, FeedbackItem.id == WorkshopOutput.feedback_item_id).where(
        WorkshopOutput.workshop_id == workshop.id).order_by(WorkshopOutput.id)).all())


def output_item(output: WorkshopOutput):
    """The FeedbackItem holding OUTPUT's text and consent (None once deleted)."""
    from app.corpus.models import FeedbackItem

    if output is None or output.feedback_item_id is None:
        return None
    return Session.get(FeedbackItem, output.feedback_item_id)


def upcoming_count_for_facilitator(person, now: datetime | None = None) -> int:
    """Published workshops PERSON runs that start within the next 7 days."""
    now = now or utcnow()
    return Session.scalar(select(func.count(Workshop.id)).where(
        Workshop.status == "published", Workshop.starts_at > now,
        Workshop.starts_at <= now + timedelta(days=7), _runs(person.id))) or 0


def governance_groups():
    from app.governance.models import GovernanceGroup

    return list(Session.scalars(select(GovernanceGroup).order_by(GovernanceGroup.name)))
