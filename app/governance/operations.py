"""Operations on data governance. They take the actor, flush, and leave the commit to the view."""
from __future__ import annotations

from flask_babel import gettext as _

from app.db import Session, utcnow
from app.errors import OperationRefused
from app.governance.models import DECISIONS, GOVERNED_USES, GovernanceApproval, GovernanceGroup
from app.models import Consultation, User
from app.privacy.audit import record_event


def record_governance_decision(actor: User, group: GovernanceGroup, consultation: Consultation,
                               *, use: str, decision: str, note: str = "",
                               ip: str = "") -> GovernanceApproval:
    """A kaitiaki of GROUP approves or declines USE ("quote" or "breakdown") of the group's
    data in CONSULTATION. The newest decision is the one in force
    (`app.governance.queries.load_approvals`).

    Refuses anyone who is not a kaitiaki of this group, an unknown use or decision.
    Audits "governance.decided".
    """
    if not group.is_kaitiaki(actor):
        raise OperationRefused(_("Only the kaitiaki of %(group)s may decide how its data is "
                                 "used.", group=group.name))
    if use not in GOVERNED_USES:
        raise OperationRefused(_("Choose what the decision is about: quoting, or breaking "
                                 "results down by group."), field="use")
    if decision not in DECISIONS:
        raise OperationRefused(_("Choose whether to approve or decline."), field="decision")
    approval = GovernanceApproval(group_id=group.id, consultation_id=consultation.id, use=use,
                                  decision=decision, decided_by_id=actor.id,
                                  decided_at=utcnow(), note=(note or "").strip())
    Session.add(approval)
    Session.flush()
    record_event(actor, "governance.decided", target=approval, ip=ip, detail={
        "group_id": group.id, "consultation_id": consultation.id, "use": use,
        "decision": decision})
    return approval
