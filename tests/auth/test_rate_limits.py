"""Rate limits, hit for real: per address and per account; only POSTs count; a 429 page."""
from __future__ import annotations

import pytest
from conftest import DEFAULT_PASSWORD

from app.auth.operations import create_invitation
from app.db import Session
from app.mail import wait_for_background_mail

LOGIN = "/account/login"


def _from(address: str) -> dict:
    return {"environ_base": {"REMOTE_ADDR": address}}


def _try_login(post_form, email: str, address: str = "192.0.2.1"):
    return post_form(LOGIN, {"email": email, "password": "a wrong password guess"},
                     **_from(address))


def _assert_too_many(response):
    assert response.status_code == 429
    html = response.get_data(as_text=True)
    assert "Too many attempts" in html and "<h1" in html


def test_login_is_limited_per_address(client, post_form):
    for n in range(10):
        assert _try_login(post_form, f"person{n}@example.org").status_code == 200
    _assert_too_many(_try_login(post_form, "person10@example.org"))
    # GETs are not counted, and another address is not affected.
    assert client.get(LOGIN, **_from("192.0.2.1")).status_code == 200
    assert _try_login(post_form, "someone@example.org", "192.0.2.99").status_code == 200


def test_login_is_limited_per_account_whatever_the_address(post_form, make_user):
    make_user(email="target@example.org")
    for n in range(20):
        assert _try_login(post_form, "target@example.org", f"198.51.100.{n}").status_code == 200
    _assert_too_many(_try_login(post_form, "Target@Example.org", "198.51.100.200"))
    assert _try_login(post_form, "other@example.org", "198.51.100.201").status_code == 200


def test_one_address_cannot_lock_the_owner_out(post_form, make_user):
    """Issue 15: five wrong passwords a minute from anywhere used to lock the account for
    everyone. Now one address gets five; the owner, elsewhere, still signs in."""
    make_user(email="target@example.org")
    for _ in range(5):
        assert _try_login(post_form, "target@example.org", "203.0.113.66").status_code == 200
    _assert_too_many(_try_login(post_form, "target@example.org", "203.0.113.66"))
    response = post_form(LOGIN, {"email": "target@example.org", "password": DEFAULT_PASSWORD},
                         **_from("192.0.2.44"))
    assert response.status_code == 302, "the owner was locked out by someone else's guesses"
    assert response.headers["Location"] != LOGIN


@pytest.mark.parametrize("variant", [
    "ｔａｒｇｅｔ@example.org",          # full-width letters
    "target@example。org",               # ideographic full stop
    "TARGET@EXAMPLE.ORG ",
    "𝓉arget@example.org",               # a mathematical script letter
])
def test_look_alike_spellings_share_the_accounts_count(post_form, make_user, variant):
    """Issue 15: each look-alike spelling of an address used to get a count of its own."""
    make_user(email="target@example.org")
    for n in range(5):
        assert _try_login(post_form, "target@example.org", "198.51.100.7").status_code == 200
    _assert_too_many(_try_login(post_form, variant, "198.51.100.7"))


def test_sign_in_posted_as_json_is_refused(client, make_user, csrf_token):
    """Issue 15: Flask-WTF reads a JSON body as the form, but the per-account key read only
    request.form, so JSON sign-ins were never counted per account."""
    make_user(email="target@example.org")
    token = csrf_token(client.get(LOGIN).get_data(as_text=True))
    for n in range(7):
        response = client.post(LOGIN, json={"email": "target@example.org", "csrf_token": token,
                                            "password": "a wrong password guess"},
                               headers={"X-CSRFToken": token}, **_from(f"198.51.100.{n}"))
        assert response.status_code == 415
        assert "not “application/json”" in response.get_data(as_text=True)


class _Clock:
    """Stands in for the `time` module inside the rate-limit library, so a test can let
    minutes pass without waiting."""

    def __init__(self, real):
        self._real, self.offset = real, 0.0

    def time(self) -> float:
        return self._real.time() + self.offset

    def __getattr__(self, name):
        return getattr(self._real, name)


def test_login_is_limited_per_account_per_hour_too(post_form, make_user, monkeypatch):
    """Twenty a minute would still allow 1,200 an hour; ASVS allows at most 100."""
    import time

    import limits.storage.memory
    import limits.strategies

    clock = _Clock(time)
    monkeypatch.setattr(limits.storage.memory, "time", clock)
    monkeypatch.setattr(limits.strategies, "time", clock)
    make_user(email="target@example.org")
    for n in range(100):
        if n and n % 20 == 0:
            clock.offset += 61  # a new minute: the per-minute limit starts again
        address = f"198.51.100.{n}"
        assert _try_login(post_form, "target@example.org", address).status_code == 200, n
    clock.offset += 61
    _assert_too_many(_try_login(post_form, "target@example.org", "198.51.100.100"))
    assert _try_login(post_form, "other@example.org", "198.51.100.101").status_code == 200
    clock.offset += 3600  # an hour later the account may be tried again
    assert _try_login(post_form, "target@example.org", "198.51.100.102").status_code == 200


def test_two_factor_codes_are_limited_per_person(auth, make_user, post_form, totp_code):
    user = make_user("admin")
    auth.login_with_form(user.email)
    for _ in range(5):
        response = post_form("/account/login/two-factor", {"code": totp_code(user, steps=9)})
        assert response.status_code == 200
    _assert_too_many(post_form("/account/login/two-factor", {"code": totp_code(user)}))


def test_password_reset_is_limited_per_email_and_per_address(post_form):
    for _ in range(3):
        assert post_form("/account/forgot-password", {"email": "a@example.org"},
                         **_from("203.0.113.1")).status_code == 302
    _assert_too_many(post_form("/account/forgot-password", {"email": "a@example.org"},
                               **_from("203.0.113.2")))
    for n in range(5):
        assert post_form("/account/forgot-password", {"email": f"b{n}@example.org"},
                         **_from("203.0.113.3")).status_code == 302
    _assert_too_many(post_form("/account/forgot-password", {"email": "c@example.org"},
                               **_from("203.0.113.3")))


def _invitation_paths(app, make_user, count: int) -> list[str]:
    with app.app_context():  # the link is built from BASE_URL, which needs the app
        admin = make_user("admin")
        links = [create_invitation(admin, email=f"new{n}@example.org", roles="participant")[1]
                 for n in range(count)]
        Session.commit()
    return [link.removeprefix(app.config["BASE_URL"]) for link in links]


WEAK_ACCEPTANCE = {"display_name": "N", "password": "short", "confirm": "short"}


def test_accepting_invitations_is_limited_per_address(app, make_user, post_form):
    """Ten tries at ten different invitations from one address, then no more."""
    paths = _invitation_paths(app, make_user, 11)
    for path in paths[:10]:
        assert post_form(path, WEAK_ACCEPTANCE, **_from("203.0.113.4")).status_code == 200
    _assert_too_many(post_form(paths[10], WEAK_ACCEPTANCE, **_from("203.0.113.4")))
    # Another address may still try the same invitation.
    assert post_form(paths[10], WEAK_ACCEPTANCE, **_from("203.0.113.5")).status_code == 200


def test_accepting_one_invitation_is_limited_whatever_the_address(app, make_user, post_form):
    """Accepting for an existing account checks its password: one invitation gets five tries
    a minute, however many addresses they come from."""
    [path] = _invitation_paths(app, make_user, 1)
    for n in range(5):
        assert post_form(path, WEAK_ACCEPTANCE, **_from(f"198.51.100.{n}")).status_code == 200
    _assert_too_many(post_form(path, WEAK_ACCEPTANCE, **_from("198.51.100.99")))


@pytest.mark.usefixtures("open_registration")
def test_registration_is_limited_per_address(post_form):
    for n in range(5):
        data = {"display_name": "N", "email": f"not-an-email-{n}"}
        assert post_form("/account/register", data).status_code == 200
    _assert_too_many(post_form("/account/register", {"display_name": "N",
                                                     "email": "x@example.org"}))


def _delivered(outbox) -> list:
    """The outbox once the registration emails, sent in the background, are all written."""
    assert wait_for_background_mail(5.0)
    return outbox.messages()


@pytest.mark.usefixtures("open_registration")
def test_registration_requests_are_limited_per_email_whatever_the_address(post_form, outbox):
    """Each request emails the address: three an hour, however many addresses ask."""
    for n in range(3):
        response = post_form("/account/register",
                             {"display_name": "N", "email": "target@example.org"},
                             **_from(f"198.51.100.{n}"))
        assert response.status_code == 200
    assert len(_delivered(outbox)) == 3
    _assert_too_many(post_form("/account/register",
                               {"display_name": "N", "email": "Target@Example.org"},
                               **_from("198.51.100.50")))
    assert len(_delivered(outbox)) == 3
    assert post_form("/account/register", {"display_name": "N", "email": "other@example.org"},
                     **_from("198.51.100.51")).status_code == 200


@pytest.mark.usefixtures("open_registration")
def test_the_registration_link_is_limited_per_address(app, post_form):
    from app.auth.tokens import sign_registration_token

    with app.app_context():
        path = "/account/register/" + sign_registration_token("new@example.org", "N")
    for _ in range(5):
        assert post_form(path, WEAK_ACCEPTANCE, **_from("203.0.113.7")).status_code == 200
    _assert_too_many(post_form(path, WEAK_ACCEPTANCE, **_from("203.0.113.7")))
    assert post_form(path, WEAK_ACCEPTANCE, **_from("203.0.113.8")).status_code == 200


def test_only_endpoints_without_any_limit_skip_the_limiter(app):
    """app/rate_limits.py lets Flask-Limiter skip its work on endpoints no limit applies to:
    every view that declares a limit must still be checked, and the limiter still runs on
    them (the tests above hit those limits for real)."""
    from flask_limiter.util import get_qualified_name

    from app.extensions import limiter
    from app.rate_limits import declares_no_limit

    limited = set(limiter.limit_manager._decorated_limits)
    assert limited
    checked = 0
    for endpoint, view in app.view_functions.items():
        if get_qualified_name(view) in limited:
            assert not declares_no_limit(app, limiter, endpoint), endpoint
            checked += 1
    assert checked >= 10
    for endpoint in ("auth.login", "auth.forgot_password", "auth.register", "forums.thread",
                     "forums.new_thread", "forums.flag_post", "workshops.book"):
        assert not declares_no_limit(app, limiter, endpoint), endpoint
    for endpoint in ("main.healthz", "main.index", "forums.index", "static"):
        assert declares_no_limit(app, limiter, endpoint), endpoint
