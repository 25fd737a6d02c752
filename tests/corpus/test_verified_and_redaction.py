"""Two corpus paths for feedback with no author or staff care: a VERIFIED change by the giver of
an authorless item (a person without an account holding their receipt's secret), and staff
redaction of passages, which every corpus reader then gets."""
from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from app.corpus.models import ConsentChange, FeedbackItem
from app.corpus.operations import (
    REDACTED,
    record_feedback,
    redact_feedback,
    update_feedback,
    withdraw_consent,
)
from app.corpus.scope import ConsentScope
from app.corpus.visibility import countable_items
from app.db import Session
from app.errors import OperationRefused
from app.privacy.audit import verify_chain
from app.privacy.models import AuditEvent

SCOPE = ConsentScope(True, "anonymous", "public")


@pytest.fixture
def guest_item(make_consultation):
    """An answer given without an account: recorded by the system, with no author."""
    consultation = make_consultation()
    return record_feedback(None, consultation=consultation, source="submission_answer",
                           source_id="9:q1", text="My name is Aroha and I live at 1 Kauri Rd.",
                           consent=SCOPE)


def _events(action):
    return list(Session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def test_without_verification_nobody_changes_an_authorless_item(guest_item):
    with pytest.raises(OperationRefused):
        update_feedback(None, guest_item, text="changed")
    with pytest.raises(OperationRefused):
        withdraw_consent(None, guest_item)
    with pytest.raises(ValueError):
        withdraw_consent(None, guest_item, verified_by="trust me")


def test_the_verified_giver_updates_and_withdraws_and_both_are_audited(guest_item):
    update_feedback(None, guest_item, text="A better answer.", question_key="q1",
                    verified_by="receipt_link")
    assert guest_item.text == "A better answer."
    [event] = _events("feedback.verified_change")
    assert event.actor_id is None and json.loads(event.detail)["verified_by"] == "receipt_link"
    change = withdraw_consent(None, guest_item, reason="withdrawn by the submitter",
                              verified_by="receipt_link")
    assert change.changed_by_id is None and change.version == 2
    assert ConsentScope.from_item(guest_item) == ConsentScope.withdrawn()
    assert guest_item.id not in set(Session.scalars(
        countable_items(guest_item.consultation_id).with_only_columns(FeedbackItem.id)))
    [consent_event] = _events("consent.changed")
    assert json.loads(consent_event.detail)["verified_by"] == "receipt_link"
    assert Session.scalar(select(ConsentChange).where(ConsentChange.version == 2)) is not None
    assert verify_chain().is_intact


def test_verification_never_reaches_items_with_an_author_or_written_by_others(
        make_user, make_consultation):
    consultation = make_consultation()
    person = make_user()
    owned = record_feedback(person, consultation=consultation, source="forum_post",
                            source_id="p1", text="mine", author=person, consent=SCOPE)
    imported = record_feedback(None, consultation=consultation, source="imported_row",
                               source_id="r1", text="a row", consent=SCOPE)
    for item in (owned, imported):
        with pytest.raises(OperationRefused):
            withdraw_consent(None, item, verified_by="receipt_link")
        with pytest.raises(OperationRefused):
            update_feedback(None, item, text="x", verified_by="receipt_link")


def test_staff_redaction_reaches_the_corpus_text_and_is_audited(guest_item, make_user):
    analyst = make_user("analyst")
    redact_feedback(analyst, guest_item, ["Aroha", "1 Kauri Rd"],
                    reason="Names a private person")
    assert guest_item.text == f"My name is {REDACTED} and I live at {REDACTED}."
    [event] = _events("feedback.redacted")
    assert event.actor_id == analyst.id
    assert "Kauri" not in event.detail and "private person" in event.detail


def test_redaction_refusals(guest_item, make_user):
    with pytest.raises(OperationRefused, match="analysts"):
        redact_feedback(make_user("facilitator"), guest_item, ["Aroha"], reason="x")
    analyst = make_user("analyst")
    with pytest.raises(OperationRefused, match="why"):
        redact_feedback(analyst, guest_item, ["Aroha"], reason=" ")
    with pytest.raises(OperationRefused, match="exactly"):
        redact_feedback(analyst, guest_item, ["not there"], reason="x")
    assert "Aroha" in guest_item.text
