"""Workshops in Chromium with axe: a participant books, joins a waitlist and cancels; a
facilitator checks people in on a phone-sized screen; the booking done by keyboard alone; a
facilitator adds and removes a co-facilitator."""
from __future__ import annotations

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from axe_support import no_violations
from playwright.sync_api import expect

PHONE = {"width": 390, "height": 844}
OPEN = "Hui: client data in social services (Tāmaki Makaurau)"
FULL = "Talanoa: Pasifika families and data"


@pytest.fixture(scope="module")
def axe():
    return Axe()


def open_workshop(page, title):
    page.goto("/workshops/")
    # .first: a facilitator also finds the workshops they run under "Your workshops".
    page.get_by_role("link", name=title).first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(title)


def test_participant_books_joins_a_waitlist_and_cancels(page, sign_in, axe):
    sign_in("participant")
    page.goto("/workshops/")
    no_violations(axe, page)
    open_workshop(page, OPEN)
    no_violations(axe, page)
    page.get_by_role("link", name="Book a place").click()
    no_violations(axe, page)
    page.get_by_label("Access needs (optional)").fill("A quiet room for breaks")
    page.get_by_role("button", name="Book my place").click()
    expect(page.get_by_text("Your place is booked")).to_be_visible()
    expect(page.get_by_text("You have a place.")).to_be_visible()

    open_workshop(page, FULL)
    page.get_by_role("link", name="Join the waitlist").click()
    page.get_by_role("button", name="Join the waitlist").click()
    expect(page.get_by_text("You are number 2 on the waitlist.")).to_be_visible()
    no_violations(axe, page)

    page.goto("/workshops/mine")
    no_violations(axe, page)
    page.get_by_role("button", name=re.compile(r"Cancel my booking.*Talanoa")).click()
    expect(page.get_by_text("Your booking is cancelled.")).to_be_visible()
    page.goto("/workshops/mine")
    expect(page.get_by_role("link", name=FULL)).to_have_count(0)
    expect(page.get_by_role("link", name=OPEN)).to_be_visible()


def test_facilitator_checks_people_in_on_a_phone(browser, base_url, axe):
    context = browser.new_context(viewport=PHONE, base_url=base_url)
    page = context.new_page()
    page.goto("/account/login")
    page.get_by_label("Email address").fill("facilitator@demo.korero.nz")
    page.get_by_label("Password", exact=True).fill("korero-demo-2026")
    page.get_by_role("button", name="Sign in").click()
    open_workshop(page, FULL)
    page.get_by_role("link", name="Roster and check-in").click()
    no_violations(axe, page)
    attended = page.get_by_role("button", name=re.compile(r"^Attended.*Losa Faleolo"))
    box = attended.bounding_box()
    assert box["height"] >= 44 and box["x"] + box["width"] <= PHONE["width"]
    attended.click()
    expect(page.get_by_role("button", name=re.compile(r"^Attended.*Losa Faleolo"))).to_have_attribute(
        "aria-pressed", "true")
    page.get_by_role("button", name=re.compile(r"^No-show.*Sione Taufa")).click()
    expect(page.get_by_role("button", name=re.compile(r"^No-show.*Sione Taufa"))).to_have_attribute(
        "aria-pressed", "true")
    context.close()


def tab_to(page, name: str, limit: int = 80) -> None:
    """Press Tab until the focused element's text is NAME."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.innerText || ''").strip() == name:
            return
    raise AssertionError(f"never reached {name!r} with the Tab key")


def test_booking_by_keyboard_alone(page, sign_in):
    sign_in("participant2")
    page.goto("/workshops/")
    tab_to(page, "Online fono: consent and data sharing")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Online fono: consent and data sharing")
    tab_to(page, "Book a place")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/book$"))
    page.wait_for_load_state("load")
    tab_to(page, "Book my place")
    page.keyboard.press("Enter")
    expect(page.get_by_text("Your place is booked")).to_be_visible()
    expect(page.get_by_role("link", name="https://meet.example.test/korero-demo")).to_be_visible()


def test_facilitator_withdraws_an_output_with_a_reason(page, sign_in, axe):
    from sqlalchemy import select

    from app.db import Session
    from workshops.models import Workshop

    past = Session.scalar(select(Workshop).where(
        Workshop.title == "Workshop: what providers collect today"))
    sign_in("facilitator")
    page.goto(f"/workshops/{past.id}/outputs")
    no_violations(axe, page)
    page.get_by_role("link", name=re.compile(r"Withdraw")).first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Withdraw a key point")
    no_violations(axe, page)
    page.get_by_role("button", name="Withdraw this key point").click()  # no reason yet
    expect(page.get_by_text("There is a problem")).to_be_visible()
    no_violations(axe, page)
    page.get_by_label("Why is this key point withdrawn?").fill("The room asked for it.")
    page.get_by_role("button", name="Withdraw this key point").click()
    expect(page.get_by_text("Key point withdrawn")).to_be_visible()
    expect(page.get_by_text("Withdrawn", exact=True)).to_be_visible()


def test_facilitator_adds_and_removes_a_co_facilitator(page, sign_in, axe):
    from sqlalchemy import select

    from app.db import Session
    from app.models import User, UserRole
    from workshops.models import Workshop

    colleague = User(email="co-facilitator@example.test", display_name="Mere Tūhoe",
                     role_rows=[UserRole(role="facilitator")])
    Session.add(colleague)
    Session.commit()
    workshop_id = Session.scalar(select(Workshop.id).where(Workshop.title == OPEN))
    colleague_id = colleague.id
    Session.remove()  # no read snapshot held open while the server writes
    try:
        sign_in("facilitator")
        page.set_viewport_size(PHONE)
        page.goto("/workshops/")
        yours = page.get_by_role("region", name="Your workshops")
        expect(yours.get_by_role("link", name=OPEN, exact=True)).to_be_visible()
        no_violations(axe, page)
        page.goto(f"/workshops/{workshop_id}")
        page.get_by_role("link", name="Facilitators").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Who runs this workshop")
        no_violations(axe, page)
        page.get_by_label("Facilitator to add").select_option(label="Mere Tūhoe (co-facilitator@example.test)")
        page.get_by_role("button", name="Add", exact=True).click()
        expect(page.get_by_text("Mere Tūhoe now runs this workshop.")).to_be_visible()
        no_violations(axe, page)
        page.get_by_role("button", name=re.compile(r"^Remove.*Mere Tūhoe")).click()
        expect(page.get_by_text("Mere Tūhoe no longer runs this workshop.")).to_be_visible()
    finally:
        Session.remove()
        Session.delete(Session.get(User, colleague_id))
        Session.commit()
