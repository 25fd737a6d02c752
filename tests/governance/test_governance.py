"""Kaitiaki decisions: which are in force (load_approvals) and who may record them."""
from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import select

from app.corpus.visibility import load_approvals
from app.db import Session, utcnow
from app.errors import OperationRefused
from app.governance.models import GovernanceApproval
from app.governance.operations import record_governance_decision
from app.governance.queries import governance_groups_of
from app.privacy.models import AuditEvent


def _decide(group, consultation, use, decision, minutes_ago, decided_by=None):
    """A decision row, back-dated; by the group's first kaitiaki unless DECIDED_BY is given."""
    decided_by = decided_by or group.kaitiaki[0]
    Session.add(GovernanceApproval(group_id=group.id, consultation_id=consultation.id, use=use,
                                   decision=decision, decided_by_id=decided_by.id,
                                   decided_at=utcnow() - timedelta(minutes=minutes_ago)))
    Session.flush()


def test_load_approvals_takes_the_newest_decision(governed_group, make_consultation):
    consultation, other = make_consultation(), make_consultation()
    withdrawn, granted, untouched = governed_group(), governed_group(), governed_group()
    _decide(withdrawn, consultation, "quote", "approved", minutes_ago=30)
    _decide(withdrawn, consultation, "quote", "declined", minutes_ago=10)
    _decide(granted, consultation, "breakdown", "declined", minutes_ago=30)
    _decide(granted, consultation, "breakdown", "approved", minutes_ago=10)
    _decide(granted, consultation, "quote", "approved", minutes_ago=5)
    _decide(untouched, other, "quote", "approved", minutes_ago=5)  # another consultation

    approvals = load_approvals(consultation.id)
    assert approvals.approved == frozenset({(granted.id, "breakdown"), (granted.id, "quote")})
    assert not approvals.allows(withdrawn.id, "quote")
    assert approvals.group_ids("quote") == frozenset({granted.id})
    assert load_approvals(other.id).allows(untouched.id, "quote")



def test_only_that_groups_kaitiaki_can_grant_or_withdraw(governed_group, make_consultation,
                                                         make_user):
    consultation = make_consultation()
    group, other_group = governed_group(), governed_group()
    _decide(group, consultation, "quote", "approved", 30, decided_by=make_user("analyst"))
    _decide(group, consultation, "breakdown", "approved", 30,
            decided_by=other_group.kaitiaki[0])  # a kaitiaki, but of another group
    assert load_approvals(consultation.id).approved == frozenset()

    _decide(group, consultation, "quote", "approved", 20)
    _decide(group, consultation, "quote", "declined", 10, decided_by=make_user("admin"))
    assert load_approvals(consultation.id).allows(group.id, "quote")  # the admin's row is void


def test_a_former_kaitiaki_decisions_no_longer_count(governed_group, make_consultation):
    consultation = make_consultation()
    group = governed_group()
    _decide(group, consultation, "quote", "approved", 10)
    kaitiaki = group.kaitiaki[0]
    kaitiaki.role_rows = [row for row in kaitiaki.role_rows if row.role != "kaitiaki"]
    Session.flush()
    assert not load_approvals(consultation.id).allows(group.id, "quote")


def test_recording_a_decision_is_for_the_groups_kaitiaki_and_audited(governed_group,
                                                                     make_consultation,
                                                                     make_user):
    consultation = make_consultation()
    group = governed_group()
    kaitiaki = group.kaitiaki[0]
    for outsider in (make_user("analyst"), make_user("kaitiaki"), make_user("admin")):
        with pytest.raises(OperationRefused, match="Only the kaitiaki of"):
            record_governance_decision(outsider, group, consultation, use="quote",
                                       decision="approved")
    with pytest.raises(OperationRefused) as refused:
        record_governance_decision(kaitiaki, group, consultation, use="publish",
                                   decision="approved")
    assert refused.value.field == "use"
    assert not load_approvals(consultation.id).allows(group.id, "quote")

    record_governance_decision(kaitiaki, group, consultation, use="quote", decision="approved",
                               note="  Agreed at the hui.  ")
    assert load_approvals(consultation.id).allows(group.id, "quote")
    [event] = Session.scalars(select(AuditEvent).where(AuditEvent.action == "governance.decided"))
    assert event.actor_id == kaitiaki.id
    assert json.loads(event.detail)["decision"] == "approved"


def test_governance_groups_of_lists_only_the_kaitiaki_own_groups(governed_group, make_user):
    mine, other = governed_group(), governed_group()
    kaitiaki = mine.kaitiaki[0]
    assert governance_groups_of(kaitiaki) == [mine]
    assert governance_groups_of(other.kaitiaki[0]) == [other]
    assert governance_groups_of(make_user("analyst")) == []
