"""The home page shows the consultation the site is about: one open now first, else the latest
closed one; drafts never."""
from __future__ import annotations

from app.queries import get_current_consultation


def test_an_open_consultation_comes_before_a_later_closing_closed_one(make_consultation):
    make_consultation("Closed but closing late", status="closed", closes_in_days=90)
    open_now = make_consultation("Open now", closes_in_days=10)
    assert get_current_consultation() == open_now


def test_an_open_consultation_not_yet_started_waits_behind_one_open_now(make_consultation):
    make_consultation("Opens next week", opens_in_days=7, closes_in_days=60)
    open_now = make_consultation("Open now", closes_in_days=10)
    assert get_current_consultation() == open_now


def test_with_nothing_open_the_latest_closed_one_is_shown(client, make_consultation):
    make_consultation("Older round", status="closed", opens_in_days=-90, closes_in_days=-60)
    make_consultation("Last round", status="closed", opens_in_days=-30, closes_in_days=-1)
    html = client.get("/").get_data(as_text=True)
    assert "Last round" in html and "Older round" not in html
    assert "Consultation closed" in html


def test_drafts_never_reach_the_home_page(client, make_consultation):
    make_consultation("Secret draft", status="draft")
    html = client.get("/").get_data(as_text=True)
    assert "Secret draft" not in html
    assert "There is no open consultation at the moment." in html


def test_the_home_page_shows_dates_and_every_way_to_take_part(client, make_consultation):
    make_consultation("Data protection and use policy", summary="About **client-level** data.")
    html = client.get("/").get_data(as_text=True)
    assert "Open for feedback" in html and "<strong>client-level</strong>" in html
    for text in ("Opens", "Closes", 'href="/forums/"', 'href="/workshops/"',
                 'href="/submissions/"'):
        assert text in html, text
    # Ways to take part come before the long summary.
    assert html.index("Ways to take part") < html.index("About this consultation")
