"""Report pages: the list, the builder (audience first, then filters), a report with its
exports, kaitiaki requests, and the public "what we heard" page. Views are thin: operations
do the work, the view commits once."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from app.db import Session, writes_on_get
from app.jobs import start_job
from app.jobs.models import Job
from app.models import Consultation
from app.queries import get_current_consultation
from app.reports import READERS, export_files, operations, public_pdf
from app.reports import approvals as approval_ops
from app.reports import choices as filter_choices
from app.reports.charts import bar_chart
from app.reports.exports import EXPORTERS, export_response, filename
from app.reports.filters import ReportFilters
from app.reports.forms import (
    AudienceForm,
    BuildForm,
    DecisionForm,
    ExportForm,
    PublishForm,
    ReportForm,
)
from app.reports.models import ApprovalRequest, Report, ReportBuild
from app.reports.sections import only_sections, section_keys
from app.web.fields import choices
from app.web.refusals import attempt
from app.web.requests import client_ip

bp = Blueprint("reports", __name__, cli_group="report")
bp.add_app_template_global(bar_chart, "chart")


def _report_or_404(report_id: int) -> Report:
    report = Session.get(Report, report_id)
    if report is None or not _may_read(report):
        abort(404)
    return report


def _may_read(report: Report) -> bool:
    return current_user.has_role(*READERS)


@bp.get("/")
def index():
    consultation = get_current_consultation()
    reports = [] if consultation is None else list(Session.scalars(
        select(Report).where(Report.consultation_id == consultation.id)
        .order_by(Report.created_at.desc(), Report.id.desc())))
    latest = {report.id: operations.latest_build(report) for report in reports}
    return render_template("reports/index.html", reports=reports, latest=latest,
                           consultation=consultation)


@bp.route("/new", methods=["GET", "POST"])
def new():
    """Choose the audience first; then the filters, with the audience carried along."""
    consultation = get_current_consultation()
    if consultation is None:
        abort(404)
    audience = request.values.get("audience")
    if request.method == "GET" and audience not in ("working_group", "public"):
        return render_template("reports/choose_audience.html", form=AudienceForm())
    form = ReportForm()
    filter_choices.fill(form, consultation)
    if form.validate_on_submit():
        filters = ReportFilters(
            themes=tuple(form.themes.data), sources=tuple(form.sources.data),
            questions=tuple(form.questions.data), groups=tuple(form.groups.data),
            date_from=form.date_from.data.isoformat() if form.date_from.data else None,
            date_to=form.date_to.data.isoformat() if form.date_to.data else None)
        with attempt(form) as done:
            report = operations.create_report(current_user, consultation,
                                              title=form.title.data,
                                              audience=form.audience.data, filters=filters)
            job = start_job(current_user, "reports.build", title=f"Build “{report.title}”",
                            report_id=report.id, actor_id=current_user.id)
        if done:
            return redirect(url_for("jobs.show", job_id=job.id))
    elif request.method == "GET":
        form.audience.data = audience
    return render_template("reports/new.html", form=form)


@bp.get("/<int:report_id>")
def report(report_id: int):
    report = _report_or_404(report_id)
    build = operations.latest_build(report)
    data = build.data if build else None
    publish = PublishForm()
    if data:
        publish.sections.choices = choices(section_keys(data))
        publish.sections.data = report.sections
    return render_template("reports/report.html", report=report, build=build, data=data,
                           current=operations.is_current(build), build_form=BuildForm(),
                           form=publish, formats=EXPORTERS,
                           job_formats=export_files.JOB_FORMATS)


@bp.post("/<int:report_id>/build")
def build(report_id: int):
    report = _report_or_404(report_id)
    form = BuildForm()
    if not form.validate_on_submit():
        abort(400)
    job = start_job(current_user, "reports.build", title=f"Build “{report.title}”",
                    report_id=report.id, actor_id=current_user.id)
    Session.commit()
    return redirect(url_for("jobs.show", job_id=job.id))


@bp.get("/<int:report_id>/export")
@writes_on_get
def export(report_id: int):
    """The latest build in the format asked for (?format=, HTML by default); every export
    is audited."""
    fmt = request.args.get("format", "html")
    report = _report_or_404(report_id)
    build = operations.latest_build(report)
    if build is None or fmt not in EXPORTERS or fmt in export_files.JOB_FORMATS:
        abort(404)  # XLSX, DOCX and PDF are made by a job: see export_job
    operations.record_export(current_user, report, build, fmt, ip=client_ip())
    Session.commit()
    return export_response(report, build, fmt)


@bp.post("/<int:report_id>/export-job")
def export_job(report_id: int):
    """Start a job that writes the latest build in a slow format (XLSX, DOCX, PDF); the
    person follows it on the job page, which links to the file when it is ready."""
    report = _report_or_404(report_id)
    build = operations.latest_build(report)
    form = ExportForm()
    if build is None:
        abort(404)
    if not form.validate_on_submit():
        abort(400)
    fmt = form.format.data
    export_files.remove_old_files()
    job = start_job(current_user, "reports.export",
                    title=_("%(format)s of “%(title)s”", format=EXPORTERS[fmt].label,
                            title=report.title),
                    report_id=report.id, build_id=build.id, fmt=fmt)
    Session.commit()
    return redirect(url_for("jobs.show", job_id=job.id))


@bp.get("/exports/<int:job_id>")
@writes_on_get
def export_file(job_id: int):
    """The file an export job wrote: for the person who started it (and analysts); 404 for
    anyone else, and once the file is removed. Every download is audited."""
    job = Session.get(Job, job_id)
    if job is None or job.kind != "reports.export" or job.status != "done" \
            or not job.can_view(current_user):
        abort(404)
    report = _report_or_404(job.params["report_id"])
    build = Session.get(ReportBuild, job.params["build_id"])
    fmt = job.params["fmt"]
    path = export_files.path_for(job.id, EXPORTERS[fmt].extension)
    if build is None or not path.is_file():
        abort(404)
    operations.record_export(current_user, report, build, fmt, ip=client_ip())
    Session.commit()
    response = send_file(path, mimetype=EXPORTERS[fmt].mimetype, as_attachment=True,
                         download_name=filename(report, build, fmt), max_age=0)
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@bp.post("/<int:report_id>/publish")
def publish(report_id: int):
    report = _report_or_404(report_id)
    form = PublishForm()
    build = operations.latest_build(report)
    form.sections.choices = choices(section_keys(build.data) if build else [])
    if form.validate_on_submit():
        with attempt(None) as done:
            if form.action.data == "unpublish":
                operations.unpublish_report(current_user, report)
            else:
                operations.publish_report(current_user, report, form.sections.data)
        if done:
            flash(_("The “what we heard” page is updated."))
    return redirect(url_for("reports.report", report_id=report.id))


@bp.get("/approvals")
def approvals():
    """The requests of the kaitiaki's own groups, pending first."""
    requests = approval_ops.requests_for(current_user)
    return render_template("reports/approvals.html", requests=requests)


@bp.route("/approvals/<int:request_id>", methods=["GET", "POST"])
def approval_request(request_id: int):
    item = Session.get(ApprovalRequest, request_id)
    if item is None or not approval_ops.can_see_request(current_user, item):
        abort(404)
    form = DecisionForm()
    if item.status == "pending" and form.validate_on_submit():
        with attempt(form) as done:
            approval_ops.decide_request(current_user, item, decision=form.decision.data,
                                        conditions=form.conditions.data, ip=client_ip())
        if done:
            flash(_("Your decision is recorded."))
            return redirect(url_for("reports.approvals"))
    return render_template("reports/approval_request.html", item=item, form=form)


def _published(slug: str):
    """The consultation's published public report whose latest build is current."""
    consultation = Session.scalar(select(Consultation).where(Consultation.slug == slug))
    if consultation is None:
        abort(404)
    for report in Session.scalars(select(Report).where(
            Report.consultation_id == consultation.id, Report.published.is_(True),
            Report.audience == "public").order_by(Report.published_at.desc())):
        build = operations.latest_build(report)
        if operations.is_current(build):  # outdated builds are never served to the public
            return consultation, report, build
    return consultation, None, None


@bp.get("/heard/<slug>")
def heard(slug: str):
    consultation, report, build = _published(slug)
    data = only_sections(build.data, report.sections) if build else None
    return render_template("reports/heard.html", consultation=consultation, report=report,
                           data=data)


@bp.get("/heard/<slug>.pdf")
@writes_on_get
def heard_pdf(slug: str):
    _consultation, report, build = _published(slug)
    if build is None:
        abort(404)
    path = public_pdf.cached_pdf(report, build)  # rendered once per build and sections
    operations.record_export(current_user if current_user.is_authenticated else None, report,
                             build, "pdf", ip=client_ip())
    Session.commit()
    response = send_file(path, mimetype=EXPORTERS["pdf"].mimetype, as_attachment=True,
                         download_name=filename(report, build, "pdf"), max_age=0)
    response.headers["Cache-Control"] = "no-store"
    return response
