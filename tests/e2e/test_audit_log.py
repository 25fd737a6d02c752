"""The audit log as the advisory group meets it in a browser: events read as sentences, names
link to that person's events, it passes axe, and on a phone an event takes a few lines."""
from __future__ import annotations

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect


def describe(violations: list[dict]) -> str:
    return "\n".join(f"[{v['impact']}] {v['id']}: {v['help']} at "
                     f"{[n['target'] for n in v['nodes'][:3]]}" for v in violations)


def test_the_audit_log_reads_as_sentences_and_passes_axe(page, sign_in):
    sign_in("advisory")
    page.goto("/oversight/audit")
    events = page.locator("ol.audit-events > li")
    expect(events.first).to_be_visible()
    # The sign-in just now is the advisory member's own.
    expect(events.filter(has_text="signed in").first).to_be_visible()
    assert page.locator("ol.audit-events code").count() == 0  # no action codes, no JSON
    assert "{" not in page.locator("ol.audit-events").inner_text()
    violations = Axe().run(page).response["violations"]
    assert not violations, describe(violations)

    # A linked name narrows the log to that person.
    events.filter(has_text="signed in").first.get_by_role("link").first.click()
    expect(page.get_by_text("Showing events involving")).to_be_visible()

    # The demo's accounts were added from the command line (filtered: other tests sharing
    # this server may have written many newer events since).
    page.goto("/oversight/audit?action=user.created")
    expect(page.get_by_text("System (command line) added").first).to_be_visible()


def test_on_a_phone_an_event_takes_a_few_lines(page, sign_in):
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in("advisory")
    page.goto("/oversight/audit")
    events = page.locator("ol.audit-events > li")
    expect(events.first).to_be_visible()
    heights = [box["height"] for box in (events.nth(i).bounding_box()
                                         for i in range(min(events.count(), 20)))]
    # About 24 px a line: no event more than seven lines, and 20 of them under 4 screens.
    assert max(heights) <= 7 * 24 + 24, heights
    assert sum(heights) / len(heights) * 20 <= 4 * 844
    violations = Axe().run(page).response["violations"]
    assert not violations, describe(violations)
