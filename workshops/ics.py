"""iCalendar (RFC 5545) files for workshops, made with the icalendar library: invitations
(METHOD:REQUEST, and METHOD:CANCEL with the same UID), a public file per workshop and a
person's feed of their bookings (METHOD:PUBLISH). Start and end are written in the workshop's
own time zone (DTSTART;TZID=Pacific/Auckland:...), with the VTIMEZONE block for each zone used
(built once per zone from the tz database by icalendar's Timezone.from_tzid), so a calendar shows the local time
of the venue and moves it correctly across daylight saving; DTSTAMP stays in UTC."""
from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache
from urllib.parse import urlsplit

from flask import current_app
from icalendar import Calendar, Event, Timezone, vCalAddress, vText

from app.db import utcnow
from app.mail import absolute_url
from workshops.models import Booking, Workshop

PRODID = "-//Korero//Workshops//EN"


def workshop_uid(workshop: Workshop) -> str:
    host = urlsplit(current_app.config["BASE_URL"]).hostname or "korero.invalid"
    return f"workshop-{workshop.id}@{host}"


def _calendar(method: str | None) -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    if method:
        calendar.add("method", method)
    return calendar


def _location(workshop: Workshop, *, with_link: bool) -> str:
    parts = []
    if workshop.has_venue and workshop.venue_address:
        parts.append(" ".join(workshop.venue_address.split()))
    if workshop.is_online and with_link and workshop.meeting_link:
        parts.append(workshop.meeting_link)
    elif workshop.is_online:
        parts.append("Online")
    return "; ".join(parts)


def _event(workshop: Workshop, *, with_link: bool, cancelled: bool = False,
           attendee: Booking | None = None) -> Event:
    event = Event()
    event.add("uid", workshop_uid(workshop))
    event.add("dtstamp", utcnow())
    event.add("dtstart", workshop.starts_at.astimezone(workshop.zone))
    event.add("dtend", workshop.ends_at.astimezone(workshop.zone))
    event.add("summary", workshop.title)
    event.add("description", workshop.description or "")
    location = _location(workshop, with_link=with_link)
    if location:
        event.add("location", location)
    event.add("url", absolute_url("workshops.show", workshop_id=workshop.id))
    event.add("sequence", workshop.ics_sequence)
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    organizer = vCalAddress("mailto:" + current_app.config["MAIL_FROM"].split("<")[-1]
                            .rstrip(">").strip())
    organizer.params["cn"] = vText("Kōrero workshops")
    event.add("organizer", organizer)
    if attendee is not None:
        person = vCalAddress(f"mailto:{attendee.user.email}")
        person.params["cn"] = vText(attendee.user.display_name)
        person.params["role"] = vText("REQ-PARTICIPANT")
        person.params["partstat"] = vText("ACCEPTED")
        event.add("attendee", person)
    return event


@lru_cache(maxsize=32)
def _vtimezone(name: str) -> Timezone:
    """The VTIMEZONE of zone NAME, built once per process from the tz database (icalendar's
    Timezone.from_tzid is the slow part of making a file). Only ever read after this."""
    return Timezone.from_tzid(name)


@lru_cache(maxsize=32)
def _vtimezone_bytes(name: str) -> bytes:
    """The VTIMEZONE block of zone NAME as it is written in a file, made once per process:
    a zone with a long history (Pacific/Auckland lists thousands of transition dates) costs
    about half of each booking email's file to write out again."""
    return _vtimezone(name).to_ical()


_END = b"END:VCALENDAR\r\n"


def _finish(calendar: Calendar) -> bytes:
    """The file's bytes, with a VTIMEZONE for every TZID its events use (RFC 5545 3.6.5),
    after the events, as `calendar.add_component` would place them, from the cached blocks."""
    names = sorted(calendar.get_missing_tzids())
    body = calendar.to_ical()
    if not names:
        return body
    assert body.endswith(_END)
    return body[:-len(_END)] + b"".join(_vtimezone_bytes(name) for name in names) + _END


def invitation(booking: Booking) -> bytes:
    """METHOD:REQUEST for a confirmed booking (the meeting link is included: it is theirs)."""
    calendar = _calendar("REQUEST")
    calendar.add_component(_event(booking.workshop, with_link=True, attendee=booking))
    return _finish(calendar)


def cancellation(booking: Booking) -> bytes:
    """METHOD:CANCEL with the invitation's UID and a higher SEQUENCE."""
    calendar = _calendar("CANCEL")
    event = _event(booking.workshop, with_link=False, cancelled=True, attendee=booking)
    event["sequence"] = booking.workshop.ics_sequence + 1
    calendar.add_component(event)
    return _finish(calendar)


def public_file(workshop: Workshop) -> bytes:
    """The file anyone may download: never the meeting link."""
    calendar = _calendar("PUBLISH")
    calendar.add_component(_event(workshop, with_link=False,
                                  cancelled=workshop.status == "cancelled"))
    return _finish(calendar)


def personal_feed(bookings: Iterable[Booking]) -> bytes:
    calendar = _calendar("PUBLISH")
    calendar.add("x-wr-calname", "Kōrero workshops")
    for booking in bookings:
        calendar.add_component(_event(booking.workshop, with_link=booking.status == "confirmed",
                                      cancelled=booking.workshop.status == "cancelled"))
    return _finish(calendar)
