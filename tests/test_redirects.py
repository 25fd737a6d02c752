"""`next=` redirects go only to local paths on this site."""
from __future__ import annotations

import pytest

from app.security import safe_next


@pytest.mark.parametrize(
    "target",
    [
        "//evil.example",
        "//evil.example/path",
        "///evil.example",
        "/\\evil.example",
        "/\\/evil.example",
        "\\\\evil.example",
        "https://evil.example",
        "http://evil.example/account",
        "HTTPS://evil.example",
        "javascript:alert(1)",
        "JavaScript:alert(1)",
        "data:text/html,hi",
        "evil.example",
        "account",
        "/\r\nLocation: https://evil.example",
        "/\nSet-Cookie:x=1",
        "/\tevil",
        " /leading-space",
        "",
        None,
    ],
)
def test_unsafe_targets_are_refused(target):
    assert safe_next(target) is None


@pytest.mark.parametrize(
    "target",
    ["/", "/path", "/path?x=1", "/forums/?page=2&sort=new", "/account/#security",
     "/oversight/audit?action=login.failure"],
)
def test_local_paths_are_kept(target):
    assert safe_next(target) == target


def test_percent_encoded_line_breaks_stay_encoded(client, csrf_token):
    """Encoded CR/LF are a harmless local path as long as nothing decodes them into a header."""
    target = safe_next("/%0d%0aSet-Cookie:x=1")
    assert target is None or ("\r" not in target and "\n" not in target)
    token = csrf_token(client.get("/account/login").get_data(as_text=True))
    response = client.post("/language", data={"lang": "en", "csrf_token": token,
                                              "next": "/%0d%0aSet-Cookie:x=1"})
    assert response.status_code == 302
    assert "\r" not in response.headers["Location"] and "\n" not in response.headers["Location"]
    assert not any(c.startswith("x=") for c in response.headers.getlist("Set-Cookie"))


def test_language_switch_goes_back_only_to_local_pages(client, csrf_token):
    token = csrf_token(client.get("/account/login").get_data(as_text=True))
    local = client.post("/language", data={"lang": "en", "next": "/forums/?x=1",
                                           "csrf_token": token})
    assert local.headers["Location"] == "/forums/?x=1"
    away = client.post("/language", data={"lang": "en", "next": "//evil.example",
                                          "csrf_token": token})
    assert away.headers["Location"] == "/"


# ---------------------------------------------------------------- login ?next=, end to end

PASSWORD = "a long enough test passphrase"


def _login(client, csrf_token, email, next_value):
    page = client.get("/account/login", query_string={"next": next_value})
    assert page.status_code == 200
    return client.post(
        "/account/login", query_string={"next": next_value},
        data={"email": email, "password": PASSWORD, "next": next_value,
              "csrf_token": csrf_token(page.get_data(as_text=True))},
    )


def test_signing_in_returns_to_the_local_page_asked_for(client, make_user, csrf_token):
    user = make_user("participant", password=PASSWORD)
    response = _login(client, csrf_token, user.email, "/forums/?page=2")
    assert response.status_code == 302
    assert response.headers["Location"] == "/forums/?page=2"


@pytest.mark.parametrize("next_value", ["//evil.example", "https://evil.example/",
                                        "/\\evil.example", "javascript:alert(1)"])
def test_signing_in_never_leaves_the_site(client, make_user, csrf_token, next_value):
    user = make_user("participant", password=PASSWORD)
    response = _login(client, csrf_token, user.email, next_value)
    assert response.status_code == 302
    location = response.headers["Location"]
    assert location.startswith("/") and not location.startswith(("//", "/\\"))
    assert "evil" not in location and "javascript" not in location


def test_an_anonymous_visitor_is_sent_back_after_signing_in(client, make_user, csrf_token):
    user = make_user("participant", password=PASSWORD)
    bounce = client.get("/account/")
    assert bounce.status_code == 302
    assert "/account/login?next=" in bounce.headers["Location"]
    page = client.get(bounce.headers["Location"])
    response = client.post(
        bounce.headers["Location"],
        data={"email": user.email, "password": PASSWORD,
              "csrf_token": csrf_token(page.get_data(as_text=True))},
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/account/"
