"""Signing in with email and password: one generic refusal, safe next=, audit, rehash."""
from __future__ import annotations

from argon2 import PasswordHasher
from conftest import DEFAULT_PASSWORD

from app.auth.passwords import hasher_for
from app.db import Session
from app.models import User

from .support import detail_of, signed_in

GENERIC = "That email and password do not match an account."


def test_login_page_is_pleasant_and_accessible(client):
    html = client.get("/account/login").get_data(as_text=True)
    assert html.count("<h1") == 1
    assert 'for="email"' in html and 'for="password"' in html
    assert 'autocomplete="current-password"' in html
    assert "Forgot your password?" in html and "/account/forgot-password" in html
    assert "/account/register" not in html  # self-registration is closed by default


def test_login_page_links_to_registration_when_open(client, open_registration):
    assert "/account/register" in client.get("/account/login").get_data(as_text=True)


def test_signing_in_starts_a_session_and_is_audited(client, auth, make_user, audit_events):
    user = make_user(email="ana@example.org")
    response = auth.login_with_form("ana@example.org")
    assert response.status_code == 302
    assert response.headers["Location"] == "/tasks"  # "Your tasks": everyone lands there
    assert signed_in(client)
    [event] = audit_events("login.success")
    assert event.actor_id == user.id and event.ip_address == "127.0.0.1"
    assert detail_of(event) == {"second_factor": "none"}
    assert Session.get(User, user.id).last_login_at is not None


def test_email_is_matched_whatever_its_case(client, auth, make_user):
    make_user(email="mere@example.org")
    assert auth.login_with_form("  Mere@Example.ORG ").status_code == 302
    assert signed_in(client)


def test_wrong_password_gets_the_generic_message_and_keeps_the_email(client, auth, make_user,
                                                                     audit_events):
    make_user(email="ana@example.org")
    response = auth.login_with_form("ana@example.org", "not the right password at all")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert GENERIC in html
    assert 'value="ana@example.org"' in html
    assert "not the right password at all" not in html  # passwords are never echoed
    assert not signed_in(client)
    [event] = audit_events("login.failure")
    assert event.actor_email == "ana@example.org" and event.ip_address == "127.0.0.1"
    assert detail_of(event)["reason"] == "wrong_password"


def test_unknown_email_and_disabled_account_get_the_same_message(client, auth, make_user,
                                                                 audit_events):
    make_user(email="off@example.org", is_enabled=False)
    unknown = auth.login_with_form("nobody@example.org").get_data(as_text=True)
    disabled = auth.login_with_form("off@example.org").get_data(as_text=True)  # right password
    for html in (unknown, disabled):
        assert GENERIC in html
        assert "disabled" not in html.lower() and "no account" not in html.lower()
    assert not signed_in(client)
    reasons = [(e.actor_email, detail_of(e)["reason"]) for e in audit_events("login.failure")]
    assert reasons == [("nobody@example.org", "unknown_account"),
                       ("off@example.org", "account_disabled")]


def test_next_goes_only_to_local_paths(client, make_user, csrf_token):
    make_user(email="ana@example.org")
    for target, expected in (("/account/", "/account/"), ("https://evil.example/", "/tasks"),
                             ("//evil.example/x", "/tasks")):
        page = client.get("/account/login", query_string={"next": target})
        response = client.post("/account/login", query_string={"next": target}, data={
            "email": "ana@example.org", "password": DEFAULT_PASSWORD,
            "csrf_token": csrf_token(page.get_data(as_text=True))})
        assert response.headers["Location"] == expected, target
        client.post("/account/logout", data={"csrf_token": csrf_token(
            client.get("/account/").get_data(as_text=True))})


def test_session_is_renewed_at_login(client, auth, make_user):
    make_user(email="ana@example.org")
    with client.session_transaction() as sess:
        sess["planted"] = "by someone else"
    auth.login_with_form("ana@example.org")
    with client.session_transaction() as sess:
        assert "planted" not in sess
        assert sess["_user_id"].count(":") == 1


def test_signed_in_person_visiting_login_is_sent_on(client, auth, make_user):
    auth.login(make_user())
    response = client.get("/account/login", query_string={"next": "/account/"})
    assert response.status_code == 302 and response.headers["Location"] == "/account/"


def test_outdated_password_hash_is_upgraded_at_login(app, client, auth, make_user):
    user = make_user(email="ana@example.org")
    other = PasswordHasher(time_cost=1, memory_cost=8 * 1024, parallelism=1)
    old_hash = user.password_hash = other.hash(DEFAULT_PASSWORD)
    Session.commit()
    current = hasher_for(app.config)  # what sign-in compares with: this app's ARGON2_* settings
    assert current.check_needs_rehash(old_hash)
    auth.login_with_form("ana@example.org")
    refreshed = Session.get(User, user.id)
    assert refreshed.password_hash != old_hash
    assert not current.check_needs_rehash(refreshed.password_hash)


def test_account_without_password_cannot_sign_in(client, auth, make_user):
    user = make_user(email="nopass@example.org")
    user.password_hash = None
    Session.commit()
    assert GENERIC in auth.login_with_form("nopass@example.org").get_data(as_text=True)
    assert not signed_in(client)


def test_a_password_typed_as_the_email_is_not_logged(client, auth, audit_events):
    auth.login_with_form("my secret passphrase 2026", "my secret passphrase 2026")
    auth.login_with_form("Nobody@Example.org")
    assert [(e.actor_email, detail_of(e)["reason"]) for e in audit_events("login.failure")] == [
        ("(not an email address)", "unknown_account"),
        ("nobody@example.org", "unknown_account")]


def test_demo_accounts_cannot_sign_in_in_production(app, client, auth, make_user, monkeypatch,
                                                    audit_events):
    user = make_user("admin", email="admin@demo.example.org", is_demo=True)
    monkeypatch.setitem(app.config, "KORERO_ENV", "production")
    response = auth.login_with_form("admin@demo.example.org")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Demo accounts are switched off on this site" in html and GENERIC not in html
    assert not signed_in(client)
    [event] = audit_events("login.failure")
    assert event.actor_id == user.id and detail_of(event) == {"reason": "demo_in_production"}
    # A wrong password still gets the generic answer: the refusal needs the right one.
    wrong = auth.login_with_form("admin@demo.example.org", "not the right password at all")
    assert GENERIC in wrong.get_data(as_text=True)


def test_demo_accounts_still_sign_in_outside_production(client, auth, make_user):
    make_user("participant", email="p@demo.example.org", is_demo=True)
    assert auth.login_with_form("p@demo.example.org").status_code == 302
    assert signed_in(client)


def test_a_demo_session_ends_when_the_site_runs_in_production(app, client, auth, make_user,
                                                             monkeypatch):
    auth.login(make_user("participant", is_demo=True))
    assert signed_in(client)
    monkeypatch.setitem(app.config, "KORERO_ENV", "production")
    assert not signed_in(client)
