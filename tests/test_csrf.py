"""CSRF on every state-changing request, and GET never changes state.

Both walk `app.url_map`, so a new route is covered the moment it exists. "Nothing changed" is
checked on the full contents of every table in Base.metadata (the audit log included).
"""
from __future__ import annotations

import pytest
from routewalk import changed_tables, create_route_objects, rules_for, snapshot, url_for_rule
from sqlalchemy import func, select

from app.db import Session
from app.privacy.models import AuditEvent

# The core's GET endpoints that legitimately record that they were viewed, and the only audit
# actions each may add; feature packages declare theirs in their registrations (audited_views).
# Everything else a GET does must leave every table exactly as it was.
CORE_AUDITED_VIEWS = {
    "privacy.audit_log": {"audit.viewed"},
    "privacy.export_audit_log": {"export.created"},
    "admin.edit_user": {"record.viewed"},  # a person's account details are personal data
}

# A plausible form body, so that a missing token (not a missing field) is the only thing wrong.
FORM_GUESS = {
    "email": "someone@example.test", "password": "correct horse battery staple",
    "new_password": "another long passphrase here", "confirm": "another long passphrase here",
    "code": "123456", "name": "An organisation", "title": "A title", "lang": "en", "next": "/",
    "display_name": "Someone", "roles": "participant", "stakeholder_group": "ngo",
}


@pytest.fixture
def audited_views(app) -> dict[str, set[str]]:
    views = dict(CORE_AUDITED_VIEWS)
    for package in app.extensions["korero_packages"]:
        views.update({endpoint: set(actions)
                      for endpoint, actions in package.audited_views.items()})
    return views


@pytest.fixture
def walk_objects(make_user, make_org, make_consultation):
    return create_route_objects(make_user, make_org, make_consultation)


def _audit_count() -> int:
    return Session.scalar(select(func.count()).select_from(AuditEvent))


@pytest.mark.parametrize("who", ["admin", "anonymous"])
def test_every_post_without_a_csrf_token_is_refused_and_changes_nothing(
        who, app, client, auth, make_user, walk_objects):
    if who == "admin":
        auth.login(make_user("admin"))  # so that permission is not the reason for refusing
    problems, checked = [], 0
    for rule in rules_for(app, "POST"):
        url = url_for_rule(app, rule, walk_objects)
        before, audit_before = snapshot(), _audit_count()
        response = client.post(url, data=FORM_GUESS)
        after = snapshot()
        checked += 1
        if response.status_code != 400:
            problems.append(f"POST {url} ({rule.endpoint}) without a token: "
                            f"expected 400, got {response.status_code}")
        changes = changed_tables(before, after)
        if changes or _audit_count() != audit_before:
            problems.append(f"POST {url} ({rule.endpoint}) without a token changed {changes}")
    assert checked, "no POST routes found"
    assert not problems, "\n".join(problems)


def test_a_csrf_refusal_is_the_400_page_in_the_site_layout(client):
    response = client.post("/language", data={"lang": "en"})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert 'class="skip-link"' in html
    assert "The form had expired or was sent from somewhere else" in html


def test_a_wrong_csrf_token_is_refused_too(client):
    client.get("/account/login")  # gives the session a CSRF secret
    response = client.post("/language", data={"lang": "en", "csrf_token": "forged"})
    assert response.status_code == 400


def test_a_valid_csrf_token_is_accepted(client, csrf_token):
    token = csrf_token(client.get("/account/login").get_data(as_text=True))
    response = client.post("/language", data={"lang": "en", "csrf_token": token})
    assert response.status_code == 302


@pytest.mark.parametrize("who", ["admin", "participant", "anonymous"])
def test_get_never_changes_state(who, app, client, auth, make_user, walk_objects,
                                 audited_views):
    """Every GET route, as this person; only the declared audited views may add audit rows."""
    user = None
    if who != "anonymous":
        # A participant without two-factor: set-up pages must not store anything on GET either.
        user = make_user(who, with_two_factor=None if who == "admin" else False)
    problems = []
    for rule in rules_for(app, "GET"):
        url = url_for_rule(app, rule, walk_objects)
        if user is not None:
            auth.login(user)
        before = snapshot()
        client.get(url)
        after = snapshot()
        allowed_actions = audited_views.get(rule.endpoint)
        # An audited view appends an event and (for its actor) an erasable details row.
        ignore = ("audit_event", "audit_personal") if allowed_actions else ()
        changes = changed_tables(before, after, ignore=ignore)
        if changes:
            problems.append(f"GET {url} ({rule.endpoint}) changed {changes}")
        if allowed_actions:
            old_ids = {row[0] for row in before["audit_event"]}
            added = {row for row in after["audit_event"] if row[0] not in old_ids}
            actions = {row.action for row in Session.scalars(
                select(AuditEvent).where(AuditEvent.id.in_([row[0] for row in added])))}
            if not actions <= allowed_actions or len(after["audit_event"]) < len(
                    before["audit_event"]):
                problems.append(f"GET {url} ({rule.endpoint}) audit changes: {actions}")
    assert not problems, f"as {who}:\n" + "\n".join(problems)


def test_audited_views_are_real_get_endpoints(app, audited_views):
    get_endpoints = {rule.endpoint for rule in rules_for(app, "GET")}
    assert set(audited_views) <= get_endpoints


def test_exactly_the_get_views_that_write_are_marked_writes_on_get(app, audited_views):
    """A GET that writes must take SQLite's write lock up front (app.db.writes_on_get)."""
    marked = {endpoint for endpoint, view in app.view_functions.items()
              if getattr(view, "korero_writes_on_get", False)}
    assert marked == set(audited_views)
