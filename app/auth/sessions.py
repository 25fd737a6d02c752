"""Signing in and out: Flask-Login set-up, session renewal, session versions, idle timeout and
the absolute session lifetime."""
from __future__ import annotations

import time

from flask import Flask, current_app, flash, redirect, request, session, url_for
from flask.sessions import SecureCookieSessionInterface
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user
from itsdangerous import BadSignature

from app.auth import user_cache
from app.db import Session, utcnow
from app.extensions import login_manager
from app.models import User

LAST_ACTIVE_KEY = "last_active"
SIGNED_IN_AT_KEY = "signed_in_at"
# The last-active time is written to the session at most this often. Writing it on every
# request would change the session, so the cookie would be signed and sent again on every
# response: a large share of a cached page's cost. An idle timeout of N minutes then signs a
# person out after between N-1 and N minutes without a request.
LAST_ACTIVE_RESOLUTION_SECONDS = 60


def load_user(user_id: str) -> User | None:
    """Flask-Login loader: the id is "<user id>:<session version>". The person comes from
    app/auth/user_cache.py: one light query, checked against the database on every request,
    so a disabled account, a removed role or a bumped session version counts at once."""
    try:
        raw_id, raw_version = user_id.split(":", 1)
        user = user_cache.load(int(raw_id))
    except (ValueError, TypeError):
        return None
    return user if may_stay_signed_in(user, raw_version) else None


def may_stay_signed_in(user: User | None, raw_version: str) -> bool:
    """Whether USER may be signed in by a session that names RAW_VERSION: the account
    exists and is enabled, no "sign out everywhere" happened since, and it is not a demo
    account in production (its password is published)."""
    if user is None or not user.is_enabled or str(user.session_version) != raw_version:
        return False
    return not (user.is_demo and current_app.config.get("KORERO_ENV") == "production")


def start_session(user: User) -> None:
    """Sign USER in on a fresh session: nothing from before signing in carries over."""
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang
    session.permanent = True
    login_user(user, fresh=True)
    session[LAST_ACTIVE_KEY] = session[SIGNED_IN_AT_KEY] = time.time()
    user.last_login_at = utcnow()


def end_all_sessions(user: User) -> None:
    """Invalidate every session USER has, on every device (logout, password change, disable)."""
    user.session_version = (user.session_version or 0) + 1


def end_session(user: User | None) -> None:
    """Sign out of this browser and end every other session of the same person."""
    if user is not None:
        end_all_sessions(user)
    lang = session.get("lang")
    logout_user()
    session.clear()
    if lang:
        session["lang"] = lang


def _sign_out_here(message: str):
    end_session(None)  # only this browser: others may still be in time
    flash(message, "warning")
    return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))


def enforce_idle_timeout():
    """before_request: sign out someone who has been idle longer than IDLE_TIMEOUT, or signed
    in longer than SESSION_LIFETIME, however active they have been since."""
    if request.endpoint == "static" or not current_user.is_authenticated:
        return None
    expired = session_times_check(session._get_current_object(), current_app.config)
    if expired == IDLE:
        return _sign_out_here(_("You were signed out after a period of inactivity. Please sign "
                                "in again."))
    if expired == TOO_LONG:
        return _sign_out_here(_("You have been signed in for as long as a session may last. "
                                "Please sign in again."))
    return None


IDLE, TOO_LONG = "idle", "too long"


def session_times_check(cookie, config) -> str | None:
    """IDLE or TOO_LONG when the signed-in session COOKIE has been idle longer than
    IDLE_TIMEOUT or lasted longer than SESSION_LIFETIME; otherwise None, after noting this
    request's activity in COOKIE (at most once a LAST_ACTIVE_RESOLUTION_SECONDS)."""
    now = time.time()
    last_active = cookie.get(LAST_ACTIVE_KEY)
    if last_active is None or now - float(last_active) > config["IDLE_TIMEOUT"].total_seconds():
        return IDLE
    signed_in_at = cookie.get(SIGNED_IN_AT_KEY)
    if signed_in_at is None:
        # A session from before sign-in times were kept: its lifetime starts now.
        signed_in_at = cookie[SIGNED_IN_AT_KEY] = now
    lifetime = config.get("SESSION_LIFETIME", config["PERMANENT_SESSION_LIFETIME"])
    if now - float(signed_in_at) > lifetime.total_seconds():
        return TOO_LONG
    if now - float(last_active) >= LAST_ACTIVE_RESOLUTION_SECONDS:
        cookie[LAST_ACTIVE_KEY] = now
    return None


# Session values that cannot be changed in place, so one decoded session can be handed out again.
_PLAIN = frozenset({str, int, float, bool, type(None)})


class SessionCookies(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions, with the signing serializer built once per set of keys
    rather than twice in every request (once to read the cookie, once to write it). The
    serializer holds no state between calls; a changed SECRET_KEY or SECRET_KEY_FALLBACKS
    builds a new one, so cookies are always signed and checked with the current keys."""

    def __init__(self) -> None:
        self._serializers: dict[tuple, object] = {}
        self._opened: dict[tuple, tuple[dict, float]] = {}

    def open_session(self, app: Flask, request):
        """Flask's, but a cookie already checked with the same keys is not checked again:
        a browser sends the same cookie on every request until the session changes (about
        once a minute, see LAST_ACTIVE_RESOLUTION_SECONDS), and checking its signature and
        decoding it cost a tenth of a signed-in request. Only the exact cookie string that
        passed the check is remembered (its signature included), with the time it was
        signed, so its age is still checked against the lifetime on every request; only
        sessions of plain values are kept, handed out as a fresh dict each time."""
        serializer = self.get_signing_serializer(app)
        value = request.cookies.get(self.get_cookie_name(app)) if serializer else None
        if not value:
            return super().open_session(app, request)
        max_age = int(app.permanent_session_lifetime.total_seconds())
        key = (app.secret_key, tuple(app.config.get("SECRET_KEY_FALLBACKS") or ()), value)
        found = self._opened.get(key)
        if found is not None and 0 <= time.time() - found[1] <= max_age:
            return self.session_class(found[0])
        try:
            data, signed_at = serializer.loads(value, max_age=max_age, return_timestamp=True)
        except BadSignature:
            return self.session_class()
        if all(type(item) in _PLAIN for item in data.values()):
            if len(self._opened) >= 4096:
                self._opened.clear()
            self._opened[key] = (data, signed_at.timestamp())
        return self.session_class(data)  # a copy: changes to it never reach what is kept

    def get_signing_serializer(self, app: Flask):
        keys = (app.secret_key, tuple(app.config.get("SECRET_KEY_FALLBACKS") or ()))
        found = self._serializers.get(keys)
        if found is None:
            found = super().get_signing_serializer(app)
            if len(self._serializers) > 8:  # keys rotated many times (tests): start afresh
                self._serializers.clear()
            self._serializers[keys] = found
        return found


def init_app(app: Flask) -> None:
    app.session_interface = SessionCookies()
    login_manager.init_app(app)
    login_manager.user_loader(load_user)
    login_manager.session_protection = "basic"
    app.before_request(enforce_idle_timeout)


# The password step of signing in for someone with two-factor: who it was, NOT signed in yet.
PENDING_TWO_FACTOR_KEY = "two_factor_pending"
PENDING_TWO_FACTOR_SECONDS = 300


def begin_two_factor(user: User, next_url: str | None) -> None:
    """Remember that USER gave the right password; the second step must follow within
    PENDING_TWO_FACTOR_SECONDS and before their session version changes."""
    session.pop(PENDING_TWO_FACTOR_KEY, None)
    session[PENDING_TWO_FACTOR_KEY] = {
        "user_id": user.id, "version": user.session_version, "at": time.time(),
        "next": next_url or "",
    }


def pending_two_factor() -> tuple[User | None, str]:
    """The person half-way through signing in and where they were going, or (None, "")."""
    data = session.get(PENDING_TWO_FACTOR_KEY)
    if not isinstance(data, dict):
        return None, ""
    fresh = time.time() - float(data.get("at", 0)) <= PENDING_TWO_FACTOR_SECONDS
    user = Session.get(User, int(data.get("user_id", 0))) if fresh else None
    if (user is None or not user.is_enabled or not user.has_two_factor
            or user.session_version != data.get("version")):
        session.pop(PENDING_TWO_FACTOR_KEY, None)
        return None, ""
    return user, str(data.get("next") or "")
