# ruff: noqa: F401, F811  (pytest fixtures imported from submission_support, named as arguments)
"""A person without an account comes back from the secret link in their receipt email: sees
their submission, changes it before the closing date (the corpus updated through its verified
path) or withdraws it (every FeedbackItem withdrawn); the token is stored only as a hash; the
consultation (not the form) says whether guests may submit."""
from __future__ import annotations

import json
import re
from datetime import timedelta

from sqlalchemy import select
from submission_support import (
    analyst,
    good_answers,
    make_form,
    only_submission,
    run_recording_jobs,
    submitter,
    token_of,
)

from app.corpus.models import FeedbackItem
from app.db import Session, utcnow
from app.privacy.models import AuditEvent
from submissions.guest_links import hash_token
from submissions.guest_models import GuestLink


def _items() -> dict[str, FeedbackItem]:
    return {item.question_key: item for item in Session.scalars(
        select(FeedbackItem).where(FeedbackItem.source == "submission_answer"))}


def _guest_submits(app, client, make_form, submitter, smtp_server) -> tuple[str, object]:
    """Submit as a guest, run the recording job, and return the receipt's secret link path
    (then forget the browser session, as someone coming back another day would)."""
    form = make_form(allows_guests=True)
    draft_id = submitter.start(form)
    submitter.post(draft_id, good_answers(guest_name="Mere", guest_email="mere@example.test"),
                   action="submit")
    run_recording_jobs(app)
    (message,) = smtp_server.wait_for(1)
    link = re.search(r"http://korero.test(/submissions/yours/[A-Za-z0-9_\-]+)",
                     smtp_server.body_of(message))
    assert link, "the receipt carries the secret link"
    client.delete_cookie("session")  # another day, another browser: only the link remains
    return link.group(1), form


def test_the_receipt_link_opens_the_submission_and_only_its_hash_is_stored(
        app, client, make_form, submitter, smtp_server):
    path, _form = _guest_submits(app, client, make_form, submitter, smtp_server)
    token = path.rsplit("/", 1)[1]
    [stored] = Session.scalars(select(GuestLink)).all()
    assert stored.token_hash == hash_token(token) and token not in stored.token_hash
    page = client.get(path)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert only_submission().reference in html and "Withdraw this submission" in html
    assert client.get("/submissions/yours/forged-token").status_code == 404
    # Without the link, the browser that never submitted cannot reach the receipt.
    assert client.get(f"/submissions/receipts/{only_submission().id}").status_code == 404


def test_a_guest_withdraws_from_the_link_and_every_item_is_withdrawn(
        app, client, make_form, submitter, smtp_server):
    path, _form = _guest_submits(app, client, make_form, submitter, smtp_server)
    assert all(item.consent_analysis for item in _items().values())
    html = client.get(path).get_data(as_text=True)
    response = client.post(f"{path}/withdraw", data={"csrf_token": token_of(html)})
    assert response.status_code == 302
    Session.expire_all()
    assert only_submission().withdrawn_at is not None
    items = _items().values()
    assert items and not any(item.consent_analysis for item in items)
    events = Session.scalars(select(AuditEvent).where(AuditEvent.action == "consent.changed"))
    assert all(json.loads(e.detail).get("verified_by") == "receipt_link" for e in events)
    assert "withdrawn on" in client.get(path).get_data(as_text=True)


def test_a_guest_changes_their_answers_from_the_link_and_the_corpus_follows(
        app, client, make_form, submitter, smtp_server):
    path, _form = _guest_submits(app, client, make_form, submitter, smtp_server)
    html = client.get(path).get_data(as_text=True)
    response = client.post(f"{path}/edit", data={"csrf_token": token_of(html)})
    assert response.status_code == 302 and "/drafts/" in response.headers["Location"]
    draft_id = int(response.headers["Location"].rstrip("/").rsplit("/", 1)[1])
    submitter.post(draft_id, good_answers(**{
        "guest_name": "Mere", "guest_email": "mere@example.test",
        "answer-q2": "I thought again: keep it in Aotearoa."}), action="submit")
    run_recording_jobs(app)
    Session.expire_all()
    assert _items()["q2"].text == "I thought again: keep it in Aotearoa."
    assert Session.scalar(select(AuditEvent).where(
        AuditEvent.action == "feedback.verified_change")) is not None


def test_after_the_closing_date_the_link_is_read_only(app, client, make_form, submitter,
                                                       smtp_server):
    path, form = _guest_submits(app, client, make_form, submitter, smtp_server)
    from app.models import Consultation

    consultation = Session.get(Consultation, form.consultation_id)
    consultation.opens_at = utcnow() - timedelta(days=2)
    consultation.closes_at = utcnow() - timedelta(minutes=1)
    Session.commit()
    html = client.get(path).get_data(as_text=True)
    assert "can no longer be changed" in html and "Withdraw this submission" not in html
    csrf = token_of(client.get("/account/login").get_data(as_text=True))
    client.post(f"{path}/withdraw", data={"csrf_token": csrf})
    Session.expire_all()
    assert only_submission().withdrawn_at is None
    response = client.post(f"{path}/edit", data={"csrf_token": csrf})
    assert "/drafts/" not in response.headers["Location"]


def test_guests_are_allowed_per_consultation(app, client, auth, analyst, make_consultation,
                                             make_form):
    consultation = make_consultation()
    first = make_form(consultation=consultation)
    second = make_form(consultation=consultation)
    assert not first.allows_guests and not second.allows_guests
    auth.login(analyst)
    html = client.get("/submissions/manage").get_data(as_text=True)
    response = client.post("/submissions/manage/guests", data={
        "csrf_token": token_of(html), "allows_guests": "y"})
    assert response.status_code == 302
    Session.expire_all()
    assert first.allows_guests and second.allows_guests  # every form of the consultation
    assert Session.scalar(select(AuditEvent).where(
        AuditEvent.action == "submissions.guests_changed")) is not None


def test_a_guest_withdraws_from_the_receipt_in_the_session_they_submitted_in(
        app, client, make_form, submitter):
    form = make_form(allows_guests=True)
    draft_id = submitter.start(form)
    response = submitter.post(draft_id, good_answers(guest_name="Ana",
                                                     guest_email="ana@example.test"),
                              action="submit")
    run_recording_jobs(app)
    receipt = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Withdraw this submission" in receipt and "Change my answers" in receipt
    submission = only_submission()
    client.post(f"/submissions/receipts/{submission.id}/withdraw",
                data={"csrf_token": token_of(receipt)})
    Session.expire_all()
    assert only_submission().withdrawn_at is not None
    assert not any(item.consent_analysis for item in _items().values())
