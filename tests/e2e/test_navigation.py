"""The main navigation on wide screens: every link in a row, no Menu button, in browsers with
::details-content and, emulated, in those without it (Firefox ESR 128/140, Safari before 18.4),
with and without JavaScript. Phones keep their Menu button."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

WIDE = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
ANONYMOUS_LINKS = ("Forum", "Workshops", "Submissions", "Sign in")


def main_nav(page):
    return page.get_by_role("navigation", name="Main")


def menu_button(page):
    return main_nav(page).get_by_text("Menu", exact=True)


def expect_links(page, visible: bool):
    for name in ANONYMOUS_LINKS:
        link = main_nav(page).get_by_role("link", name=name)
        if visible:
            expect(link).to_be_visible()
        else:
            expect(link).to_be_hidden()


def without_details_content(page):
    """Serve korero.css as a browser without ::details-content reads it: a selector naming an
    unknown pseudo-element is dropped, and `@supports not selector(...)` of it holds."""

    def handle(route):
        response = route.fetch()
        css = response.text().replace("::details-content", "::x-unsupported-details-content")
        route.fulfill(response=response, body=css)

    page.route("**/static/css/korero.css", handle)


@pytest.fixture
def page_without_javascript(browser, base_url):
    context = browser.new_context(java_script_enabled=False, base_url=base_url,
                                  viewport=WIDE)
    try:
        yield context.new_page()
    finally:
        context.close()


def test_wide_screens_show_every_link_and_no_menu_button(page):
    page.set_viewport_size(WIDE)
    page.goto("/")
    expect_links(page, visible=True)
    expect(menu_button(page)).to_be_hidden()
    assert page.evaluate("document.querySelector('details.nav-menu').open"), \
        "nav.js did not run (blocked by the CSP?)"


def test_wide_screens_show_the_links_in_a_browser_without_details_content(page, sign_in):
    without_details_content(page)
    page.set_viewport_size(WIDE)
    page.goto("/")
    expect_links(page, visible=True)
    expect(menu_button(page)).to_be_hidden()
    sign_in("admin")
    for name in ("Administration", "Audit log", "Your account"):
        expect(main_nav(page).get_by_role("link", name=name)).to_be_visible()
    expect(main_nav(page).get_by_role("button", name="Sign out")).to_be_visible()


def test_without_javascript_such_a_browser_shows_the_menu_button(page_without_javascript):
    page = page_without_javascript
    without_details_content(page)
    page.goto("/")
    expect_links(page, visible=False)
    expect(menu_button(page)).to_be_visible()
    menu_button(page).click()
    expect_links(page, visible=True)


def test_without_javascript_a_current_browser_shows_the_links(page_without_javascript):
    page = page_without_javascript
    page.goto("/")
    expect_links(page, visible=True)
    expect(menu_button(page)).to_be_hidden()


def test_turning_between_wide_and_phone_keeps_the_right_navigation(page):
    without_details_content(page)
    page.set_viewport_size(PHONE)
    page.goto("/")
    expect(menu_button(page)).to_be_visible()
    expect_links(page, visible=False)
    page.set_viewport_size(WIDE)
    expect_links(page, visible=True)
    expect(menu_button(page)).to_be_hidden()
    page.set_viewport_size(PHONE)
    expect(menu_button(page)).to_be_visible()
    expect_links(page, visible=False)
    menu_button(page).click()
    expect_links(page, visible=True)
