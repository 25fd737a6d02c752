# ruff: noqa: F401, F811  (pytest fixtures imported from submission_support, named as arguments)
"""Published submissions: redaction with reasons, publishing under consent, the public page's
search and stakeholder-group filter; the original passage never reaches the public."""
from __future__ import annotations

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

from app.db import Session


def _submit(client, auth, user, make_form, submitter, **answers) -> str:
    auth.login(user)
    form = make_form()
    return submitter.post(submitter.start(form), good_answers(**answers),
                          action="submit").headers["Location"]


def test_an_analyst_redacts_and_publishes_and_the_public_never_sees_the_passage(
        client, auth, make_user, make_org, analyst, make_form, submitter):
    org = make_org("Redaction Trust", stakeholder_group="iwi_maori")
    person = make_user("participant", org=org)
    auth.login(person)
    submitter.post(submitter.start(make_form(), on_behalf=str(org.id)), good_answers(**{
        "answer-q2": "Call Aroha on 021 555 0199 about health records.",
        "submitter_role": "Chair", "is_authorised": "yes"}), action="submit")
    submission = only_submission()
    auth.login(analyst)
    review = client.get(f"/submissions/manage/submissions/{submission.id}")
    assert review.status_code == 200
    token = token_of(review.get_data(as_text=True))
    client.post(f"/submissions/manage/submissions/{submission.id}/redact", data={
        "csrf_token": token, "question_key": "q2", "passage": "Aroha on 021 555 0199",
        "reason": "A private person's phone number"})
    client.post(f"/submissions/manage/submissions/{submission.id}/publish",
                data={"csrf_token": token})
    auth.logout()
    page = client.get(f"/submissions/published/{submission.id}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "021 555 0199" not in html and "Call [redacted] about health records." in html
    assert "phone number" not in html  # the reason stays with the secretariat
    listing = client.get("/submissions/published?q=health&group=individual").get_data(
        as_text=True)
    assert submission.reference not in listing
    listing = client.get("/submissions/published?q=health&group=").get_data(as_text=True)
    assert submission.reference in listing
    assert submission.reference not in client.get(
        "/submissions/published?q=nothing-like-this").get_data(as_text=True)


def test_a_submission_without_public_consent_cannot_be_published(
        client, auth, make_user, analyst, make_form, submitter):
    _submit(client, auth, make_user("participant"), make_form, submitter,
            **{"consent-publish": "working_group"})
    submission = only_submission()
    auth.login(analyst)
    token = token_of(client.get(f"/submissions/manage/submissions/{submission.id}")
                     .get_data(as_text=True))
    client.post(f"/submissions/manage/submissions/{submission.id}/publish",
                data={"csrf_token": token})
    Session.expire_all()
    assert only_submission().published_at is None
    auth.logout()
    assert client.get(f"/submissions/published/{submission.id}").status_code == 404


def test_an_unpublished_submission_is_404_on_the_public_page(client, auth, make_user,
                                                             make_form, submitter):
    _submit(client, auth, make_user("participant"), make_form, submitter)
    assert client.get(f"/submissions/published/{only_submission().id}").status_code == 404


def test_a_change_by_the_submitter_takes_it_off_the_public_page_until_reviewed(
        client, auth, make_user, analyst, make_form, submitter):
    person = make_user("participant")
    auth.login(person)
    form = make_form()
    draft_id = submitter.start(form)
    submitter.post(draft_id, good_answers(), action="submit")
    submission = only_submission()
    auth.login(analyst)
    token = token_of(client.get(f"/submissions/manage/submissions/{submission.id}")
                     .get_data(as_text=True))
    client.post(f"/submissions/manage/submissions/{submission.id}/publish",
                data={"csrf_token": token})
    assert client.get(f"/submissions/published/{submission.id}").status_code == 200
    auth.login(person)
    submitter.post(draft_id, good_answers(**{"answer-q2": "New words"}), action="submit")
    assert client.get(f"/submissions/published/{submission.id}").status_code == 404


def test_participants_cannot_redact(client, auth, make_user, make_form, submitter):
    person = make_user("participant")
    _submit(client, auth, person, make_form, submitter)
    assert client.get(f"/submissions/manage/submissions/{only_submission().id}"
                      ).status_code == 403


def test_a_redaction_reaches_the_corpus_text_and_survives_an_edit(
        app, client, auth, make_user, analyst, make_form, submitter):
    from app.corpus.models import FeedbackItem
    from app.privacy.models import AuditEvent
    from submissions.operations.drafts import submit_draft
    from submissions.recording import answer_item

    person = make_user("participant")
    auth.login(person)
    draft_id = submitter.start(make_form())
    submitter.post(draft_id, good_answers(**{
        "answer-q2": "Call Aroha on 021 555 0199 about health records."}), action="submit")
    run_recording_jobs(app)
    submission = only_submission()
    item = answer_item(submission, "q2")
    assert "021 555 0199" in item.text
    auth.login(analyst)
    token = token_of(client.get(f"/submissions/manage/submissions/{submission.id}")
                     .get_data(as_text=True))
    client.post(f"/submissions/manage/submissions/{submission.id}/redact", data={
        "csrf_token": token, "question_key": "q2", "passage": "Aroha on 021 555 0199",
        "reason": "A private person's phone number"})
    Session.expire_all()
    item = Session.get(FeedbackItem, item.id)
    assert item.text == "Call [redacted] about health records."
    event = Session.scalar(select(AuditEvent).where(AuditEvent.action == "feedback.redacted"))
    assert event.actor_id == analyst.id and "0199" not in event.detail
    # The submitter changes another answer: the record job runs again and the redaction
    # stays in the corpus (the original stays on the answer, for the secretariat).
    from submissions.models import Draft

    draft = Session.get(Draft, draft_id)
    draft.answers = {**draft.answers, "q1": "A changed first answer."}
    submit_draft(person, draft, group_ids=set())
    Session.commit()
    run_recording_jobs(app)
    Session.expire_all()
    assert Session.get(FeedbackItem, item.id).text == "Call [redacted] about health records."
