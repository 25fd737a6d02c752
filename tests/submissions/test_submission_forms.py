# ruff: noqa: F401, F811  (pytest fixtures imported from submission_support, named as arguments)
"""Building forms: questions, order, conditions, publishing, preview, versions."""
from __future__ import annotations

import pytest
from sqlalchemy import select
from submission_support import (
    analyst,
    good_answers,
    make_form,
    only_submission,
    submitter,
    token_of,
)

from app.db import Session
from app.errors import OperationRefused
from submissions import operations
from submissions.models import SubmissionForm


def fresh(form) -> SubmissionForm:
    """FORM as the database has it now (requests end the session the test's copy was in)."""
    Session.expire_all()
    return Session.get(SubmissionForm, form.id)


@pytest.fixture
def ctx(app):
    with app.test_request_context():
        yield


def test_an_analyst_builds_a_form_with_a_conditional_question_over_http(
        client, auth, analyst, make_consultation):
    make_consultation()
    auth.login(analyst)
    page = client.get("/submissions/manage")
    client.post("/submissions/manage", data={"csrf_token": token_of(page.get_data(as_text=True)),
                                             "title": "Tell us"})
    form = Session.scalars(select(SubmissionForm)).one()
    builder = client.get(f"/submissions/manage/{form.id}").get_data(as_text=True)
    token = token_of(builder)
    client.post(f"/submissions/manage/{form.id}/questions", data={
        "csrf_token": token, "kind": "yes_no", "prompt": "Do you share data?"})
    response = client.post(f"/submissions/manage/{form.id}/questions", data={
        "csrf_token": token, "kind": "long_text", "prompt": "Tell us how",
        "show_if_key": "q1", "show_if_value": "yes"})
    assert response.status_code == 302
    form = fresh(form)
    questions = form.current_version.questions
    assert [(q.key, q.show_if_key, q.show_if_value) for q in questions] == [
        ("q1", None, None), ("q2", "q1", "yes")]
    preview = client.get(f"/submissions/manage/{form.id}/preview").get_data(as_text=True)
    assert "Tell us how" in preview and 'data-show-if-key="q1"' in preview
    assert "May we quote your words" in preview  # the consent questions end every form
    client.post(f"/submissions/manage/{form.id}/publish", data={"csrf_token": token})
    assert fresh(form).is_published


def test_a_condition_must_name_an_answer_of_a_choice_question(ctx, analyst, make_form):
    form = make_form()
    with pytest.raises(OperationRefused):
        operations.add_question(analyst, form, {"kind": "short_text", "prompt": "B",
                                                "show_if_key": "q2", "show_if_value": "x"})
    with pytest.raises(OperationRefused):
        operations.add_question(analyst, form, {"kind": "short_text", "prompt": "B",
                                                "show_if_key": "q3", "show_if_value": "maybe"})


def test_choice_questions_need_two_choices(ctx, analyst, make_form):
    form = make_form()
    with pytest.raises(OperationRefused, match="two choices"):
        operations.add_question(analyst, form, {"kind": "single_choice", "prompt": "Pick",
                                                "choices": ["Only one"]})


def test_questions_move_up_and_down_with_buttons(client, auth, analyst, make_form):
    form = make_form(publish=False)
    auth.login(analyst)
    page = client.get(f"/submissions/manage/{form.id}").get_data(as_text=True)
    assert "Move up" in page and "Move down" in page
    q3 = next(q for q in fresh(form).current_version.questions if q.key == "q3")
    client.post(f"/submissions/manage/{form.id}/questions/{q3.id}/move",
                data={"csrf_token": token_of(page), "direction": "up"})
    assert [q.key for q in fresh(form).current_version.questions][:3] == ["q1", "q3", "q2"]


def test_a_question_others_depend_on_cannot_be_removed(ctx, analyst, make_form):
    form = make_form()
    with pytest.raises(OperationRefused, match="depending on this one"):
        operations.delete_question(analyst, form, "q3")


def test_an_empty_form_cannot_be_published(ctx, analyst, make_form):
    form = make_form(questions=[], publish=False)
    with pytest.raises(OperationRefused):
        operations.publish_form(analyst, form)


def test_only_analysts_build_forms(ctx, make_user, make_consultation):
    with pytest.raises(OperationRefused):
        operations.create_form(make_user("participant"), make_consultation(), title="x")


def test_editing_after_submissions_makes_a_new_version_and_old_answers_keep_theirs(
        app, client, auth, make_user, analyst, make_form, submitter):
    form = make_form()
    auth.login(make_user("participant"))
    receipt = submitter.post(submitter.start(form), good_answers(), action="submit")
    with app.test_request_context():
        form = Session.get(SubmissionForm, form.id)
        operations.update_question(analyst, form, "q2", {
            "kind": "long_text", "prompt": "Reworded question?"})
        Session.commit()
    Session.expire_all()
    form = Session.get(SubmissionForm, form.id)
    assert [v.number for v in form.versions] == [1, 2]
    assert only_submission().form_version.number == 1
    receipt_html = client.get(receipt.headers["Location"]).get_data(as_text=True)
    assert "What data should never be collected?" in receipt_html
    assert "Reworded question?" not in receipt_html
    # An edit before any submission to the new version changes it in place.
    with app.test_request_context():
        operations.update_question(analyst, fresh(form), "q2", {"kind": "long_text",
                                                         "prompt": "Again reworded?"})
        Session.commit()
    Session.expire_all()
    assert len(Session.get(SubmissionForm, form.id).versions) == 2
