"""Emails about accounts: invitations, registration links, password resets, and notices of
security changes.

Every link is built from BASE_URL (app.mail.absolute_url), never from the request.
"""
from __future__ import annotations

import logging
import smtplib

from flask import current_app
from flask_babel import gettext as _

from app.auth.models import Invitation
from app.mail import absolute_url, send_email, send_email_later
from app.models import User
from app.web.emails import render_email

log = logging.getLogger("korero.auth.notifications")


def _render(name: str, **context) -> tuple[str, str | None]:
    """The text and HTML bodies of templates/emails/NAME.txt and NAME.html."""
    _subject, text, html = render_email(name, **context)
    return text, html


def _send_or_log(to: str, subject: str, name: str, **context) -> bool:
    """Send now; on failure log it and return False rather than break the caller's page."""
    text, html = _render(name, **context)
    try:
        send_email(to, subject, text, html)
    except (smtplib.SMTPException, OSError):
        log.exception("Could not send the %s email to %s", name, to)
        return False
    return True


def send_invitation_email(invitation: Invitation, link: str) -> bool:
    """Email the invitation with its accept LINK. Returns False (and logs why) when the mail
    server refused it, so an admin can pass the link on another way."""
    inviter = invitation.invited_by.display_name if invitation.invited_by else None
    return _send_or_log(
        invitation.email, _("You are invited to take part in Kōrero"), "invitation",
        invitation=invitation, link=link, inviter=inviter,
        organisation=invitation.organisation, expires_at=invitation.expires_at,
        days=current_app.config["INVITATION_DAYS"],
    )


def send_password_reset_email(user: User, raw_token: str) -> None:
    """Email the reset link in the background, so the page answers in the same time whether
    or not an account exists."""
    link = absolute_url("auth.reset_password", token=raw_token)
    text, html = _render("password_reset", user=user, link=link,
                         minutes=current_app.config["PASSWORD_RESET_MINUTES"])
    send_email_later(user.email, _("Reset your Kōrero password"), text, html)


def send_registration_email(email: str, signed_token: str) -> None:
    """Email the link that finishes self-registration, in the background: the page answers in
    the same time whether this or send_registration_exists_email was called.

    The name typed on the form is not in the email: anyone can register any address, so it
    would let a stranger put words of their choosing in a message from this site."""
    link = absolute_url("auth.complete_registration", token=signed_token)
    text, html = _render("registration", link=link,
                         hours=current_app.config["REGISTRATION_LINK_HOURS"])
    send_email_later(email, _("Finish creating your Kōrero account"), text, html)


def send_registration_exists_email(user: User) -> None:
    """Tell the owner of an existing account that someone asked to register their address,
    with the sign-in and password-reset pages (and no registration link), in the background."""
    text, html = _render("registration_exists", user=user,
                         login_link=absolute_url("auth.login"),
                         reset_link=absolute_url("auth.forgot_password"))
    send_email_later(user.email, _("You already have a Kōrero account"), text, html)


def send_sign_in_link_email(user: User, link: str) -> bool:
    """Tell the owner of an account that someone is trying many passwords for it, with a
    one-time LINK to sign in anyway. Sent from the background work that made the link."""
    return _send_or_log(user.email, _("Someone is trying to sign in to your Kōrero account"),
                        "sign_in_link", user=user, link=link,
                        minutes=current_app.config["SIGN_IN_LINK_MINUTES"],
                        reset_link=absolute_url("auth.forgot_password"))


def send_password_changed_email(user: User) -> bool:
    """Tell the person their password changed, so they notice if it was not them."""
    return _send_or_log(user.email, _("Your Kōrero password was changed"), "password_changed",
                        user=user, reset_link=absolute_url("auth.forgot_password"))


def send_two_factor_changed_email(user: User, *, enabled: bool) -> bool:
    """Tell the person two-factor sign-in was turned on or off."""
    subject = (_("Two-factor sign-in is now on for your Kōrero account") if enabled
               else _("Two-factor sign-in was turned off for your Kōrero account"))
    return _send_or_log(user.email, subject, "two_factor_changed", user=user, enabled=enabled,
                        account_link=absolute_url("auth.account"))
