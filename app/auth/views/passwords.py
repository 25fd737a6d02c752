"""Forgotten passwords (an emailed single-use link) and changing a password."""
from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.auth.background import password_reset_requested
from app.auth.forms import ChangePasswordForm, ForgotPasswordForm, ResetPasswordForm
from app.auth.notifications import send_password_changed_email
from app.auth.operations import change_password as change_password_op
from app.auth.operations import reset_password as reset_password_op
from app.auth.queries import get_reset_token
from app.auth.sessions import start_session
from app.auth.views import bp
from app.auth.views.helpers import limit, signed_in_user_key, submitted_email_key
from app.db import Session, utcnow
from app.errors import OperationRefused
from app.extensions import limiter
from app.mail import run_in_background
from app.web.refusals import attempt, show_refusal
from app.web.requests import client_ip


@bp.route("/forgot-password", methods=["GET", "POST"])
@limiter.limit(limit("RATELIMIT_RESET_PER_ADDRESS"), methods=["POST"])
@limiter.limit(limit("RATELIMIT_RESET_PER_ACCOUNT"), key_func=submitted_email_key,
               methods=["POST"])
def forgot_password():
    """Ask for a password-reset link; the answer never reveals whether the account exists."""
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        # Everything that depends on whether the account exists (looking it up, storing a
        # token, the email) happens in the background: this request does the same work for
        # every address, so its duration tells nothing (tests/auth/test_timing.py).
        run_in_background(password_reset_requested, form.email.data, client_ip())
        flash(_("If there is an account for that address, we have sent it a link to reset the "
                "password. The link works once, for an hour. Check your spam folder if "
                "nothing arrives in a few minutes."), "success")
        return redirect(url_for("auth.forgot_password"))
    return render_template("auth/forgot_password.html", form=form)


def _reset_link_problem(token) -> tuple[str, int] | None:
    """Why the reset link cannot be used, and the status to answer with; None when it can."""
    if token is None:
        return _("This reset link is not valid. Check that you copied the whole link from "
                 "the email, or ask for a new one."), 404
    if token.used_at is not None:
        return _("This reset link has already been used, or a newer link or a password "
                 "change has replaced it. Each link works once; ask for a new one if you need "
                 "to."), 410
    if token.expires_at <= utcnow():
        return _("This reset link has expired: links work for an hour. Please ask for a new "
                 "one."), 410
    if not token.user.is_enabled:
        return _("This account is disabled. Please contact the consultation's "
                 "administrators."), 403
    if token.user.is_demo:
        return _("This is a shared demo account: everyone trying Kōrero signs in with the "
                 "same published password, so a password reset cannot change it. Sign in "
                 "with the demo password, or create an account of your own."), 403
    return None


@bp.route("/reset-password/<token>", methods=["GET", "POST"])
@limiter.limit(limit("RATELIMIT_RESET_PER_ADDRESS"), methods=["POST"])
def reset_password(token: str):
    """Choose a new password from an emailed link."""
    reset_token = get_reset_token(token)
    problem = _reset_link_problem(reset_token)
    if problem:
        message, status = problem
        return render_template("auth/reset_link_problem.html", message=message,
                               is_demo=reset_token is not None and reset_token.user.is_demo
                               ), status
    form = ResetPasswordForm()
    form.email_for_policy = reset_token.user.email
    if form.validate_on_submit():
        with attempt(form) as done:
            user = reset_password_op(reset_token, form.password.data, ip=client_ip())
        if done:
            send_password_changed_email(user)
            flash(_("Your password has been changed and you have been signed out everywhere. "
                    "Please sign in with your new password."), "success")
            return redirect(url_for("auth.login"))
    return render_template("auth/reset_password.html", form=form,
                           user=reset_token.user)


@bp.route("/password", methods=["GET", "POST"])
@limiter.limit(limit("RATELIMIT_ACCOUNT_CHANGES_PER_ADDRESS"), methods=["POST"])
@limiter.limit(limit("RATELIMIT_ACCOUNT_CHANGES_PER_ADDRESS"), key_func=signed_in_user_key,
               methods=["POST"])
def change_password():
    """Change your password; every other session ends, this one carries on."""
    user = current_user._get_current_object()
    if user.is_demo:
        # A shared demo account's password is published: offer no form that can only fail.
        return render_template("auth/change_password.html", form=None, user=user)
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            change_password_op(user, current_password=form.current_password.data,
                               new_password=form.new_password.data, ip=client_ip())
        except OperationRefused as error:
            Session.commit()  # keeps the audit record of a wrong current password
            show_refusal(form, error)
        else:
            start_session(user)  # the old session version has ended: carry on in a new one
            Session.commit()
            send_password_changed_email(user)
            flash(_("Your password has been changed. Any other devices have been signed out."),
                  "success")
            return redirect(url_for("auth.account"))
    return render_template("auth/change_password.html", form=form, user=user)
