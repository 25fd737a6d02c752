"""Each workshop has its own IANA time zone (the site's KORERO_TIMEZONE by default): its times
are typed in it, shown in it, and written to its .ics files with TZID and a VTIMEZONE."""
from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from icalendar import Calendar
from sqlalchemy import select

from app.db import Session
from workshops.models import Workshop

pytest_plugins = ("workshops_fixtures",)

FORM = {"title": "Talanoa in Avarua", "description": "", "format": "in_person",
        "region": "Rarotonga", "venue_address": "Punanga Nui", "meeting_link": "",
        "starts_at": "2031-03-03T10:00", "ends_at": "2031-03-03T12:00",
        "booking_deadline_at": "2031-03-02T17:00", "capacity": "20", "languages": ["en"],
        "accessibility": "", "audience": "everyone"}


def _create(post_form, **fields):
    response = post_form("/workshops/new", {**FORM, **fields})
    workshop = Session.scalar(select(Workshop).where(Workshop.title == FORM["title"]))
    return response, workshop


def test_times_are_typed_and_shown_in_the_workshop_zone(client, auth, post_form, make_user,
                                                         consultation):
    auth.login(make_user("facilitator"))
    response, workshop = _create(post_form, timezone="Pacific/Rarotonga")
    assert response.status_code == 302, response.get_data(as_text=True)
    assert workshop.timezone == "Pacific/Rarotonga"
    # 10am in Rarotonga (UTC-10) is 8pm UTC the same day
    assert workshop.starts_at == datetime(2031, 3, 3, 20, 0, tzinfo=UTC)
    page = client.get(f"/workshops/{workshop.id}").get_data(as_text=True)
    assert "10am, 3 March 2031" in page and "Pacific/Rarotonga" in page
    assert 'datetime="2031-03-03T10:00:00-10:00"' in page
    edit = client.get(f"/workshops/{workshop.id}/edit").get_data(as_text=True)
    assert 'value="2031-03-03T10:00"' in edit  # shown back in its zone, not the site's
    assert '<option selected value="Pacific/Rarotonga">' in edit or \
        'value="Pacific/Rarotonga" selected' in edit


def test_the_default_zone_is_the_sites(app, client, auth, post_form, make_user, consultation):
    auth.login(make_user("facilitator"))
    page = client.get("/workshops/new").get_data(as_text=True)
    site_zone = app.config["BABEL_DEFAULT_TIMEZONE"]
    assert f'value="{site_zone}"' in page
    response, workshop = _create(post_form)  # an older client that sends no zone
    assert response.status_code == 302 and workshop.timezone == site_zone


def test_an_unknown_zone_is_refused_with_a_message(client, auth, post_form, make_user,
                                                   consultation):
    auth.login(make_user("facilitator"))
    response, workshop = _create(post_form, timezone="Mars/Olympus_Mons")
    assert response.status_code == 200 and workshop is None
    assert "Not a valid choice" in response.get_data(as_text=True) or \
        "time zone" in response.get_data(as_text=True)


def test_ics_files_carry_tzid_and_vtimezone(client, auth, post_form, make_user, consultation):
    auth.login(make_user("facilitator"))
    _response, workshop = _create(post_form, timezone="Pacific/Rarotonga")
    post_form(f"/workshops/{workshop.id}/publish", page=f"/workshops/{workshop.id}")
    raw = client.get(f"/workshops/{workshop.id}/workshop.ics").get_data()
    assert b"DTSTART;TZID=Pacific/Rarotonga:20310303T100000" in raw
    calendar = Calendar.from_ical(raw)
    [zone] = calendar.walk("VTIMEZONE")
    assert str(zone["TZID"]) == "Pacific/Rarotonga"
    [event] = calendar.walk("VEVENT")
    start = event.decoded("DTSTART")
    assert start.utcoffset() is not None
    assert start == datetime(2031, 3, 3, 10, 0, tzinfo=ZoneInfo("Pacific/Rarotonga"))
    assert start.astimezone(UTC) == datetime(2031, 3, 3, 20, 0, tzinfo=UTC)


def test_the_cached_vtimezone_block_makes_the_same_file_icalendar_makes(
        app, client, auth, post_form, make_user, consultation):
    """workshops/ics.py splices each zone's VTIMEZONE in from a per-process cache of its
    bytes: the file must be the one icalendar writes with the component added (DTSTAMP
    aside, which is the time of writing), for two zones and again from the cache."""
    from workshops import ics

    auth.login(make_user("facilitator"))
    _response, workshop = _create(post_form, timezone="Pacific/Rarotonga")
    for zone in ("Pacific/Rarotonga", "Pacific/Auckland", "Pacific/Rarotonga"):
        workshop.timezone = zone
        with app.test_request_context():
            calendar = ics._calendar("PUBLISH")
            calendar.add_component(ics._event(workshop, with_link=False))
            spliced = ics._finish(calendar)
            calendar = ics._calendar("PUBLISH")
            calendar.add_component(ics._event(workshop, with_link=False))
            calendar.add_component(ics._vtimezone(zone))
            whole = calendar.to_ical()
        assert _without_stamp(spliced) == _without_stamp(whole)
        assert f"BEGIN:VTIMEZONE\r\nTZID:{zone}".encode() in spliced


def _without_stamp(raw: bytes) -> bytes:
    return b"\r\n".join(line for line in raw.split(b"\r\n") if not line.startswith(b"DTSTAMP"))
