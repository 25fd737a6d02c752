"""Booking, the waitlist, cancellation and the emails with their calendar files."""
from __future__ import annotations

from datetime import timedelta

import pytest
from icalendar import Calendar
from sqlalchemy import select

from app.db import Session, utcnow
from app.errors import OperationRefused
from workshops import operations as ops
from workshops.models import Booking
from workshops.queries import waitlist_position

# Fixtures shared by the workshops tests (see workshops_fixtures.py for why not conftest.py).
pytest_plugins = ("workshops_fixtures",)


def _ics_parts(message):
    return [part for part in message.walk()
            if part.get_content_type() in ("text/calendar", "application/ics")]


def test_booking_fills_then_waitlists_in_order(make_workshop, make_user):
    workshop = make_workshop(capacity=2)
    people = [make_user() for _ in range(4)]
    results = [ops.book_place(person, workshop)[0] for person in people]
    assert [b.status for b in results] == ["confirmed", "confirmed", "waitlisted", "waitlisted"]
    assert [waitlist_position(b) for b in results[2:]] == [1, 2]


def test_booking_twice_returns_the_same_booking(make_workshop, make_user):
    workshop = make_workshop()
    person = make_user()
    first, notices = ops.book_place(person, workshop)
    second, again = ops.book_place(person, workshop)
    assert first.id == second.id and notices and again == []
    assert len(Session.scalars(select(Booking).where(Booking.workshop_id == workshop.id)).all()) == 1


def test_double_post_over_http_makes_one_booking(post_form, client, auth, make_workshop, make_user):
    workshop = make_workshop()
    auth.login(make_user())
    url = f"/workshops/{workshop.id}/book"
    for _ in range(2):
        assert post_form(url).status_code == 302
    assert Session.scalars(select(Booking).where(Booking.workshop_id == workshop.id)).all().__len__() == 1


def test_cancellation_promotes_the_first_person_waiting(make_workshop, make_user):
    workshop = make_workshop(capacity=1)
    a, b, c = make_user(), make_user(), make_user()
    booked = ops.book_place(a, workshop)[0]
    second = ops.book_place(b, workshop)[0]
    third = ops.book_place(c, workshop)[0]
    notices = ops.cancel_booking(a, booked)
    assert [(n.kind, n.booking_id) for n in notices] == [("booking_cancelled", booked.id),
                                                       ("promoted", second.id)]
    assert (second.status, third.status) == ("confirmed", "waitlisted")
    assert waitlist_position(third) == 1


def test_cancelling_a_waitlist_place_promotes_nobody(make_workshop, make_user):
    workshop = make_workshop(capacity=1)
    a, b = make_user(), make_user()
    ops.book_place(a, workshop)
    waiting = ops.book_place(b, workshop)[0]
    assert [n.kind for n in ops.cancel_booking(b, waiting)] == ["booking_cancelled"]


def test_only_the_person_who_booked_may_cancel(make_workshop, make_user):
    workshop = make_workshop()
    booking = ops.book_place(make_user(), workshop)[0]
    with pytest.raises(OperationRefused):
        ops.cancel_booking(make_user(), booking)


def test_booking_closes_at_the_deadline(make_workshop, make_user):
    workshop = make_workshop()
    with pytest.raises(OperationRefused, match="closed"):
        ops.book_place(make_user(), workshop, now=workshop.booking_deadline_at)
    assert ops.book_place(make_user(), workshop,
                          now=workshop.booking_deadline_at - timedelta(seconds=1))[0]


@pytest.mark.parametrize("status", ["draft", "cancelled"])
def test_unpublished_workshops_cannot_be_booked(make_workshop, make_user, status):
    with pytest.raises(OperationRefused):
        ops.book_place(make_user(), make_workshop(status=status))


def test_audience_limits_who_may_book(make_workshop, make_user, make_org):
    workshop = make_workshop(audience="pasifika")
    with pytest.raises(OperationRefused):
        ops.book_place(make_user(org=make_org(stakeholder_group="ngo")), workshop)
    assert ops.book_place(make_user(org=make_org(stakeholder_group="pasifika")), workshop)[0]


def test_booking_for_an_organisation_needs_membership(make_workshop, make_user, make_org):
    mine, theirs = make_org(), make_org()
    person = make_user(org=mine)
    with pytest.raises(OperationRefused):
        ops.book_place(person, make_workshop(), organisation=theirs)
    assert ops.book_place(person, make_workshop(), organisation=mine)[0].organisation_id == mine.id


def test_meeting_link_is_shown_only_with_a_confirmed_place(client, auth, make_workshop, make_user):
    workshop = make_workshop(capacity=1)
    first, second = make_user(), make_user()
    ops.book_place(first, workshop)
    ops.book_place(second, workshop)
    Session.commit()
    url = f"/workshops/{workshop.id}"
    assert "secret-room" not in client.get(url).get_data(as_text=True)
    auth.login(make_user())
    assert "secret-room" not in client.get(url).get_data(as_text=True)
    auth.login(second)
    page = client.get(url).get_data(as_text=True)
    assert "secret-room" not in page and "number 1 on the waitlist" in page
    auth.login(first)
    assert "secret-room" in client.get(url).get_data(as_text=True)
    assert "secret-room" not in client.get(f"{url}/workshop.ics").get_data(as_text=True)


def test_confirmation_email_carries_a_request_invitation(post_form, client, auth, make_workshop, make_user,
                                                         smtp_server, run_email_jobs):
    workshop = make_workshop()
    person = auth.login(make_user())
    assert post_form(f"/workshops/{workshop.id}/book").status_code == 302
    assert run_email_jobs(client.application) == ["done"]  # the request only queued it
    [message] = smtp_server.wait_for(1)
    assert message["To"] == person.email and "booked" in message["Subject"]
    parts = _ics_parts(message)
    assert parts
    calendar = Calendar.from_ical(parts[0].get_content() if isinstance(
        parts[0].get_content(), str) else parts[0].get_content().decode())
    assert str(calendar["METHOD"]) == "REQUEST"
    [event] = calendar.walk("VEVENT")
    assert str(event["UID"]).startswith(f"workshop-{workshop.id}@")
    assert event.decoded("DTSTART") == workshop.starts_at.replace(microsecond=0) or \
        abs((event.decoded("DTSTART") - workshop.starts_at).total_seconds()) < 1
    assert "secret-room" in str(event["LOCATION"])


def test_cancelling_a_workshop_emails_everyone_with_cancel_and_the_same_uid(post_form, 
        client, auth, make_workshop, make_user, smtp_server, run_email_jobs):
    runner = make_user("facilitator")
    workshop = make_workshop(capacity=1, run_by=[runner])
    booked, waiting = make_user(), make_user()
    ops.book_place(booked, workshop)
    ops.book_place(waiting, workshop)
    Session.commit()
    auth.login(runner)
    response = post_form(f"/workshops/{workshop.id}/cancel", page=f"/workshops/{workshop.id}")
    assert response.status_code == 302
    run_email_jobs(client.application)
    messages = smtp_server.wait_for(2)
    assert sorted(m["To"] for m in messages) == sorted([booked.email, waiting.email])
    for message in messages:
        raw = _ics_parts(message)[0].get_content()
        calendar = Calendar.from_ical(raw if isinstance(raw, str) else raw.decode())
        assert str(calendar["METHOD"]) == "CANCEL"
        [event] = calendar.walk("VEVENT")
        assert str(event["UID"]).startswith(f"workshop-{workshop.id}@")
        assert str(event["STATUS"]) == "CANCELLED"
    Session.expire_all()
    assert {b.status for b in Session.scalars(select(Booking).where(
        Booking.workshop_id == workshop.id))} == {"cancelled"}


def test_promotion_is_emailed(post_form, client, auth, make_workshop, make_user, smtp_server,
                              run_email_jobs):
    workshop = make_workshop(capacity=1)
    first, second = make_user(), make_user()
    booking = ops.book_place(first, workshop)[0]
    ops.book_place(second, workshop)
    Session.commit()
    auth.login(first)
    assert post_form(f"/workshops/bookings/{booking.id}/cancel",
                     page=f"/workshops/{workshop.id}").status_code == 302
    run_email_jobs(client.application)
    messages = smtp_server.wait_for(2)
    promoted = [m for m in messages if m["To"] == second.email]
    assert promoted and "place has opened" in promoted[0]["Subject"]


def test_public_ics_parses_and_personal_feed_is_secret_and_revocable(post_form, 
        client, auth, make_workshop, make_user):
    workshop = make_workshop()
    person = make_user()
    ops.book_place(person, workshop)
    Session.commit()
    response = client.get(f"/workshops/{workshop.id}/workshop.ics")
    assert response.mimetype == "text/calendar"
    assert Calendar.from_ical(response.data).walk("VEVENT")
    auth.login(person)
    page = post_form("/workshops/mine/calendar", {"action": "issue"}).get_data(as_text=True)
    import re

    url = re.search(r"(/workshops/calendar/[^<\s]+\.ics)", page).group(1)
    feed = client.get(url)
    assert feed.status_code == 200
    [event] = Calendar.from_ical(feed.data).walk("VEVENT")
    assert "secret-room" in str(event["LOCATION"])
    post_form("/workshops/mine/calendar", {"action": "revoke"})
    assert client.get(url).status_code == 404


def test_feed_token_is_redacted_from_logs(app):
    from app.logging_setup import redact_secrets

    assert "abcdef123" not in redact_secrets("GET /workshops/calendar/abcdef123.ics HTTP/1.1")


def test_a_past_deadline_shows_booking_closed(post_form, client, auth, make_workshop, make_user):
    workshop = make_workshop(days=0.5, booking_deadline_at=utcnow() - timedelta(hours=1))
    auth.login(make_user())
    assert "Booking has closed" in client.get(f"/workshops/{workshop.id}").get_data(as_text=True)
    response = post_form(f"/workshops/{workshop.id}/book")
    assert "has closed" in response.get_data(as_text=True)
