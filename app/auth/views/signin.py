"""Signing in (password, then a second factor when the person has one) and signing out."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.auth.forms import LoginForm, TwoFactorForm
from app.auth.operations import (
    check_password_sign_in,
    record_sign_in,
    record_sign_in_failure,
    sign_out,
)
from app.auth.queries import count_unused_recovery_codes
from app.auth.sessions import begin_two_factor, end_session, pending_two_factor, start_session
from app.auth.two_factor import check_second_factor
from app.auth.views import bp
from app.auth.views.helpers import limit, pending_user_key, submitted_email_key
from app.db import Session
from app.errors import OperationRefused
from app.extensions import limiter
from app.queries import is_self_registration_open
from app.security import safe_next
from app.web.refusals import show_refusal
from app.web.requests import client_ip


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(limit("RATELIMIT_LOGIN_PER_ADDRESS"), methods=["POST"])
@limiter.limit(limit("RATELIMIT_LOGIN_PER_ACCOUNT"), key_func=submitted_email_key,
               methods=["POST"])
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


@bp.post("/logout")
def logout():
    """Sign out here and everywhere else the person is signed in."""
    sign_out(current_user._get_current_object(), ip=client_ip())
    Session.commit()
    end_session(None)  # sign_out already ended the other sessions; this clears this browser
    flash(_("You have signed out."), "success")
    return redirect(url_for("main.index"))
