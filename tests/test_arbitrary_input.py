"""Arbitrary text in every form field of every POST route never gives a 500 (issue 15).

Property-based (hypothesis): the walk takes each POST route of the app (tests/routewalk.py fills
its URL), reads the names of the fields its page's forms render (or a plausible guess for a
route with no page of its own), and posts drawn text in every field, with a valid CSRF token,
as an admin and as an anonymous visitor. The text includes what broke the core before: NUL
characters, other scripts' digits, dates at the ends of the calendar, huge numbers.
"""
from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from routewalk import create_route_objects, rules_for, url_for_rule

from app.extensions import limiter

# Ending the session would leave the rest of the walk anonymous.
SKIPPED = {"auth.logout"}
GUESSED_FIELDS = ("email", "password", "code", "display_name", "name", "title", "text",
                  "reason", "next", "lang")
TRICKY = st.sampled_from([
    "\x00", "a\x00b@example.org", "١٢٣٤٥٦", "１２３４５６", "9999-12-31", "0001-01-01",
    "99999999999999999999999", "-1", "0", "", " ", "ｔａｒｇｅｔ@example。org", "\u202e",
    "<script>alert(1)</script>", "=1+1", "a" * 5000,
])
VALUES = st.one_of(TRICKY, st.text(max_size=80))
_FIELD = re.compile(r'<(?:input|textarea|select)\b[^>]*\bname="([^"]+)"', re.IGNORECASE)
_CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def _fields_and_token(client, url: str, fallback_token: str) -> tuple[list[str], str]:
    page = client.get(url)
    html = page.get_data(as_text=True) if page.status_code == 200 else ""
    names = sorted(set(_FIELD.findall(html)) - {"csrf_token"})
    match = _CSRF.search(html)
    return (names or list(GUESSED_FIELDS)), (match.group(1) if match else fallback_token)


def _walk_one(client, url: str, fallback_token: str) -> None:
    fields, token = _fields_and_token(client, url, fallback_token)

    @settings(max_examples=4, deadline=None, database=None, derandomize=True,
              suppress_health_check=list(HealthCheck))
    @given(st.fixed_dictionaries({name: VALUES for name in fields}))
    def post_arbitrary(values):
        response = client.post(url, data={**values, "csrf_token": token})
        assert response.status_code < 500, f"{url} with {values!r}"

    post_arbitrary()


@pytest.mark.parametrize("who", ["anonymous", "admin"])
def test_arbitrary_text_in_any_form_field_never_gives_a_500(who, app, client, auth, make_user,
                                                            make_org, make_consultation,
                                                            monkeypatch):
    monkeypatch.setattr(limiter, "enabled", False)  # limits would hide the views behind 429s
    objects = create_route_objects(make_user, make_org, make_consultation)
    if who == "admin":
        auth.login(make_user("admin"))
    fallback = _CSRF.search(client.get("/account/login").get_data(as_text=True))
    fallback_token = fallback.group(1) if fallback else ""
    walked = 0
    for rule in rules_for(app, "POST"):
        if rule.endpoint in SKIPPED:
            continue
        _walk_one(client, url_for_rule(app, rule, objects), fallback_token)
        walked += 1
    assert walked >= 20  # the walk reached the core's forms, not nothing
