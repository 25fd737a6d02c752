"""Capacity holds under concurrency: 50 people book a 5-place workshop at the same moment,
each request in its own thread on its own database connection, through the real view.

The rows are committed for real (other connections must see them), in the suite's database
(SQLite file or PostgreSQL), and deleted afterwards."""
from __future__ import annotations

import threading
import time
from datetime import timedelta

import pytest
from sqlalchemy import create_engine, delete, event, select
from sqlalchemy.pool import NullPool

from app import create_app
from app.config import TestConfig
from app.db import Session, _configure_sqlite, utcnow
from app.models import Consultation, User, UserRole
from workshops import operations as ops
from workshops.models import Booking, Workshop
from workshops.notifications import send_notices
from workshops.queries import waitlist_position

# Fixtures shared by the workshops tests (see workshops_fixtures.py for why not conftest.py).
pytest_plugins = ("workshops_fixtures",)

PEOPLE = 50
CAPACITY = 5


@pytest.fixture
def committed_app(database_url):
    """A second app on an engine without a pool (a new connection per session), with a
    workshop and PEOPLE participants committed; everything is deleted afterwards."""
    saved_bind = dict(Session.session_factory.kw)
    app = create_app(TestConfig(database_url))
    if database_url.startswith("sqlite"):
        engine = create_engine(database_url, poolclass=NullPool)
        _configure_sqlite(engine)

        # 50 writers queue for SQLite's one write lock; on a busy shared machine the last can
        # wait longer than the app's 10 s busy timeout. This test is about places, not speed.
        @event.listens_for(engine, "connect")
        def _patient(dbapi_connection, _record):
            dbapi_connection.execute("PRAGMA busy_timeout=120000")
    else:
        engine = create_engine(database_url, poolclass=NullPool)
    Session.remove()
    Session.configure(bind=engine)
    stamp = f"{time.time_ns()}"
    with app.app_context():
        consultation = Consultation(slug=f"concurrency-{stamp}", title="Concurrency",
                                    opens_at=utcnow(), closes_at=utcnow() + timedelta(days=9),
                                    status="open")
        Session.add(consultation)
        Session.flush()
        start = utcnow() + timedelta(days=3)
        workshop = Workshop(consultation_id=consultation.id, title="Busy hui", format="online",
                            meeting_link="https://meet.example.test/x", starts_at=start,
                            ends_at=start + timedelta(hours=1), capacity=CAPACITY,
                            booking_deadline_at=start - timedelta(hours=1), status="published")
        people = [User(email=f"rush{i}-{stamp}@example.test", display_name=f"Rush {i}",
                       role_rows=[UserRole(role="participant")]) for i in range(PEOPLE)]
        Session.add(workshop)
        Session.add_all(people)
        Session.commit()
        ids = (consultation.id, workshop.id, [p.id for p in people])
    Session.remove()
    try:
        yield app, ids
    finally:
        with app.app_context():
            Session.execute(delete(Booking).where(Booking.workshop_id == ids[1]))
            Session.execute(delete(Workshop).where(Workshop.id == ids[1]))
            Session.execute(delete(UserRole).where(UserRole.user_id.in_(ids[2])))
            Session.execute(delete(User).where(User.id.in_(ids[2])))
            Session.execute(delete(Consultation).where(Consultation.id == ids[0]))
            Session.commit()
        Session.remove()
        engine.dispose()
        app.extensions["korero_engine"].dispose()
        Session.configure(**saved_bind)


def _book_over_http(app, workshop_id, user_id, start, results, index):
    client = app.test_client()
    with client.session_transaction() as sess:
        sess["_user_id"] = f"{user_id}:1"  # id:session_version
        sess["_fresh"] = True
        sess["last_active"] = time.time()
    app.config["WTF_CSRF_ENABLED"] = False
    start.wait(10)
    response = client.post(f"/workshops/{workshop_id}/book", data={})
    results[index] = (response.status_code, response.headers.get("Location"))


def test_fifty_people_book_five_places_at_once(app, committed_app, smtp_server, run_email_jobs):
    suite_app = app
    app, (_, workshop_id, user_ids) = committed_app
    app.config.update(MAIL_SERVER=suite_app.config["MAIL_SERVER"],
                      MAIL_PORT=suite_app.config["MAIL_PORT"])
    start = threading.Barrier(PEOPLE)
    results: list = [None] * PEOPLE
    threads = [threading.Thread(target=_book_over_http,
                                args=(app, workshop_id, uid, start, results, i))
               for i, uid in enumerate(user_ids)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert results == [(302, f"/workshops/{workshop_id}")] * PEOPLE  # every request acknowledged with a redirect
    # Each request queued its email as a job; the worker's part, here:
    assert run_email_jobs(app) == ["done"] * PEOPLE

    with app.app_context():
        bookings = Session.scalars(select(Booking).where(Booking.workshop_id == workshop_id)
                                   .order_by(Booking.queued_at, Booking.id)).all()
        assert len(bookings) == PEOPLE
        confirmed = [b for b in bookings if b.status == "confirmed"]
        waiting = [b for b in bookings if b.status == "waitlisted"]
        assert len(confirmed) == CAPACITY and len(waiting) == PEOPLE - CAPACITY
        # The waitlist is in booking order: positions 1..45, after every confirmed place.
        assert [waitlist_position(b) for b in waiting] == list(range(1, PEOPLE - CAPACITY + 1))
        assert max(b.queued_at for b in confirmed) <= min(b.queued_at for b in waiting)

        # One cancellation promotes exactly one person: the first waiting.
        first_waiting = waiting[0].id
        leaver = Session.get(User, confirmed[0].user_id)
        notices = ops.cancel_booking(leaver, Session.get(Booking, confirmed[0].id))
        Session.commit()
        send_notices(notices)
        assert [n.kind for n in notices] == ["booking_cancelled", "promoted"]
        statuses = dict(Session.execute(select(Booking.id, Booking.status).where(
            Booking.workshop_id == workshop_id)).all())
        assert list(statuses.values()).count("confirmed") == CAPACITY
        assert list(statuses.values()).count("waitlisted") == PEOPLE - CAPACITY - 1
        assert statuses[first_waiting] == "confirmed"
    # Everyone was emailed: 5 confirmations, 45 waitlist notices, 1 cancellation, 1 promotion.
    assert len(smtp_server.wait_for(PEOPLE + 2, timeout=30)) == PEOPLE + 2
