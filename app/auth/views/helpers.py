"""Small helpers the account views share: rate-limit keys and limits. (Refusals on forms and
the client's address are app.web's: show_refusal, client_ip.)"""
from __future__ import annotations

import hashlib
from collections.abc import Callable

from flask import current_app, request, session
from flask_login import current_user

from app.auth.addresses import lookup_form
from app.auth.sessions import PENDING_TWO_FACTOR_KEY

# Rate limits; each can be tuned in the configuration under the same name.
LIMITS = {
    "RATELIMIT_LOGIN_PER_ADDRESS": "10/minute;20/hour",
    # ASVS allows at most 100 failed attempts an hour on one account.
    "RATELIMIT_LOGIN_PER_ACCOUNT": "5/minute;30/hour",
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
    """Counts attempts per account, whichever address they come from."""
    return "email:" + lookup_form(request.form.get("email"))[:254]


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
