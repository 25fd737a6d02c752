"""Self-registration, when an admin has opened it, in two steps: a name and an email address,
then a password from the link emailed to that address.

The first step answers the same page whatever the address, and creates nothing: it only
emails either the link or, when the address already has an account, a note saying so. The
link carries the address and name, signed; it works until it expires or the account exists.
"""
from __future__ import annotations

from flask import current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from app.auth.addresses import normalise_email
from app.auth.forms import CompleteRegistrationForm, RegisterForm
from app.auth.notifications import send_registration_email, send_registration_exists_email
from app.auth.operations import record_sign_in, register_participant
from app.auth.queries import get_user_by_email
from app.auth.sessions import start_session
from app.auth.tokens import (
    ExpiredToken,
    InvalidToken,
    sign_registration_token,
    unsign_registration_token,
)
from app.auth.views import bp
from app.auth.views.helpers import limit, submitted_email_key
from app.db import Session
from app.errors import OperationRefused
from app.extensions import limiter
from app.queries import is_self_registration_open
from app.web.refusals import show_refusal
from app.web.requests import client_ip


def _closed():
    # 404, like any page that is switched off; the page says how to join instead.
    return render_template("auth/register_closed.html"), 404


def _link_hours() -> int:
    return current_app.config["REGISTRATION_LINK_HOURS"]


@bp.route("/register", methods=["GET", "POST"])
@limiter.limit(limit("RATELIMIT_REGISTER_PER_ADDRESS"), methods=["POST"])
@limiter.limit(limit("RATELIMIT_REGISTER_PER_ACCOUNT"), key_func=submitted_email_key,
               methods=["POST"])
def register():
    """Ask for a link to create a participant account; the answer never reveals whether the
    address already has one."""
    if not is_self_registration_open():
        return _closed()
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    form = RegisterForm()
    if form.validate_on_submit():
        email = normalise_email(form.email.data)  # the form has checked it is valid
        existing = get_user_by_email(email)
        # Both emails are sent in the background, so the time taken tells nothing either.
        if existing is None:
            name = form.display_name.data.strip()
            send_registration_email(email, sign_registration_token(email, name))
        else:
            send_registration_exists_email(existing)
        return render_template("auth/register_sent.html", email=email, hours=_link_hours())
    return render_template("auth/register.html", form=form)


def _link_problem(title: str, message: str, status: int, *, account_exists: bool = False):
    return render_template("auth/register_link_problem.html", title=title, message=message,
                           account_exists=account_exists), status


@bp.route("/register/<token>", methods=["GET", "POST"])
@limiter.limit(limit("RATELIMIT_REGISTER_PER_ADDRESS"), methods=["POST"])
def complete_registration(token: str):
    """Choose a password from an emailed registration link; creates the account and signs in."""
    if not is_self_registration_open():
        return _closed()
    if current_user.is_authenticated:
        flash(_("You are already signed in. To create another account, sign out first."),
              "info")
        return redirect(url_for("main.index"))
    try:
        email, name = unsign_registration_token(token, _link_hours() * 3600)
    except ExpiredToken:
        return _link_problem(
            _("This link has expired"),
            ngettext("Registration links work for %(num)d hour, and this one is older. Start "
                     "again to get a new link.",
                     "Registration links work for %(num)d hours, and this one is older. Start "
                     "again to get a new link.", _link_hours()), 410)
    except InvalidToken:
        return _link_problem(
            _("This link cannot be used"),
            _("This registration link is not valid. Check that you copied the whole link from "
              "the email, or start again."), 404)
    if get_user_by_email(email) is not None:
        # Also what a second use of the link finds: nothing is changed.
        return _link_problem(
            _("This account already exists"),
            _("There is already an account for %(email)s. Sign in to continue, or reset the "
              "password if you have forgotten it.", email=email), 409, account_exists=True)
    form = CompleteRegistrationForm(display_name=name)
    form.email_for_policy = email
    if form.validate_on_submit():
        try:
            # Never an organisation: an anonymous visitor must not speak for one.
            user = register_participant(email=email, display_name=form.display_name.data,
                                        password=form.password.data, ip=client_ip())
        except OperationRefused as error:  # e.g. the same link used twice at once
            show_refusal(form, error)
        else:
            start_session(user)
            record_sign_in(user, method="none", ip=client_ip())
            Session.commit()
            flash(_("Welcome to Kōrero. Your account is ready."), "success")
            return redirect(url_for("main.tasks"))
    return render_template("auth/complete_registration.html", form=form, email=email)
