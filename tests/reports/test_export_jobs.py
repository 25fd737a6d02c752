"""The slow exports (XLSX, DOCX, PDF) from the web run as a job: starting one makes a job and
no file; the job writes the file in the instance folder; only its owner (and analysts) may
download it, each download is audited, and the file keeps the consent and suppression
guarantees of every export. Old files are removed after a day."""
from __future__ import annotations

import os
import time

import pytest
from sqlalchemy import func, select

from app.db import Session
from app.jobs import create_job, run_job_inline
from app.jobs.models import Job
from app.privacy.audit import AuditEvent
from app.reports import export_files
from app.reports.filters import ReportFilters
from app.reports.operations import build_report, create_report

from .conftest import FORBIDDEN, PUBLIC_QUOTE, WORKING_GROUP_ONLY
from .test_exports import _safe_count, table_cells, text_of


@pytest.fixture
def report(make_user, scenario):
    analyst = make_user("analyst")
    report = create_report(analyst, scenario.consultation, title="Big report",
                           audience="working_group", filters=ReportFilters())
    build_report(analyst, report)
    Session.commit()
    return report


def _exports() -> int:
    return Session.scalar(select(func.count(AuditEvent.id))
                          .where(AuditEvent.action == "reports.exported"))


def _start(client, csrf_token, report, fmt) -> Job:
    page = client.get(f"/reports/{report.id}")
    response = client.post(f"/reports/{report.id}/export-job",
                           data={"csrf_token": csrf_token(page.text), "format": fmt})
    assert response.status_code == 302 and "/jobs/" in response.headers["Location"]
    job_id = int(response.headers["Location"].rstrip("/").rsplit("/", 1)[1])
    return Session.get(Job, job_id)


def _path(app, job: Job, extension: str):
    # A short app context of its own: one held across requests would keep g (and so the
    # signed-in user) from one request to the next.
    with app.app_context():
        return export_files.path_for(job.id, extension)


def _run(app, job: Job) -> Job:
    with app.app_context():
        finished = run_job_inline(Session.get(Job, job.id))
        assert finished.status == "done", finished.error
        Session.commit()
    Session.expire_all()
    return Session.get(Job, job.id)


@pytest.mark.parametrize("fmt", export_files.JOB_FORMATS)
def test_an_export_job_writes_the_file_its_owner_downloads(
        app, client, auth, make_user, report, csrf_token, fmt, tmp_path):
    owner = make_user("advisory")
    auth.login(owner)
    job = _start(client, csrf_token, report, fmt)
    assert job.kind == "reports.export" and job.status == "queued"
    path = _path(app, job, fmt)
    assert not path.exists()  # nothing is made inside the request
    assert client.get(f"/reports/exports/{job.id}").status_code == 404  # not ready yet
    job = _run(app, job)
    assert path.is_file() and job.result["download_url"] == f"/reports/exports/{job.id}"
    assert job.result["download_url"] in client.get(f"/jobs/{job.id}").text
    before = _exports()
    response = client.get(f"/reports/exports/{job.id}")
    body = response.get_data()
    assert response.status_code == 200 and body == path.read_bytes()
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert f"report-{report.id}-build-1.{fmt}" in response.headers["Content-Disposition"]
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    event = Session.scalars(select(AuditEvent).where(AuditEvent.action == "reports.exported")
                            .order_by(AuditEvent.id.desc())).first()
    assert _exports() == before + 1 and event.actor_id == owner.id
    text = text_of(fmt, body, tmp_path)
    assert all(forbidden not in text for forbidden in FORBIDDEN.values())
    assert ("PUBLIC-QUOTE" if fmt == "pdf" else PUBLIC_QUOTE) in text
    if fmt != "pdf":
        assert WORKING_GROUP_ONLY in text  # a working-group report
        cells = table_cells(fmt, body)
        assert cells and "S" in cells and all(_safe_count(cell) for cell in cells)


def test_only_the_owner_and_analysts_may_download(app, client, auth, make_user, report,
                                                  csrf_token):
    owner = make_user("advisory")
    auth.login(owner)
    job = _run(app, _start(client, csrf_token, report, "xlsx"))
    url = f"/reports/exports/{job.id}"
    # Another reader gets 404; roles that read no reports get the matrix's 403, decided
    # before any job is looked up (so neither tells whether the file exists).
    for role, status in (("advisory", 404), ("participant", 403), ("admin", 403),
                         ("kaitiaki", 403)):
        auth.login(make_user(role))
        before = _exports()
        assert client.get(url).status_code == status, role
        assert client.get("/reports/exports/99999").status_code == status, role
        assert _exports() == before  # a refused download records nothing
    auth.login(make_user("analyst"))
    assert client.get(url).status_code == 200


def test_the_slow_formats_are_no_longer_made_in_the_request(client, auth, make_user, report,
                                                            csrf_token):
    auth.login(make_user("analyst"))
    token = csrf_token(client.get(f"/reports/{report.id}").text)
    for bad in ("csv", "exe", ""):
        response = client.post(f"/reports/{report.id}/export-job",
                               data={"csrf_token": token, "format": bad})
        assert response.status_code == 400
    assert Session.scalar(select(func.count(Job.id)).where(Job.kind == "reports.export")) == 0
    for fmt in export_files.JOB_FORMATS:
        assert client.get(f"/reports/{report.id}/export?format={fmt}").status_code == 404
    page = client.get(f"/reports/{report.id}").text
    assert f"/reports/{report.id}/export-job" in page and 'value="pdf"' in page
    assert "format=csv" in page and "format=xlsx" not in page


def test_files_older_than_a_day_are_removed_by_the_job_and_on_the_next_export(
        app, client, auth, make_user, report, csrf_token):
    auth.login(make_user("analyst"))
    job = _run(app, _start(client, csrf_token, report, "docx"))
    path = _path(app, job, "docx")
    day_old = time.time() - export_files.KEEP_SECONDS - 60
    os.utime(path, (day_old, day_old))
    cleaner = _start(client, csrf_token, report, "xlsx")  # the next export removes it
    assert not path.exists()
    assert client.get(f"/reports/exports/{job.id}").status_code == 404
    newer = _run(app, cleaner)
    kept = _path(app, newer, "xlsx")
    os.utime(kept, (day_old, day_old))
    with app.app_context():
        sweep = create_job(None, "reports.remove_old_exports")
        Session.commit()
        assert run_job_inline(sweep).result == {"removed": 1}
    assert not kept.exists()
