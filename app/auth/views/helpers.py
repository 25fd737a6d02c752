"""Small helpers the account views share: rate-limit keys and limits. (Refusals on forms and
the client's address are app.web's: show_refusal, client_ip.)"""
from __future__ import annotations

import hashlib
from collections.abc import Callable

from flask import current_app, request, session
from flask_login import current_user

from app.auth.addresses import limit_form
from app.auth.sessions import PENDING_TWO_FACTOR_KEY
from app.web import requests as web_requests

# Rate limits; each can be tuned in the configuration under the same name.
LIMITS = {
    "RATELIMIT_LOGIN_PER_ADDRESS": "10/minute;20/hour",
    # Attempts on one account from one client address: tight, so guessing from one place is
    # slow, while the owner (elsewhere) keeps a budget of their own.
    "RATELIMIT_LOGIN_PER_ACCOUNT_AND_ADDRESS": "5/minute;30/hour",
    # Attempts on one account from everywhere: loose (ASVS allows at most 100 failed attempts
    # an hour on one account). When it trips, the owner is emailed a one-time sign-in link.
    "RATELIMIT_LOGIN_PER_ACCOUNT": "20/minute;100/hour",
    "RATELIMIT_TWO_FACTOR_PER_ADDRESS": "10/minute;30/hour",
    "RATELIMIT_TWO_FACTOR_PER_ACCOUNT": "5/minute;20/hour",
    "RATELIMIT_RESET_PER_ADDRESS": "5/minute;20/hour",
    "RATELIMIT_RESET_PER_ACCOUNT": "3/hour",
    "RATELIMIT_INVITATION_PER_ADDRESS": "10/minute;30/hour",
    "RATELIMIT_INVITATION_PER_ACCOUNT": "5/minute;20/hour",
    "RATELIMIT_REGISTER_PER_ADDRESS": "5/minute;20/hour",
    # Each registration request emails the address: no more than a few an hour to anyone.
    "RATELIMIT_REGISTER_PER_ACCOUNT": "3/hour",
    "RATELIMIT_ACCOUNT_CHANGES_PER_ADDRESS": "10/minute;50/hour",
}


def limit(name: str) -> Callable[[], str]:
    """The limit NAME, read from the configuration at request time."""
    return lambda: current_app.config.get(name, LIMITS[name])


def submitted_email_key() -> str:
    """Counts attempts per account, whichever address they come from. Every look-alike
    spelling of an address counts as that address (`limit_form`); only form bodies reach the
    views (app.security refuses JSON), so this reads what the form validates."""
    return "email:" + limit_form(request.form.get("email"))


def submitted_email_and_client_key() -> str:
    """Counts attempts per (account, client address)."""
    return f"email-from:{web_requests.client_ip()}:{limit_form(request.form.get('email'))}"


def invitation_key() -> str:
    """Counts attempts per invitation (so per invited account), whichever address they come
    from; the existing-account path checks that account's password."""
    token = (request.view_args or {}).get("token", "")
    return "invitation:" + hashlib.sha256(token.encode()).hexdigest()[:32]


def pending_user_key() -> str:
    pending = session.get(PENDING_TWO_FACTOR_KEY) or {}
    return f"pending-user:{pending.get('user_id', 'none') if isinstance(pending, dict) else 'none'}"


def signed_in_user_key() -> str:
    return f"user:{current_user.get_id() if current_user.is_authenticated else 'none'}"
