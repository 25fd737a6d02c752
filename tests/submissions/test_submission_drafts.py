# ruff: noqa: F401, F811  (pytest fixtures imported from submission_support, named as arguments)
"""Drafts on the server: saving, autosave, conflicts, conditional questions, idempotent submit."""
from __future__ import annotations

from sqlalchemy import func, select
from submission_support import (
    analyst,
    good_answers,
    make_form,
    only_submission,
    submitter,
)

from app.db import Session
from app.models import Consultation
from submissions.models import Draft, Submission


def test_a_participant_saves_a_draft_and_sees_it_again(client, auth, make_user, make_form,
                                                       submitter):
    form = make_form()
    auth.login(make_user("participant"))
    draft_id = submitter.start(form)
    response = submitter.post(draft_id, {"answer-q2": "Tax numbers, please never.",
                                         "answer-q6": ["Local", "Logged"],
                                         "answer-q7-0": "2", "answer-q7-1": "1"})
    assert response.status_code == 302
    draft = Session.get(Draft, draft_id)
    Session.refresh(draft)
    assert draft.version == 2
    assert draft.answers == {"q2": "Tax numbers, please never.", "q6": ["Local", "Logged"],
                             "q7": ["Beta", "Alpha"]}
    html = submitter.page(draft_id).get_data(as_text=True)
    assert "Tax numbers, please never." in html and 'value="2" selected' in html


def test_autosave_returns_the_new_version_and_a_stale_one_gets_a_conflict(
        client, auth, make_user, make_form, submitter):
    form = make_form()
    auth.login(make_user("participant"))
    draft_id = submitter.start(form)
    first = submitter.autosave(draft_id, {"answer-q2": "First tab"}, base=1)
    assert first.status_code == 200 and first.json["version"] == 2 and first.json["saved_at"]
    stale = submitter.autosave(draft_id, {"answer-q2": "Second tab, older copy"}, base=1)
    assert stale.status_code == 409 and "Someone else saved" in stale.json["error"]
    Session.expire_all()
    assert Session.get(Draft, draft_id).answers == {"q2": "First tab"}


def test_a_stale_save_shows_both_texts_to_merge_and_overwrites_nothing(
        client, auth, make_user, make_form, submitter):
    form = make_form()
    auth.login(make_user("participant"))
    draft_id = submitter.start(form)
    old_page = submitter.page(draft_id)
    assert submitter.post(draft_id, {"answer-q2": "Saved in tab one"}).status_code == 302
    conflict = submitter.post(draft_id, {"answer-q2": "Typed in tab two"}, page=old_page)
    html = conflict.get_data(as_text=True)
    assert conflict.status_code == 409
    assert "Someone else saved this draft" in html
    assert "Typed in tab two" in html and "Saved in tab one" in html
    Session.expire_all()
    assert Session.get(Draft, draft_id).answers == {"q2": "Saved in tab one"}
    # The conflict page carries the current version: saving from it is a deliberate merge.
    merged = submitter.post(draft_id, {"answer-q2": "Merged"}, page=conflict)
    assert merged.status_code == 302
    Session.expire_all()
    assert Session.get(Draft, draft_id).answers == {"q2": "Merged"}


def test_a_repeated_identical_save_is_not_a_conflict(client, auth, make_user, make_form,
                                                      submitter):
    form = make_form()
    auth.login(make_user("participant"))
    draft_id = submitter.start(form)
    page = submitter.page(draft_id)
    assert submitter.post(draft_id, {"answer-q2": "Same"}, page=page).status_code == 302
    assert submitter.post(draft_id, {"answer-q2": "Same"}, page=page).status_code == 302


def test_submitting_twice_makes_one_submission_and_shows_the_same_receipt(
        client, auth, make_user, make_form, submitter):
    form = make_form()
    auth.login(make_user("participant"))
    draft_id = submitter.start(form)
    page = submitter.page(draft_id)
    first = submitter.post(draft_id, good_answers(), action="submit", page=page)
    again = submitter.post(draft_id, good_answers(), action="submit", page=page)  # double click
    assert first.status_code == 302 and "/receipts/" in first.headers["Location"]
    assert again.headers["Location"] == first.headers["Location"]
    assert Session.scalar(select(func.count()).select_from(Submission)) == 1
    submission = only_submission()
    assert submission.reference.startswith("KOR-") and len(submission.reference) == 13
    receipt = client.get(first.headers["Location"]).get_data(as_text=True)
    assert submission.reference in receipt and "Health records." in receipt


def test_submit_refuses_missing_required_answers_and_keeps_what_was_typed(
        client, auth, make_user, make_form, submitter):
    form = make_form()
    auth.login(make_user("participant"))
    draft_id = submitter.start(form)
    response = submitter.post(draft_id, {"answer-q5": "agree", **good_answers(**{
        "answer-q2": ""})}, action="submit")
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and "it is required" in html
    assert 'value="agree" checked' in html
    assert Session.scalar(select(func.count()).select_from(Submission)) == 0


def test_submit_refuses_without_consent_answers(client, auth, make_user, make_form, submitter):
    form = make_form()
    auth.login(make_user("participant"))
    draft_id = submitter.start(form)
    response = submitter.post(draft_id, {"answer-q2": "Words"}, action="submit")
    assert response.status_code == 422
    assert "read and count your answers" in response.get_data(as_text=True)


def test_a_conditional_answer_counts_only_when_its_condition_is_met(
        client, auth, make_user, make_form, submitter):
    form = make_form()
    auth.login(make_user("participant"))
    hidden = submitter.start(form)
    submitter.post(hidden, good_answers(**{"answer-q3": "no", "answer-q4": "The funder"}),
                   action="submit")
    shown = submitter.start(form)
    submitter.post(shown, good_answers(**{"answer-q3": "yes", "answer-q4": "The funder"}),
                   action="submit")
    by_draft = {s.draft_id: {a.question_key for a in s.answers}
                for s in Session.scalars(select(Submission))}
    assert "q4" not in by_draft[hidden] and "q4" in by_draft[shown]
    page = submitter.page(shown).get_data(as_text=True)
    assert 'data-show-if-key="q3"' in page and "Answer this only if you answered" in page


def test_a_too_long_answer_is_refused_saying_the_limit(client, auth, make_user, make_form,
                                                        submitter):
    form = make_form()
    auth.login(make_user("participant"))
    draft_id = submitter.start(form)
    response = submitter.post(draft_id, good_answers(**{"answer-q2": "x" * 501}),
                              action="submit")
    assert response.status_code == 422 and "500 characters" in response.get_data(as_text=True)


def test_after_the_closing_date_the_form_is_read_only(client, auth, make_user, make_form,
                                                      submitter):
    form = make_form()
    auth.login(make_user("participant"))
    draft_id = submitter.start(form)
    page = submitter.page(draft_id)
    Session.get(Consultation, form.consultation_id).status = "closed"
    Session.commit()
    html = submitter.page(draft_id).get_data(as_text=True)
    assert "This consultation has closed" in html and "<fieldset class=\"submissions-all\" disabled" in html
    response = submitter.post(draft_id, good_answers(), action="submit", page=page)
    assert response.status_code == 422
    assert Session.scalar(select(func.count()).select_from(Submission)) == 0


def test_the_page_loads_its_script_from_a_file_with_the_nonce(client, auth, make_user,
                                                              make_form, submitter):
    form = make_form()
    auth.login(make_user("participant"))
    html = submitter.page(submitter.start(form)).get_data(as_text=True)
    assert 'src="/static/js/submissions-draft.js" nonce="' in html
    assert "<script>" not in html
