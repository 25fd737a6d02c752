"""Signing in (password, then a second factor when the person has one) and signing out."""
from __future__ import annotations

from flask import flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.auth.background import sign_in_link_requested
from app.auth.forms import LoginForm, SignInLinkForm, TwoFactorForm
from app.auth.operations import (
    check_password_sign_in,
    record_sign_in,
    record_sign_in_failure,
    sign_out,
)
from app.auth.queries import count_unused_recovery_codes
from app.auth.sessions import begin_two_factor, end_session, pending_two_factor, start_session
from app.auth.sign_in_links import get_sign_in_link, use_sign_in_link
from app.auth.two_factor import check_second_factor
from app.auth.views import bp
from app.auth.views.helpers import (
    limit,
    pending_user_key,
    submitted_email_and_client_key,
    submitted_email_key,
)
from app.db import Session, utcnow
from app.errors import OperationRefused
from app.extensions import limiter
from app.mail import run_in_background
from app.queries import is_self_registration_open
from app.security import safe_next
from app.web.destinations import page_name
from app.web.refusals import show_refusal
from app.web.requests import client_ip


def _account_under_attack(_limit):
    """The per-account limit tripped: in the background (so the answer takes the same time
    whether or not the account exists), email its owner a one-time sign-in link, and say so
    without saying whether there is an account."""
    run_in_background(sign_in_link_requested, request.form.get("email", ""), client_ip())
    return make_response(render_template("auth/login_paused.html"), 429)


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(limit("RATELIMIT_LOGIN_PER_ADDRESS"), methods=["POST"])
@limiter.limit(limit("RATELIMIT_LOGIN_PER_ACCOUNT_AND_ADDRESS"),
               key_func=submitted_email_and_client_key, methods=["POST"])
@limiter.limit(limit("RATELIMIT_LOGIN_PER_ACCOUNT"), key_func=submitted_email_key,
               methods=["POST"], on_breach=_account_under_attack)
def login():
    """Sign in with email and password."""
    next_url = safe_next(request.args.get("next"))
    if current_user.is_authenticated:
        return redirect(next_url or url_for("main.tasks"))
    form = LoginForm()
    if form.validate_on_submit():
        try:
            user = check_password_sign_in(form.email.data, form.password.data, ip=client_ip())
            if user is None:
                # One message for every reason: it never tells which part was wrong.
                raise OperationRefused(_("That email and password do not match an account."))
        except OperationRefused as error:  # that, or a demo account in production
            Session.commit()  # keeps the audit record of the failure
            show_refusal(form, error)
        else:
            if user.has_two_factor:
                begin_two_factor(user, next_url)
                Session.commit()
                return redirect(url_for("auth.two_factor"))
            start_session(user)
            record_sign_in(user, method="none", ip=client_ip())
            Session.commit()
            return redirect(next_url or url_for("main.tasks"))
    return render_template("auth/login.html", form=form, next_url=next_url,
                           next_page=page_name(next_url),
                           registration_open=is_self_registration_open())


@bp.route("/login/two-factor", methods=["GET", "POST"])
@limiter.limit(limit("RATELIMIT_TWO_FACTOR_PER_ADDRESS"), methods=["POST"])
@limiter.limit(limit("RATELIMIT_TWO_FACTOR_PER_ACCOUNT"), key_func=pending_user_key,
               methods=["POST"])
def two_factor():
    """The second step of signing in: a code from the person's app, or a recovery code."""
    if current_user.is_authenticated:
        return redirect(url_for("main.tasks"))
    user, next_url = pending_two_factor()
    if user is None:
        # Nobody half-way through signing in here (or it took too long): say so and link to
        # the start, rather than bounce silently.
        return render_template("auth/two_factor_expired.html")
    form = TwoFactorForm()
    if form.validate_on_submit():
        method = check_second_factor(user, form.code.data, ip=client_ip())
        if method is None:
            record_sign_in_failure(user, reason="second_factor", ip=client_ip())
            Session.commit()
            form.code.errors.append(_("That code did not work. Enter the newest code from your "
                                      "app, or an unused recovery code."))
        else:
            start_session(user)
            record_sign_in(user, method=method, ip=client_ip())
            Session.commit()
            if method == "recovery_code":
                flash(_("You used a recovery code. You have %(n)d left; you can make new ones "
                        "on your account page.", n=count_unused_recovery_codes(user)),
                      "warning")
            return redirect(safe_next(next_url) or url_for("main.tasks"))
    return render_template("auth/two_factor.html", form=form)


def _sign_in_link_problem(link) -> tuple[str, int] | None:
    if link is None:
        return _("This sign-in link is not valid. Check that you copied the whole link from "
                 "the email."), 404
    if link.used_at is not None or link.expires_at <= utcnow():
        return _("This sign-in link has been used or has expired: each link works once, for "
                 "a short time. Sign in with your password, or ask for a password reset."), 410
    if not link.user.is_enabled:
        return _("This account is disabled. Please contact the consultation's "
                 "administrators."), 403
    return None


@bp.route("/sign-in-link/<token>", methods=["GET", "POST"])
@limiter.limit(limit("RATELIMIT_RESET_PER_ADDRESS"), methods=["POST"])
def sign_in_link(token: str):
    """Sign in with the one-time link emailed to the owner of an account under attack. The
    link only shows a button: mail scanners that open links must not use it up."""
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    link = get_sign_in_link(token)
    problem = _sign_in_link_problem(link)
    if problem:
        message, status = problem
        return render_template("auth/reset_link_problem.html", message=message), status
    form = SignInLinkForm()
    if form.validate_on_submit():
        try:
            user = use_sign_in_link(link, ip=client_ip())
        except OperationRefused as error:  # used by another request meanwhile
            show_refusal(form, error)
        else:
            if user.has_two_factor:
                begin_two_factor(user, None)
                Session.commit()
                return redirect(url_for("auth.two_factor"))
            start_session(user)
            record_sign_in(user, method="email_link", ip=client_ip())
            Session.commit()
            return redirect(url_for("main.index"))
    return render_template("auth/sign_in_link.html", form=form, user=link.user)


@bp.post("/logout")
def logout():
    """Sign out here and everywhere else the person is signed in."""
    sign_out(current_user._get_current_object(), ip=client_ip())
    Session.commit()
    end_session(None)  # sign_out already ended the other sessions; this clears this browser
    flash(_("You have signed out."), "success")
    return redirect(url_for("main.index"))
