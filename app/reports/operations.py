"""Operations on reports: they take the actor, check permission, change the database and
flush; the view (or job, or command) commits."""
from __future__ import annotations

import json
import secrets

from flask_babel import gettext as _
from sqlalchemy import func, select, update

from app.db import Session, utcnow
from app.errors import OperationRefused
from app.models import Consultation, User
from app.privacy.audit import record_event
from app.reports.approvals import raise_requests
from app.reports.builder import Progress, build_content
from app.reports.builds import is_current, latest_build, mark_outdated
from app.reports.filters import ReportFilters
from app.reports.models import REPORT_AUDIENCES, ApprovalRequest, Report, ReportBuild
from app.reports.sections import section_keys


def _require_analyst(actor: User | None) -> None:
    if actor is not None and not actor.has_role("analyst"):
        raise OperationRefused(_("Only analysts build and publish reports."))


def create_report(actor: User | None, consultation: Consultation, *, title: str, audience: str,
                  filters: ReportFilters) -> Report:
    _require_analyst(actor)
    title = (title or "").strip()
    if not title:
        raise OperationRefused(_("Give the report a title."), field="title")
    if audience not in REPORT_AUDIENCES:
        raise OperationRefused(_("Choose who the report is for: the working group or the "
                                 "public."), field="audience")
    report = Report(consultation_id=consultation.id, title=title[:200], audience=audience,
                    filters=filters.to_json(), seed=secrets.token_hex(16),
                    created_by_id=actor.id if actor else None, created_at=utcnow())
    Session.add(report)
    Session.flush()
    record_event(actor, "reports.created", target=report,
                 detail={"audience": audience, "consultation_id": consultation.id})
    return report


def build_report(actor: User | None, report: Report,
                 progress: Progress | None = None) -> ReportBuild:
    """A new build of REPORT from the data as it stands. Older builds become outdated; an
    approval request goes to the kaitiaki of every governed group the report would quote or
    break down without their approval."""
    _require_analyst(actor)
    content, inputs, withheld = build_content(report, progress)
    number = (Session.scalar(select(func.max(ReportBuild.number))
                             .where(ReportBuild.report_id == report.id)) or 0) + 1
    Session.execute(update(ReportBuild).where(ReportBuild.report_id == report.id)
                    .values(status="outdated"))
    build = ReportBuild(report_id=report.id, number=number, built_at=utcnow(),
                        built_by_id=actor.id if actor else None, status="current",
                        filters=inputs.filters.to_json(),
                        codebook_version=inputs.codebook_version,
                        consent_digest=inputs.consent_digest,
                        approvals=json.dumps(sorted(map(list, inputs.approvals.approved))),
                        content=json.dumps(content, sort_keys=True))
    Session.add(build)
    Session.flush()
    build.new_requests = raise_requests(report, content, withheld)  # emailed once committed
    record_event(actor, "reports.built", target=build,
                 detail={"report_id": report.id, "number": number})
    return build


def publish_report(actor: User, report: Report, sections: list[str]) -> Report:
    """Publish REPORT's "what we heard" page with SECTIONS, as the working group approved."""
    _require_analyst(actor)
    if report.audience != "public":
        raise OperationRefused(_("Only a report built for the public can be published. "
                                 "Make a public report with the sections to share."))
    build = latest_build(report)
    if not is_current(build):
        raise OperationRefused(_("Build the report again first: consent or kaitiaki "
                                 "decisions have changed since it was built."))
    known = {key for key, _label in section_keys(build.data)}
    chosen = [section for section in sections if section in known]
    if not chosen:
        raise OperationRefused(_("Choose at least one section the working group approved "
                                 "for the public."), field="sections")
    report.public_sections = json.dumps(chosen)
    report.published, report.published_at, report.published_by_id = True, utcnow(), actor.id
    Session.flush()
    record_event(actor, "reports.published", target=report, detail={"sections": chosen})
    return report


def unpublish_report(actor: User, report: Report) -> Report:
    _require_analyst(actor)
    report.published = False
    Session.flush()
    record_event(actor, "reports.unpublished", target=report)
    return report


def record_export(actor: User | None, report: Report, build: ReportBuild, fmt: str,
                  ip: str = "") -> None:
    """Every export goes to the audit log."""
    record_event(actor, "reports.exported", target=build, ip=ip,
                 detail={"report_id": report.id, "format": fmt, "audience": report.audience})


__all__ = ["ApprovalRequest", "build_report", "create_report", "is_current", "latest_build",
           "mark_outdated", "publish_report", "record_export", "unpublish_report"]
