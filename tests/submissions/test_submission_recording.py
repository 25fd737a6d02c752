# ruff: noqa: F401, F811  (pytest fixtures imported from submission_support, named as arguments)
"""After the submit: FeedbackItems under the submitter's consent, the emailed receipt with its
PDF, organisation submissions, guests and their confirmation link, withdrawal."""
from __future__ import annotations

import re
import subprocess

import pytest
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
from app.db import Session
from app.governance.models import GovernanceGroup
from app.web.pagination import DEFAULT_PER_PAGE as PER_PAGE


def _items() -> dict[str, FeedbackItem]:
    return {item.question_key: item for item in Session.scalars(
        select(FeedbackItem).where(FeedbackItem.source == "submission_answer"))}


def pdf_text(content: bytes) -> str:
    return subprocess.run(["pdftotext", "-", "-"], input=content, capture_output=True,
                          check=True).stdout.decode()


def test_each_answer_becomes_a_feedback_item_under_the_consent_given(
        app, client, auth, make_user, make_form, submitter):
    form = make_form()
    group = GovernanceGroup(name="Test iwi", kind="iwi")
    Session.add(group)
    Session.commit()
    person = auth.login(make_user("participant"))
    draft_id = submitter.start(form)
    submitter.post(draft_id, good_answers(**{
        "answer-q6": ["Logged"], "answer-q7-0": "3", "answer-q7-1": "1", "answer-q7-2": "2",
        "consent-quote": "attributed", "consent-publish": "working_group",
        "consent-governed_by": str(group.id)}), action="submit")
    assert _items() == {}  # recorded by the job, not in the request
    (job,) = run_recording_jobs(app)
    assert job.status == "done", job.error
    items = _items()
    assert set(items) == {"q2", "q3", "q5", "q6", "q7"}
    q2 = items["q2"]
    assert q2.text == "Health records." and q2.author_id == person.id
    assert (q2.consent_analysis, q2.consent_quote, q2.consent_publish, q2.governed_by_id) == (
        True, "attributed", "working_group", group.id)
    assert items["q7"].text == "1. Beta; 2. Gamma; 3. Alpha"
    values = {a.question_key: a.value for a in only_submission().answers}
    assert values["q7"] == ["Beta", "Gamma", "Alpha"] and values["q6"] == ["Logged"]
    assert values["q5"] == "agree"


def test_the_receipt_is_emailed_with_the_answers_and_a_pdf(app, client, auth, make_user,
                                                           make_form, submitter, smtp_server):
    form = make_form()
    person = auth.login(make_user("participant"))
    submitter.post(submitter.start(form), good_answers(), action="submit")
    run_recording_jobs(app)
    (message,) = smtp_server.wait_for(1)
    reference = only_submission().reference
    assert message["To"] == person.email and reference in message["Subject"]
    assert "Health records." in smtp_server.body_of(message)
    (pdf,) = [part for part in message.iter_attachments()]
    assert pdf.get_content_type() == "application/pdf"
    text = pdf_text(pdf.get_content())
    assert reference in text and "Health records." in text


def test_the_pdf_receipt_downloads_as_an_attachment(client, auth, make_user, make_form,
                                                    submitter):
    form = make_form()
    auth.login(make_user("participant"))
    response = submitter.post(submitter.start(form), good_answers(), action="submit")
    pdf = client.get(response.headers["Location"] + "/pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    assert pdf.headers["Content-Disposition"].startswith("attachment;")
    assert only_submission().reference in pdf_text(pdf.data)


def test_withdrawal_withdraws_every_feedback_item(app, client, auth, make_user, make_form,
                                                  submitter):
    form = make_form()
    auth.login(make_user("participant"))
    receipt = submitter.post(submitter.start(form), good_answers(), action="submit")
    run_recording_jobs(app)
    page = client.get(receipt.headers["Location"])
    response = client.post(receipt.headers["Location"] + "/withdraw",
                           data={"csrf_token": token_of(page.get_data(as_text=True))})
    assert response.status_code == 302
    Session.expire_all()
    items = _items()
    assert items and all(not i.consent_analysis and i.consent_publish == "none"
                         and i.consent_quote == "none" for i in items.values())
    assert only_submission().withdrawn_at is not None
    assert "was withdrawn" in client.get(receipt.headers["Location"]).get_data(as_text=True)


def test_an_edit_after_submitting_updates_the_submission_and_its_items(
        app, client, auth, make_user, make_form, submitter):
    form = make_form()
    auth.login(make_user("participant"))
    draft_id = submitter.start(form)
    submitter.post(draft_id, good_answers(), action="submit")
    run_recording_jobs(app)
    response = submitter.post(draft_id, good_answers(**{"answer-q2": "Changed my mind."}),
                              action="submit")
    assert response.status_code == 302
    run_recording_jobs(app)
    Session.expire_all()
    assert _items()["q2"].text == "Changed my mind."
    assert {a.question_key: a.text for a in only_submission().answers}["q2"] == "Changed my mind."


def test_two_members_work_on_one_organisation_draft_submitted_once(
        app, client, auth, make_user, make_org, make_form, submitter):
    org = make_org("Harbour Trust")
    first, second = make_user("participant", org=org), make_user("participant", org=org)
    form = make_form()
    auth.login(first)
    draft_id = submitter.start(form, on_behalf=str(org.id))
    submitter.post(draft_id, {"answer-q2": "First member's words"})
    auth.login(second)
    page = submitter.page(draft_id)
    assert page.status_code == 200 and "First member&#39;s words" in page.get_data(as_text=True)
    refused = submitter.post(draft_id, good_answers(), action="submit")
    assert refused.status_code == 422 and "role in the organisation" in refused.get_data(
        as_text=True)
    done = submitter.post(draft_id, good_answers(submitter_role="Chair", is_authorised="yes"),
                          action="submit")
    assert done.status_code == 302
    html = submitter.page(draft_id).get_data(as_text=True)
    assert "Who changed what" in html and first.display_name in html and second.display_name in html
    submission = only_submission()
    assert (submission.organisation_id, submission.submitted_by_id, submission.submitter_role,
            submission.is_authorised) == (org.id, second.id, "Chair", True)
    auth.login(first)
    assert client.get(done.headers["Location"]).status_code == 200
    run_recording_jobs(app)
    assert {i.organisation_id for i in _items().values()} == {org.id}


def test_a_person_without_an_account_submits_and_confirms_their_address(
        app, client, make_form, submitter, smtp_server):
    form = make_form(allows_guests=True)
    draft_id = submitter.start(form)
    response = submitter.post(draft_id, good_answers(guest_name="Mere", guest_email="mere@example.test"),
                              action="submit")
    assert response.status_code == 302
    assert not only_submission().is_confirmed
    run_recording_jobs(app)
    (message,) = smtp_server.wait_for(1)
    assert message["To"] == "mere@example.test"
    link = re.search(r"http://korero.test(/submissions/confirm/\S+)", smtp_server.body_of(message))
    assert link
    page = client.get(link.group(1))
    assert page.status_code == 200 and not only_submission().is_confirmed  # GET changes nothing
    client.post(link.group(1), data={"csrf_token": token_of(page.get_data(as_text=True))})
    Session.expire_all()
    assert only_submission().is_confirmed
    assert client.get("/submissions/confirm/forged-token").status_code == 404


def test_unconfirmed_guest_submissions_are_marked_for_analysts(
        app, client, auth, analyst, make_form, submitter):
    form = make_form(allows_guests=True)
    submitter.post(submitter.start(form), good_answers(guest_name="Ana", guest_email="a@example.test"),
                   action="submit")
    auth.login(analyst)
    html = client.get(f"/submissions/manage/{form.id}/submissions").get_data(as_text=True)
    assert "email not confirmed" in html and "Ana" in html


def test_the_analysts_list_of_a_forms_submissions_is_read_a_page_at_a_time(
        app, client, auth, analyst, make_form, submitter):
    form = make_form(allows_guests=True)
    for number in range(1, PER_PAGE + 2):
        submitter.post(submitter.start(form),
                       good_answers(guest_name=f"Person {number:02d}",
                                    guest_email=f"p{number}@example.test"), action="submit")
    auth.login(analyst)
    first = client.get(f"/submissions/manage/{form.id}/submissions").get_data(as_text=True)
    assert f"Person {PER_PAGE + 1:02d}" in first and "Person 01" not in first  # newest first
    assert "Page 1 of 2" in first
    second = client.get(f"/submissions/manage/{form.id}/submissions?page=2")
    assert "Person 01" in second.get_data(as_text=True)
    beyond = client.get(f"/submissions/manage/{form.id}/submissions?page=9")
    assert beyond.status_code == 200 and "There is no page 9" in beyond.get_data(as_text=True)


@pytest.mark.parametrize("missing", ["guest_name", "guest_email"])
def test_a_guest_must_give_a_name_and_an_email(client, make_form, submitter, missing):
    form = make_form(allows_guests=True)
    details = {"guest_name": "Ana", "guest_email": "a@example.test", missing: ""}
    response = submitter.post(submitter.start(form), good_answers(**details), action="submit")
    assert response.status_code == 422


def test_guests_cannot_start_where_the_form_does_not_allow_them(client, make_form):
    form = make_form(allows_guests=False)
    page = client.get(f"/submissions/forms/{form.id}").get_data(as_text=True)
    assert "Sign in to take part" in page and "Start a submission" not in page
    token = token_of(client.get("/account/login").get_data(as_text=True))
    response = client.post(f"/submissions/forms/{form.id}/start", data={"csrf_token": token})
    assert response.status_code == 302 and "/drafts/" not in response.headers["Location"]


def _choices(consultation_id) -> dict:
    from app.corpus.choices import choice_counts

    counted: dict = {}
    for key, option, _group, _governed, number in choice_counts(consultation_id):
        counted[(key, option)] = counted.get((key, option), 0) + number
    return counted


def test_closed_answers_reach_the_corpus_as_choices_and_leave_it_on_withdrawal(
        app, client, auth, make_user, make_form, submitter):
    from app.corpus.choices import closed_questions

    form = make_form()
    auth.login(make_user("participant"))
    receipt = submitter.post(submitter.start(form), good_answers(**{
        "answer-q6": ["Local", "Logged"], "answer-q7-0": "2", "answer-q7-1": "3",
        "answer-q7-2": "1"}), action="submit")
    run_recording_jobs(app)
    cid = form.consultation_id
    questions = {q.question_key: q for q in closed_questions(cid)}
    assert {key: q.kind for key, q in questions.items()} == {
        "q3": "yes_no", "q5": "scale", "q6": "multiple_choice", "q7": "ranking"}
    assert questions["q5"].prompt == "Purpose should come first."
    assert [label for _value, label in questions["q5"].options][-1] == "Don't know"
    assert questions["q7"].options == [["Alpha", "Alpha"], ["Beta", "Beta"],
                                       ["Gamma", "Gamma"]]
    assert _choices(cid) == {("q3", "no"): 1, ("q5", "agree"): 1, ("q6", "Local"): 1,
                             ("q6", "Logged"): 1, ("q7", "Gamma"): 1}
    page = client.get(receipt.headers["Location"])
    client.post(receipt.headers["Location"] + "/withdraw",
                data={"csrf_token": token_of(page.get_data(as_text=True))})
    Session.expire_all()
    assert _choices(cid) == {}  # a withdrawn submission's choices count nowhere
