"""Forms a first-time visitor fills, in a real browser: a field in error really looks it (red
bar and border, from the stylesheet as the browser computes it), focus lands on the error
summary, its links lead to the fields; sign-in says where it goes next; demo accounts are not
offered forms that cannot work; the admin forms explain roles, list members and preview the
summary. Every page checked is also run through axe."""
from __future__ import annotations

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect
from sqlalchemy import select

from app.db import Session
from app.models import Organisation, User

from .test_accessibility import describe

ERROR_RED = "rgb(179, 38, 30)"  # --error in korero.css


@pytest.fixture(scope="module")
def axe():
    return Axe()


def assert_accessible(page, axe):
    violations = axe.run(page).response["violations"]
    assert not violations, describe(violations)


def styles(locator, *properties):
    return locator.evaluate(
        "(el, props) => { const s = getComputedStyle(el);"
        " return Object.fromEntries(props.map(p => [p, s.getPropertyValue(p)])); }",
        list(properties))


def test_a_failed_sign_in_shows_its_errors_and_focuses_the_summary(page, axe):
    page.goto("/account/login")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state("load")
    expect(page).to_have_title(re.compile(r"^Error: Sign in"))

    summary = page.locator("[data-error-summary]")
    expect(summary).to_be_visible()
    expect(summary).to_be_focused()
    # The summary comes before the page's heading.
    order = page.evaluate("""() => {
        const s = document.querySelector('[data-error-summary]');
        const h = document.querySelector('main h1');
        return s.compareDocumentPosition(h) & Node.DOCUMENT_POSITION_FOLLOWING; }""")
    assert order, "the error summary is not above the heading"

    field = page.locator(".field.has-error").filter(has=page.locator("#email"))
    bar = styles(field, "border-left-width", "border-left-style", "border-left-color",
                 "padding-left")
    assert bar == {"border-left-width": "5px", "border-left-style": "solid",
                   "border-left-color": ERROR_RED, "padding-left": bar["padding-left"]}
    assert float(bar["padding-left"].removesuffix("px")) > 10
    box = styles(page.locator("#email"), "border-top-width", "border-top-color",
                 "border-left-width", "border-left-color")
    assert box == {"border-top-width": "3px", "border-top-color": ERROR_RED,
                   "border-left-width": "3px", "border-left-color": ERROR_RED}
    # A field that is fine keeps its ordinary look.
    page.locator("#password").evaluate("el => el.closest('.field').classList.remove('has-error')")
    assert styles(page.locator("#password"), "border-top-color")["border-top-color"] != ERROR_RED

    assert_accessible(page, axe)

    summary.get_by_role("link", name="Enter your email address.").click()
    expect(page.locator("#email")).to_be_focused()
    expect(page.get_by_text("Email address", exact=True)).to_be_in_viewport()


def test_a_group_in_error_gets_the_bar_and_its_summary_link_focuses_the_first_option(
        page, sign_in, axe):
    sign_in("admin")
    page.goto("/admin/organisations/new")
    page.get_by_label("Name").fill("Ngā Kete Trust")
    page.get_by_role("button", name="Add organisation").click()
    page.wait_for_load_state("load")
    summary = page.locator("[data-error-summary]")
    expect(summary).to_be_focused()
    group = page.locator("fieldset.has-error")
    assert styles(group, "border-left-width", "border-left-color") == {
        "border-left-width": "5px", "border-left-color": ERROR_RED}
    assert_accessible(page, axe)
    summary.get_by_role("link").click()
    expect(page.locator("#stakeholder_group-0")).to_be_focused()
    expect(page.get_by_text("Stakeholder group", exact=True)).to_be_in_viewport()


def test_a_protected_page_says_why_it_asks_you_to_sign_in(page, axe, live_server):
    page.goto("about:blank")  # no request in flight may set the session again
    page.context.clear_cookies()
    page.goto("/admin/people")
    expect(page).to_have_url(re.compile(r"/account/login\?next="))
    expect(page.get_by_text("Sign in to continue to People.")).to_be_visible()
    assert_accessible(page, axe)
    page.goto("/account/login?next=/admin/people/%3Cb%3EPay%20here%3C/b%3E")
    expect(page.get_by_text("Sign in to continue to the page you asked for.")).to_be_visible()
    expect(page.get_by_text("Pay here")).to_have_count(0)
    # After signing in, it really continues there.
    page.goto("/account/login?next=/admin/people")
    page.get_by_label("Email address").fill("admin@demo.korero.nz")
    page.get_by_label("Password", exact=True).fill("korero-demo-2026")
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/admin/people$"))


def test_a_demo_account_is_not_offered_a_password_change(page, sign_in, axe):
    sign_in("participant")
    page.goto("/account/")
    expect(page.get_by_role("link", name="Change your password")).to_have_count(0)
    expect(page.get_by_text("cannot be changed here or by a password reset")).to_be_visible()
    page.goto("/account/password")
    expect(page.get_by_text("This is a shared demo account")).to_be_visible()
    expect(page.locator("input[type=password]")).to_have_count(0)
    assert_accessible(page, axe)


def test_a_persons_page_explains_each_role_and_lists_organisations_as_tick_boxes(
        page, sign_in, axe):
    person = Session.scalar(select(User).where(User.email == "participant@demo.korero.nz"))
    sign_in("admin")
    page.goto(f"/admin/people/{person.id}")
    roles = page.get_by_role("group", name="Roles")
    analyst = roles.get_by_role("checkbox", name="Analyst (secretariat)")
    expect(analyst).to_have_accessible_description(re.compile(r"^Moderate, code feedback"))
    expect(roles.get_by_text("Staff: needs two-factor sign-in")).to_have_count(5)
    organisations = page.get_by_role("group", name="Organisations")
    expect(organisations.get_by_role("checkbox", name="Harbourside Family Services")
           ).to_be_checked()
    expect(page.locator("select[multiple]")).to_have_count(0)
    assert_accessible(page, axe)


def test_an_organisations_page_links_to_its_members(page, sign_in, axe):
    org = Session.scalar(select(Organisation).where(
        Organisation.name == "Harbourside Family Services"))
    sign_in("admin")
    page.goto(f"/admin/organisations/{org.id}")
    members = page.get_by_role("region", name="Members")
    expect(members.get_by_role("link", name="Tama Wilson")).to_be_visible()
    expect(members.get_by_role("link", name="Losa Faleolo")).to_be_visible()
    members.get_by_role("link", name="Tama Wilson").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Tama Wilson")
    assert_accessible(page, axe)


def test_the_consultation_summary_can_be_previewed_before_saving(page, sign_in, axe):
    sign_in("admin")
    page.goto("/admin/consultations/new")
    summary = page.get_by_label("Summary")
    assert float(styles(summary, "height")["height"].removesuffix("px")) >= 300
    page.get_by_label("Title").fill("A trial consultation")
    summary.fill("## What we ask\n\nShould **providers** share data?\n\n<script>alert(1)</script>")
    page.get_by_role("button", name="Preview summary").click()
    page.wait_for_load_state("load")
    expect(page).to_have_url(re.compile(r"#summary-preview$"))
    preview = page.get_by_role("region", name=re.compile("Preview of the summary"))
    expect(preview.get_by_role("heading", name="What we ask")).to_be_visible()
    expect(preview.locator("strong")).to_have_text("providers")
    expect(preview.locator("script")).to_have_count(0)
    expect(page.get_by_role("textbox", name="Summary")).to_have_value(re.compile(r"<script>alert\(1\)</script>"))
    expect(page.get_by_label("Title")).to_have_value("A trial consultation")
    expect(page.locator("[data-error-summary]")).to_have_count(0)
    assert_accessible(page, axe)
    page.goto("/admin/consultations")
    expect(page.get_by_text("A trial consultation")).to_have_count(0)  # nothing was saved


def test_times_read_the_same_way_everywhere(page, sign_in):
    sign_in("admin")
    pattern = re.compile(r"^\d{1,2}(:\d{2})?(am|pm), \d{1,2} [A-Z][a-z]+ \d{4}$")
    for url in ("/", "/admin/consultations", "/admin/invitations"):
        page.goto(url)
        times = page.locator("main time")
        for index in range(times.count()):
            text = times.nth(index).inner_text()
            assert pattern.match(text), f"{url}: {text!r}"
    page.goto("/")
    closes = page.locator("main time").nth(1).inner_text()
    assert closes.startswith("5pm, "), closes
