"""Issue 17: the forum consent default is set on the account page. The forum adds its section
through the package hook (AccountPanel); the form there posts to the forum's preferences page,
which saves and comes back to the account page."""
from __future__ import annotations

import re

from conftest import csrf_token_from

from app.db import Session
from forums import operations


def test_the_account_page_shows_the_forum_consent_default_and_saves_it(client, auth,
                                                                          make_user):
    person = auth.login(make_user("participant"))
    page = client.get("/account/").get_data(as_text=True)
    assert 'id="forum-preferences"' in page and "Forum: your consent default" in page
    assert "You have not chosen yet" in page
    assert 'action="/forums/preferences?next=account"' in page

    saved = client.post("/forums/preferences?next=account", data={
        "csrf_token": csrf_token_from(page), "consent_analysis": "yes",
        "consent_quote": "anonymous", "consent_publish": "working_group",
        "email_mode": "daily"})
    assert saved.status_code == 302
    assert saved.headers["Location"].endswith("/account/#forum-preferences")
    Session.expire_all()
    scope = operations.default_scope(person)
    assert (scope.analysis, scope.quote, scope.publish) == (True, "anonymous", "working_group")

    again = client.get("/account/").get_data(as_text=True)
    assert "You have not chosen yet" not in again
    assert re.search(r'<input checked id="consent_quote-\d" name="consent_quote" '
                     r'type="radio" value="anonymous">', again)


def test_a_refused_choice_from_the_account_page_keeps_what_was_typed(client, auth, make_user):
    auth.login(make_user("participant"))
    page = client.get("/account/").get_data(as_text=True)
    refused = client.post("/forums/preferences?next=account", data={
        "csrf_token": csrf_token_from(page), "consent_analysis": "yes",
        "consent_quote": "made-up", "consent_publish": "public", "email_mode": "daily"})
    assert refused.status_code in (200, 422)
    body = refused.get_data(as_text=True)
    assert "Your forum consent default" in body and "Not a valid choice" in body
    assert re.search(r'<input checked id="consent_publish-\d" name="consent_publish" '
                     r'type="radio" value="public">', body)  # what was chosen stays chosen
