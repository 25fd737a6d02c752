"""`flask report export` for each format, and the kaitiaki decision operation's refusals."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.db import Session
from app.errors import OperationRefused
from app.privacy.audit import AuditEvent
from app.reports.approvals import decide_request
from app.reports.filters import ReportFilters
from app.reports.models import ApprovalRequest
from app.reports.operations import build_report, create_report

from .conftest import FORBIDDEN, PUBLIC_QUOTE


@pytest.mark.parametrize("fmt", ["md", "csv", "html"])
def test_the_export_command_writes_the_file_and_audits_it(app, scenario, tmp_path, fmt):
    target = tmp_path / f"report.{fmt}"
    before = Session.scalar(select(func.count(AuditEvent.id))
                            .where(AuditEvent.action == "reports.exported"))
    result = app.test_cli_runner().invoke(args=[
        "report", "export", "--consultation", scenario.consultation.slug, "--audience",
        "public", "--format", fmt, "-o", str(target)])
    assert result.exit_code == 0, result.output
    text = target.read_text(encoding="utf-8-sig")
    assert "PUBLIC" in text and all(bad not in text for bad in FORBIDDEN.values())
    if fmt == "csv":
        assert PUBLIC_QUOTE in text
    after = Session.scalar(select(func.count(AuditEvent.id))
                           .where(AuditEvent.action == "reports.exported"))
    assert after == before + 1


def test_the_export_command_names_an_unknown_consultation(app):
    result = app.test_cli_runner().invoke(args=[
        "report", "export", "--consultation", "nope", "--audience", "public", "--format",
        "md", "-o", "-"])
    assert result.exit_code != 0 and "No consultation has the slug 'nope'" in result.output


def test_only_the_groups_own_kaitiaki_may_decide(make_user, scenario, governed_group):
    analyst = make_user("analyst")
    report = create_report(analyst, scenario.consultation, title="R", audience="working_group",
                           filters=ReportFilters())
    build_report(analyst, report)
    request = Session.scalar(select(ApprovalRequest).where(ApprovalRequest.report_id == report.id))
    for outsider in (analyst, governed_group().kaitiaki[0], make_user("admin")):
        with pytest.raises(OperationRefused):
            decide_request(outsider, request, decision="approved")
    assert request.status == "pending"
    decide_request(scenario.kaitiaki, request, decision="declined", conditions="Not now")
    assert request.status == "declined" and request.approval_id is not None


def test_analysts_alone_build_reports(make_user, scenario):
    with pytest.raises(OperationRefused):
        create_report(make_user("advisory"), scenario.consultation, title="R",
                      audience="public", filters=ReportFilters())
    with pytest.raises(OperationRefused):
        create_report(make_user("analyst"), scenario.consultation, title=" ",
                      audience="public", filters=ReportFilters())
