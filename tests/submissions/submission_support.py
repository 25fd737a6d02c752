"""Fixtures for the submissions tests: a published form built through the operations, and a
helper that fills in the submission page over HTTP as a person would."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from app.db import Session
from app.jobs import run_job_inline
from app.jobs.models import Job
from submissions import operations
from submissions.guest_settings import set_guest_submissions
from submissions.models import Submission, SubmissionForm

QUESTIONS = [
    {"kind": "section", "prompt": "About the policy"},
    {"kind": "long_text", "prompt": "What data should never be collected?", "is_required": True,
     "max_chars": 500},
    {"kind": "yes_no", "prompt": "Do you share data today?"},
    {"kind": "short_text", "prompt": "With whom?", "show_if_key": "q3", "show_if_value": "yes"},
    {"kind": "agreement", "prompt": "Purpose should come first."},
    {"kind": "multiple_choice", "prompt": "Which protections?", "choices": ["Local", "Logged"]},
    {"kind": "ranking", "prompt": "Rank these", "choices": ["Alpha", "Beta", "Gamma"]},
]
CONSENT = {"consent-analysis": "yes", "consent-quote": "anonymous", "consent-publish": "public"}


@pytest.fixture
def analyst(make_user):
    return make_user("analyst")


@pytest.fixture
def make_form(app, analyst, make_consultation):
    def factory(*, allows_guests: bool = False, questions=QUESTIONS, consultation=None,
                publish: bool = True):
        with app.test_request_context():
            consultation = consultation or make_consultation()
            form = operations.create_form(analyst, consultation, title="Have your say")
            set_guest_submissions(analyst, consultation, allows_guests)
            for data in questions:
                operations.add_question(analyst, form, dict(data))
            if publish:
                operations.publish_form(analyst, form)
            Session.commit()
        # The request context's teardown ended the session FORM was loaded in.
        return Session.get(SubmissionForm, form.id)

    return factory


def token_of(html: str) -> str:
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)
    assert match, "no csrf_token on the page"
    return match.group(1)


def base_version_of(html: str) -> str:
    match = re.search(r'name="base_version" value="(\d+)"', html)
    assert match, "no base_version on the page"
    return match.group(1)


class Submitter:
    """Drives the submission pages through the test client."""

    def __init__(self, client):
        self.client = client

    def start(self, form, on_behalf: str = "self") -> int:
        page = self.client.get(f"/submissions/forms/{form.id}")
        assert page.status_code == 200
        response = self.client.post(f"/submissions/forms/{form.id}/start", data={
            "csrf_token": token_of(page.get_data(as_text=True)), "on_behalf": on_behalf})
        assert response.status_code == 302, response.get_data(as_text=True)
        return int(response.headers["Location"].rstrip("/").rsplit("/", 1)[1])

    def page(self, draft_id: int):
        return self.client.get(f"/submissions/drafts/{draft_id}")

    def post(self, draft_id: int, data: dict, *, action: str = "save", base=None, page=None):
        html = (page or self.page(draft_id)).get_data(as_text=True)
        payload = {"csrf_token": token_of(html), "action": action,
                   "base_version": base if base is not None else base_version_of(html), **data}
        return self.client.post(f"/submissions/drafts/{draft_id}", data=payload)

    def autosave(self, draft_id: int, data: dict, base):
        html = self.page(draft_id).get_data(as_text=True)
        return self.client.post(f"/submissions/drafts/{draft_id}/autosave", data={
            "csrf_token": token_of(html), "base_version": base, **data})


@pytest.fixture
def submitter(client):
    return Submitter(client)


def good_answers(**extra) -> dict:
    return {"answer-q2": "Health records.", "answer-q3": "no", "answer-q5": "agree",
            **CONSENT, **extra}


def run_recording_jobs(app) -> list[Job]:
    """Do the worker's part in this process: the intake sweep (returned), then the receipts
    and campaign jobs it starts."""
    from submissions.sweeper import sweep_if_owed

    with app.app_context():
        sweep_if_owed()
        done = []
        for kind in ("submissions.sweep", "submissions.receipts", "submissions.campaigns"):
            jobs = list(Session.scalars(select(Job).where(Job.kind == kind,
                                                          Job.status == "queued")))
            ran = [run_job_inline(job) for job in jobs]
            Session.commit()
            if kind == "submissions.sweep":
                done = ran
    return done


def only_submission() -> Submission:
    rows = list(Session.scalars(select(Submission)))
    assert len(rows) == 1, rows
    return rows[0]
