"""The report build as a job: progress on the job page and on the command line."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from app.db import Session
from app.jobs import job
from app.models import User
from app.reports.approvals import notify_kaitiaki
from app.reports.models import Report


@job("reports.build", label=_l("Build a report"))
def build_job(ctx, report_id: int, actor_id: int | None = None):
    from app.reports.operations import build_report

    report = Session.get(Report, report_id)
    actor = Session.get(User, actor_id) if actor_id else None
    if report is None:
        return {"message": "The report no longer exists."}
    build = build_report(actor, report,
                         progress=lambda done, total, message: ctx.progress(done, total,
                                                                            message))
    Session.commit()
    notify_kaitiaki(build.new_requests)
    return {"build": build.number, "report_id": report.id}
