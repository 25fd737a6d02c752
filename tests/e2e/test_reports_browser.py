"""Reports in Chromium with axe: an analyst builds a report (a real worker runs the job) and
exports it; a theme named with a script payload stays text; a kaitiaki reads their requests;
the public "what we heard" page on a phone, with its PDF."""
from __future__ import annotations

import os
import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from axe_support import no_violations
from playwright.sync_api import expect
from sqlalchemy import select
from worker_support import start_worker, stop_worker

from app.db import Session

PHONE = {"width": 390, "height": 844}
XSS = '<img src=x onerror="window.__xss=1"><script>window.__xss=1</script>'


@pytest.fixture(scope="module")
def axe():
    return Axe()


@pytest.fixture
def worker(live_server, tmp_path):
    config = live_server.app.config
    env = {**os.environ, "KORERO_INSTANCE_PATH": live_server.app.instance_path,
           "DATABASE_URL": config["DATABASE_URL"], "JOBS_SQLITE_PATH": config["JOBS_SQLITE_PATH"],
           "SECRET_KEY": "e2e-worker", "REDIS_URL": "", "JOBS_PROGRESS_SECONDS": "0"}
    env.pop("TEST_DATABASE_URL", None)
    process = start_worker(env, tmp_path / "worker.log", threads=1)
    yield process
    stop_worker(process)


def _add_xss_theme(live_server):
    from app.analysis.operations import create_theme, get_or_create_codebook
    from app.models import User
    from app.queries import get_current_consultation

    with live_server.app.app_context():
        analyst = Session.scalar(select(User).where(User.email.like("analyst@%")))
        codebook = get_or_create_codebook(analyst, get_current_consultation())
        if not any(theme.name == XSS for theme in codebook.themes):
            create_theme(analyst, codebook, name=XSS, description=XSS)
        Session.commit()


def test_an_analyst_builds_and_exports_a_report(page, sign_in, worker, axe, live_server):
    _add_xss_theme(live_server)
    sign_in("analyst")
    page.goto("/reports/")
    no_violations(axe, page)
    page.get_by_role("link", name="New report").click()
    no_violations(axe, page)
    page.get_by_label("The working group (and the advisory group)").check()
    page.get_by_role("button", name="Next: what the report covers").click()
    no_violations(axe, page)
    page.get_by_label("Title").fill("Browser report")
    page.get_by_role("button", name="Build the report").click()
    page.wait_for_url(re.compile(r"/jobs/\d+$"))
    expect(page.locator("#job-status")).to_have_text("Finished", timeout=60_000)
    page.goto("/reports/")
    page.get_by_role("link", name="Browser report").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Browser report")
    expect(page.get_by_role("heading", name=XSS)).to_be_visible()
    assert page.evaluate("window.__xss") is None
    no_violations(axe, page)
    for label in ("HTML", "CSV (items)", "Markdown"):
        with page.expect_download() as download:
            page.get_by_role("link", name=label, exact=True).click()
        path = download.value.path()
        assert path and os.path.getsize(path) > 0
    # The slow formats are made by a job: its page links to the file when it is ready.
    page.get_by_role("button", name="Make the Excel (XLSX) file").click()
    page.wait_for_url(re.compile(r"/jobs/\d+$"))
    link = page.get_by_role("link", name="Download the file")
    expect(link).to_be_visible(timeout=60_000)
    no_violations(axe, page)
    with page.expect_download() as download:
        link.click()
    assert download.value.suggested_filename.endswith(".xlsx")
    assert os.path.getsize(download.value.path()) > 0


def test_a_kaitiaki_reads_their_requests(page, sign_in, axe):
    sign_in("kaitiaki")
    page.goto("/reports/approvals")
    expect(page.get_by_role("heading", level=1)).to_have_text("Report requests")
    no_violations(axe, page)
    page.get_by_role("link", name=re.compile("quoting")).first.click()
    expect(page.get_by_role("button", name="Record my decision")).to_be_visible()
    no_violations(axe, page)


def test_the_public_page_reads_on_a_phone(browser, base_url, axe, live_server):
    from app.models import User
    from app.queries import get_current_consultation
    from app.reports.models import Report
    from app.reports.operations import build_report

    with live_server.app.app_context():
        slug = get_current_consultation().slug
        # Other tests on this server may withdraw items, which rightly marks the published
        # build outdated (and the page then shows no results): rebuild it, as an analyst would.
        analyst = Session.scalar(select(User).where(User.email.like("analyst@%")))
        report = Session.scalars(select(Report).where(
            Report.published.is_(True), Report.audience == "public")
            .order_by(Report.published_at.desc())).first()
        build_report(analyst, report)
        Session.commit()
    context = browser.new_context(viewport=PHONE, base_url=base_url)
    page = context.new_page()
    page.goto(f"/reports/heard/{slug}")
    expect(page.get_by_role("heading", level=1)).to_have_text("What we heard")
    # The demo's published closed questions: a chart named by its question, a table beside.
    expect(page.get_by_role("heading", name="Closed questions")).to_be_visible()
    expect(page.get_by_role("img", name=re.compile("^Answers to: ")).first).to_be_visible()
    expect(page.get_by_role("table", name="Answers overall").first).to_be_visible()
    no_violations(axe, page)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"] + 1, f"the page scrolls sideways ({width}px)"
    with page.expect_download(timeout=60_000) as download:
        page.get_by_role("link", name="Download as PDF").click()
    with open(download.value.path(), "rb") as pdf:
        assert pdf.read(4) == b"%PDF"
    context.close()
