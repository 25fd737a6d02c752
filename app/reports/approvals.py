"""Kaitiaki approval requests: raised when a report would quote a governed group's items or
break results down by the group, decided by that group's kaitiaki through the governance
decision operation (`app.governance.operations.record_governance_decision`)."""
from __future__ import annotations

import json

from flask import render_template
from flask_babel import gettext as _
from sqlalchemy import select

from app.db import Session, utcnow
from app.errors import OperationRefused
from app.governance.models import GovernanceGroup, kaitiaki_assignment
from app.governance.operations import record_governance_decision
from app.mail import absolute_url, send_email
from app.models import User
from app.privacy.audit import record_event
from app.reports.builds import mark_outdated
from app.reports.models import ApprovalRequest, Report

BREAKDOWN_TABLES = ("Participation by source and stakeholder group",
                    "Mentions by stakeholder group")


def raise_requests(report: Report, content: dict, withheld: dict) -> list[ApprovalRequest]:
    """One pending request per (group, use) the build withheld; an open request is updated
    with the exact quotes and tables of this build. Returns the requests that are new."""
    new = []
    for entry in withheld.values():
        wanted = []
        if entry["quotes"]:
            wanted.append(("quote", {"quotes": entry["quotes"], "tables": []}))
        if entry["breakdown"]:
            themes = [t["name"] for t in content["themes"] if t["id"] in entry["themes"]]
            questions = entry.get("questions", [])
            tables = [*BREAKDOWN_TABLES, *questions]  # a closed question's table: its prompt
            wanted.append(("breakdown", {"quotes": [], "tables": tables, "themes": themes}))
        for use, detail in wanted:
            request = Session.scalar(select(ApprovalRequest).where(
                ApprovalRequest.report_id == report.id,
                ApprovalRequest.group_id == entry["group_id"],
                ApprovalRequest.use == use, ApprovalRequest.status == "pending"))
            if request is None:
                request = ApprovalRequest(report_id=report.id, group_id=entry["group_id"],
                                          use=use, status="pending", created_at=utcnow())
                Session.add(request)
                new.append(request)
            request.detail = json.dumps({"report": report.title,
                                         "audience": report.audience, **detail})
    Session.flush()
    return new


def notify_kaitiaki(requests: list[ApprovalRequest]) -> None:
    """Email each request to its group's kaitiaki (after the request is committed)."""
    for request in requests:
        group = Session.get(GovernanceGroup, request.group_id)
        addresses = [person.email for person in group.kaitiaki
                     if person.has_role("kaitiaki") and person.email]
        if not addresses:
            continue
        url = absolute_url("reports.approval_request", request_id=request.id)
        context = {"request": request, "group": group, "url": url}
        send_email(addresses, _("A report asks to use %(group)s's data", group=group.name),
                   render_template("reports/email_request.txt", **context),
                   render_template("reports/email_request.html", **context))


def requests_for(person: User, *, status: str | None = None) -> list[ApprovalRequest]:
    """The requests of PERSON's own groups (a kaitiaki sees no other group's)."""
    if not person.has_role("kaitiaki"):
        return []
    query = (select(ApprovalRequest)
             .join(kaitiaki_assignment,
                   kaitiaki_assignment.c.group_id == ApprovalRequest.group_id)
             .where(kaitiaki_assignment.c.user_id == person.id)
             .order_by(ApprovalRequest.created_at.desc(), ApprovalRequest.id.desc()))
    if status:
        query = query.where(ApprovalRequest.status == status)
    return list(Session.scalars(query))


def can_see_request(person: User, request: ApprovalRequest) -> bool:
    group = Session.get(GovernanceGroup, request.group_id)
    return group is not None and group.is_kaitiaki(person)


def decide_request(actor: User, request: ApprovalRequest, *, decision: str,
                   conditions: str = "", ip: str = "") -> ApprovalRequest:
    """The kaitiaki's answer, recorded as a governance decision (which refuses anyone but the
    group's kaitiaki). A decline makes every build of every report of the consultation
    outdated, so the next build leaves the quotes out and none is served to the public."""
    group = Session.get(GovernanceGroup, request.group_id)
    report = request.report
    conditions = (conditions or "").strip()
    if decision == "approved" and len(conditions) > 2000:
        raise OperationRefused(_("Keep the conditions under 2,000 characters."),
                               field="conditions")
    approval = record_governance_decision(actor, group, report.consultation, use=request.use,
                                          decision=decision, note=conditions, ip=ip)
    request.status, request.decided_at = decision, utcnow()
    request.decided_by_id, request.conditions, request.approval_id = \
        actor.id, conditions, approval.id
    for other in Session.scalars(select(Report).where(
            Report.consultation_id == report.consultation_id)):
        mark_outdated(other)
    record_event(actor, "reports.request_decided", target=request,
                 detail={"decision": decision, "group_id": group.id, "use": request.use})
    return request
