"""Submissions in a real browser: a person without an account fills the demo form, reloads
mid-way and loses nothing (autosave), submits by keyboard alone and downloads the PDF receipt;
an analyst builds a form with a conditional question. axe checks each page on the way."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from app.db import Session

pytestmark = pytest.mark.e2e


def _no_violations(page) -> None:
    violations = Axe().run(page).response["violations"]
    assert not violations, [(v["id"], [n["target"] for n in v["nodes"][:3]]) for v in violations]


def _demo_form_id() -> int:
    from sqlalchemy import select

    from submissions.demo import DEMO_FORM_TITLE
    from submissions.models import SubmissionForm

    return Session.scalar(select(SubmissionForm.id).where(SubmissionForm.title == DEMO_FORM_TITLE))


def test_a_guest_fills_reloads_submits_by_keyboard_and_downloads_the_pdf(page):
    page.goto(f"/submissions/forms/{_demo_form_id()}")
    _no_violations(page)
    page.get_by_role("button", name="Or start a draft you can save and finish later").click()
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    _no_violations(page)
    page.get_by_label("Your name").fill("Hēmi Browser")
    page.get_by_label("Your email address").fill("hemi@example.test")
    first = page.get_by_label(re.compile("should never collect"))
    first.fill("Whakapapa records, never.")
    expect(page.locator("#autosave-status")).to_contain_text("Draft saved at", timeout=15_000)
    page.reload()
    expect(page.get_by_label(re.compile("should never collect"))).to_have_value(
        "Whakapapa records, never.")
    expect(page.get_by_label("Your name")).to_have_value("Hēmi Browser")
    # The rest by keyboard alone: focus moves with Tab, choices with Space, submit with Enter.
    page.get_by_label("Yes, you may read and count my answers").focus()
    page.keyboard.press("Space")
    page.get_by_label("You may quote me without my name").focus()
    page.keyboard.press("Space")
    page.get_by_label("Anyone may read my words, once published").focus()
    page.keyboard.press("Space")
    page.get_by_role("button", name="Submit").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you: your submission is in")
    reference = page.locator(".submissions-reference").inner_text()
    assert re.fullmatch(r"KOR-[0-9A-Z]{4}-[0-9A-Z]{4}", reference)
    _no_violations(page)
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download a PDF copy").click()
    download = download_info.value
    assert download.suggested_filename == f"{reference}.pdf"
    assert Path(download.path()).read_bytes()[:5] == b"%PDF-"


def test_an_analyst_builds_a_form_with_a_conditional_question(page, sign_in):
    sign_in("analyst")
    page.goto("/submissions/manage")
    _no_violations(page)
    page.get_by_label("Title").fill("Browser-built form")
    page.get_by_role("button", name="Create the form").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Browser-built form")
    _no_violations(page)
    page.get_by_label("Kind").select_option("yes_no")
    page.get_by_label("Question (or section heading)").fill("Do you share data?")
    page.get_by_role("button", name="Add the question").click()
    page.get_by_label("Kind").select_option("long_text")
    page.get_by_label("Question (or section heading)").fill("Who with?")
    page.get_by_label("Show only when this question…").select_option(label="Do you share data?")
    page.get_by_label("…has this answer").fill("yes")
    page.get_by_role("button", name="Add the question").click()
    expect(page.get_by_text("shown when q1 is “yes”")).to_be_visible()
    page.get_by_role("link", name="Preview").click()
    who = page.locator("[data-show-if-key]")
    expect(who).to_be_hidden()
    page.get_by_label("Yes", exact=True).check()
    expect(who).to_be_visible()
    _no_violations(page)


def test_a_guest_opens_their_receipt_link_and_withdraws(page):
    from sqlalchemy import select

    from submissions.guest_links import issue_guest_link
    from submissions.models import Submission

    submission = Session.scalar(select(Submission).where(
        Submission.submitted_by_id.is_(None), Submission.withdrawn_at.is_(None))
        .order_by(Submission.id.desc()))
    token = issue_guest_link(submission)  # as the receipt email does
    Session.commit()
    page.context.clear_cookies()
    page.goto(f"/submissions/yours/{token}")
    expect(page.get_by_role("heading", level=1)).to_contain_text(submission.reference)
    _no_violations(page)
    page.get_by_role("button", name="Withdraw this submission").click()
    expect(page.get_by_text("Your submission is withdrawn")).to_be_visible()
    _no_violations(page)
