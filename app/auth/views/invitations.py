"""Joining by invitation: accepting one, as a new person or with an existing account.

Self-registration is in registration.py."""
from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.auth.forms import (
    AcceptConfirmForm,
    AcceptInvitationForm,
    AcceptWithPasswordForm,
)
from app.auth.operations import (
    accept_invitation_as_existing_user,
    accept_invitation_as_new_user,
    check_password_sign_in,
    record_sign_in,
)
from app.auth.queries import get_invitation_by_raw_token, get_user_by_email
from app.auth.sessions import start_session
from app.auth.tokens import ExpiredToken, InvalidToken, unsign_invitation_token
from app.auth.views import bp
from app.auth.views.helpers import invitation_key, limit
from app.db import Session, utcnow
from app.errors import OperationRefused
from app.extensions import limiter
from app.web.refusals import show_refusal
from app.web.requests import client_ip


def _load_invitation(token: str):
    """(invitation, None) for a usable link, else (None, (message, status))."""
    max_age = current_app.config["INVITATION_DAYS"] * 24 * 3600
    expired = (_("This invitation has expired. Please ask the person who invited you for a "
                 "new one."), 410)
    try:
        raw = unsign_invitation_token(token, max_age)
    except ExpiredToken:
        return None, expired
    except InvalidToken:
        return None, (_("This invitation link is not valid. Check that you copied the whole "
                        "link from the email."), 404)
    invitation = get_invitation_by_raw_token(raw)
    if invitation is None:
        return None, (_("This invitation link is not valid. Check that you copied the whole "
                        "link from the email."), 404)
    if invitation.accepted_at is not None:
        return None, (_("This invitation has already been accepted. Sign in to continue."), 410)
    if invitation.revoked_at is not None:
        return None, (_("This invitation has been withdrawn. Please contact the "
                        "consultation's administrators."), 410)
    if invitation.expires_at <= utcnow():
        return None, expired
    return invitation, None


def _welcome() -> None:
    flash(_("Welcome to Kōrero. Your invitation has been accepted."), "success")


@bp.route("/invitation/<token>", methods=["GET", "POST"])
@limiter.limit(limit("RATELIMIT_INVITATION_PER_ADDRESS"), methods=["POST"])
@limiter.limit(limit("RATELIMIT_INVITATION_PER_ACCOUNT"), key_func=invitation_key,
               methods=["POST"])
def accept_invitation(token: str):
    """Accept an invitation: create an account, or add the invited roles to an existing one."""
    invitation, problem = _load_invitation(token)
    if problem:
        message, status = problem
        return render_template("auth/invitation_problem.html", message=message), status
    page = {"invitation": invitation, "token": token}
    if current_user.is_authenticated:
        if current_user.email != invitation.email:
            return render_template("auth/accept_invitation.html", mode="other_account",
                                   **page), 409
        form = AcceptConfirmForm()
        if form.validate_on_submit():
            accept_invitation_as_existing_user(invitation, current_user._get_current_object(),
                                               ip=client_ip())
            Session.commit()
            _welcome()
            return redirect(url_for("main.tasks"))
        return render_template("auth/accept_invitation.html", mode="confirm", form=form, **page)

    existing = get_user_by_email(invitation.email)
    if existing is None:
        form = AcceptInvitationForm()
        form.email_for_policy = invitation.email
        if form.validate_on_submit():
            try:
                user = accept_invitation_as_new_user(
                    invitation, display_name=form.display_name.data,
                    password=form.password.data, ip=client_ip())
            except OperationRefused as error:
                show_refusal(form, error)
            else:
                start_session(user)
                record_sign_in(user, method="none", ip=client_ip())
                Session.commit()
                _welcome()
                # Staff are taken to two-factor set-up by the permission check first.
                return redirect(url_for("main.tasks"))
        return render_template("auth/accept_invitation.html", mode="new", form=form, **page)

    if not existing.is_enabled:
        return render_template("auth/invitation_problem.html", message=_(
            "The account for this address is disabled. Please contact the consultation's "
            "administrators.")), 403
    if existing.has_two_factor:
        # Signing in (with the second factor) first; this page then asks only to confirm.
        return render_template("auth/accept_invitation.html", mode="sign_in_first",
                               login_url=url_for("auth.login", next=request.path), **page)
    form = AcceptWithPasswordForm()
    if form.validate_on_submit():
        try:
            user = check_password_sign_in(existing.email, form.password.data, ip=client_ip())
            if user is None:
                raise OperationRefused(_("That is not the password of this account."),
                                       field="password")
        except OperationRefused as error:  # wrong password, or a demo account in production
            Session.commit()  # keeps the audit record of the failure
            show_refusal(form, error)
        else:
            accept_invitation_as_existing_user(invitation, user, ip=client_ip())
            start_session(user)
            record_sign_in(user, method="none", ip=client_ip())
            Session.commit()
            _welcome()
            return redirect(url_for("main.tasks"))
    return render_template("auth/accept_invitation.html", mode="existing", form=form, **page)
