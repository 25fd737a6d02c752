"""Naming the page a sign-in link continues to, from the site's own words only."""
from __future__ import annotations

import pytest

from app.web.destinations import page_name


@pytest.mark.parametrize("target, name", [
    ("/admin/people", "People"),
    ("/admin/people?q=ana&page=2", "People"),
    ("/admin/people/7", "a person's details"),
    ("/admin", "Administration"),  # redirected to /admin/: still named
    ("/account/", "your account"),
    ("/forums/", "Forum"),  # a feature package, named by its navigation entry
    ("/jobs/", "Jobs"),
    ("/oversight/audit", "the audit log"),
])
def test_pages_of_this_site_are_named(app, target, name):
    with app.test_request_context():
        assert page_name(target) == name


@pytest.mark.parametrize("target", [
    None, "", "https://evil.example/admin/people", "//evil.example/admin/people",
    "/\\evil.example", "/no-such-page", "/static/css/korero.css", "admin/people",
    "/account/logout",  # a POST-only endpoint is not a page
])
def test_anything_else_is_not_named(app, target):
    with app.test_request_context():
        assert page_name(target) is None


def test_sign_in_says_which_page_it_continues_to(client):
    response = client.get("/admin/people")
    assert response.status_code == 302
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Sign in to continue to People." in html


def test_a_crafted_next_puts_no_words_on_the_sign_in_page(client):
    html = client.get("/account/login?next=/admin/people/%3Cb%3EPay%20now%3C/b%3E"
                      ).get_data(as_text=True)
    assert "Pay now" not in html and "<b>" not in html
    assert "Sign in to continue to the page you asked for." in html
    plain = client.get("/account/login").get_data(as_text=True)
    assert "Sign in to continue" not in plain
    offsite = client.get("/account/login?next=https://evil.example/").get_data(as_text=True)
    assert "Sign in to continue" not in offsite
