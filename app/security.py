"""Response headers (CSP with per-request nonces and friends) and safe redirects."""
from __future__ import annotations

import secrets
from urllib.parse import urlsplit

from flask import Flask, current_app, g, request, session
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from itsdangerous import URLSafeTimedSerializer

from app.logging_setup import contains_secret


def csp_nonce() -> str:
    """This request's nonce, for the few <script>/<style> tags we serve."""
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_urlsafe(18)
    return g.csp_nonce


_csrf_serializers: dict[str | bytes, URLSafeTimedSerializer] = {}


def csrf_token() -> str:
    """This request's CSRF token, exactly as Flask-WTF's `generate_csrf` makes it (the
    session's secret signed now with the same key and salt, kept in `g` for the request, so
    `validate_csrf` checks it as any other), with the signing serializer built once per key
    rather than for every request. When the session has no secret yet, Flask-WTF makes one."""
    app = current_app._get_current_object()
    config = app.config
    field = config.get("WTF_CSRF_FIELD_NAME") or "csrf_token"
    found = g.get(field)
    if found is not None:
        return found
    secret = session.get(field)
    if not isinstance(secret, str):
        return generate_csrf()
    key = config.get("WTF_CSRF_SECRET_KEY") or app.secret_key
    serializer = _csrf_serializers.get(key)
    if serializer is None:
        if len(_csrf_serializers) > 8:  # keys rotated many times (tests): start afresh
            _csrf_serializers.clear()
        serializer = _csrf_serializers[key] = URLSafeTimedSerializer(key, salt="wtf-csrf-token")
    token = serializer.dumps(secret)
    setattr(g, field, token)
    return token


def content_security_policy(nonce: str) -> str:
    return "; ".join(
        [
            "default-src 'self'",
            f"script-src 'self' 'nonce-{nonce}'",
            f"style-src 'self' 'nonce-{nonce}'",
            "img-src 'self'",
            "font-src 'self'",
            "connect-src 'self'",
            "form-action 'self'",
            "object-src 'none'",
            "base-uri 'none'",
            "frame-ancestors 'none'",
        ]
    )


def set_security_headers(response):
    req = request._get_current_object()
    headers = response.headers
    headers["Content-Security-Policy"] = content_security_policy(csp_nonce())
    headers["X-Content-Type-Options"] = "nosniff"
    # A page whose address holds a secret (an invitation, password-reset or registration token,
    # or a sign-in page whose `next=` points at one) sends no Referer at all, not even to this site.
    headers["Referrer-Policy"] = ("no-referrer" if contains_secret(req.full_path)
                                  else "strict-origin-when-cross-origin")
    headers["X-Frame-Options"] = "DENY"
    headers["Cross-Origin-Opener-Policy"] = "same-origin"
    headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()"
    if req.is_secure:
        headers["Strict-Transport-Security"] = "max-age=63072000; includeSubDomains"
    # Pages for a signed-in person may hold private data: never keep them in any cache.
    if getattr(current_user, "is_authenticated", False):
        headers["Cache-Control"] = "no-store"
    return response


def safe_next(target: str | None) -> str | None:
    """TARGET when it is a local path on this site, otherwise None.

    Refuses absolute URLs, scheme-relative `//host`, backslash tricks and control characters,
    so `?next=` can never send someone to another site.
    """
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return None
    if any(ord(ch) < 32 for ch in target) or "\\" in target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    return target


# What an HTML form posts. Anything else (JSON above all) is refused before a view runs:
# Flask-WTF would read a JSON body as the form, but the rate-limit keys and every other
# reader of request.form would not see it (a sign-in posted as JSON skipped the per-account
# limit).
FORM_MIMETYPES = frozenset({"application/x-www-form-urlencoded", "multipart/form-data", ""})


def refuse_unusable_input():
    """Answer 415 to a body that is not a form, and 400 to a NUL character anywhere in the
    query string or the form (PostgreSQL cannot store one: it would be a 500 later), with a
    message saying what to change. Returns None when the request may go on."""
    from flask_babel import gettext as _

    from app.errors import render_error

    req = request._get_current_object()  # every request: one context lookup, not eight
    if req.method in {"POST", "PUT", "PATCH", "DELETE"} and (
            req.mimetype not in FORM_MIMETYPES):
        return render_error(415, detail=_("This address accepts a form sent from its page, "
                                          "not “%(type)s”.", type=req.mimetype[:80]))
    values = [*req.args.items(multi=True)]
    if req.method in {"POST", "PUT", "PATCH"}:
        values += [*req.form.items(multi=True)]
    if any("\x00" in key or "\x00" in value for key, value in values):
        return render_error(400, detail=_("What was sent contains a NUL character (often "
                                          "pasted by mistake), which cannot be stored. Remove "
                                          "it and try again."))
    return None


def init_app(app: Flask) -> None:
    # First of all the before_request hooks: ahead of the CSRF check and the rate limits,
    # which would otherwise read (or miss) a body that no view will take.
    app.before_request_funcs.setdefault(None, []).insert(0, refuse_unusable_input)
    app.after_request(set_security_headers)
    app.jinja_env.globals["csp_nonce"] = csp_nonce
