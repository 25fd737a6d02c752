"""Emails about bookings, sent after the change is committed (operations return Notices).

Templates live in templates/workshops/emails/KIND.txt (+ KIND.subject.txt): the core's
render_email only reads templates/emails/, which belongs to the core."""
from __future__ import annotations

from collections.abc import Iterable

from flask import render_template

from app.db import Session
from app.mail import Attachment, absolute_url, send_email_later
from workshops import ics
from workshops.models import Booking
from workshops.operations import Notice

WITH_INVITATION = frozenset({"confirmed", "promoted", "reminder"})
WITH_CANCELLATION = frozenset({"booking_cancelled", "workshop_cancelled"})


def _render(kind: str, booking: Booking) -> tuple[str, str]:
    context = {"booking": booking, "workshop": booking.workshop, "person": booking.user,
               "workshop_url": absolute_url("workshops.show", workshop_id=booking.workshop_id),
               "position": None}
    if booking.status == "waitlisted":
        from workshops.queries import waitlist_position

        context["position"] = waitlist_position(booking)
    subject = " ".join(render_template(f"workshops/emails/{kind}.subject.txt", **context).split())
    return subject, render_template(f"workshops/emails/{kind}.txt", **context)


def send_booking_email(kind: str, booking: Booking) -> None:
    subject, text = _render(kind, booking)
    attachments = []
    if kind in WITH_INVITATION:
        attachments.append(Attachment("workshop.ics", ics.invitation(booking),
                                      "text/calendar; method=REQUEST"))
    elif kind in WITH_CANCELLATION:
        attachments.append(Attachment("workshop-cancelled.ics", ics.cancellation(booking),
                                      "text/calendar; method=CANCEL"))
    send_email_later(booking.user.email, subject, text, attachments=attachments)


def send_notices(notices: Iterable[Notice]) -> int:
    """Send each notice's email (in the background); how many were sent."""
    sent = 0
    for notice in notices:
        booking = Session.get(Booking, notice.booking_id)
        if booking is not None:
            send_booking_email(notice.kind, booking)
            sent += 1
    return sent
