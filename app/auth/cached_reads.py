"""A signed-in person's cached page, answered before the person is loaded through the ORM.

A feature package may name GET endpoints whose pages it keeps whole in a per-process cache
(`FeaturePackage.cached_reads`: endpoint -> answer(person, view_args), see forums/fast_read.py).
For those, this before_request hook runs just before the idle-timeout hook, after the body
check, the CSRF check and the rate limiter's own hook, and makes every check the usual path
makes for a signed-in request, the cheap way:

- the session cookie: Flask-Login's session protection, the idle timeout and the session
  lifetime (`sessions.session_times_check`, the idle-timeout hook's own check, which also
  notes this request's activity);
- the person: `user_cache.current_copy`, the same light query `load_user` runs on every
  request, and the same `may_stay_signed_in` (enabled, session version, no demo account in
  production); a person whose rows changed since they were cached is not answered here;
- the access matrix for the endpoint, and the two-factor set-up staff must finish first
  (`permissions.may_access`, `needs_two_factor_setup`, as `enforce_matrix` asks).

Only then is the package asked; it makes its own object checks and answers with the page, or
with None when it cannot answer from its cache. Whenever anything is unusual (a query string,
flashed messages to show, no signed-in session, a timed-out session, a person not cached or
changed, a refused endpoint, a cache miss) this hook answers None and the request goes the
usual way, every hook and the view included, which then answers exactly as before (and
fills the caches for next time). So what is saved is only the work of binding the person to
the ORM session, Flask-Login's loading, the view's ORM queries and the layout's navigation;
the security headers (with a fresh CSP nonce), the session cookie and the CSRF token in the
page are as on any other response.
"""
from __future__ import annotations

from flask import Flask, current_app, request, session

from app.auth import user_cache
from app.auth.sessions import may_stay_signed_in, session_times_check
from app.db import plain_read_transaction
from app.extensions import login_manager
from app.permissions import may_access, needs_two_factor_setup

EXTENSION = "korero_cached_reads"


def answer_cached_read():
    """before_request: a registered endpoint's cached page for a plain GET by a signed-in
    person who passes every check, or None to let the request go the usual way."""
    req = request._get_current_object()
    if req.method != "GET" or req.query_string:
        return None
    answer = current_app.extensions[EXTENSION].get(req.endpoint)
    if answer is None:
        return None
    with plain_read_transaction():  # both reads in one snapshot, outside the ORM session
        person = _signed_in_person(req.endpoint)
        page = None if person is None else answer(person, req.view_args or {})
    if page is not None:
        # The request's person for what still runs (the security headers mark the page
        # no-store for the signed-in): the shared cached copy, read only, like the page.
        login_manager._update_request_context_with_user(person)
    return page


def _signed_in_person(endpoint: str):
    """The cached copy of the session's person when every check the usual hooks make
    passes, else None."""
    cookie = session._get_current_object()
    user_id = cookie.get("_user_id")
    if not isinstance(user_id, str) or cookie.get("_flashes"):
        return None
    # Flask-Login's own check of where the session is used (it marks the session not fresh,
    # or in "strong" mode ends it, exactly as when it loads the person).
    if login_manager._session_protection_failed():
        return None
    raw_id, _sep, raw_version = user_id.partition(":")
    if not raw_id.isdigit() or session_times_check(cookie, current_app.config) is not None:
        return None
    person = user_cache.current_copy(int(raw_id))
    if not may_stay_signed_in(person, raw_version) or needs_two_factor_setup(person):
        return None
    return person if may_access(person, endpoint) else None


def init_app(app: Flask) -> None:
    """Before the idle-timeout hook (app/auth/sessions.py), after the body check, the CSRF
    check and the rate limiter's hook; packages add their endpoints in app/packages.py."""
    app.extensions.setdefault(EXTENSION, {})
    app.before_request(answer_cached_read)
