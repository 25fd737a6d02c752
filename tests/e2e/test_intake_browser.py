"""Issue 20's pages in a real browser, at desktop and at phone width (390 px): a person without
an account submits the demo form on one page and sees the receipt at once, then submits again
with a required answer missing and sees what to fix beside the field with everything kept (and
keeps it too when the database is too busy to take the submit); an analyst decides two flagged
submissions in the screening queue, and reads a campaign with a member's variation
highlighted. axe (no serious or critical violation) checks every page, and no page is wider
than the window.

The flagged submissions and the campaign are made the real way: guests post the public form
(the live app's own test client), then the intake sweep runs here as the worker would
(submissions.sweeper) and campaign detection runs (app.corpus.campaigns)."""
from __future__ import annotations

import re
import sqlite3

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect
from sqlalchemy import select

from app.corpus.models import FeedbackCampaign
from app.db import Session

pytestmark = pytest.mark.e2e

VIEWPORTS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}
TEMPLATE = ("I oppose the collection of client-level data by government agencies. Vulnerable "
            "people will stop seeking help if their private details are passed to funders. "
            "Agencies should only receive anonymised, aggregated information.")
ADDITION = "My cousin stopped going to her counsellor because of this."
CONSENT = {"consent-analysis": "yes", "consent-quote": "anonymous", "consent-publish": "public"}


@pytest.fixture(params=list(VIEWPORTS))
def viewport(request, page):
    page.set_viewport_size(VIEWPORTS[request.param])
    return request.param


def _check(page) -> None:
    """No serious or critical axe violation, and nothing wider than the window (no sideways
    scrolling at phone width)."""
    violations = [v for v in Axe().run(page).response["violations"]
                  if v["impact"] in ("serious", "critical")]
    assert not violations, [(v["id"], [n["target"] for n in v["nodes"][:3]]) for v in violations]
    widths = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert widths[0] <= widths[1], f"{page.url}: page {widths[0]} px wide in a {widths[1]} px window"


def _demo_form_id() -> int:
    from submissions.demo import DEMO_FORM_TITLE
    from submissions.models import SubmissionForm

    return Session.scalar(select(SubmissionForm.id).where(SubmissionForm.title == DEMO_FORM_TITLE))


def _post_as_guest(app, form_id: int, name: str, email: str, **answers) -> str:
    """Submit the public form over HTTP as a guest's browser would; the reference."""
    client = app.test_client()
    html = client.get(f"/submissions/forms/{form_id}/submit").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)
    key = re.search(r'name="idempotency_key" value="([^"]+)"', html).group(1)
    response = client.post(f"/submissions/forms/{form_id}/submit", data={
        "csrf_token": token, "idempotency_key": key, "guest_name": name, "guest_email": email,
        **CONSENT, **answers})
    assert response.status_code == 303, response.get_data(as_text=True)[:2000]
    from submissions.models import Submission

    submission_id = int(re.search(r"/receipts/(\d+)", response.headers["Location"]).group(1))
    return Session.get(Submission, submission_id).reference


def _sweep(app) -> None:
    """The worker's part, done here: the intake sweep records and screens what is waiting."""
    from app.jobs import run_job_inline
    from app.jobs.models import Job
    from submissions.sweeper import sweep_if_owed

    with app.app_context():
        sweep_if_owed()
        for job in Session.scalars(select(Job).where(Job.kind == "submissions.sweep",
                                                     Job.status == "queued")).all():
            run_job_inline(job)
        Session.commit()


def _fill_about_and_consent(page, name: str, email: str, *, publish: bool = True) -> None:
    page.get_by_label("Your name").fill(name)
    page.get_by_label("Your email address").fill(email)
    page.get_by_label("Yes, you may read and count my answers").check()
    page.get_by_label("You may quote me without my name").check()
    if publish:
        page.get_by_label("Anyone may read my words, once published").check()


def test_a_guest_submits_the_one_page_form_and_is_told_what_to_fix(page, viewport):
    page.context.clear_cookies()
    page.goto(f"/submissions/forms/{_demo_form_id()}/submit")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Written submission on the data protection and use policy")
    _check(page)
    _fill_about_and_consent(page, "Hēmi Browser", "hemi@example.test")
    page.get_by_label(re.compile("should never collect")).fill("Whakapapa records, never.")
    page.get_by_role("button", name="Submit").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you: your submission is in")
    assert re.fullmatch(r"KOR-[0-9A-Z]{4}-[0-9A-Z]{4}",
                        page.locator(".submissions-reference").inner_text())
    _check(page)

    # Again, without the one required answer (nor who may read it): told beside each, and
    # nothing typed is lost.
    page.goto(f"/submissions/forms/{_demo_form_id()}/submit")
    _fill_about_and_consent(page, "Aroha Browser", "aroha@example.test", publish=False)
    comfortable = page.get_by_label(re.compile("comfortable sharing"))
    comfortable.fill("A purpose statement, in plain words.")
    page.get_by_role("button", name="Submit").click()
    required = page.get_by_label(re.compile("should never collect"))
    expect(required).to_have_attribute("aria-invalid", "true")
    error = page.locator("#question-q2 .error")
    expect(error).to_be_visible()
    message = error.inner_text()
    assert message.strip()
    assert "answer-q2-error" in required.get_attribute("aria-describedby")
    expect(page.get_by_role("alert")).to_contain_text(message)  # the summary, linking to it
    expect(page.get_by_label(re.compile("comfortable sharing"))).to_have_value(
        "A purpose statement, in plain words.")
    expect(page.get_by_label("Your name")).to_have_value("Aroha Browser")
    expect(page.get_by_label("Your email address")).to_have_value("aroha@example.test")
    expect(page.get_by_label("You may quote me without my name")).to_be_checked()
    _check(page)
    page.get_by_role("link", name=message).click()
    expect(required).to_be_focused()
    publish = page.get_by_role("group", name="Who may read your words?")
    expect(publish.locator(".error")).to_have_text("Say who may read your words.")
    page.get_by_role("link", name="Say who may read your words.").click()
    expect(page.get_by_label("Only the secretariat may read my words")).to_be_focused()


@pytest.fixture
def busy(live_server):
    """busy.lock() makes another writer hold the live database's write lock (as on deadline
    day) and the submit path wait only 150 ms for it; busy.release() lets go. The form is kept
    in the process's cache for a minute, as when many people load it."""
    config = live_server.app.config
    saved = {name: config.get(name) for name in ("INTAKE_BUSY_TIMEOUT_MS",
                                                 "INTAKE_FORM_CACHE_SECONDS")}
    config.update(INTAKE_BUSY_TIMEOUT_MS=150, INTAKE_FORM_CACHE_SECONDS=60)
    state = BusyDatabase(config["DATABASE_URL"].removeprefix("sqlite:///"))
    yield state
    state.release()
    for name, value in saved.items():
        if value is None:
            config.pop(name, None)
        else:
            config[name] = value
    from submissions.intake import forget_forms

    forget_forms()


class BusyDatabase:
    def __init__(self, path: str):
        self.path, self.connection = path, None

    def lock(self) -> None:
        self.connection = sqlite3.connect(self.path, timeout=5)
        self.connection.execute("BEGIN IMMEDIATE")

    def release(self) -> None:
        if self.connection is not None:
            self.connection.rollback()
            self.connection.close()
            self.connection = None


def test_a_guest_whose_submit_meets_a_busy_database_keeps_every_answer(page, viewport, busy,
                                                                       live_server):
    page.context.clear_cookies()
    page.goto(f"/submissions/forms/{_demo_form_id()}/submit")
    _fill_about_and_consent(page, "Rāwiri Browser", "rawiri@example.test")
    page.get_by_label(re.compile("should never collect")).fill("My words, kept while busy.")
    busy.lock()
    page.get_by_role("button", name="Submit").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "We are very busy: please try again in a minute")
    expect(page.get_by_label(re.compile("should never collect"))).to_have_value(
        "My words, kept while busy.")
    expect(page.get_by_label("Your name")).to_have_value("Rāwiri Browser")
    _check(page)
    busy.release()  # a minute later
    page.get_by_role("button", name="Submit").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you: your submission is in")

    # The cached form has expired and the database is too busy even to read it: the copy
    # loaded a moment ago still lets the busy page keep every answer.
    page.goto(f"/submissions/forms/{_demo_form_id()}/submit")
    _fill_about_and_consent(page, "Rāwiri Browser", "rawiri@example.test")
    page.get_by_label(re.compile("should never collect")).fill("Kept again.")
    live_server.app.config["INTAKE_FORM_CACHE_SECONDS"] = 0
    busy.lock()
    page.get_by_role("button", name="Submit").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "We are very busy: please try again in a minute")
    expect(page.get_by_label(re.compile("should never collect"))).to_have_value("Kept again.")
    _check(page)
    busy.release()


@pytest.fixture
def flagged(live_server, viewport):
    """Two guests whose names screening flags (a first name only, a pseudonym), swept."""
    form_id = _demo_form_id()
    references = [
        _post_as_guest(live_server.app, form_id, name, f"{name.lower()}-{viewport}@example.test",
                       **{"answer-q2": f"Answers from {name} at {viewport} width."})
        for name in ("Mere", "Anonymous")]
    _sweep(live_server.app)
    return references


def test_an_analyst_accepts_one_flagged_submission_and_rejects_another(page, sign_in,
                                                                        flagged):
    from submissions.models import Submission
    from submissions.screening_models import SubmissionReview

    accept, reject = flagged
    sign_in("analyst")
    page.goto("/submissions/screening")
    expect(page.get_by_role("heading", level=1)).to_have_text("Screening queue")
    _check(page)
    row = page.get_by_role("row").filter(has_text=accept)
    row.get_by_label("Reason").fill("A real person: Mere is her whole name.")
    row.get_by_role("button", name=f"Accept {accept}").click()
    expect(page.get_by_text(f"Decision recorded for {accept}.")).to_be_visible()
    row = page.get_by_role("row").filter(has_text=reject)
    row.get_by_label("Reason").fill("Pseudonymous, and no way to reach the author.")
    row.get_by_role("button", name=f"Reject {reject}").click()
    expect(page.get_by_text(f"Decision recorded for {reject}.")).to_be_visible()
    expect(page.get_by_role("row").filter(has_text=accept)).to_have_count(0)
    _check(page)

    Session.expire_all()
    statuses = dict(Session.execute(
        select(Submission.reference, SubmissionReview.status).join(SubmissionReview.submission)
        .where(Submission.reference.in_(flagged))).all())
    assert statuses == {accept: "accepted", reject: "rejected"}
    page.get_by_label("Show").select_option("rejected")
    page.get_by_role("button", name="Filter").click()
    expect(page.get_by_role("row").filter(has_text=reject)).to_contain_text(
        "Pseudonymous, and no way to reach the author.")
    _check(page)


@pytest.fixture(scope="module")
def campaign_members(live_server):
    """Three guests answer with one template, the third adding a sentence of her own; swept,
    then campaign detection runs."""
    from app.corpus.campaigns import detect_campaigns
    from submissions.models import SubmissionForm

    Session.remove()
    Session.configure(bind=live_server.engine)
    form_id = _demo_form_id()
    texts = [TEMPLATE, TEMPLATE, f"{TEMPLATE} {ADDITION}"]
    references = [_post_as_guest(live_server.app, form_id, f"Tama Rua {n}",
                                 f"tama{n}@example.test", **{"answer-q2": text})
                  for n, text in enumerate(texts)]
    _sweep(live_server.app)
    with live_server.app.app_context():
        detect_campaigns(Session.get(SubmissionForm, form_id).consultation_id)
        Session.commit()
        # This server's database is shared with the other tests of this worker (the other
        # viewport's run adds three more copies): find the campaign the template landed in.
        campaign = Session.scalar(select(FeedbackCampaign)
                                  .where(FeedbackCampaign.template_text == TEMPLATE)
                                  .order_by(FeedbackCampaign.id.desc()))
        found = (campaign.id, campaign.member_count)
    Session.remove()
    return references, *found


def test_an_analyst_reads_a_campaign_with_a_variation_highlighted(page, sign_in, viewport,
                                                                  campaign_members):
    sign_in("analyst")
    page.goto("/submissions/campaigns")
    expect(page.get_by_role("heading", level=1)).to_have_text("Campaigns")
    _check(page)
    references, campaign_id, members = campaign_members
    assert members >= 3
    page.goto(f"/submissions/campaigns/{campaign_id}")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"Campaign of {members} signatories")
    expect(page.locator("blockquote")).to_have_text(TEMPLATE)
    # Marked for the eye (<ins>) and, in words, for a screen reader.
    expect(page.locator(".campaign-members ins").first).to_have_text(f"added: {ADDITION}")
    expect(page.locator(".campaign-members ins .visually-hidden").first).to_have_text(
        "added: ")
    for reference in references:
        expect(page.get_by_role("link", name=reference)).to_be_visible()
    _check(page)
