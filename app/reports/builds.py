"""Reading builds: the newest, whether it still matches the data, and marking them outdated."""
from __future__ import annotations

import json

from sqlalchemy import select, update

from app.db import Session
from app.reports.builder import current_inputs
from app.reports.models import Report, ReportBuild


def latest_build(report: Report) -> ReportBuild | None:
    return Session.scalar(select(ReportBuild).where(ReportBuild.report_id == report.id)
                          .order_by(ReportBuild.number.desc()).limit(1))


def is_current(build: ReportBuild | None) -> bool:
    """Whether BUILD still matches the data: no consent changed, no approval changed since,
    and no newer build replaced it. Outdated builds are never served to the public."""
    if build is None or build.status != "current":
        return False
    inputs = current_inputs(build.report)
    approvals = json.dumps(sorted(map(list, inputs.approvals.approved)))
    return inputs.consent_digest == build.consent_digest and approvals == build.approvals


def mark_outdated(report: Report) -> None:
    """Every build of REPORT is outdated (after a decline or a withdrawal)."""
    Session.execute(update(ReportBuild).where(ReportBuild.report_id == report.id)
                    .values(status="outdated"))
    Session.flush()
