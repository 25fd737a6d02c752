"""Response headers (CSP with per-request nonces and friends) and safe redirects."""
from __future__ import annotations

import secrets
from urllib.parse import urlsplit

from flask import Flask, g, request
from flask_login import current_user

from app.logging_setup import contains_secret


def csp_nonce() -> str:
    """This request's nonce, for the few <script>/<style> tags we serve."""
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_urlsafe(18)
    return g.csp_nonce


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
    headers = response.headers
    headers["Content-Security-Policy"] = content_security_policy(csp_nonce())
    headers["X-Content-Type-Options"] = "nosniff"
    # A page whose address holds a secret (an invitation, password-reset or registration token,
    # or a sign-in page whose `next=` points at one) sends no Referer at all, not even to this site.
    headers["Referrer-Policy"] = ("no-referrer" if contains_secret(request.full_path)
                                  else "strict-origin-when-cross-origin")
    headers["X-Frame-Options"] = "DENY"
    headers["Cross-Origin-Opener-Policy"] = "same-origin"
    headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()"
    if request.is_secure:
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


def init_app(app: Flask) -> None:
    app.after_request(set_security_headers)
    app.jinja_env.globals["csp_nonce"] = csp_nonce
