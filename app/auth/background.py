"""Account work done off the request (app.mail.run_in_background), so that how long a page
takes never tells whether an account exists: the page does the same small thing for every
address and these functions, in a background thread with their own database session, do the
looking up, storing and emailing. Each commits its own work.
"""
from __future__ import annotations

from app.auth import queries
from app.auth.notifications import send_password_reset_email, send_sign_in_link_email
from app.auth.operations import request_password_reset
from app.auth.sign_in_links import create_sign_in_link
from app.db import Session


def password_reset_requested(address: str, ip: str) -> None:
    """A reset link for the enabled account at ADDRESS, emailed; for no such account only the
    audit record (`request_password_reset` decides)."""
    user, raw_token = request_password_reset(address, ip=ip)
    Session.commit()
    if user is not None:
        send_password_reset_email(user, raw_token)


def sign_in_link_requested(address: str, ip: str) -> None:
    """Email the owner of the enabled account at ADDRESS a one-time sign-in link, unless one
    of theirs is still outstanding (`create_sign_in_link` decides)."""
    user = queries.get_user_by_email(address)
    if user is None:
        return
    link = create_sign_in_link(user, ip=ip)
    Session.commit()
    if link is not None:
        send_sign_in_link_email(user, link)
