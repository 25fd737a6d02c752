"""Fixtures for the workshops tests, imported by each test module (a conftest.py here would
shadow tests/conftest.py, which other tests import by the name `conftest`)."""
from __future__ import annotations

from datetime import timedelta

import pytest

from app.db import Session, utcnow
from workshops.models import Workshop, WorkshopFacilitator


def _run_email_jobs(app) -> list[str]:
    """Run every queued booking-email job in this process (the job worker's part); their
    statuses."""
    from sqlalchemy import select

    from app.jobs import run_job_inline
    from app.jobs.models import Job

    with app.app_context():
        jobs = list(Session.scalars(select(Job).where(Job.kind == "workshops.send_notices",
                                                      Job.status == "queued")
                                    .order_by(Job.id)))
        done = [run_job_inline(job).status for job in jobs]
        Session.commit()
    return done


@pytest.fixture
def run_email_jobs():
    """run_email_jobs(app): run the queued booking-email jobs, as the worker would."""
    return _run_email_jobs


@pytest.fixture
def consultation(make_consultation):
    return make_consultation()


@pytest.fixture
def make_workshop(db_session, consultation, make_user):
    """make_workshop(capacity=5, status="published", run_by=(), **fields): a workshop 10 days
    ahead, run by the facilitators RUN_BY (only they and admins manage it)."""

    def factory(capacity: int = 5, status: str = "published", days: float = 10, run_by=(),
                **fields):
        start = utcnow() + timedelta(days=days)
        values = {"consultation_id": consultation.id, "title": "Hui on client data",
                      "format": "hybrid", "region": "Wellington", "venue_address": "1 Lambton Quay",
                      "meeting_link": "https://meet.example.test/secret-room", "starts_at": start,
                      "ends_at": start + timedelta(hours=2), "capacity": capacity,
                      "booking_deadline_at": start - timedelta(days=1), "status": status,
                      "languages": "en,mi"}
        values.update(fields)
        workshop = Workshop(**values)
        workshop.facilitator_links = [WorkshopFacilitator(user_id=person.id)
                                      for person in run_by]
        Session.add(workshop)
        Session.commit()
        return workshop

    return factory


@pytest.fixture
def post_form(client, csrf_token):
    """post_form(url, data=None, page=None): POST with a CSRF token taken from PAGE (default:
    the page at URL)."""

    def post(url, data=None, page=None):
        html = client.get(page or url).get_data(as_text=True)
        return client.post(url, data={"csrf_token": csrf_token(html), **(data or {})})

    return post
