"""Security headers on every response, a strict CSP that rendered pages actually obey, and
the cookie and cache rules."""
from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from routewalk import create_route_objects, rules_for, url_for_rule

from app import create_app
from app.config import TestConfig
from app.db import Session


def csp_directives(response) -> dict[str, str]:
    policy = response.headers["Content-Security-Policy"]
    directives = {}
    for part in policy.split(";"):
        name, _, value = part.strip().partition(" ")
        directives[name] = value.strip()
    return directives


def nonce_of(response) -> str:
    match = re.search(r"'nonce-([^']+)'", csp_directives(response)["script-src"])
    assert match, "script-src carries no nonce"
    return match.group(1)


class TagCollector(HTMLParser):
    """Every start tag of a page with its attributes."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    handle_startendtag = handle_starttag


def tags_of(html: str) -> list[tuple[str, dict]]:
    parser = TagCollector()
    parser.feed(html)
    return parser.tags


# ---------------------------------------------------------------- the headers


def test_csp_is_strict_and_has_a_fresh_nonce_per_request(client):
    first, second = client.get("/"), client.get("/")
    directives = csp_directives(first)
    assert directives["object-src"] == "'none'"
    assert directives["base-uri"] == "'none'"
    assert directives["frame-ancestors"] == "'none'"
    assert directives["default-src"] == "'self'"
    for name in ("script-src", "style-src"):
        assert "'unsafe-inline'" not in directives[name]
        assert "'unsafe-eval'" not in directives[name]
        assert f"'nonce-{nonce_of(first)}'" in directives[name]
    assert "unsafe-inline" not in first.headers["Content-Security-Policy"]
    assert nonce_of(first) != nonce_of(second)
    assert len(nonce_of(first)) >= 16


@pytest.mark.parametrize("path", ["/", "/healthz", "/no-such-page", "/static/css/korero.css"])
def test_every_response_carries_the_headers(client, path):
    response = client.get(path)
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert "Content-Security-Policy" in response.headers
    assert "Strict-Transport-Security" not in response.headers  # plain http here


@pytest.mark.parametrize("path", [
    "/account/invitation/not-a-real-token.abc",
    "/account/reset-password/not-a-real-token.abc",
    "/account/register/not-a-real-token.abc",
    "/account/login?next=%2Faccount%2Finvitation%2Fnot-a-real-token.abc",
])
def test_pages_whose_address_holds_a_token_send_no_referrer(client, path):
    """Else the token would travel in the Referer of every request the page makes (and land
    in access logs, this site's included)."""
    assert client.get(path).headers["Referrer-Policy"] == "no-referrer"


def test_other_pages_keep_the_usual_referrer_policy(client):
    for path in ("/account/login", "/account/login?next=%2Faccount%2F", "/account/register"):
        assert client.get(path).headers["Referrer-Policy"] == "strict-origin-when-cross-origin"


def test_hsts_only_over_https(app):
    secure = app.test_client().get("/", base_url="https://localhost")
    assert secure.headers["Strict-Transport-Security"].startswith("max-age=")
    assert int(re.search(r"max-age=(\d+)", secure.headers["Strict-Transport-Security"])
               .group(1)) >= 15_552_000  # at least 180 days
    plain = app.test_client().get("/", base_url="http://localhost")
    assert "Strict-Transport-Security" not in plain.headers


# ---------------------------------------------------------------- cookies


def _session_cookie_header(response, name: str = "session") -> str:
    cookies = [value for value in response.headers.getlist("Set-Cookie")
               if value.startswith(f"{name}=")]
    assert cookies, "the response set no session cookie"
    return cookies[0]


def test_session_cookie_is_httponly_and_samesite_lax(client):
    cookie = _session_cookie_header(client.get("/account/login"))  # its form puts a CSRF secret
    attributes = {part.strip().lower() for part in cookie.split(";")}
    assert "httponly" in attributes
    assert "samesite=lax" in attributes
    assert "secure" not in attributes  # the test app is configured for plain http


def test_session_cookie_is_secure_when_the_site_is_https(database_url, monkeypatch):
    monkeypatch.setenv("BASE_URL", "https://consult.example.nz")
    saved_bind = dict(Session.session_factory.kw)
    https_app = create_app(TestConfig(database_url))
    # create_app binds the shared Session to its own engine: give it back to this test.
    Session.remove()
    Session.configure(**saved_bind)
    try:
        response = https_app.test_client().get("/account/login",
                                               base_url="https://consult.example.nz")
        cookie = _session_cookie_header(response, name="__Host-session")
        attributes = {part.strip().lower() for part in cookie.split(";")}
        assert {"secure", "httponly", "samesite=lax", "path=/"} <= attributes
        assert not any(attribute.startswith("domain=") for attribute in attributes)
    finally:
        https_app.extensions["korero_engine"].dispose()


# ---------------------------------------------------------------- caching


def test_signed_in_pages_are_never_cached(client, auth, make_user):
    auth.login(make_user("participant"))
    for path in ("/", "/account/", "/forums/"):
        assert client.get(path).headers.get("Cache-Control") == "no-store", path


def test_every_response_to_a_signed_in_admin_is_no_store(app, client, auth, make_user,
                                                          make_org, make_consultation):
    objects = create_route_objects(make_user, make_org, make_consultation)
    admin = make_user("admin")
    problems = []
    for rule in rules_for(app, "GET"):
        auth.login(admin)
        url = url_for_rule(app, rule, objects)
        response = client.get(url)
        if response.headers.get("Cache-Control") != "no-store":
            problems.append(f"{url}: Cache-Control {response.headers.get('Cache-Control')!r}")
    assert not problems, "\n".join(problems)


def test_public_pages_for_anonymous_visitors_carry_no_cache_control(client):
    for path in ("/", "/forums/", "/workshops/", "/submissions/", "/privacy", "/accessibility"):
        assert "Cache-Control" not in client.get(path).headers, path


# ---------------------------------------------------------------- pages obey the CSP


@pytest.fixture
def rendered_pages(app, client, auth, make_user, make_org, make_consultation):
    """Every HTML page reachable by GET, as anonymous and as an admin: (url, response)."""
    objects = create_route_objects(make_user, make_org, make_consultation)
    admin = make_user("admin")
    pages = []
    for who in ("anonymous", "admin"):
        for rule in rules_for(app, "GET"):
            if rule.endpoint == "static":
                continue
            if who == "admin":
                auth.login(admin)
            url = url_for_rule(app, rule, objects)
            response = client.get(url)
            if response.mimetype == "text/html":
                pages.append((f"{url} as {who}", response))
        if who == "anonymous":
            pages.append(("404 page", client.get("/no-such-page")))
    assert len(pages) >= 5
    return pages


def test_every_script_and_style_tag_carries_the_nonce(rendered_pages):
    problems, nonced = [], 0
    for label, response in rendered_pages:
        nonce = nonce_of(response)
        page_nonced = 0
        for tag, attrs in tags_of(response.get_data(as_text=True)):
            if tag not in ("script", "style"):
                continue
            if attrs.get("nonce") == nonce:
                page_nonced += 1
            else:
                problems.append(f"{label}: <{tag}> without this request's nonce")
        # Every page on the layout loads js/nav.js (redirects have only Werkzeug's stub body).
        if not page_nonced and response.status_code // 100 != 3:
            problems.append(f"{label}: no <script> or <style> with the nonce at all")
        nonced += page_nonced
    assert not problems, "\n".join(problems)
    assert nonced, "no nonce'd tag on any page: this test checked nothing"


def test_no_inline_styles_or_event_handlers(rendered_pages):
    problems = []
    for label, response in rendered_pages:
        for tag, attrs in tags_of(response.get_data(as_text=True)):
            for name, value in attrs.items():
                if name == "style" or name.startswith("on"):
                    problems.append(f"{label}: <{tag} {name}=...>")
                if name in ("href", "src", "action") and (value or "").strip().lower().startswith(
                        "javascript:"):
                    problems.append(f"{label}: <{tag} {name}={value!r}>")
    assert not problems, "\n".join(problems)


def test_css_and_scripts_are_served_locally(rendered_pages):
    problems = []
    for label, response in rendered_pages:
        for tag, attrs in tags_of(response.get_data(as_text=True)):
            source = attrs.get("src") if tag == "script" else (
                attrs.get("href") if tag == "link" else None)
            if source and not source.startswith("/"):
                problems.append(f"{label}: <{tag}> loads {source}")
    assert not problems, "\n".join(problems)


def test_the_page_nonce_matches_the_header(client):
    """The base layout's nonce'd tags (js/nav.js at least) use this response's nonce."""
    response = client.get("/")
    html = response.get_data(as_text=True)
    found = re.findall(r'nonce="([^"]+)"', html)
    assert found, "the base layout has no nonce'd tag: nothing was compared"
    for nonce in found:
        assert nonce == nonce_of(response)
    assert ("script", nonce_of(response)) in {
        (tag, attrs.get("nonce")) for tag, attrs in tags_of(html)}


def test_the_kept_serializers_csrf_token_is_flask_wtfs_own(app):
    """app.security.csrf_token (for pages answered from a cache) signs the session's secret as
    Flask-WTF does: validate_csrf accepts it, it is the request's one token, and a new secret
    key is used at once."""
    from flask import g, session
    from flask_wtf.csrf import generate_csrf, validate_csrf
    from wtforms import ValidationError

    from app.security import csrf_token

    with app.test_request_context("/"):
        first = generate_csrf()  # makes the session's secret
        g.pop("csrf_token")
        token = csrf_token()
        assert token == csrf_token() == generate_csrf()  # one token per request
        validate_csrf(token)
        secret = session["csrf_token"]
    old_key = app.secret_key
    try:
        app.secret_key = "another secret key, rotated for this test"
        with app.test_request_context("/"):
            session["csrf_token"] = secret
            rotated = csrf_token()
            validate_csrf(rotated)
            with pytest.raises(ValidationError):
                validate_csrf(first)  # signed with the old key
    finally:
        app.secret_key = old_key
