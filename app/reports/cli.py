"""`flask --app app report ...`: build and export reports from the command line."""
from __future__ import annotations

import click
from sqlalchemy import select

from app.db import Session
from app.errors import OperationRefused
from app.models import Consultation
from app.reports.exports import EXPORTERS, write_export
from app.reports.filters import ReportFilters
from app.reports.models import Report
from app.reports.views import bp


def _consultation(slug: str) -> Consultation:
    consultation = Session.scalar(select(Consultation).where(Consultation.slug == slug))
    if consultation is None:
        raise click.ClickException(f"No consultation has the slug {slug!r}.")
    return consultation


def _report_for(consultation, audience: str, title: str | None) -> Report:
    """The newest report of AUDIENCE (with TITLE, when given); made when there is none."""
    from app.reports.operations import create_report

    query = select(Report).where(Report.consultation_id == consultation.id,
                                 Report.audience == audience)
    if title:
        query = query.where(Report.title == title)
    report = Session.scalar(query.order_by(Report.id.desc()).limit(1))
    if report is None:
        report = create_report(None, consultation, audience=audience, filters=ReportFilters(),
                               title=title or f"{consultation.title}: what we heard")
    return report


@bp.cli.command("export")
@click.option("--consultation", "slug", required=True, help="The consultation's slug.")
@click.option("--audience", type=click.Choice(["working_group", "public"]), required=True,
              help="Who the report is for: decides which quotes and figures it may hold.")
@click.option("--format", "fmt", type=click.Choice(sorted(EXPORTERS)), required=True,
              help="The export format.")
@click.option("-o", "--output", type=click.File("wb"), required=True,
              help="The file to write ('-' for standard output).")
@click.option("--title", default=None, help="Which report (by title); the newest otherwise.")
@click.option("--rebuild/--no-rebuild", default=True, show_default=True,
              help="Build the report from the data as it stands before exporting.")
def export_command(slug, audience, fmt, output, title, rebuild):
    """Export a consultation's report for AUDIENCE in FORMAT (audited)."""
    from app.reports.approvals import notify_kaitiaki
    from app.reports.operations import build_report, latest_build, record_export

    consultation = _consultation(slug)
    try:
        report = _report_for(consultation, audience, title)
        build = latest_build(report)
        if rebuild or build is None:
            with click.progressbar(length=5, label="Building the report") as bar:
                def progress(done, total, message):
                    bar.update(done - bar.pos)
                build = build_report(None, report, progress=progress)
        record_export(None, report, build, fmt)
        Session.commit()
    except OperationRefused as error:
        Session.rollback()
        raise click.ClickException(str(error)) from error
    notify_kaitiaki(getattr(build, "new_requests", []))
    write_export(report, build, fmt, output)
    click.echo(f"Wrote the {fmt} export of “{report.title}” (build {build.number}).",
               err=True)

