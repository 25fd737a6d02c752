"""What reports give the core through its registration: demo data, "your tasks" entries and
the objects its URLs name for the test walks."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.db import Session
from app.packages import Task
from app.reports.filters import ReportFilters
from app.reports.models import ApprovalRequest, Report

DEMO_THEMES = (
    ("Who may see client data", ("Which agencies and providers may see client-level data, "
                                "and for what.")),
    ("Consent and choice", "How clients agree to their data being collected and used."),
    ("Māori data sovereignty", "Iwi and hapū authority over data about their people."),
)


def tasks(person) -> list[Task]:
    from app.reports.approvals import requests_for

    if not person.has_role("kaitiaki"):
        return []
    return [Task(_l("Report requests waiting for your decision"),
                 len(requests_for(person, status="pending")), "/reports/approvals")]


def route_objects(context) -> dict:
    """A built working-group report, and a request to a group the walk's kaitiaki may not
    govern (so only the request's own kaitiaki get past a 404)."""
    from app.governance.models import GovernanceGroup
    from app.reports.operations import build_report, create_report, publish_report

    analyst = context.make_user("analyst")
    report = create_report(analyst, context.consultation, title="Walk report",
                           audience="working_group", filters=ReportFilters())
    build_report(analyst, report)
    public = create_report(analyst, context.consultation, title="Walk public report",
                           audience="public", filters=ReportFilters())
    build_report(analyst, public)
    publish_report(analyst, public, ["overview", "method"])
    group = GovernanceGroup(name="Walk governance group", kind="iwi")
    Session.add(group)
    Session.flush()
    request = ApprovalRequest(report_id=report.id, group_id=group.id, use="quote",
                              status="pending", detail='{"quotes": [], "tables": []}')
    Session.add(request)
    Session.flush()
    return {"report": report, "request": request}


def seed_demo(context) -> None:
    """A built working-group report, a published "what we heard" page, and a pending
    kaitiaki request for the demo kaitiaki (from the governed demo feedback)."""
    existing = Session.scalar(select(Report.id).where(
        Report.consultation_id == context.consultation.id))
    if existing is not None:
        context.report.note(False, "reports, a what-we-heard page and a kaitiaki request")
        return
    from app.reports.demo import seed_reports

    seed_reports(context, DEMO_THEMES)
    context.report.note(True, "reports: a built working-group report, a published what we "
                              "heard page and a pending kaitiaki request")


