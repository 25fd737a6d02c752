"""Dates and times, one way everywhere.

- Storage: every *_at column holds an aware UTC datetime (app.db.UTCDateTime enforces it).
- People see times in the site's time zone (KORERO_TIMEZONE, Pacific/Auckland by default) in
  one human format, "5pm, 9 January 2027" or "5:30pm, 9 January 2027" (format_human).
- Exports and machine-readable attributes use ISO 8601 with the offset,
  "2027-01-09T17:00:00+13:00" (format_iso): unambiguous, and sortable as text within a zone.
- Forms take wall-clock times in the site's zone (fields.LocalDateTimeField); local_to_utc
  converts them, refusing a time skipped when the clocks go forward and choosing the first of
  a time that happens twice when they go back.

In New Zealand the clocks go forward at 2am on the last Sunday of September (2:00-2:59 never
happens) and back at 3am on the first Sunday of April (2:00-2:59 happens twice).
"""
from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from flask import Flask, current_app, has_app_context
from flask_babel import format_date, gettext

from app.db import utcnow

__all__ = [
    "DEFAULT_TIMEZONE", "NonexistentLocalTime", "as_utc", "exists_locally", "format_human",
    "format_human_date", "format_iso", "is_ambiguous", "local_day_start", "local_to_utc",
    "site_timezone", "to_local", "utc_to_local_naive", "utcnow",
]

DEFAULT_TIMEZONE = "Pacific/Auckland"


class NonexistentLocalTime(ValueError):
    """A wall-clock time that never happens in the zone (the hour skipped when the clocks go
    forward)."""


def site_timezone() -> ZoneInfo:
    """The consultation's time zone: KORERO_TIMEZONE (Flask-Babel's BABEL_DEFAULT_TIMEZONE)."""
    name = current_app.config.get("BABEL_DEFAULT_TIMEZONE") if has_app_context() else None
    return ZoneInfo(name or DEFAULT_TIMEZONE)


def as_utc(moment: datetime) -> datetime:
    """MOMENT as aware UTC. A naive datetime is refused: nobody can tell which zone it meant."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("a naive datetime has no zone: convert it with local_to_utc first")
    return moment.astimezone(UTC)


def to_local(moment: datetime, zone: ZoneInfo | None = None) -> datetime:
    """The aware MOMENT in ZONE (the site's zone by default)."""
    return as_utc(moment).astimezone(zone or site_timezone())


def exists_locally(naive: datetime, zone: ZoneInfo | None = None) -> bool:
    """False for a wall-clock time skipped when the clocks go forward."""
    zone = zone or site_timezone()
    wall = naive.replace(tzinfo=None)
    return wall.replace(tzinfo=zone).astimezone(UTC).astimezone(zone).replace(tzinfo=None) == wall


def is_ambiguous(naive: datetime, zone: ZoneInfo | None = None) -> bool:
    """True for a wall-clock time that happens twice, when the clocks go back."""
    zone = zone or site_timezone()
    wall = naive.replace(tzinfo=None)
    return (wall.replace(tzinfo=zone, fold=0).utcoffset()
            != wall.replace(tzinfo=zone, fold=1).utcoffset())


def local_to_utc(naive: datetime, zone: ZoneInfo | None = None) -> datetime:
    """The UTC moment of the wall-clock time NAIVE in ZONE (the site's zone by default).

    Raises NonexistentLocalTime for a time the clocks skip. A time that happens twice is
    read as the first of the two (still daylight time), the earlier moment: for a deadline,
    the one nobody can say came too late.
    """
    zone = zone or site_timezone()
    if naive.tzinfo is not None:
        raise ValueError("expected a wall-clock time without a zone")
    if not exists_locally(naive, zone):
        raise NonexistentLocalTime(f"{naive:%Y-%m-%d %H:%M} does not happen in {zone.key}")
    return naive.replace(tzinfo=zone, fold=0).astimezone(UTC)


def utc_to_local_naive(moment: datetime, zone: ZoneInfo | None = None) -> datetime:
    """The wall-clock time of MOMENT in ZONE, without a zone and to the minute, as an
    <input type="datetime-local"> shows it."""
    return to_local(moment, zone).replace(tzinfo=None, second=0, microsecond=0)


def local_day_start(day: date, zone: ZoneInfo | None = None) -> datetime:
    """The UTC moment the local day DAY begins (for "from date" / "to date" filters: a day
    ends where the next one starts)."""
    zone = zone or site_timezone()
    # Midnight always exists in New Zealand; where a zone skips it, fold=0 lands after the gap.
    return datetime.combine(day, time.min, tzinfo=zone).astimezone(UTC)


def _clock(local: datetime) -> str:
    hour = local.hour % 12 or 12
    suffix = gettext("am") if local.hour < 12 else gettext("pm")
    return f"{hour}:{local.minute:02d}{suffix}" if local.minute else f"{hour}{suffix}"


def format_human(moment: datetime, zone: ZoneInfo | None = None, *,
                 show_zone: bool = False) -> str:
    """"5pm, 9 January 2027" (minutes only when not on the hour; seconds never) in ZONE,
    the site's zone by default. SHOW_ZONE adds its abbreviation: "5pm, 9 January 2027 NZDT"."""
    local = to_local(moment, zone)
    text = f"{_clock(local)}, {format_date(local.date(), 'd MMMM yyyy')}"
    return f"{text} {local.tzname()}" if show_zone else text


def format_human_date(day: date | datetime, zone: ZoneInfo | None = None) -> str:
    """"9 January 2027"; a datetime is first moved into ZONE (the site's zone by default)."""
    if isinstance(day, datetime):
        day = to_local(day, zone).date()
    return format_date(day, "d MMMM yyyy")


def format_iso(moment: datetime, zone: ZoneInfo | None = None) -> str:
    """ISO 8601 to the second with the offset, in ZONE (the site's zone by default; pass UTC
    for "+00:00"): "2027-01-09T17:00:00+13:00". For exports and <time datetime="...">."""
    return to_local(moment, zone).isoformat(timespec="seconds")


def init_app(app: Flask) -> None:
    """Template filters: {{ moment|human_datetime }}, {{ day|human_date }},
    {{ moment|iso_datetime }}; the time_tag macro in templates/_macros/dates.html uses them."""
    app.add_template_filter(format_human, "human_datetime")
    app.add_template_filter(format_human_date, "human_date")
    app.add_template_filter(format_iso, "iso_datetime")
