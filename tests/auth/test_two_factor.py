"""Two-factor sign-in: the code step, recovery codes, set-up, turning off. (A code used once,
across workers and concurrent requests: test_two_factor_replay.py.)"""
from __future__ import annotations

import re
import time

from sqlalchemy import select

from app.auth.models import RecoveryCode
from app.auth.sessions import PENDING_TWO_FACTOR_KEY
from app.auth.tokens import normalise_code, token_hash
from app.db import Session
from app.models import User

from .support import detail_of, signed_in

CODE_PAGE = "/account/login/two-factor"
SETUP = "/account/two-factor/setup"


def _password_step(auth, user):
    response = auth.login_with_form(user.email)
    assert response.status_code == 302 and response.headers["Location"] == CODE_PAGE
    return response


def _give_recovery_codes(user, *codes):
    Session.add_all(RecoveryCode(user_id=user.id, code_hash=token_hash(normalise_code(c)))
                    for c in codes)
    Session.commit()


def test_password_alone_does_not_sign_in_someone_with_two_factor(client, auth, make_user,
                                                                 audit_events):
    user = make_user("participant", with_two_factor=True)
    _password_step(auth, user)
    assert not signed_in(client)
    assert audit_events("login.success") == []
    page = client.get(CODE_PAGE).get_data(as_text=True)
    assert 'autocomplete="one-time-code"' in page and "recovery code" in page


def test_a_current_code_completes_sign_in(client, auth, make_user, post_form, totp_code,
                                          audit_events):
    user = make_user("admin")
    _password_step(auth, user)
    response = post_form(CODE_PAGE, {"code": totp_code(user)})
    assert response.status_code == 302 and response.headers["Location"] == "/tasks"
    assert client.get("/admin/").status_code == 200
    [event] = audit_events("login.success")
    assert event.actor_id == user.id and detail_of(event) == {"second_factor": "totp"}
    with client.session_transaction() as sess:
        assert PENDING_TWO_FACTOR_KEY not in sess  # the session was renewed


def test_the_neighbouring_codes_are_accepted_for_clock_drift(client, auth, make_user, post_form,
                                                            totp_code):
    user = make_user("analyst")
    _password_step(auth, user)
    assert post_form(CODE_PAGE, {"code": totp_code(user, steps=-1)}).status_code == 302
    assert signed_in(client)


def test_a_wrong_code_is_refused_and_audited(client, auth, make_user, post_form, totp_code,
                                             audit_events):
    user = make_user("analyst")
    _password_step(auth, user)
    wrong = totp_code(user, steps=5)
    response = post_form(CODE_PAGE, {"code": wrong})
    assert response.status_code == 200
    assert "That code did not work" in response.get_data(as_text=True)
    assert not signed_in(client)
    [event] = audit_events("login.failure")
    assert event.actor_id == user.id and detail_of(event)["reason"] == "second_factor"


def test_a_code_cannot_be_used_twice(app, client, auth, make_user, post_form, totp_code):
    user = make_user("kaitiaki")
    code = totp_code(user)
    _password_step(auth, user)
    assert post_form(CODE_PAGE, {"code": code}).status_code == 302
    auth.logout()
    # Someone who saw the code tries it again, in another browser, within the same minute.
    from conftest import AuthActions

    thief = app.test_client()
    assert AuthActions(thief).login_with_form(user.email).headers["Location"] == CODE_PAGE
    response = post_form(CODE_PAGE, {"code": code}, on=thief)
    assert response.status_code == 200 and not signed_in(thief)


def test_a_recovery_code_works_once(client, auth, make_user, post_form, audit_events):
    user = make_user("facilitator")
    _give_recovery_codes(user, "abcde-fghjk", "mnpqr-stuvw")
    _password_step(auth, user)
    response = post_form(CODE_PAGE, {"code": "ABCDE FGHJK"}, follow_redirects=True)
    assert signed_in(client)
    assert "You have 1 left" in response.get_data(as_text=True)
    [used] = audit_events("two_factor.recovery_used")
    assert used.actor_id == user.id and detail_of(used) == {"remaining": 1}
    assert detail_of(audit_events("login.success")[0]) == {"second_factor": "recovery_code"}

    auth.logout()
    _password_step(auth, user)
    assert post_form(CODE_PAGE, {"code": "abcde-fghjk"}).status_code == 200
    assert not signed_in(client)


def test_the_code_step_expires(client, auth, make_user, post_form, totp_code):
    user = make_user("admin")
    _password_step(auth, user)
    with client.session_transaction() as sess:
        pending = dict(sess[PENDING_TWO_FACTOR_KEY])
        pending["at"] = time.time() - 3600
        sess[PENDING_TWO_FACTOR_KEY] = pending
    page = client.get(CODE_PAGE)
    assert "Please sign in again" in page.get_data(as_text=True)
    assert not signed_in(client)


def test_the_code_page_without_a_password_step_asks_to_sign_in(client):
    response = client.get(CODE_PAGE)
    assert response.status_code == 200
    assert "Please sign in again" in response.get_data(as_text=True)


def test_next_survives_the_code_step(client, auth, make_user, post_form, totp_code,
                                     csrf_token):
    user = make_user("admin")
    page = client.get("/account/login?next=/admin/")
    client.post("/account/login?next=/admin/", data={
        "email": user.email, "password": "correct horse battery staple",
        "csrf_token": csrf_token(page.get_data(as_text=True))})
    assert post_form(CODE_PAGE, {"code": totp_code(user)}).headers["Location"] == "/admin/"


# ---------------------------------------------------------------- set-up


def _setup_secret(client) -> str:
    """The key the set-up page shows (for typing into an app by hand), without its spaces."""
    html = client.get(SETUP).get_data(as_text=True)
    shown = re.search(r'<code class="secret-key">(.*?)</code>', html, flags=re.DOTALL).group(1)
    return re.sub(r"<[^>]+>|\s", "", shown)


def _session_values(client) -> str:
    with client.session_transaction() as sess:
        return repr(dict(sess))


def test_setup_shows_a_csp_safe_qr_code_and_the_key(client, auth, make_user):
    auth.login(make_user())
    response = client.get(SETUP)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    svg = re.search(r"<svg\b.*?</svg>", html, flags=re.DOTALL).group(0)
    assert "style" not in svg and "data:" not in svg and "<script" not in svg
    assert 'role="img"' in svg and "<title>" in svg
    secret = _setup_secret(client)
    # Groups of four, each one kept whole on a narrow screen (a span that does not wrap).
    groups = [secret[i:i + 4] for i in range(0, len(secret), 4)]
    assert " ".join(f'<span class="key-group">{group}</span>' for group in groups) in html
    # On a phone, the app opens from a link with the same key in it.
    uri = re.search(r'href="(otpauth://totp/[^"]+)"', html).group(1)
    assert f"secret={secret}" in uri and "issuer=K%C5%8Drero" in uri
    # Reloading keeps the same secret, so a code scanned before the reload still works.
    client.get(SETUP)
    assert _setup_secret(client) == secret


def test_setup_with_the_right_code_turns_two_factor_on(client, auth, make_user, post_form,
                                                       totp_code, audit_events, outbox):
    user = make_user(email="ana@example.org")
    auth.login(user)
    client.get(SETUP)
    secret = _setup_secret(client)
    response = post_form(SETUP, {"code": totp_code(secret)})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    codes = re.findall(r"<code>([2-9a-z]{5}-[2-9a-z]{5})</code>", html)
    assert len(codes) == 10 and len(set(codes)) == 10
    refreshed = Session.get(User, user.id)
    assert refreshed.totp_secret == secret and refreshed.has_two_factor
    stored = Session.scalars(select(RecoveryCode.code_hash)
                             .where(RecoveryCode.user_id == user.id)).all()
    assert sorted(stored) == sorted(token_hash(normalise_code(c)) for c in codes)
    assert not any(c in stored for c in codes)  # only hashes are kept
    assert [e.actor_id for e in audit_events("two_factor.enabled")] == [user.id]
    assert signed_in(client)  # a new session, still signed in
    with client.session_transaction() as sess:
        assert "two_factor_setup_nonce" not in sess
    [notice] = outbox.messages()
    assert notice["To"] == "ana@example.org" and "Two-factor" in notice["Subject"]


def test_setup_with_a_wrong_code_changes_nothing(client, auth, make_user, post_form,
                                                 totp_code):
    user = make_user()
    auth.login(user)
    client.get(SETUP)
    secret = _setup_secret(client)
    response = post_form(SETUP, {"code": totp_code(secret, steps=10)})
    assert response.status_code == 200
    assert "That code did not match" in response.get_data(as_text=True)
    assert not Session.get(User, user.id).has_two_factor
    assert _setup_secret(client) == secret


def test_staff_set_up_two_factor_and_then_reach_their_pages(client, auth, make_user, post_form,
                                                            totp_code):
    auth.login(make_user("admin", with_two_factor=False))
    assert client.get("/admin/").headers["Location"] == SETUP
    html = client.get(SETUP).get_data(as_text=True)
    assert "need two-factor sign-in before you continue" in html
    post_form(SETUP, {"code": totp_code(_setup_secret(client))})
    assert client.get("/admin/").status_code == 200


def test_demo_accounts_skip_and_cannot_turn_on_two_factor(client, auth, make_user, post_form):
    user = make_user("admin", is_demo=True, with_two_factor=False)
    auth.login(user)
    assert client.get("/admin/").status_code == 200
    page = client.get(SETUP)
    assert "Not available for demo accounts" in page.get_data(as_text=True)
    post_form(SETUP, {"code": "123456"})
    assert not Session.get(User, user.id).has_two_factor


# ---------------------------------------------------------------- turning off, new codes


def test_participant_turns_two_factor_off_with_the_password(client, auth, make_user, post_form,
                                                            audit_events):
    user = make_user("participant", with_two_factor=True)
    _give_recovery_codes(user, "abcde-fghjk")
    auth.login(user)
    wrong = post_form("/account/two-factor/disable", {"password": "not my password at all"})
    assert "That is not your current password" in wrong.get_data(as_text=True)
    assert Session.get(User, user.id).has_two_factor

    response = post_form("/account/two-factor/disable",
                         {"password": "correct horse battery staple"})
    assert response.status_code == 302
    refreshed = Session.get(User, user.id)
    assert not refreshed.has_two_factor and refreshed.totp_secret is None
    assert Session.scalars(select(RecoveryCode).where(RecoveryCode.user_id == user.id)).all() == []
    assert [e.actor_id for e in audit_events("two_factor.disabled")] == [user.id]


def test_staff_cannot_turn_two_factor_off(client, auth, make_user, post_form):
    user = make_user("analyst")
    auth.login(user)
    page = client.get("/account/two-factor/disable").get_data(as_text=True)
    assert "cannot be turned off" in page and 'name="password"' not in page
    post_form("/account/two-factor/disable", {"password": "correct horse battery staple"})
    assert Session.get(User, user.id).has_two_factor


def test_new_recovery_codes_replace_the_old_ones(client, auth, make_user, post_form, totp_code,
                                                 audit_events):
    user = make_user("advisory")
    _give_recovery_codes(user, "abcde-fghjk")
    auth.login(user)
    refused = post_form("/account/two-factor/recovery-codes", {"confirmation": "wrong guess!"})
    assert "neither your password nor a current code" in refused.get_data(as_text=True)

    for confirmation in ("correct horse battery staple", totp_code(user)):
        response = post_form("/account/two-factor/recovery-codes",
                             {"confirmation": confirmation})
        codes = re.findall(r"<code>([2-9a-z]{5}-[2-9a-z]{5})</code>",
                           response.get_data(as_text=True))
        assert len(codes) == 10
    stored = set(Session.scalars(select(RecoveryCode.code_hash)
                                 .where(RecoveryCode.user_id == user.id)))
    assert stored == {token_hash(normalise_code(c)) for c in codes}  # only the newest set
    assert len(audit_events("two_factor.recovery_codes_replaced")) == 2


def test_the_code_page_sends_a_signed_in_person_on(client, auth, make_user):
    auth.login(make_user())
    response = client.get(CODE_PAGE)
    assert response.status_code == 302 and response.headers["Location"] == "/tasks"


# ---------------------------------------------------------------- the secret being set up


def test_the_secret_being_set_up_is_not_in_the_session_cookie(client, auth, make_user,
                                                              post_form, totp_code):
    user = make_user()
    auth.login(user)
    secret = _setup_secret(client)
    assert secret not in _session_values(client)  # everything the signed cookie carries
    assert post_form(SETUP, {"code": totp_code(secret)}).status_code == 200
    assert Session.get(User, user.id).totp_secret == secret


def test_each_set_up_offers_its_own_secret(app, client, auth, make_user):
    from conftest import AuthActions

    user = make_user()
    auth.login(user)
    other_browser = app.test_client()
    AuthActions(other_browser).login(user)
    assert _setup_secret(client) != _setup_secret(other_browser)


# ---------------------------------------------------------------- failed re-authentication


def test_a_wrong_set_up_code_is_audited(client, auth, make_user, post_form, totp_code,
                                        audit_events):
    user = make_user()
    auth.login(user)
    post_form(SETUP, {"code": totp_code(_setup_secret(client), steps=10)})
    [event] = audit_events("reauth.failure")
    assert event.actor_id == user.id and detail_of(event) == {"purpose": "two_factor_setup"}


def test_a_wrong_password_turning_two_factor_off_is_audited(client, auth, make_user, post_form,
                                                            audit_events):
    user = make_user("participant", with_two_factor=True)
    auth.login(user)
    post_form("/account/two-factor/disable", {"password": "not my password at all"})
    [event] = audit_events("reauth.failure")
    assert event.actor_id == user.id and detail_of(event) == {"purpose": "two_factor_disable"}


def test_a_wrong_confirmation_for_new_recovery_codes_is_audited(client, auth, make_user,
                                                                post_form, audit_events):
    user = make_user("advisory")
    auth.login(user)
    post_form("/account/two-factor/recovery-codes", {"confirmation": "wrong guess!"})
    [event] = audit_events("reauth.failure")
    assert event.actor_id == user.id and detail_of(event) == {"purpose": "recovery_codes"}
