"""Sessions: logout and password change end every session; old cookies stop working; idle
timeout."""
from __future__ import annotations

import time

from conftest import DEFAULT_PASSWORD, AuthActions

from app.db import Session
from app.models import User

from .support import signed_in

NEW_PASSWORD = "a brand new kauri forest walk"


def _session_cookie(client) -> str:
    cookie = client.get_cookie("session")
    assert cookie is not None
    return cookie.value


def test_logout_ends_every_session_of_the_person(app, client, auth, make_user, audit_events):
    user = make_user(email="ana@example.org")
    other_device = app.test_client()
    auth.login_with_form("ana@example.org")
    AuthActions(other_device).login_with_form("ana@example.org")
    assert signed_in(client) and signed_in(other_device)

    response = auth.logout()
    assert response.status_code == 302
    assert not signed_in(client)
    assert not signed_in(other_device)  # signed out there too
    [event] = audit_events("logout")
    assert event.actor_id == user.id
    assert Session.get(User, user.id).session_version == 2


def test_an_old_cookie_replayed_after_logout_does_not_work(app, client, auth, make_user):
    make_user(email="ana@example.org")
    auth.login_with_form("ana@example.org")
    stolen = _session_cookie(client)
    auth.logout()
    replay = app.test_client()
    replay.set_cookie("session", stolen)
    response = replay.get("/account/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/account/login")


def test_logout_needs_post_and_a_csrf_token(client, auth, make_user):
    auth.login(make_user())
    assert client.get("/account/logout").status_code == 405
    assert client.post("/account/logout").status_code == 400
    assert signed_in(client)


def test_password_change_ends_other_sessions_but_keeps_this_one(app, client, auth, make_user,
                                                                post_form, audit_events):
    user = make_user(email="ana@example.org")
    other_device = app.test_client()
    auth.login_with_form("ana@example.org")
    AuthActions(other_device).login_with_form("ana@example.org")
    before = _session_cookie(client)

    response = post_form("/account/password", {"current_password": DEFAULT_PASSWORD,
                                               "new_password": NEW_PASSWORD,
                                               "confirm": NEW_PASSWORD})
    assert response.status_code == 302 and response.headers["Location"] == "/account/"
    assert signed_in(client)
    assert not signed_in(other_device)
    replay = app.test_client()
    replay.set_cookie("session", before)
    assert not signed_in(replay)
    assert [e.actor_id for e in audit_events("password.changed")] == [user.id]


def test_disabling_an_account_ends_its_sessions(client, auth, make_user):
    user = make_user()
    auth.login(user)
    assert signed_in(client)
    Session.get(User, user.id).is_enabled = False
    Session.commit()
    assert not signed_in(client)


def test_idle_session_is_signed_out_and_sent_to_login(app, client, auth, make_user):
    auth.login(make_user())
    with client.session_transaction() as sess:
        sess["last_active"] = time.time() - app.config["IDLE_TIMEOUT"].total_seconds() - 60
    response = client.get("/account/")
    assert response.status_code == 302
    assert response.headers["Location"] == "/account/login?next=/account/"
    assert not signed_in(client)


def test_activity_keeps_the_session_alive(app, client, auth, make_user):
    auth.login(make_user())
    with client.session_transaction() as sess:
        sess["last_active"] = time.time() - app.config["IDLE_TIMEOUT"].total_seconds() + 60
    assert signed_in(client)
    with client.session_transaction() as sess:
        assert time.time() - sess["last_active"] < 60  # refreshed by the request


def test_a_request_soon_after_the_last_sends_no_new_session_cookie(app, client, auth,
                                                                     make_user):
    """The last-active time moves at most once a minute, so most responses carry no
    Set-Cookie (re-signing the session on every response cost a cached page a third of its
    time); a request a minute or more later writes it, and the cookie, again."""
    auth.login(make_user())
    client.get("/account/")
    assert "Set-Cookie" not in client.get("/account/").headers
    with client.session_transaction() as sess:
        sess["last_active"] = time.time() - 61
    response = client.get("/account/")
    assert response.status_code == 200
    assert "Set-Cookie" in response.headers
    with client.session_transaction() as sess:
        assert time.time() - sess["last_active"] < 5


def test_session_cookie_is_httponly_and_samesite(client, auth, make_user):
    make_user(email="ana@example.org")
    response = auth.login_with_form("ana@example.org")
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def _signed_in_hours_ago(client, hours: float) -> None:
    with client.session_transaction() as sess:
        sess["signed_in_at"] = time.time() - hours * 3600
        sess["last_active"] = time.time()  # busy right up to now


def test_a_session_ends_at_its_lifetime_however_active(app, client, auth, make_user):
    make_user(email="ana@example.org")
    auth.login_with_form("ana@example.org")
    with client.session_transaction() as sess:
        assert time.time() - sess["signed_in_at"] < 60  # stamped at sign-in
    lifetime_hours = app.config["SESSION_LIFETIME"].total_seconds() / 3600
    _signed_in_hours_ago(client, lifetime_hours - 0.1)
    assert signed_in(client)  # nearly at the limit: still fine
    _signed_in_hours_ago(client, lifetime_hours + 0.1)
    response = client.get("/account/")
    assert response.status_code == 302
    assert response.headers["Location"] == "/account/login?next=/account/"
    assert not signed_in(client)
    page = client.get("/account/login").get_data(as_text=True)
    assert "as long as a session may last" in page


def test_activity_does_not_move_the_sign_in_time(client, auth, make_user):
    make_user(email="ana@example.org")
    auth.login_with_form("ana@example.org")
    with client.session_transaction() as sess:
        signed_in_at = sess["signed_in_at"]
    for _ in range(3):
        assert signed_in(client)
    with client.session_transaction() as sess:
        assert sess["signed_in_at"] == signed_in_at


def test_session_lifetime_hours_sets_the_lifetime(monkeypatch):
    from app.config import Config

    monkeypatch.setenv("SESSION_LIFETIME_HOURS", "3")
    config = Config()
    assert config.SESSION_LIFETIME.total_seconds() == 3 * 3600
    assert config.PERMANENT_SESSION_LIFETIME == config.SESSION_LIFETIME


def test_a_session_from_before_sign_in_times_were_kept_starts_its_lifetime(client, auth,
                                                                           make_user):
    auth.login(make_user())  # sets no sign-in time, like a cookie from the previous release
    assert signed_in(client)
    with client.session_transaction() as sess:
        assert time.time() - sess["signed_in_at"] < 60


def test_a_new_secret_key_takes_effect_at_once_despite_the_cached_signer(
        app, client, auth, make_user, monkeypatch):
    """app.auth.sessions.SessionCookies keeps the cookie signer between requests: a cookie
    signed with the old key must stop working the moment the key changes, and one signed
    with a key moved to SECRET_KEY_FALLBACKS keeps working."""
    make_user(email="ana@example.org")
    auth.login_with_form("ana@example.org")
    assert signed_in(client)
    old_key = app.secret_key
    monkeypatch.setitem(app.config, "SECRET_KEY", "another-key-" + "x" * 40)
    assert not signed_in(client)
    monkeypatch.setitem(app.config, "SECRET_KEY_FALLBACKS", [old_key])
    assert signed_in(client)


def test_a_cookie_checked_before_still_expires_at_the_cookie_lifetime(
        app, client, auth, make_user, monkeypatch):
    """SessionCookies remembers a cookie it has checked: the remembered cookie must still stop
    working once it is older than the cookie lifetime, as an unremembered one would."""
    make_user(email="ana@example.org")
    auth.login_with_form("ana@example.org")
    assert signed_in(client) and signed_in(client)  # checked, then taken from what was kept
    cookie = _session_cookie(client)
    lifetime = app.permanent_session_lifetime.total_seconds()
    later = time.time() + lifetime + 5
    monkeypatch.setattr(time, "time", lambda: later)
    with app.test_request_context(headers={"Cookie": f"session={cookie}"}):
        from flask import request
        assert dict(app.session_interface.open_session(app, request)) == {}


def test_a_changed_cookie_is_refused_after_the_real_one_was_checked(app, client, auth,
                                                                     make_user):
    make_user(email="ana@example.org")
    auth.login_with_form("ana@example.org")
    assert signed_in(client)
    cookie = _session_cookie(client)
    forged = cookie[:-2] + ("AA" if not cookie.endswith("AA") else "BB")
    with app.test_request_context(headers={"Cookie": f"session={forged}"}):
        from flask import request
        assert dict(app.session_interface.open_session(app, request)) == {}
    with app.test_request_context(headers={"Cookie": f"session={cookie}"}):
        from flask import request
        opened = app.session_interface.open_session(app, request)
        assert opened.get("_user_id")
        opened["lang"] = "mi"  # a change to one request's session is not kept for the next
    with app.test_request_context(headers={"Cookie": f"session={cookie}"}):
        from flask import request
        assert "lang" not in app.session_interface.open_session(app, request)
