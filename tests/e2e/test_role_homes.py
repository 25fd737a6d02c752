"""A first-time visitor's path in a real browser: every role lands on "Your tasks"; a feature
that is not built yet never loops back to its own "sign in" button; the header fits a laptop
and the phone menu shows its state; two-factor set-up works on a phone; the logo, icons and
footer are there and nothing on a page answers 404."""
from __future__ import annotations

import secrets

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from app.auth.operations import create_user
from app.db import Session
from tests.e2e.test_accessibility import describe

ROLES = ("admin", "analyst", "facilitator", "advisory", "kaitiaki", "participant")
PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="module")
def axe():
    return Axe()


@pytest.mark.parametrize("role", ROLES)
def test_every_role_lands_on_your_tasks(page, sign_in, axe, role):
    sign_in(role)
    assert page.url.endswith("/tasks"), page.url
    expect(page.get_by_role("heading", level=1)).to_have_text("Your tasks")
    # Either what needs them (from the packages' task hooks, each a link with its count) or,
    # when nothing does, a kind word and the ways to take part.
    tasks = page.locator(".task-list .task")
    if tasks.count():
        expect(tasks.first.locator("a.task-name")).to_be_visible()
        expect(tasks.first.locator(".task-count")).to_contain_text("to do")
    else:
        expect(page.get_by_role("heading", name="Nothing needs you right now")).to_be_visible()
        expect(page.get_by_role("link", name="Come to a workshop")).to_be_visible()
    expect(page.get_by_role("navigation", name="Main").get_by_role("link", name="Your tasks")) \
        .to_have_attribute("aria-current", "page")
    violations = axe.run(page).response["violations"]
    assert not violations, describe(violations)


# (The demo submission form takes submissions from people without an account, so the
# submissions page offers no sign-in button to anyone.)
@pytest.mark.parametrize("path", ["/workshops/"])
def test_signing_in_from_a_feature_page_comes_back_to_it_and_the_button_is_gone(page, path):
    page.goto(path)
    main = page.get_by_role("main")
    expect(main).not_to_contain_text("not open yet")
    main.get_by_role("link", name="Sign in to take part").click()
    page.get_by_label("Email address").fill("participant@demo.korero.nz")
    page.get_by_label("Password", exact=True).fill("korero-demo-2026")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state("load")
    assert page.url.endswith(path), page.url
    expect(page.get_by_role("main").get_by_role("link", name="Sign in to take part")) \
        .to_have_count(0)


# ---------------------------------------------------------------- the header


def _rows(page, selector: str) -> list[float]:
    """The vertical middle of each element: all the same when they sit on one row."""
    return page.eval_on_selector_all(selector, """els => els.map(e => {
        const box = e.getBoundingClientRect(); return Math.round(box.top + box.height / 2); })""")


@pytest.mark.parametrize("width", [800, 900, 1000, 1280])
def test_the_header_does_not_wrap_on_a_laptop(page, sign_in, width):
    page.set_viewport_size({"width": width, "height": 800})
    sign_in("admin")  # the most links of any role
    service = _rows(page, ".nav-service > li")
    account = _rows(page, ".nav-account > li")
    assert len(service) == 6 and len(account) == 3
    assert len(set(service)) == 1, f"the service links wrap at {width}px: {service}"
    assert len(set(account)) == 1, f"the account links wrap at {width}px: {account}"
    brand = page.locator(".brand").bounding_box()
    sign_out = page.get_by_role("button", name="Sign out").bounding_box()
    # The person's own links sit level with the logo, clear of it, inside the window.
    assert abs((sign_out["y"] + sign_out["height"] / 2) - (brand["y"] + brand["height"] / 2)) < 8
    assert page.locator(".nav-account").bounding_box()["x"] > brand["x"] + brand["width"]
    assert sign_out["x"] + sign_out["width"] <= width
    assert page.evaluate("document.documentElement.scrollWidth") <= width


def test_the_phone_menu_button_is_centred_and_shows_when_it_is_open(page, sign_in):
    page.set_viewport_size(PHONE)
    sign_in("admin")
    summary = page.locator("details.nav-menu > summary")
    header = page.locator(".header-row").bounding_box()
    box = summary.bounding_box()
    middle = header["y"] + header["height"] / 2
    assert abs((box["y"] + box["height"] / 2) - middle) < 3, (box, header)
    closed = summary.evaluate("e => getComputedStyle(e).backgroundColor")
    summary.click()
    assert page.evaluate("document.querySelector('details.nav-menu').open")
    opened = summary.evaluate("e => getComputedStyle(e).backgroundColor")
    assert opened != closed, "the Menu button looks the same open and closed"
    arrow = summary.evaluate("e => getComputedStyle(e, '::after').transform")
    summary.click()
    assert summary.evaluate("e => getComputedStyle(e, '::after').transform") != arrow
    expect(page.get_by_role("link", name="Your tasks")).to_be_hidden()


# ---------------------------------------------------------------- two-factor on a phone


@pytest.fixture
def new_participant(live_server):
    """A real (not demo) account, which may turn on two-factor sign-in."""
    email = f"phone-{secrets.token_hex(4)}@example.org"
    with live_server.app.app_context():
        create_user(None, email=email, display_name="Rawiri Phone", roles=["participant"],
                    password="a long pōhutukawa summer", is_demo=False)
        Session.commit()
    return email


def test_two_factor_set_up_on_a_phone(page, sign_in, new_participant, axe):
    page.set_viewport_size(PHONE)
    page.goto("/account/login")
    page.get_by_label("Email address").fill(new_participant)
    page.get_by_label("Password", exact=True).fill("a long pōhutukawa summer")
    page.get_by_role("button", name="Sign in").click()
    page.goto("/account/two-factor/setup")
    link = page.get_by_role("link", name="Open in your authenticator app")
    href = link.get_attribute("href")
    assert href.startswith("otpauth://totp/") and "secret=" in href and "issuer=" in href
    groups = page.locator(".secret-key .key-group")
    assert groups.count() == 8
    for index in range(groups.count()):
        group = groups.nth(index)
        assert len(group.inner_text()) == 4
        # One box per group: no group is broken across two lines.
        assert group.evaluate("e => e.getClientRects().length") == 1
    assert "".join(groups.all_inner_texts()) in href
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    violations = axe.run(page).response["violations"]
    assert not violations, describe(violations)


# ---------------------------------------------------------------- logo, icons, footer


def test_no_page_asks_for_something_missing(page, sign_in):
    missing = []
    page.on("response", lambda r: missing.append(r.url) if r.status == 404 else None)
    for path in ("/", "/privacy", "/accessibility", "/workshops/"):
        page.goto(path)
    sign_in("admin")
    page.goto("/admin/people")
    assert not missing, f"404s while loading pages: {missing}"
    assert page.request.get("/favicon.ico").status == 200
    icons = page.eval_on_selector_all("link[rel~=icon], link[rel=apple-touch-icon]",
                                      "els => els.map(e => e.href)")
    assert len(icons) == 3
    for url in icons:
        assert page.request.get(url).status == 200, url


def test_the_logo_the_footer_and_no_language_switcher(page):
    page.goto("/")
    logo = page.locator("header img.brand-logo")
    assert logo.get_attribute("alt") == "Kōrero" and logo.get_attribute("lang") == "mi"
    assert logo.evaluate("e => e.complete && e.naturalWidth > 0")
    expect(page.get_by_role("link", name="Kōrero", exact=True)).to_have_attribute("href", "/")
    footer = page.get_by_role("contentinfo")
    expect(footer).to_contain_text("Run by Office for Social Data Standards (demo).")
    expect(footer.get_by_role("link", name="consultation@demo.korero.nz")).to_be_visible()
    expect(footer).to_contain_text("©")
    expect(page.get_by_label("Language")).to_have_count(0)
    assert page.evaluate("document.documentElement.lang") == "en-NZ"


def test_the_people_table_gives_names_room_and_tags_only_exceptions(page, sign_in):
    page.set_viewport_size({"width": 1280, "height": 800})
    sign_in("admin")
    page.goto("/admin/people")
    table = page.locator("table.people-table")
    expect(table).to_be_visible()
    expect(table).not_to_contain_text("Enabled")
    names = table.locator("tbody td:first-child a")
    assert names.count() >= 7
    for index in range(names.count()):
        # Each name on one line.
        assert names.nth(index).evaluate("e => e.getClientRects().length") == 1
    assert table.locator("th.col-name").bounding_box()["width"] >= 170
