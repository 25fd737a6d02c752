"""The permission matrix, tested over every route and every kind of person.

Walks `app.url_map`: every endpoint must be declared in the access matrix (the core's
app.permissions.CORE_ACCESS merged with every feature package's registration; default deny), and
every GET route is requested as anonymous, as each role and as a second participant, with URL
arguments filled with real objects (packages supply factories for theirs). Expectations come from
the matrix (via may_access) and, for the sensitive endpoints, also from a table written out by
hand below, so a wrong matrix entry is caught rather than copied.
"""
from __future__ import annotations

import pytest
from flask import url_for
from routewalk import (
    PERSONAS,
    create_route_objects,
    is_login_redirect,
    login_path,
    names_real_objects,
    rules_for,
    url_for_rule,
)

from app.models import ROLES
from app.permissions import PUBLIC, SIGNED_IN, may_access

# Written by hand on purpose; do not derive it from matrix. Who may reach the sensitive pages.
ADMIN_ONLY = frozenset({"admin"})
SENSITIVE_BY_HAND = {
    "privacy.audit_log": frozenset({"admin", "advisory"}),
    "privacy.export_audit_log": frozenset({"admin", "advisory"}),
}


def hand_written_access(endpoint: str):
    """The hand table's answer for ENDPOINT, or None when it is not a sensitive endpoint."""
    if endpoint.startswith("admin."):
        return ADMIN_ONLY
    if endpoint.startswith("privacy."):
        return SENSITIVE_BY_HAND.get(endpoint, "undeclared")
    return None


# The core's routes whose URL object is private to its owner (and some staff), so that other
# people get 404 for it in the walk; test_object_access.py proves the owner is let in.
CORE_WALK_MAY_404 = frozenset({"jobs.show", "jobs.status"})


@pytest.fixture
def walk_objects(make_user, make_org, make_consultation):
    return create_route_objects(make_user, make_org, make_consultation)


@pytest.fixture
def people(make_user, walk_objects):
    """One signed-in person per persona (staff with two-factor set up), None for anonymous."""
    people = {"anonymous": None, "participant": walk_objects.owner,
              "participant2": make_user("participant", email="participant2@example.test")}
    for role in ROLES:
        if role != "participant":
            people[role] = make_user(role, email=f"{role}-walker@example.test")
    return people


@pytest.fixture
def matrix(app):
    """The app's whole merged matrix (core and packages)."""
    return app.extensions["korero_access"]


def expectation(user, endpoint: str, matrix: dict) -> str:
    """'login', 'forbidden' or 'allowed' for USER (None = anonymous) on ENDPOINT."""
    access = matrix.get(endpoint)
    if user is None:
        return "allowed" if access == PUBLIC else "login"
    hand = hand_written_access(endpoint)
    by_matrix = may_access(user, endpoint, matrix)
    if hand is not None and hand != "undeclared":
        by_hand = bool(user.roles & hand)
        assert by_hand == by_matrix, (
            f"matrix and the hand-written table disagree on {endpoint} for roles "
            f"{sorted(user.roles)}: matrix says {by_matrix}, table says {by_hand}")
    return "allowed" if by_matrix else "forbidden"


# ---------------------------------------------------------------- the matrix itself


def test_every_endpoint_is_declared_in_the_matrix(app, matrix):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    missing = sorted(endpoints - set(matrix))
    assert not missing, ("endpoints with no declared access (app.permissions.CORE_ACCESS, or "
                         f"the package's registration): {missing}")


def test_every_matrix_entry_is_a_real_endpoint(app, matrix):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    stale = sorted(set(matrix) - endpoints)
    assert not stale, f"matrix declares endpoints that do not exist: {stale}"


def test_matrix_values_are_public_signed_in_or_known_roles(matrix):
    for endpoint, access in matrix.items():
        if access in (PUBLIC, SIGNED_IN):
            continue
        assert isinstance(access, frozenset) and access, f"{endpoint}: {access!r}"
        assert access <= set(ROLES), f"{endpoint}: unknown roles {set(access) - set(ROLES)}"


def test_sensitive_endpoints_match_the_hand_written_table(app, matrix):
    problems = []
    for endpoint in sorted({rule.endpoint for rule in app.url_map.iter_rules()}):
        hand = hand_written_access(endpoint)
        if hand == "undeclared":
            problems.append(f"{endpoint}: a privacy endpoint missing from SENSITIVE_BY_HAND")
        elif hand is not None and matrix.get(endpoint) != hand:
            problems.append(f"{endpoint}: matrix says {matrix.get(endpoint)!r}, "
                            f"hand table says {sorted(hand)}")
    assert not problems, "\n".join(problems)


def test_an_endpoint_missing_from_the_matrix_is_refused(client, monkeypatch, matrix):
    assert client.get("/accessibility").status_code == 200
    monkeypatch.delitem(matrix, "main.accessibility")
    assert client.get("/accessibility").status_code == 403


# ---------------------------------------------------------------- every route, every persona


@pytest.mark.parametrize("persona", PERSONAS)
def test_every_get_route_answers_as_the_matrix_says(persona, app, client, auth, people,
                                                    walk_objects, matrix):
    """A 404 from a route whose URL the walk filled with real objects is a failure too (a
    mis-wired object would otherwise pass as "not found"), unless its package declares that
    the route may 404 there (an object private to its owner: see test_object_access.py)."""
    user = people[persona]
    login = login_path(app)
    may_404 = CORE_WALK_MAY_404 | {endpoint for package in app.extensions["korero_packages"]
                                   for endpoint in package.walk_may_404}
    problems, checked = [], 0
    for rule in rules_for(app, "GET"):
        url = url_for_rule(app, rule, walk_objects)
        if user is not None:
            auth.login(user)  # afresh each time: a page may legitimately sign someone out
        response = client.get(url)
        status = response.status_code
        expected = expectation(user, rule.endpoint, matrix)
        checked += 1
        if expected == "login" and not is_login_redirect(response, login, url):
            problems.append(f"{url} ({rule.endpoint}): expected a redirect to {login}?next={url},"
                            f" got {status} {response.headers.get('Location', '')}")
        elif expected == "forbidden" and status != 403:
            problems.append(f"{url} ({rule.endpoint}): expected 403, got {status}")
        elif expected == "allowed" and (status == 403 or status >= 500
                                        or is_login_redirect(response, login)):
            problems.append(f"{url} ({rule.endpoint}): allowed, but got {status} "
                            f"{response.headers.get('Location', '')}")
        elif (expected == "allowed" and status == 404 and names_real_objects(rule)
              and rule.endpoint not in may_404):
            problems.append(f"{url} ({rule.endpoint}): filled with real objects, but got 404 "
                            "(declare it in the package's walk_may_404 if that is right)")
    assert checked, "no GET routes walked"
    assert not problems, f"as {persona}:\n" + "\n".join(problems)


@pytest.mark.parametrize("persona", PERSONAS)
def test_every_post_route_refuses_who_may_not_use_it(persona, app, client, auth, people,
                                                     walk_objects, csrf_token,
                                                     matrix):
    """With a valid CSRF token, so that the permission check is what refuses."""
    user = people[persona]
    if user is not None:
        auth.login(user)
    # A page with a form: the sign-in form, or the sign-out button once signed in.
    token = csrf_token(client.get("/" if user else "/account/login").get_data(as_text=True))
    login = login_path(app)
    problems = []
    for rule in rules_for(app, "POST"):
        expected = expectation(user, rule.endpoint, matrix)
        if expected == "allowed":
            continue  # what an allowed POST does is each area's own tests' business
        url = url_for_rule(app, rule, walk_objects)
        response = client.post(url, data={"csrf_token": token})
        if expected == "login" and not is_login_redirect(response, login):
            problems.append(f"POST {url}: expected a redirect to sign in, got "
                            f"{response.status_code}")
        elif expected == "forbidden" and response.status_code != 403:
            problems.append(f"POST {url}: expected 403, got {response.status_code}")
    assert not problems, f"as {persona}:\n" + "\n".join(problems)


# ---------------------------------------------------------------- two-factor for staff


STAFF_LANDING = {
    "admin": "admin.index",
    "advisory": "privacy.audit_log",
    "analyst": "auth.account",
    "facilitator": "auth.account",
    "kaitiaki": "auth.account",
}


@pytest.mark.parametrize("role", sorted(STAFF_LANDING))
def test_staff_without_two_factor_are_sent_to_set_it_up(role, app, client, auth, make_user):
    user = make_user(role, with_two_factor=False)
    auth.login(user)
    with app.test_request_context():
        page, setup = url_for(STAFF_LANDING[role]), url_for("auth.two_factor_setup")
    response = client.get(page)
    assert response.status_code == 302
    assert response.headers["Location"].split("?")[0].endswith(setup)
    # ... and the set-up page itself is reachable (no redirect loop).
    assert client.get(setup).status_code == 200


def test_staff_with_two_factor_reach_their_pages(client, auth, make_user):
    auth.login(make_user("admin"))
    assert client.get("/admin/").status_code == 200


def test_demo_staff_skip_two_factor_set_up(client, auth, make_user):
    auth.login(make_user("admin", is_demo=True, with_two_factor=False))
    assert client.get("/admin/").status_code == 200


def test_participants_are_not_asked_to_set_up_two_factor(client, auth, make_user):
    auth.login(make_user("participant", with_two_factor=False))
    assert client.get("/account/").status_code == 200
