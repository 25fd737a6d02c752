"""Analysis in Chromium with axe: an analyst codes ten items by keyboard alone (the shortcuts
documented on the page), and the workspace, codebook and discovery pages pass axe."""
from __future__ import annotations

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from axe_support import no_violations
from playwright.sync_api import expect
from sqlalchemy import func, select

from app.analysis.models import Coding
from app.db import Session


@pytest.fixture(scope="module")
def axe():
    return Axe()


def _analyst_codings() -> int:
    Session.remove()
    return Session.scalar(select(func.count()).select_from(Coding)
                          .where(Coding.origin == "analyst"))


def test_an_analyst_codes_ten_items_by_keyboard_alone(page, sign_in, axe):
    sign_in("analyst")
    page.goto("/analysis/items?uncoded=1")
    no_violations(axe, page)
    before = _analyst_codings()
    # From the list to the first item with the keyboard: focus its link and press Enter.
    first = page.get_by_role("link", name=re.compile(r"^Item \d+$")).first
    first.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile(r"^Item \d+$"))
    no_violations(axe, page)
    expect(page.get_by_role("heading", name="Keyboard shortcuts")).to_be_visible()
    seen = set()
    for _ in range(10):
        heading = page.get_by_role("heading", level=1).inner_text()
        assert heading not in seen
        seen.add(heading)
        page.keyboard.press("1")  # tick the first theme
        expect(page.locator("input[data-shortcut='1']")).to_be_checked()
        page.keyboard.press("s")  # stance: supports
        with page.expect_navigation():
            page.keyboard.press("Enter")  # apply, and on to the next uncoded item
        expect(page.get_by_text(re.compile(r"^Coded with"))).to_be_visible()
    assert _analyst_codings() == before + 10
    Session.remove()
    stances = Session.scalars(select(Coding.stance).order_by(Coding.id.desc()).limit(10)).all()
    assert stances == ["supports"] * 10


def test_codebook_and_discovery_pages_pass_axe(page, sign_in, axe):
    sign_in("analyst")
    for url in ("/analysis/", "/analysis/codebook", "/analysis/discovery",
                "/analysis/suggestions"):
        page.goto(url)
        no_violations(axe, page)
    page.goto("/analysis/discovery")
    page.get_by_role("link", name="Finished: review").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Candidate themes")
    no_violations(axe, page)
    page.goto("/analysis/codebook")
    page.get_by_role("link", name="Funding").click()
    no_violations(axe, page)
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto("/analysis/items")
    no_violations(axe, page)


def test_selecting_words_codes_only_that_span(page, sign_in):
    sign_in("analyst")
    page.goto("/analysis/items?uncoded=1")
    page.get_by_role("link", name=re.compile(r"^Item \d+$")).first.click()
    page.wait_for_url(re.compile(r"/items/\d+"))
    # The page's script is deferred: wait until it has run and listens for the selection.
    page.wait_for_load_state("load")
    item_id = int(re.search(r"/items/(\d+)", page.url).group(1))
    text = page.locator("#item-text").inner_text()
    words = " ".join(text.split()[1:3])
    start = text.index(words)
    # Select the words as a mouse would, then let go of the button.
    page.evaluate("""([start, end]) => {
        const node = document.getElementById('item-text').firstChild;
        const range = document.createRange();
        range.setStart(node, start); range.setEnd(node, end);
        const selection = window.getSelection();
        selection.removeAllRanges(); selection.addRange(range);
        document.getElementById('item-text').dispatchEvent(new MouseEvent('mouseup'));
    }""", [start, start + len(words)])
    expect(page.get_by_label("Only this part of the text (optional)")).to_have_value(words)
    page.keyboard.press("1")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    Session.remove()
    coding = Session.scalars(select(Coding).where(Coding.item_id == item_id)).one()
    assert (coding.span_start, coding.span_end, coding.span_text) == (
        start, start + len(words), words)


def test_the_analyst_picks_another_consultation_and_every_page_follows(page, sign_in, axe):
    """With a second consultation to analyse, the picker appears (axe-clean, usable by
    keyboard), and the section's links then stay on the chosen consultation."""
    from datetime import timedelta
    from uuid import uuid4

    from app.db import utcnow
    from app.models import Consultation

    now = utcnow()
    older = Consultation(slug=f"older-{uuid4().hex[:8]}", title="Older water policy",
                         status="closed", opens_at=now - timedelta(days=90),
                         closes_at=now - timedelta(days=60))
    Session.add(older)
    Session.commit()
    sign_in("analyst")
    page.goto("/analysis/")
    no_violations(axe, page)
    picker = page.get_by_label("Consultation", exact=True)
    picker.select_option(label="Older water policy")
    picker.focus()
    with page.expect_navigation():
        page.keyboard.press("Tab")
        page.keyboard.press("Enter")  # the button after the list
    assert f"consultation={older.slug}" in page.url
    expect(page.locator("p.eyebrow")).to_have_text("Older water policy")
    page.get_by_role("link", name="Codebook", exact=True).click()
    assert f"consultation={older.slug}" in page.url
    expect(page.get_by_label("Consultation", exact=True)).to_have_value(older.slug)
    no_violations(axe, page)
    page.set_viewport_size({"width": 390, "height": 844})
    no_violations(axe, page)
