"""Bad input gets a clear message and a 4xx, never a 500 (issue 15)."""
from __future__ import annotations

import json

import pytest

from .support import signed_in

CODE_PAGE = "/account/login/two-factor"
ARABIC_INDIC_DIGITS = "١٢٣٤٥٦"


def _password_step(auth, user):
    response = auth.login_with_form(user.email)
    assert response.headers["Location"] == CODE_PAGE


@pytest.mark.parametrize("code", [ARABIC_INDIC_DIGITS, "۱۲۳۴۵۶", "१२३४५६", "١٢٣٤٥-٦٧٨٩٠"])
def test_non_ascii_digits_in_a_code_are_a_wrong_code_and_audited(client, auth, make_user,
                                                                 post_form, audit_events, code):
    user = make_user("analyst")
    _password_step(auth, user)
    response = post_form(CODE_PAGE, {"code": code})
    assert response.status_code == 200
    assert "That code did not work" in response.get_data(as_text=True)
    assert not signed_in(client)
    [event] = audit_events("login.failure")
    assert event.actor_id == user.id and json.loads(event.detail)["reason"] == "second_factor"


def test_full_width_digits_are_read_as_the_code(client, auth, make_user, post_form, totp_code):
    user = make_user("analyst")
    _password_step(auth, user)
    code = totp_code(user).translate({ord(d): 0xFF10 + int(d) for d in "0123456789"})
    assert post_form(CODE_PAGE, {"code": code}).status_code == 302 and signed_in(client)


def test_non_ascii_digits_when_setting_up_two_factor(client, auth, make_user, post_form):
    auth.login(make_user("participant"))
    response = post_form("/account/two-factor/setup", {"code": ARABIC_INDIC_DIGITS})
    assert response.status_code == 200
    assert "That code did not match" in response.get_data(as_text=True)


@pytest.mark.parametrize("path", ["/account/login", "/account/forgot-password",
                                  "/account/register"])
def test_a_nul_character_is_refused_with_a_message(post_form, make_user, open_registration,
                                                   path):
    make_user(email="ana@example.org")
    response = post_form(path, {"email": "ana@example.org\x00", "password": "x",
                                "display_name": "Ana"})
    assert response.status_code == 400
    assert "NUL character" in response.get_data(as_text=True)


@pytest.mark.parametrize("query", [
    "date_to=9999-12-31", "date_from=0001-01-01", "date_from=0001-01-01&date_to=9999-12-31",
])
@pytest.mark.parametrize("page, status", [("/oversight/audit", 400),  # the form, with errors
                                          ("/oversight/audit/export.csv", 400)])
def test_audit_dates_out_of_range_are_refused_with_a_message(client, auth, make_user, page,
                                                            status, query):
    """They used to overflow converting a local day to UTC: a 500."""
    auth.login(make_user("admin"))
    response = client.get(f"{page}?{query}")
    assert response.status_code == status
    assert "Choose a date between 1900-01-01 and 2999-12-31" in response.get_data(as_text=True)


@pytest.mark.parametrize("cursor", ["99999999999999999999999", "-5", "0", "1e9", "abc"])
def test_a_huge_or_odd_page_cursor_is_refused_with_a_message(client, auth, make_user, cursor):
    auth.login(make_user("admin"))
    for name in ("before", "after"):
        response = client.get(f"/oversight/audit?{name}={cursor}&action=login.success")
        assert response.status_code == 400
        assert "That page link is not valid" in response.get_data(as_text=True)


@pytest.mark.parametrize("cursor", ["99999999999999999999999", "abc"])
def test_the_export_has_no_pages_so_a_cursor_changes_nothing(client, auth, make_user, cursor):
    auth.login(make_user("admin"))
    with client.get(f"/oversight/audit/export.csv?before={cursor}&action=login.success") as resp:
        resp.get_data()  # streamed: read it to the end
        assert resp.status_code == 200
