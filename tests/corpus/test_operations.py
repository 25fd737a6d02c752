"""The corpus operations: record_feedback (upsert), update_feedback, versioned consent changes,
withdrawal, and who may do each."""
from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from app.corpus.models import ConsentChange, FeedbackItem
from app.corpus.operations import (
    record_feedback,
    update_consent,
    update_feedback,
    withdraw_consent,
)
from app.corpus.queries import list_consent_history
from app.corpus.scope import ConsentScope
from app.corpus.visibility import countable_items
from app.db import Session, utcnow
from app.errors import OperationRefused
from app.governance.models import GovernanceGroup
from app.privacy.audit import verify_chain
from app.privacy.models import AuditEvent

QUOTE_PUBLIC = ConsentScope(True, "anonymous", "public")
PRIVATE = ConsentScope(True, "none", "none")


@pytest.fixture
def consultation(make_consultation):
    return make_consultation()


@pytest.fixture
def record(consultation):
    def _record(actor, source_id="post-1", text="Keep client data in Aotearoa.",
                consent=QUOTE_PUBLIC, source="forum_post", **kwargs):
        kwargs.setdefault("author", actor)
        return record_feedback(actor, consultation=kwargs.pop("consultation", consultation),
                               source=source, source_id=source_id, text=text,
                               consent=consent, **kwargs)
    return _record


def _audit(action):
    return list(Session.scalars(select(AuditEvent).where(AuditEvent.action == action)
                                .order_by(AuditEvent.id)))


def test_recording_creates_an_item_with_its_first_consent_version(record, make_user, make_org,
                                                                  consultation):
    org = make_org("Te Rūnanga Trust", "iwi_maori")
    author = make_user(org=org)
    created_at = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)
    item = record(author, organisation=org, question_key="q1", created_at=created_at)

    assert item.id and item.consultation_id == consultation.id
    assert (item.source, item.source_id, item.author_id) == ("forum_post", "post-1", author.id)
    assert item.stakeholder_group == "iwi_maori"  # from the organisation
    assert item.question_key == "q1" and item.created_at == created_at
    assert item.consent_version == 1
    assert ConsentScope.from_item(item) == QUOTE_PUBLIC
    [first] = list_consent_history(item)
    assert (first.version, first.old_scope, first.changed_by_id) == (1, "{}", author.id)
    assert ConsentScope.from_json(first.new_scope) == QUOTE_PUBLIC
    assert _audit("consent.changed") == []  # creating is not a change


def test_an_import_states_the_group_of_feedback_with_no_organisation(record, make_org,
                                                                      make_user):
    item = record(None, source="submission_answer", source_id="row-7",
                  stakeholder_group="pasifika")
    assert (item.organisation_id, item.stakeholder_group) == (None, "pasifika")
    with pytest.raises(OperationRefused) as refused:
        record(None, source="submission_answer", source_id="row-8",
               stakeholder_group="aliens")
    assert refused.value.field == "stakeholder_group"
    org = make_org("Pacific Trust", "pasifika")
    with pytest.raises(TypeError):  # the organisation's group is the item's: never both
        record(make_user(org=org), organisation=org, stakeholder_group="ngo")


def test_recording_again_updates_the_same_item(record, make_user, make_org):
    org = make_org(stakeholder_group="pasifika")
    author = make_user(org=org)
    item = record(author, text="First thoughts.")
    again = record(author, text="  Second thoughts.  ", organisation=org, question_key="q2")

    assert again.id == item.id
    assert Session.scalar(select(func.count()).select_from(FeedbackItem)
                          .where(FeedbackItem.source_id == "post-1")) == 1
    assert (again.text, again.question_key, again.stakeholder_group) == (
        "Second thoughts.", "q2", "pasifika")
    assert again.consent_version == 1  # consent unchanged: no new version
    assert len(list_consent_history(item)) == 1


def test_recording_with_different_consent_versions_it(record, make_user):
    author = make_user()
    item = record(author)
    record(author, consent=PRIVATE)

    assert item.consent_version == 2
    assert ConsentScope.from_item(item) == PRIVATE
    history = list_consent_history(item)
    assert [h.version for h in history] == [1, 2]
    assert ConsentScope.from_json(history[1].old_scope) == QUOTE_PUBLIC
    assert ConsentScope.from_json(history[1].new_scope) == PRIVATE
    [event] = _audit("consent.changed")
    assert event.target_type == "feedback_item" and event.target_id == str(item.id)


@pytest.mark.parametrize("changes, field", [
    ({"source": "carrier_pigeon"}, "source"),
    ({"text": "   "}, "text"),
])
def test_recording_refuses_bad_input(consultation, make_user, changes, field):
    args = {"consultation": consultation, "source": "forum_post", "source_id": "x",
            "text": "Fine words.", "consent": PRIVATE, **changes}
    with pytest.raises(OperationRefused) as refused:
        record_feedback(make_user(), **args)
    assert refused.value.field == field
    assert Session.scalar(select(func.count()).select_from(FeedbackItem)) == 0


def test_recording_refuses_an_unknown_governance_group(record, make_user):
    with pytest.raises(OperationRefused) as refused:
        record(make_user(), consent=ConsentScope(True, "none", "none", 987654))
    assert refused.value.field == "governed_by_id"


def test_a_source_record_cannot_move_consultation(record, make_user, make_consultation):
    author = make_user()
    record(author)
    with pytest.raises(OperationRefused):
        record(author, consultation=make_consultation(), text="Moved?")


def test_author_changes_consent_with_history_and_audit(record, make_user):
    author = make_user()
    item = record(author)
    group = GovernanceGroup(name="Ngāti Example", kind="iwi")
    Session.add(group)
    Session.flush()
    new = ConsentScope(True, "attributed", "working_group", group.id)

    change = update_consent(author, item, new, reason="Happy to be named", ip="203.0.113.9")

    assert (change.version, change.changed_by_id, change.reason) == (2, author.id,
                                                                     "Happy to be named")
    assert item.consent_version == 2 and item.governed_by_id == group.id
    assert json.loads(change.old_scope)["quote"] == "anonymous"
    assert json.loads(change.new_scope)["quote"] == "attributed"
    [event] = _audit("consent.changed")
    detail = json.loads(event.detail)
    assert (event.actor_id, event.ip_address) == (author.id, "203.0.113.9")
    assert detail["version"] == 2 and detail["new"] == new.to_dict()
    assert verify_chain().is_intact


@pytest.mark.parametrize("source", ["interview_note", "workshop_output"])
def test_a_facilitator_records_consent_for_what_they_write_up(record, make_user, source):
    interviewee, facilitator = make_user(), make_user("facilitator")
    item = record(facilitator, author=interviewee, source=source)
    change = update_consent(facilitator, item, PRIVATE, reason="Interview consent form")
    assert (change.version, change.changed_by_id) == (2, facilitator.id)


@pytest.mark.parametrize("role", ["participant", "facilitator", "analyst", "advisory",
                                  "kaitiaki", "admin", None])
def test_nobody_else_may_change_someones_consent(record, make_user, role):
    """Not even staff: a forum post's consent is its author's alone."""
    item = record(make_user())
    actor = make_user(role) if role else None
    with pytest.raises(OperationRefused):
        update_consent(actor, item, ConsentScope(True, "attributed", "public"))
    with pytest.raises(OperationRefused):
        withdraw_consent(actor, item)
    assert item.consent_version == 1 and ConsentScope.from_item(item) == QUOTE_PUBLIC
    assert _audit("consent.changed") == []


def test_only_the_author_may_undo_a_withdrawal(record, make_user):
    interviewee, facilitator = make_user(), make_user("facilitator")
    item = record(facilitator, author=interviewee, source="interview_note")
    withdraw_consent(interviewee, item, reason="Please leave me out")
    with pytest.raises(OperationRefused, match="only the person who gave"):
        update_consent(facilitator, item, QUOTE_PUBLIC)
    assert not item.consent_analysis
    update_consent(interviewee, item, QUOTE_PUBLIC, reason="Happy to be included again")
    assert item.consent_analysis


@pytest.mark.parametrize("role", ["participant", "facilitator", "analyst", "admin"])
def test_nobody_records_feedback_in_someone_elses_name(record, make_user, role):
    """A forum post is recorded by its author only; staff cannot put words in a person's
    mouth, or rewrite theirs."""
    author = make_user()
    with pytest.raises(OperationRefused):
        record(make_user(role), author=author)
    assert Session.scalar(select(func.count()).select_from(FeedbackItem)) == 0
    item = record(author)
    with pytest.raises(OperationRefused):
        record(make_user(role), author=author, text="Words they never wrote.")
    assert item.text == "Keep client data in Aotearoa."


def test_an_analyst_records_imported_rows_and_the_system_anything(record, make_user):
    analyst = make_user("analyst")
    imported = record(analyst, author=None, source="imported_row", source_id="row-1")
    assert imported.author_id is None
    system = record(None, author=make_user(), source_id="cli-import-1")
    assert system.consent_version == 1


def test_recording_an_update_with_new_consent_checks_the_actor(record, make_user):
    author = make_user()
    record(author)
    with pytest.raises(OperationRefused):
        record(make_user(), author=author, consent=PRIVATE)


def test_unchanged_consent_is_refused(record, make_user):
    author = make_user()
    item = record(author)
    with pytest.raises(OperationRefused):
        update_consent(author, item, QUOTE_PUBLIC)
    assert Session.scalar(select(func.count()).select_from(ConsentChange)) == 1


def test_withdrawal_removes_the_item_from_every_count(record, make_user, consultation):
    author = make_user()
    kept = record(author, source_id="kept")
    withdrawn = record(author, source_id="withdrawn")
    assert set(Session.scalars(countable_items(consultation.id))) == {kept, withdrawn}

    change = withdraw_consent(author, withdrawn, reason="Changed my mind")

    assert ConsentScope.from_json(change.new_scope) == ConsentScope.withdrawn()
    assert list(Session.scalars(countable_items(consultation.id))) == [kept]
    with pytest.raises(OperationRefused):  # already withdrawn
        withdraw_consent(author, withdrawn)


# ---------------------------------------------------------------- organisations, imports, system


def test_feedback_is_recorded_only_under_the_authors_own_organisation(record, make_user,
                                                                      make_org):
    own, other = make_org("Own Trust"), make_org("Other Trust")
    author = make_user(org=own)
    with pytest.raises(OperationRefused, match="not a member of Other Trust") as refused:
        record(author, organisation=other)
    assert refused.value.field == "organisation"
    assert Session.scalar(select(func.count()).select_from(FeedbackItem)) == 0

    item = record(author, organisation=own)
    with pytest.raises(OperationRefused, match="not a member"):
        record(author, organisation=other, text="Moved to another organisation?")
    with pytest.raises(OperationRefused, match="not a member"):
        update_feedback(author, item, text="Again?", organisation=other)
    assert (item.organisation_id, item.stakeholder_group) == (own.id, "ngo")


def test_an_item_without_an_author_may_name_its_organisation(record, make_user, make_org):
    """An imported row (or a workshop's group output) has no author whose memberships could
    be checked; it carries the organisation it came from."""
    org = make_org(stakeholder_group="pasifika")
    item = record(make_user("analyst"), author=None, source="imported_row",
                  source_id="row-7", organisation=org)
    assert (item.organisation_id, item.stakeholder_group) == (org.id, "pasifika")


def test_an_imported_row_carries_its_importer_and_the_consent_given(record, make_user):
    analyst = make_user("analyst")
    scope = ConsentScope(True, "anonymous", "working_group")
    item = record(analyst, author=None, source="imported_row", source_id="sheet-1:row-2",
                  consent=scope)

    assert item.recorded_by_id == analyst.id and item.recorded_by is analyst
    assert ConsentScope.from_item(item) == scope
    [first] = list_consent_history(item)
    assert first.changed_by_id == analyst.id
    assert ConsentScope.from_json(first.new_scope) == scope


def test_the_recorder_is_kept_when_the_author_edits(record, make_user):
    interviewee, facilitator = make_user(), make_user("facilitator")
    item = record(facilitator, author=interviewee, source="interview_note")
    record(interviewee, author=interviewee, source="interview_note", text="As I said it.")
    assert (item.recorded_by_id, item.author_id, item.text) == (
        facilitator.id, interviewee.id, "As I said it.")


def test_a_system_import_creates_but_never_rewrites(record, make_user):
    author = make_user()
    item = record(None, author=author, source_id="cli-import-9")
    assert item.recorded_by_id is None and item.author_id == author.id

    with pytest.raises(OperationRefused, match="already recorded"):
        record(None, author=author, source_id="cli-import-9", text="Rewritten by a script.")
    with pytest.raises(OperationRefused, match="already recorded"):
        record(None, author=author, source_id="cli-import-9", consent=PRIVATE)
    with pytest.raises(OperationRefused):
        update_feedback(None, item, text="Rewritten by a script.")
    with pytest.raises(OperationRefused):
        update_consent(None, item, PRIVATE)
    with pytest.raises(OperationRefused):
        withdraw_consent(None, item)
    assert item.text == "Keep client data in Aotearoa." and item.consent_version == 1
    assert ConsentScope.from_item(item) == QUOTE_PUBLIC


def test_update_feedback_keeps_consent_and_checks_the_actor(record, make_user, make_org):
    org = make_org()
    author = make_user(org=org)
    item = record(author)
    update_feedback(author, item, text=" Better words. ", organisation=org, question_key="q3")
    assert (item.text, item.organisation_id, item.question_key) == (
        "Better words.", org.id, "q3")
    assert item.consent_version == 1 and ConsentScope.from_item(item) == QUOTE_PUBLIC
    with pytest.raises(OperationRefused):
        update_feedback(make_user("analyst"), item, text="An analyst's words.")
    with pytest.raises(OperationRefused) as refused:
        update_feedback(author, item, text="  ")
    assert refused.value.field == "text" and item.text == "Better words."


def test_a_newly_registered_source_needs_no_migration(record, make_user):
    from app.corpus import sources

    author = make_user()
    with pytest.raises(OperationRefused, match="Unknown feedback source"):
        record(author, source="survey_row_test")
    sources.register_source("survey_row_test", "Survey row (test)")
    try:
        item = record(author, source="survey_row_test", source_id="s-1")
        Session.flush()
        assert Session.get(FeedbackItem, item.id).source == "survey_row_test"
    finally:
        sources._sources.pop("survey_row_test", None)


# ---------------------------------------------------------------- issue 15: who corrects consent

# Just now: an agreement may not be dated in the future, nor long before the item was recorded.
AGREED_AT = utcnow().replace(microsecond=0) - timedelta(minutes=1)


@pytest.mark.parametrize("source", ["interview_note", "workshop_output"])
def test_another_facilitator_may_not_change_what_a_colleague_recorded(record, make_user, source):
    interviewee, recorder, colleague = (make_user(), make_user("facilitator"),
                                        make_user("facilitator"))
    item = record(recorder, author=interviewee, source=source, consent=PRIVATE)
    for scope in (QUOTE_PUBLIC, ConsentScope.withdrawn()):
        with pytest.raises(OperationRefused, match="facilitator who recorded it"):
            update_consent(colleague, item, scope, agreement_method="in_person",
                           agreement_at=AGREED_AT)
    assert ConsentScope.from_item(item) == PRIVATE and _audit("consent.changed") == []


def test_widening_needs_the_interviewees_recorded_agreement(record, make_user, make_group):
    interviewee, facilitator = make_user(), make_user("facilitator")
    group = make_group()
    governed = ConsentScope(True, "none", "none", group.id)
    item = record(facilitator, author=interviewee, source="interview_note", consent=governed)
    widenings = [ConsentScope(True, "anonymous", "none", group.id),
                 ConsentScope(True, "none", "working_group", group.id),
                 ConsentScope(True, "none", "none", None)]  # governance removed
    for scope in widenings:
        with pytest.raises(OperationRefused, match="Record how"):
            update_consent(facilitator, item, scope, reason="They said yes")
    assert ConsentScope.from_item(item) == governed

    # Narrowing needs no agreement; widening with it is stored and audited.
    update_consent(facilitator, item, ConsentScope.withdrawn(group.id))
    item2 = record(facilitator, author=interviewee, source="interview_note",
                   source_id="note-2", consent=governed)
    change = update_consent(facilitator, item2, ConsentScope(True, "anonymous", "public", None),
                            reason="Phoned back", agreement_method="phone",
                            agreement_at=AGREED_AT)
    Session.expire_all()
    stored = Session.get(ConsentChange, change.id)
    assert (stored.agreement_method, stored.agreement_at) == ("phone", AGREED_AT)
    event = _audit("consent.changed")[-1]
    assert json.loads(event.detail)["agreement"] == {"method": "phone",
                                                     "at": AGREED_AT.isoformat()}


def test_an_agreement_must_be_a_known_method_and_not_in_the_future(record, make_user):
    interviewee, facilitator = make_user(), make_user("facilitator")
    item = record(facilitator, author=interviewee, source="interview_note", consent=PRIVATE)
    with pytest.raises(OperationRefused, match="Record how"):
        update_consent(facilitator, item, QUOTE_PUBLIC, agreement_method="telepathy",
                       agreement_at=AGREED_AT)
    with pytest.raises(OperationRefused, match="future"):
        update_consent(facilitator, item, QUOTE_PUBLIC, agreement_method="email",
                       agreement_at=datetime(2999, 1, 1, tzinfo=UTC))
    assert ConsentScope.from_item(item) == PRIVATE


def test_an_admin_corrects_consent_only_with_a_reason_and_it_is_audited(record, make_user):
    interviewee, facilitator, admin = make_user(), make_user("facilitator"), make_user("admin")
    item = record(facilitator, author=interviewee, source="interview_note", consent=QUOTE_PUBLIC)
    with pytest.raises(OperationRefused, match="Say why"):
        update_consent(admin, item, PRIVATE)
    update_consent(admin, item, PRIVATE, reason="Interviewee emailed the office")
    detail = json.loads(_audit("consent.changed")[-1].detail)
    assert detail["as_admin"] is True and detail["reason"] == "Interviewee emailed the office"
    with pytest.raises(OperationRefused, match="Record how"):  # widening: agreement too
        update_consent(admin, item, QUOTE_PUBLIC, reason="Corrected")


def test_the_author_widens_their_own_consent_without_an_agreement_record(record, make_user):
    author = make_user()
    item = record(author, consent=PRIVATE)
    change = update_consent(author, item, QUOTE_PUBLIC)
    assert change.agreement_method is None and change.agreement_at is None
