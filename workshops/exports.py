"""The roster as rows for CSV and XLSX (app.spreadsheets escapes formula-like cells)."""
from __future__ import annotations

from app.web.dates import format_iso
from workshops.models import Booking

ROSTER_HEADER = ["Name", "Email", "Status", "Waitlist position", "Attending for",
                 "Access needs", "Dietary needs", "Attendance", "Booked at"]


def roster_rows(bookings: list[Booking]) -> list[list]:
    rows = []
    position = 0
    for booking in bookings:
        if booking.status == "waitlisted":
            position += 1
        rows.append([
            booking.user.display_name, booking.user.email, booking.status,
            position if booking.status == "waitlisted" else "",
            booking.organisation.name if booking.organisation else "",
            booking.access_needs, booking.dietary_needs, booking.attendance or "",
            format_iso(booking.queued_at),
        ])
    return rows
