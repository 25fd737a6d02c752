"""The report pages through the browser's eyes (Flask's test client): the builder (audience
first, a job with progress), exports audited, kaitiaki requests (only their own group's
kaitiaki see and decide them; a decline after an approval removes the quotes from the next
build), and the public page (never an outdated build)."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.db import Session
from app.jobs import run_job_inline
from app.jobs.models import Job
from app.privacy.audit import AuditEvent
from app.reports.export_files import JOB_FORMATS
from app.reports.exports import EXPORTERS
from app.reports.filters import ReportFilters
from app.reports.models import ApprovalRequest, Report
from app.reports.operations import build_report, create_report, latest_build, publish_report

from .conftest import FORBIDDEN, PUBLIC_QUOTE


@pytest.fixture
def analyst(make_user):
    return make_user("analyst")


def _run_jobs(app):
    """Run the queued build jobs in this process (the worker's part)."""
    with app.app_context():
        for job in Session.scalars(select(Job).where(Job.kind == "reports.build",
                                                     Job.status == "queued")).all():
            assert run_job_inline(job).status == "done"
        Session.commit()


def test_the_builder_asks_the_audience_first_then_builds_in_a_job(
        app, client, auth, analyst, scenario, csrf_token):
    auth.login(analyst)
    page = client.get("/reports/new")
    assert "Who is this report for?" in page.text and 'name="title"' not in page.text
    page = client.get("/reports/new?audience=public")
    assert 'name="title"' in page.text and "Data sharing" in page.text
    # The questions filter names closed questions by their label.
    assert "q5: Agencies should state a purpose first" in page.text
    bad = client.post("/reports/new", data={"csrf_token": csrf_token(page.text),
                                            "audience": "public", "title": ""})
    assert bad.status_code == 200 and "Give the report a title." in bad.text
    response = client.post("/reports/new", data={
        "csrf_token": csrf_token(page.text), "audience": "public", "title": "Heard",
        "themes": [str(scenario.themes[0].id)]})
    assert response.status_code == 302 and "/jobs/" in response.headers["Location"]
    _run_jobs(app)
    report = Session.scalar(select(Report).where(Report.title == "Heard"))
    assert latest_build(report).data["themes"][0]["id"] == scenario.themes[0].id
    page = client.get(f"/reports/{report.id}")
    assert PUBLIC_QUOTE in page.text and FORBIDDEN["governed"] not in page.text


@pytest.mark.parametrize("fmt", sorted(set(EXPORTERS) - set(JOB_FORMATS)))
def test_every_export_route_is_audited(client, auth, analyst, scenario, fmt):
    report = create_report(analyst, scenario.consultation, title="R", audience="working_group",
                           filters=ReportFilters())
    build_report(analyst, report)
    auth.login(make_advisory := analyst)
    before = Session.scalar(select(func.count(AuditEvent.id))
                            .where(AuditEvent.action == "reports.exported"))
    response = client.get(f"/reports/{report.id}/export?format={fmt}")
    body = response.get_data()
    assert response.status_code == 200 and body
    assert "attachment" in response.headers["Content-Disposition"]
    after = Session.scalar(select(func.count(AuditEvent.id))
                           .where(AuditEvent.action == "reports.exported"))
    assert after == before + 1 and make_advisory.id


def test_a_kaitiaki_sees_and_decides_only_their_own_groups_requests(
        app, client, auth, analyst, scenario, governed_group, csrf_token, smtp_server):
    # A title no random nonce or asset hash in the page can contain by chance.
    title = "Working group draft on data sharing"
    report = create_report(analyst, scenario.consultation, title=title, audience="working_group",
                           filters=ReportFilters())
    build = build_report(analyst, report)
    from app.reports.approvals import notify_kaitiaki
    Session.commit()
    with app.app_context():  # as the build job sends them: no request
        notify_kaitiaki(build.new_requests)
    messages = smtp_server.wait_for(2)
    assert {m["To"] for m in messages} == {scenario.kaitiaki.email}
    quote = Session.scalar(select(ApprovalRequest).where(ApprovalRequest.report_id == report.id,
                                                         ApprovalRequest.use == "quote"))
    other = governed_group().kaitiaki[0]
    auth.login(other)
    assert title not in client.get("/reports/approvals").text
    assert client.get(f"/reports/approvals/{quote.id}").status_code == 404
    assert client.post(f"/reports/approvals/{quote.id}",
                       data={"decision": "approved"}).status_code in (400, 404)
    auth.login(scenario.kaitiaki)
    listing = client.get("/reports/approvals")
    assert title in listing.text
    page = client.get(f"/reports/approvals/{quote.id}")
    assert FORBIDDEN["governed"] in page.text  # the exact quote, for the kaitiaki only
    response = client.post(f"/reports/approvals/{quote.id}", data={
        "csrf_token": csrf_token(page.text), "decision": "approved",
        "conditions": "Anonymous only"})
    assert response.status_code == 302
    assert FORBIDDEN["governed"] in build_report(analyst, report).content
    # The kaitiaki change their mind: a decline after the approval.
    from app.governance.operations import record_governance_decision
    record_governance_decision(scenario.kaitiaki, scenario.group, scenario.consultation,
                               use="quote", decision="declined")
    assert FORBIDDEN["governed"] not in build_report(analyst, report).content


def test_the_public_page_shows_the_approved_sections_and_never_an_outdated_build(
        client, analyst, scenario):
    report = create_report(analyst, scenario.consultation, title="Heard", audience="public",
                           filters=ReportFilters())
    build = build_report(analyst, report)
    theme = build.data["themes"][0]
    publish_report(analyst, report, ["overview", f"theme-{theme['id']}"])
    Session.commit()
    slug = scenario.consultation.slug
    page = client.get(f"/reports/heard/{slug}")
    assert page.status_code == 200 and PUBLIC_QUOTE in page.text
    assert "Method notes" not in page.text  # a section not approved for the public
    assert "Closed questions" not in page.text  # nor is the question's
    pdf = client.get(f"/reports/heard/{slug}.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    from app.corpus.models import ConsentChange, FeedbackItem
    item = Session.get(FeedbackItem, scenario.items["public"].id)  # the request closed the last
    # As a withdrawal leaves it (withdraw_consent needs the author; this row has none),
    # with the consent change every withdrawal writes: the page's cached consent digest is
    # kept only while no consent change is newer.
    item.consent_analysis, item.consent_version = False, item.consent_version + 1
    Session.add(ConsentChange(item_id=item.id, version=item.consent_version, old_scope="{}",
                              new_scope='{"analysis": false}', reason="withdrawn"))
    Session.commit()
    page = client.get(f"/reports/heard/{slug}")
    assert PUBLIC_QUOTE not in page.text and "not published yet" in page.text
    assert client.get(f"/reports/heard/{slug}.pdf").status_code == 404


def test_a_published_closed_question_shows_on_the_public_page_and_in_its_pdf(
        client, analyst, scenario):
    report = create_report(analyst, scenario.consultation, title="Heard", audience="public",
                           filters=ReportFilters())
    build = build_report(analyst, report)
    (question,) = build.data["closed_questions"]
    publish_report(analyst, report, [question["section"]])
    Session.commit()
    slug = scenario.consultation.slug
    page = client.get(f"/reports/heard/{slug}")
    assert "Closed questions" in page.text and 'role="img"' in page.text
    assert "Overview" not in page.text and PUBLIC_QUOTE not in page.text
    assert "<script>alert" not in page.text  # the prompt's payload is escaped
    pdf = client.get(f"/reports/heard/{slug}.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")


def _pdf_words(data: bytes) -> str:
    import subprocess

    return subprocess.run(["pdftotext", "-", "-"], input=data, capture_output=True,
                          check=True).stdout.decode()


def test_the_public_pdf_is_rendered_once_per_build_and_a_rebuild_serves_the_new_one(
        app, client, analyst, scenario):
    from app.corpus.models import ConsentChange, FeedbackItem
    from app.reports import public_pdf

    report = create_report(analyst, scenario.consultation, title="Heard", audience="public",
                           filters=ReportFilters())
    build = build_report(analyst, report)
    publish_report(analyst, report, ["overview", f"theme-{build.data['themes'][0]['id']}"])
    Session.commit()
    url = f"/reports/heard/{scenario.consultation.slug}.pdf"
    first = client.get(url)
    assert first.status_code == 200 and "PUBLIC-QUOTE" in _pdf_words(first.data)
    with app.app_context():
        (path,) = public_pdf.folder().glob(f"heard-{report.id}-*.pdf")
    rendered = path.stat()
    second = client.get(url)
    assert second.data == first.data
    after = path.stat()  # the same file, not written again: no second rendering
    assert (after.st_ino, after.st_mtime_ns) == (rendered.st_ino, rendered.st_mtime_ns)

    item = Session.get(FeedbackItem, scenario.items["public"].id)
    item.consent_analysis, item.consent_version = False, item.consent_version + 1
    Session.add(ConsentChange(item_id=item.id, version=item.consent_version, old_scope="{}",
                              new_scope='{"analysis": false}', reason="withdrawn"))
    Session.commit()
    assert client.get(url).status_code == 404  # the cached file of an outdated build: never
    build_report(analyst, Session.get(Report, report.id))
    Session.commit()
    third = client.get(url)
    assert third.status_code == 200 and "PUBLIC-QUOTE" not in _pdf_words(third.data)
    with app.app_context():
        (new_path,) = public_pdf.folder().glob(f"heard-{report.id}-*.pdf")
    assert new_path != path and not path.exists()  # the old build's file is gone
