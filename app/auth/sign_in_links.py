"""Letting the owner of an attacked account in.

Anyone can make an account's per-account sign-in limit trip by typing wrong passwords for it.
The limit stays (it caps guessing spread over many addresses), but tripping it emails the
owner a one-time sign-in link, so the attack does not lock them out: the link proves they
hold the mailbox, as a password-reset link does, and a second factor is still asked for.
At most one link is outstanding per account, so an attacker cannot flood the mailbox.

Operations here add and flush, never commit. `app.auth.background.sign_in_link_requested` is
the background work the login page starts when the limit trips.
"""
from __future__ import annotations

from datetime import timedelta

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.auth.models import SignInLink
from app.auth.tokens import new_token, token_hash
from app.db import Session, utcnow
from app.errors import OperationRefused
from app.mail import absolute_url
from app.models import User
from app.privacy.audit import record_event, register_audit_actions

register_audit_actions({
    "login.link_sent": _l("Sign-in link emailed (account under attack)"),
    "login.link_used": _l("Signed in with an emailed link"),
})


def get_sign_in_link(raw: str) -> SignInLink | None:
    return Session.scalars(
        select(SignInLink).where(SignInLink.token_hash == token_hash(raw))).first()


def _outstanding(user: User) -> SignInLink | None:
    return Session.scalars(
        select(SignInLink).where(SignInLink.user_id == user.id, SignInLink.used_at.is_(None),
                                 SignInLink.expires_at > utcnow())).first()


def create_sign_in_link(user: User, *, ip: str = "") -> str | None:
    """A new one-time sign-in link for USER, or None when one is still outstanding (so an
    attack sends one email per SIGN_IN_LINK_MINUTES, not one per attempt), the account is
    disabled, or it is a demo account (shared, with no owner's mailbox, and refused at sign-in
    in production). Audits "login.link_sent" with the address the attempts came from."""
    if not user.is_enabled or user.is_demo or _outstanding(user) is not None:
        return None
    raw = new_token()
    minutes = current_app.config["SIGN_IN_LINK_MINUTES"]
    Session.add(SignInLink(user_id=user.id, token_hash=token_hash(raw),
                           expires_at=utcnow() + timedelta(minutes=minutes)))
    Session.flush()
    record_event(user, "login.link_sent", target=user, ip=ip,
                 detail={"reason": "account_limit"})
    return absolute_url("auth.sign_in_link", token=raw)


def use_sign_in_link(link: SignInLink, *, ip: str = "") -> User:
    """Mark LINK used and return its account (the view signs them in, asking for the second
    factor when they have one). Refuses a used or expired link or a disabled account. Audits
    "login.link_used"."""
    now = utcnow()
    if not link.is_usable(now) or not link.user.is_enabled:
        raise OperationRefused(_("This sign-in link can no longer be used. Links work once, "
                                 "for a short time: sign in with your password, or ask for "
                                 "a password reset."))
    link.used_at = now
    Session.flush()
    record_event(link.user, "login.link_used", target=link.user, ip=ip)
    return link.user
