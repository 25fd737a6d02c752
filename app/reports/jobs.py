"""Report jobs: the build, the slow exports (XLSX, DOCX, PDF) and the removal of old export
files. Progress shows on the job page and on the command line."""
from __future__ import annotations

from flask import current_app
from flask_babel import lazy_gettext as _l

from app.db import Session
from app.jobs import JobFailed, job
from app.jobs.registry import schedule_job
from app.models import User
from app.reports import export_files
from app.reports.approvals import notify_kaitiaki
from app.reports.models import Report, ReportBuild


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


@job("reports.export", label=_l("Export a report"))
def export_job(ctx, report_id: int, build_id: int, fmt: str):
    """Render the build in FMT into the instance folder; the job page links to the file."""
    from app.reports.exports import EXPORTERS, export_content, filename

    report, build = Session.get(Report, report_id), Session.get(ReportBuild, build_id)
    if report is None or build is None or build.report_id != report.id:
        raise JobFailed(str(_l("The report or its build no longer exists.")))
    if fmt not in export_files.JOB_FORMATS:
        raise JobFailed(str(_l("This format is not made by a job.")))
    ctx.progress(0, 2, str(_l("Writing the file")))
    # The document templates expect a request (as the web export had); the worker has none.
    with current_app.test_request_context():
        body, _exporter = export_content(report, build, fmt)
    export_files.write_file(ctx.job.id, EXPORTERS[fmt].extension, body)
    ctx.progress(2, 2, str(_l("The file is ready")))
    download = current_app.url_map.bind("localhost").build(
        "reports.export_file", {"job_id": ctx.job.id})
    return {"file": filename(report, build, fmt), "download_url": download}


@job("reports.remove_old_exports", label=_l("Remove old report export files"))
def remove_old_exports_job(ctx):
    return {"removed": export_files.remove_old_files()}


schedule_job("reports.remove_old_exports", minute="17")  # hourly; files live about a day
