"""What a newcomer does first, in a real browser: read the home page, sign in as each demo role
and see the right navigation, get a wrong password wrong, use the keyboard and a phone."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

PHONE = {"width": 390, "height": 844}

# What each demo role must (True) and must not (False) find in the main navigation.
NAVIGATION = {
    "admin": {"Administration": True, "Audit log": True},
    "advisory": {"Administration": False, "Audit log": True},
    "analyst": {"Administration": False, "Audit log": False},
    "facilitator": {"Administration": False, "Audit log": False},
    "kaitiaki": {"Administration": False, "Audit log": False},
    "participant": {"Administration": False, "Audit log": False},
    "participant2": {"Administration": False, "Audit log": False},
}


def main_nav(page):
    return page.get_by_role("navigation", name="Main")


def test_home_page_shows_the_consultation_and_three_ways_to_take_part(page):
    page.goto("/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Data protection and use policy")
    expect(page.get_by_text("Open for feedback")).to_be_visible()
    expect(page.get_by_text("Closes", exact=True)).to_be_visible()
    for name, path in (("Join the forum", "/forums/"), ("Come to a workshop", "/workshops/"),
                       ("Make a submission", "/submissions/")):
        link = page.get_by_role("link", name=name)
        expect(link).to_be_visible()
        expect(link).to_have_attribute("href", path)
    page.get_by_role("link", name="Make a submission").click()
    expect(page).to_have_url(f"{page.url.split('/submissions')[0]}/submissions/")
    expect(page.get_by_role("heading", level=1)).to_be_visible()


@pytest.mark.parametrize("role", sorted(NAVIGATION))
def test_each_demo_role_signs_in_sees_its_navigation_and_signs_out(page, sign_in, role):
    sign_in(role)
    nav = main_nav(page)
    expect(nav.get_by_role("link", name="Your account")).to_be_visible()
    expect(nav.get_by_role("link", name="Sign in")).to_have_count(0)
    for link, shown in NAVIGATION[role].items():
        expect(nav.get_by_role("link", name=link)).to_have_count(1 if shown else 0)
    if NAVIGATION[role]["Administration"]:
        nav.get_by_role("link", name="Administration").click()
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        expect(page.get_by_text("You do not have access")).to_have_count(0)
    if NAVIGATION[role]["Audit log"]:
        nav.get_by_role("link", name="Audit log").click()
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        expect(page.get_by_text("You do not have access")).to_have_count(0)
    nav.get_by_role("button", name="Sign out").click()
    expect(main_nav(page).get_by_role("link", name="Sign in")).to_be_visible()
    expect(main_nav(page).get_by_role("link", name="Your account")).to_have_count(0)
    page.goto("/account/")
    expect(page).to_have_url(re.compile(r"/account/login\?next="))


def test_a_participant_cannot_open_administration(page, sign_in):
    sign_in("participant")
    response = page.goto("/admin/")
    assert response.status == 403
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "You do not have access to this page")


def test_a_wrong_password_shows_an_error_and_keeps_the_email(page, sign_in):
    sign_in("participant", password="not the right password at all")
    expect(page.get_by_role("alert")).to_be_visible()
    expect(page.get_by_label("Email address")).to_have_value("participant@demo.korero.nz")
    expect(page.get_by_label("Password", exact=True)).to_have_value("")
    expect(main_nav(page).get_by_role("link", name="Sign in")).to_be_visible()


def test_tab_from_the_top_reaches_the_skip_link_first(page):
    page.goto("/")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to main content")
    expect(skip).to_be_focused()
    expect(skip).to_be_visible()  # it shows itself when focused
    page.keyboard.press("Enter")
    expect(page.locator("main#main")).to_be_focused()


def test_the_focus_is_visible(page):
    page.goto("/")
    page.keyboard.press("Tab")
    outline = page.evaluate(
        "getComputedStyle(document.activeElement).outlineStyle")
    assert outline not in ("none", ""), "the focused skip link shows no outline"


def _has_no_horizontal_scroll(page) -> bool:
    return page.evaluate(
        "document.scrollingElement.scrollWidth <= window.innerWidth")


@pytest.mark.parametrize("path", ["/", "/account/login", "/forums/", "/workshops/",
                                  "/submissions/", "/privacy", "/no-such-page"])
def test_a_phone_gets_the_menu_button_and_no_sideways_scrolling(page, path):
    page.set_viewport_size(PHONE)
    page.goto(path)
    menu = page.get_by_text("Menu", exact=True)
    expect(menu).to_be_visible()
    expect(main_nav(page).get_by_role("link", name="Sign in")).to_be_hidden()
    menu.click()
    expect(main_nav(page).get_by_role("link", name="Sign in")).to_be_visible()
    assert _has_no_horizontal_scroll(page), f"{path} scrolls sideways on a phone"


def test_admin_pages_fit_a_phone(page, sign_in):
    page.set_viewport_size(PHONE)
    sign_in("admin")
    for path in ("/admin/", "/admin/people", "/admin/organisations", "/admin/invitations",
                 "/admin/consultations", "/oversight/audit", "/account/"):
        response = page.goto(path)
        assert response.ok, f"{path}: {response.status}"
        assert _has_no_horizontal_scroll(page), f"{path} scrolls sideways on a phone"
