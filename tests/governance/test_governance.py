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



def test_a_decline_stays_in_force_when_its_kaitiaki_leaves(governed_group, make_consultation,
                                                          make_user):
    """Issue 15: a decline by a kaitiaki who later lost the role used to be ignored, so the
    older approval came back into force."""
    consultation = make_consultation()
    group = governed_group()
    first = group.kaitiaki[0]
    second = make_user("kaitiaki")
    group.kaitiaki.append(second)
    Session.flush()
    record_governance_decision(first, group, consultation, use="quote", decision="approved")
    Session.flush()
    _decide(group, consultation, "quote", "declined", 0, decided_by=second)
    assert not load_approvals(consultation.id).allows(group.id, "quote")

    second.role_rows = [row for row in second.role_rows if row.role != "kaitiaki"]
    group.kaitiaki.remove(second)
    Session.flush()
    assert not load_approvals(consultation.id).allows(group.id, "quote")

    # Only another decision by a kaitiaki of the group changes it.
    record_governance_decision(first, group, consultation, use="quote", decision="approved")
    assert load_approvals(consultation.id).allows(group.id, "quote")


def test_decisions_of_former_and_disabled_kaitiaki_stay_in_force(governed_group,
                                                                make_consultation):
    consultation = make_consultation()
    left, disabled = governed_group(), governed_group()
    _decide(left, consultation, "quote", "approved", 10)
    _decide(disabled, consultation, "breakdown", "approved", 10)
    former = left.kaitiaki[0]
    former.role_rows = [row for row in former.role_rows if row.role != "kaitiaki"]
    disabled.kaitiaki[0].is_enabled = False
    Session.flush()
    approvals = load_approvals(consultation.id)
    assert approvals.allows(left.id, "quote") and approvals.allows(disabled.id, "breakdown")


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
