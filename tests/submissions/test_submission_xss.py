# ruff: noqa: F401, F811  (pytest fixtures imported from submission_support, named as arguments)
"""Script payloads typed into every question, choice, answer, name and title come out as text
on every page, receipt, email and PDF that shows them."""
from __future__ import annotations

import pytest
from submission_support import (
    CONSENT,
    Submitter,
    analyst,
    make_form,
    only_submission,
    run_recording_jobs,
    submitter,
)
from test_submission_recording import pdf_text

PAYLOAD = '<script>alert("x")</script><img src=x onerror=alert(1)>'
ESCAPED = "&lt;script&gt;"


def _assert_safe(html: str, where: str) -> None:
    assert PAYLOAD not in html, where
    assert "<script>alert" not in html and "<img src=x" not in html, where
    assert ESCAPED in html, f"{where}: the payload is not shown at all"


@pytest.fixture
def hostile_form(make_form):
    return make_form(allows_guests=True, questions=[
        {"kind": "section", "prompt": "Section " + PAYLOAD, "help_text": "Help " + PAYLOAD},
        {"kind": "long_text", "prompt": "Long " + PAYLOAD, "help_text": PAYLOAD},
        {"kind": "single_choice", "prompt": "Pick " + PAYLOAD,
         "choices": ["Choice " + PAYLOAD, "Plain"]},
        {"kind": "short_text", "prompt": "If " + PAYLOAD, "show_if_key": "q3",
         "show_if_value": "Choice " + PAYLOAD},
    ])


def test_payloads_are_text_everywhere(app, client, auth, analyst, hostile_form, smtp_server):
    guest = Submitter(app.test_client())
    draft_id = guest.start(hostile_form)
    _assert_safe(guest.page(draft_id).get_data(as_text=True), "the empty submission page")
    answers = {"answer-q2": "Answer " + PAYLOAD, "answer-q3": "Choice " + PAYLOAD,
               "answer-q4": "Who " + PAYLOAD, "guest_name": "Name " + PAYLOAD,
               "guest_email": "guest@example.test", **CONSENT}
    saved = guest.post(draft_id, answers)
    assert saved.status_code == 302
    _assert_safe(guest.page(draft_id).get_data(as_text=True), "the saved submission page")
    receipt = guest.post(draft_id, answers, action="submit")
    assert receipt.status_code == 302, receipt.get_data(as_text=True)
    _assert_safe(guest.client.get(receipt.headers["Location"]).get_data(as_text=True),
                 "the receipt")
    pdf = pdf_text(guest.client.get(receipt.headers["Location"] + "/pdf").data)
    # Escaped, the markup is printed as text; interpreted, it would vanish from the PDF.
    assert "Answer <script>alert" in pdf
    run_recording_jobs(app)
    (message,) = smtp_server.wait_for(1)
    html = message.get_body(preferencelist=("html",)).get_content()
    _assert_safe(html, "the receipt email")
    assert "Answer " + PAYLOAD in smtp_server.body_of(message)  # plain text: as typed
    auth.login(analyst)
    form_id = hostile_form.id
    for url in (f"/submissions/manage/{form_id}", f"/submissions/manage/{form_id}/preview",
                f"/submissions/manage/{form_id}/submissions", "/submissions/manage"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert "<script>alert" not in response.get_data(as_text=True), url
    assert only_submission().guest_name == "Name " + PAYLOAD


def test_a_hostile_form_title_is_text(client, auth, analyst, make_consultation):
    from submission_support import token_of

    make_consultation()
    auth.login(analyst)
    page = client.get("/submissions/manage").get_data(as_text=True)
    created = client.post("/submissions/manage", data={"csrf_token": token_of(page),
                                                       "title": "Title " + PAYLOAD})
    _assert_safe(client.get(created.headers["Location"]).get_data(as_text=True), "the builder")
    _assert_safe(client.get("/submissions/manage").get_data(as_text=True), "the form list")
