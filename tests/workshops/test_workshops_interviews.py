"""Interviews: consent before notes, who may see a note (404 for everyone else, every view
audited), corrections, consent withdrawal reaching every FeedbackItem, and retention."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from app.corpus.models import FeedbackItem
from app.corpus.scope import ConsentScope
from app.db import Session, utcnow
from app.errors import OperationRefused
from app.privacy.audit import AuditEvent
from workshops import interview_operations as iops
from workshops.interview_models import Interview, InterviewKeyPoint, InterviewNoteRevision

# Fixtures shared by the workshops tests (see workshops_fixtures.py for why not conftest.py).
pytest_plugins = ("workshops_fixtures",)

SCOPE = ConsentScope(analysis=True, quote="attributed", publish="public")
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def interviewed(make_user, consultation):
    """(facilitator, interviewee, interview) with consent and a two-point note."""
    facilitator, person = make_user("facilitator"), make_user()
    interview = iops.schedule_interview(facilitator, consultation, scheduled_at=utcnow(),
                                        interviewee=person)
    iops.record_consent(facilitator, interview, SCOPE, method="written", given_at=utcnow(),
                        form_content=PDF)
    iops.save_note(facilitator, interview, questions="What data do you share?",
                   key_points=["We share only with consent.", "Funding is the barrier."])
    Session.commit()
    return facilitator, person, interview


def _views(interview):
    return Session.scalar(select(func.count(AuditEvent.id)).where(
        AuditEvent.action == "workshops.interview_viewed",
        AuditEvent.target_id == str(interview.id)))


def test_no_note_before_consent(make_user, consultation):
    facilitator = make_user("facilitator")
    interview = iops.schedule_interview(facilitator, consultation, scheduled_at=utcnow(),
                                        name="Mere Tipene", organisation="Te Whare",
                                        contact="mere@example.test")
    with pytest.raises(OperationRefused, match="consent"):
        iops.save_note(facilitator, interview, questions="q", key_points=["k"])


def test_key_points_become_feedback_under_the_consent_with_revisions(interviewed):
    facilitator, person, interview = interviewed
    items = iops.key_point_items(interview)
    assert [i.text for i in items] == ["We share only with consent.", "Funding is the barrier."]
    assert all(i.source == "interview_note" and i.author_id == person.id for i in items)
    assert all(ConsentScope.from_item(i) == SCOPE for i in items)
    iops.save_note(facilitator, interview, questions="Edited", key_points=["Only one now."])
    revisions = Session.scalars(select(InterviewNoteRevision).where(
        InterviewNoteRevision.interview_id == interview.id)).all()
    assert len(revisions) == 2
    assert [i.text for i in iops.key_point_items(interview)] == ["Only one now."]
    dropped = Session.get(FeedbackItem, items[1].id)
    assert dropped.consent_analysis is False  # removed from the note: no longer analysed


def test_consent_form_is_checked_by_content(interviewed):
    facilitator, _, interview = interviewed
    with pytest.raises(OperationRefused, match="PDF, PNG or JPEG"):
        iops.record_consent(facilitator, interview, SCOPE, method="written", given_at=utcnow(),
                            form_content=b"<html><script>alert(1)</script>")
    assert interview.consent_form_mimetype == "application/pdf"
    path = iops.consent_form_folder() / interview.consent_form_name
    assert path.read_bytes() == PDF and "static" not in path.parts


ROUTES = ("/workshops/interviews/{id}", "/workshops/interviews/{id}/consent-form")


def test_only_the_writer_analysts_and_the_interviewee_see_a_note(client, auth, make_user,
                                                                  interviewed):
    facilitator, person, interview = interviewed
    allowed = {"writer": facilitator, "interviewee": person, "analyst": make_user("analyst")}
    refused = {"other participant": make_user(), "other facilitator": make_user("facilitator"),
               "advisory": make_user("advisory"), "kaitiaki": make_user("kaitiaki"),
               "admin": make_user("admin")}
    for route in ROUTES:
        url = route.format(id=interview.id)
        for who, user in allowed.items():
            auth.login(user)
            before = _views(interview)
            response = client.get(url)
            assert response.status_code == 200, (who, url)
            assert _views(interview) == before + 1, (who, url)
        for who, user in refused.items():
            auth.login(user)
            before = _views(interview)
            assert client.get(url).status_code == 404, (who, url)
            assert _views(interview) == before
    auth.login(person)
    assert "Funding is the barrier." in client.get(ROUTES[0].format(id=interview.id)).get_data(
        as_text=True)


def test_writing_routes_refuse_everyone_but_the_writer(client, auth, make_user, interviewed):
    _, _, interview = interviewed
    for user in (make_user("facilitator"), make_user("analyst"), make_user()):
        auth.login(user)
        for path in ("consent", "note"):
            assert client.get(f"/workshops/interviews/{interview.id}/{path}").status_code in (
                403, 404)


def test_withdrawal_reaches_every_feedback_item_at_once(client, auth, post_form, interviewed):
    _, person, interview = interviewed
    auth.login(person)
    response = post_form(f"/workshops/interviews/{interview.id}/my-consent",
                         {"analysis": "no", "quote": "none", "publish": "none"},
                         page=f"/workshops/interviews/{interview.id}")
    assert response.status_code == 302
    Session.expire_all()
    items = iops.key_point_items(Session.get(Interview, interview.id))
    assert len(items) == 2
    assert all(ConsentScope.from_item(i) == ConsentScope.withdrawn() for i in items)


def test_the_interviewee_may_narrow_but_not_widen(interviewed, make_user):
    _, person, interview = interviewed
    narrowed = ConsentScope(analysis=True, quote="anonymous", publish="working_group")
    assert iops.change_my_consent(person, interview, narrowed) == 2
    assert all(i.consent_quote == "anonymous" for i in iops.key_point_items(interview))
    with pytest.raises(OperationRefused, match="widen"):
        iops.change_my_consent(person, interview, SCOPE)
    with pytest.raises(OperationRefused):
        iops.change_my_consent(make_user(), interview, narrowed)


def test_a_refused_correction_stays_beside_the_note(client, auth, post_form, interviewed):
    facilitator, person, interview = interviewed
    auth.login(person)
    post_form(f"/workshops/interviews/{interview.id}/correction",
              {"statement": "I said funding is one barrier, not the barrier."},
              page=f"/workshops/interviews/{interview.id}")
    from workshops.interview_queries import corrections_of

    [request] = corrections_of(interview)
    auth.login(facilitator)
    post_form(f"/workshops/interviews/corrections/{request.id}/decide",
              {"decision": "refuse", "response": "The recording says otherwise."},
              page=f"/workshops/interviews/{interview.id}")
    Session.expire_all()
    assert corrections_of(interview)[0].status == "refused"
    page = client.get(f"/workshops/interviews/{interview.id}").get_data(as_text=True)
    assert "not the barrier" in page and "The recording says otherwise." in page


def test_purge_deletes_expired_notes_and_forms_and_records_it(app, interviewed):
    _, _, interview = interviewed
    path = iops.consent_form_folder() / interview.consent_form_name
    item_ids = [i.id for i in iops.key_point_items(interview)]
    assert iops.purge_expired(date.today()) == []  # not expired yet
    [detail] = iops.purge_expired(interview.delete_by + timedelta(days=1))
    assert detail["key_points"] == 2 and detail["revisions"] == 1 and detail["consent_form"]
    assert not path.exists()
    assert all(Session.get(FeedbackItem, i) is None for i in item_ids)
    assert Session.scalar(select(func.count(InterviewKeyPoint.id)).where(
        InterviewKeyPoint.interview_id == interview.id)) == 0
    assert interview.purged_at is not None and interview.questions == ""
    assert Session.scalar(select(func.count(AuditEvent.id)).where(
        AuditEvent.action == "workshops.interview_purged",
        AuditEvent.target_id == str(interview.id))) == 1
    assert iops.purge_expired(interview.delete_by + timedelta(days=1)) == []  # safe twice


def test_erasing_the_interviewee_deletes_their_interviews(app, make_user, interviewed):
    from app.packages import erase_personal_data
    from workshops.interview_models import CorrectionRequest

    facilitator, person, interview = interviewed
    iops.request_correction(person, interview, "I said something else.")
    other = iops.schedule_interview(facilitator, interview_consultation_of(interview),
                                    scheduled_at=utcnow(), name="Someone Else")
    Session.commit()
    interview_id, path = interview.id, iops.consent_form_folder() / interview.consent_form_name
    item_ids = [i.id for i in iops.key_point_items(interview)]
    admin = make_user("admin")
    assert "workshops" in erase_personal_data(app, admin, person)
    Session.commit()
    Session.expire_all()
    assert Session.get(Interview, interview_id) is None
    assert Session.get(Interview, other.id) is not None  # nobody else's interview goes
    assert all(Session.get(FeedbackItem, i) is None for i in item_ids)
    assert not path.exists()
    for model in (InterviewKeyPoint, InterviewNoteRevision, CorrectionRequest):
        assert Session.scalar(select(func.count(model.id)).where(
            model.interview_id == interview_id)) == 0
    event = Session.scalar(select(AuditEvent).where(
        AuditEvent.action == "workshops.interview_erased",
        AuditEvent.target_id == str(interview_id)))
    assert event is not None and event.actor_id == admin.id
    assert "share only" not in event.detail  # counts, never what was said


def interview_consultation_of(interview):
    return iops.interview_consultation(interview)
