"""Forgotten passwords: the same answer for every address, links from BASE_URL, single use,
expiry, and every session ended."""
from __future__ import annotations

import re
from datetime import timedelta

from conftest import DEFAULT_PASSWORD, AuthActions, Mailbox
from sqlalchemy import select

from app.auth.models import PasswordResetToken
from app.db import Session, utcnow

from .support import first_link, path_of, signed_in

FORGOT = "/account/forgot-password"
NEW_PASSWORD = "tui sing at dawn over the harbour"


def _without_csrf(response) -> str:
    """The page without its CSRF token and CSP nonces, which differ on every request."""
    html = re.sub(r'name="csrf_token"[^>]*>', "", response.get_data(as_text=True))
    return re.sub(r'nonce="[^"]*"', "", html)


def _ask_for_reset(post_form, email: str, **kwargs):
    return post_form(FORGOT, {"email": email}, **kwargs)


def _reset_link(post_form, smtp_server, email: str) -> str:
    _ask_for_reset(post_form, email)
    [message] = smtp_server.wait_for(1)
    return first_link(Mailbox.body_of(message))


def _two_reset_links(post_form, smtp_server, email: str) -> tuple[str, str]:
    """Two links asked for one after the other, oldest first (each email is sent in the
    background, so wait for the first before asking again)."""
    first = _reset_link(post_form, smtp_server, email)
    _ask_for_reset(post_form, email)
    second = first_link(Mailbox.body_of(smtp_server.wait_for(2)[1]))
    return first, second


def test_reset_email_arrives_with_a_link_built_from_base_url(app, make_user, csrf_token,
                                                             smtp_server, client,
                                                             audit_events):
    user = make_user(email="ana@example.org")
    evil = {"Host": "evil.example"}
    page = client.get(FORGOT, headers=evil)
    response = client.post(FORGOT, headers=evil, data={
        "email": "ana@example.org", "csrf_token": csrf_token(page.get_data(as_text=True))})
    assert response.status_code == 302
    [message] = smtp_server.wait_for(1)
    assert message["To"] == "ana@example.org"
    assert message["Subject"] == "Reset your Kōrero password"
    link = first_link(Mailbox.body_of(message))
    assert link.startswith(app.config["BASE_URL"] + "/account/reset-password/")
    assert "evil.example" not in message.as_string()
    html = message.get_body(preferencelist=("html",)).get_content()
    assert link in html
    [event] = audit_events("password.reset_requested")
    assert event.actor_id == user.id
    # Only the hash of the token is stored.
    token = link.rsplit("/", 1)[1]
    stored = Session.scalars(select(PasswordResetToken.token_hash)).all()
    assert token not in stored and len(stored) == 1


def test_unknown_address_gets_the_identical_answer_and_no_email(client, make_user, post_form,
                                                               smtp_server, audit_events):
    make_user(email="ana@example.org")
    known = _ask_for_reset(post_form, "ana@example.org", follow_redirects=True)
    smtp_server.wait_for(1)
    unknown = _ask_for_reset(post_form, "nobody@example.org", follow_redirects=True)
    assert known.status_code == unknown.status_code == 200
    # Identical apart from the CSRF token, which is signed with the current second.
    assert _without_csrf(known) == _without_csrf(unknown)
    assert "If there is an account for that address" in unknown.get_data(as_text=True)
    smtp_server.delivered()
    assert [m["To"] for m in smtp_server.messages] == ["ana@example.org"]
    assert [e.actor_email for e in audit_events("password.reset_requested")] == [
        "ana@example.org", "nobody@example.org"]


def test_disabled_account_gets_no_reset_link(make_user, post_form):
    make_user(email="off@example.org", is_enabled=False)
    response = _ask_for_reset(post_form, "off@example.org")
    assert response.status_code == 302
    assert Session.scalars(select(PasswordResetToken)).all() == []


def test_resetting_sets_the_password_and_ends_every_session(app, client, make_user, post_form,
                                                            smtp_server, audit_events):
    user = make_user(email="ana@example.org")
    elsewhere = app.test_client()
    AuthActions(elsewhere).login_with_form("ana@example.org")
    link = _reset_link(post_form, smtp_server, "ana@example.org")

    page = client.get(path_of(link), headers={"Host": "evil.example"})
    assert page.status_code == 200 and "ana@example.org" in page.get_data(as_text=True)
    response = post_form(path_of(link), {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert response.status_code == 302 and response.headers["Location"] == "/account/login"

    assert not signed_in(elsewhere)
    assert not signed_in(client)  # the person signs in afresh (with their second factor)
    auth = AuthActions(client)
    assert "do not match" in auth.login_with_form(
        "ana@example.org", DEFAULT_PASSWORD).get_data(as_text=True)
    assert auth.login_with_form("ana@example.org", NEW_PASSWORD).status_code == 302
    assert [e.actor_id for e in audit_events("password.reset")] == [user.id]
    # and the person is told (it might not have been them).
    notices = smtp_server.wait_for(2)
    assert notices[1]["Subject"] == "Your Kōrero password was changed"


def test_a_used_link_is_refused_with_a_helpful_message(client, make_user, post_form,
                                                       smtp_server):
    make_user(email="ana@example.org")
    link = _reset_link(post_form, smtp_server, "ana@example.org")
    post_form(path_of(link), {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    again = client.get(path_of(link))
    assert again.status_code == 410
    assert "already been used" in again.get_data(as_text=True)
    assert "/account/forgot-password" in again.get_data(as_text=True)


def test_a_new_password_voids_the_other_outstanding_links(client, make_user, post_form,
                                                          smtp_server):
    make_user(email="ana@example.org")
    first, second = _two_reset_links(post_form, smtp_server, "ana@example.org")
    post_form(path_of(second), {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert client.get(path_of(first)).status_code == 410


def test_an_expired_link_is_refused(client, make_user, post_form, smtp_server):
    make_user(email="ana@example.org")
    link = _reset_link(post_form, smtp_server, "ana@example.org")
    token = Session.scalars(select(PasswordResetToken)).one()
    assert timedelta(minutes=59) < token.expires_at - utcnow() <= timedelta(minutes=60)
    token.expires_at = utcnow() - timedelta(minutes=1)
    Session.commit()
    response = client.get(path_of(link))
    assert response.status_code == 410 and "expired" in response.get_data(as_text=True)
    refused = client.post(path_of(link), data={"password": NEW_PASSWORD})
    assert refused.status_code in (400, 410)


def test_a_made_up_link_is_not_found(client):
    response = client.get("/account/reset-password/made-up-token")
    assert response.status_code == 404
    assert "not valid" in response.get_data(as_text=True)


def test_a_weak_new_password_is_refused_and_the_link_still_works(client, make_user, post_form,
                                                                 smtp_server):
    make_user(email="ana@example.org")
    link = _reset_link(post_form, smtp_server, "ana@example.org")
    response = post_form(path_of(link), {"password": "password1234", "confirm": "password1234"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "commonly used" in html
    assert "password1234" not in html
    mismatch = post_form(path_of(link), {"password": NEW_PASSWORD, "confirm": "something else"})
    assert "not the same" in mismatch.get_data(as_text=True)
    assert client.get(path_of(link)).status_code == 200


def test_a_new_request_voids_the_older_link(client, make_user, post_form, smtp_server):
    make_user(email="ana@example.org")
    first, second = _two_reset_links(post_form, smtp_server, "ana@example.org")
    older = client.get(path_of(first))
    assert older.status_code == 410
    assert "a newer link" in older.get_data(as_text=True)
    assert client.get(path_of(second)).status_code == 200


def test_changing_the_password_voids_outstanding_links(client, auth, make_user, post_form,
                                                       smtp_server):
    user = make_user(email="ana@example.org")
    link = _reset_link(post_form, smtp_server, "ana@example.org")
    auth.login(user)
    response = post_form("/account/password", {"current_password": DEFAULT_PASSWORD,
                                               "new_password": NEW_PASSWORD,
                                               "confirm": NEW_PASSWORD})
    assert response.status_code == 302
    auth.logout()
    assert client.get(path_of(link)).status_code == 410
    assert Session.scalars(select(PasswordResetToken)
                           .where(PasswordResetToken.used_at.is_(None))).all() == []


def test_a_non_address_typed_for_a_reset_is_not_logged_verbatim(post_form, audit_events):
    _ask_for_reset(post_form, "my secret passphrase")
    [event] = audit_events("password.reset_requested")
    assert event.actor_email == "(not an email address)"


def test_a_reset_link_cannot_change_a_demo_accounts_password(app, client, make_user,
                                                            csrf_token):
    """A shared demo account's password is published: a reset would lock everyone else out,
    so the link says so plainly and offers no form."""
    from app.auth.operations import request_password_reset
    from app.auth.passwords import verify_password
    from app.models import User

    user = make_user("participant", email="demo-reset@example.test", is_demo=True)
    with app.test_request_context():
        _found, raw = request_password_reset("demo-reset@example.test")
        Session.commit()
    response = client.get(f"/account/reset-password/{raw}")
    html = response.get_data(as_text=True)
    assert response.status_code == 403
    assert "Demo accounts keep their password" in html
    assert "a password reset cannot change it" in html
    assert 'name="password"' not in html
    token = csrf_token(client.get("/account/login").get_data(as_text=True))
    posted = client.post(f"/account/reset-password/{raw}",
                         data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD,
                               "csrf_token": token})
    assert posted.status_code == 403
    Session.expire_all()
    assert verify_password(Session.get(User, user.id).password_hash, DEFAULT_PASSWORD)
