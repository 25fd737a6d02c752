"""Emails about bookings, sent after the change is committed (operations return Notices).

A view hands its notices to `queue_notices`, which starts the `workshops.send_notices` job in
the same transaction: the emails and their .ics are made and sent by the job worker, so a
booking request only adds one job row (the booking path stays short under load).

Templates live in templates/workshops/emails/KIND.txt (+ KIND.subject.txt): the core's
render_email only reads templates/emails/, which belongs to the core."""
from __future__ import annotations

from collections.abc import Iterable

from flask import render_template

from app.db import Session
from app.jobs import start_job
from app.mail import Attachment, absolute_url, send_email, send_email_later
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


def send_booking_email(kind: str, booking: Booking, *, now: bool = False) -> None:
    """Email BOOKING's person about KIND, with its .ics; NOW sends before returning (a job),
    otherwise in a background thread."""
    subject, text = _render(kind, booking)
    attachments = []
    if kind in WITH_INVITATION:
        attachments.append(Attachment("workshop.ics", ics.invitation(booking),
                                      "text/calendar; method=REQUEST"))
    elif kind in WITH_CANCELLATION:
        attachments.append(Attachment("workshop-cancelled.ics", ics.cancellation(booking),
                                      "text/calendar; method=CANCEL"))
    send = send_email if now else send_email_later
    send(booking.user.email, subject, text, attachments=attachments)


def queue_notices(notices: Iterable[Notice]) -> None:
    """Start the job that sends NOTICES (an operation: adds the job row; the caller commits,
    and only then is the job sent to the worker). Nothing to send: nothing started."""
    pairs = [[notice.kind, notice.booking_id] for notice in notices]
    if pairs:
        start_job(None, "workshops.send_notices", notices=pairs)


def send_notices(notices: Iterable[Notice]) -> int:
    """Send each notice's email (in the background); how many were sent."""
    sent = 0
    for notice in notices:
        booking = Session.get(Booking, notice.booking_id)
        if booking is not None:
            send_booking_email(notice.kind, booking)
            sent += 1
    return sent
