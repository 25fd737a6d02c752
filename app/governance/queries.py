"""Reading governance groups and the kaitiaki decisions in force. Nothing here writes."""
from __future__ import annotations

from sqlalchemy import select

from app.db import Session
from app.governance.models import GovernanceApproval, GovernanceGroup, kaitiaki_assignment
from app.models import User


def governance_groups_of(user: User) -> list[GovernanceGroup]:
    """The iwi, hapū and Pasifika groups USER is kaitiaki for, by name."""
    if not user.has_role("kaitiaki"):
        return []
    return list(Session.scalars(
        select(GovernanceGroup).join(kaitiaki_assignment,
                                     kaitiaki_assignment.c.group_id == GovernanceGroup.id)
        .where(kaitiaki_assignment.c.user_id == user.id).order_by(GovernanceGroup.name)))


def governance_group_exists(group_id: int) -> bool:
    return Session.get(GovernanceGroup, group_id) is not None


def approved_uses(consultation_id: int) -> frozenset[tuple[int, str]]:
    """The (group id, use) pairs approved and in force in a consultation: the newest decision
    per (group, use) wins, so a later "declined" withdraws an earlier "approved".

    A decision stays in force until a kaitiaki of the group decides otherwise: it is not undone
    when the person who made it later loses the kaitiaki role, leaves the group or has their
    account disabled. (Reading only decisions by current kaitiaki once let an old approval
    come back into force when the kaitiaki who declined it left.) Only
    `record_governance_decision` writes decisions, and it refuses anyone who is not, at that
    moment, a kaitiaki of the group.
    """
    rows = Session.execute(
        select(GovernanceApproval.group_id, GovernanceApproval.use, GovernanceApproval.decision)
        .where(GovernanceApproval.consultation_id == consultation_id)
        .order_by(GovernanceApproval.decided_at, GovernanceApproval.id)
    ).all()
    newest: dict[tuple[int, str], str] = {}
    for group_id, use, decision in rows:  # oldest first, so later decisions overwrite
        newest[(group_id, use)] = decision
    return frozenset(key for key, decision in newest.items() if decision == "approved")
