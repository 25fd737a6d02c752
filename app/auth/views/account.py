"""The account page and two-factor settings: set up, turn off, new recovery codes."""
from __future__ import annotations

from flask import current_app, flash, redirect, render_template, session, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.auth.forms import ConfirmPasswordForm, RecoveryCodesForm, TwoFactorSetupForm
from app.auth.notifications import send_two_factor_changed_email
from app.auth.queries import count_unused_recovery_codes
from app.auth.sessions import start_session
from app.auth.two_factor import (
    disable_two_factor,
    enable_two_factor,
    format_secret,
    new_setup_nonce,
    provisioning_uri,
    qr_svg,
    regenerate_recovery_codes,
    setup_secret,
)
from app.auth.views import bp
from app.auth.views.helpers import limit, signed_in_user_key
from app.db import Session
from app.errors import OperationRefused
from app.extensions import limiter
from app.governance.queries import governance_groups_of
from app.web.refusals import show_refusal
from app.web.requests import client_ip

# The session keeps only a nonce while two-factor is set up; the secret is derived from it on
# the server (two_factor.setup_secret), so the readable cookie never holds it.
SETUP_NONCE_KEY = "two_factor_setup_nonce"


@bp.get("/", strict_slashes=False)  # "/account" too, without a redirect
def account():
    """Your name, email, roles, organisations and sign-in settings."""
    from app.packages import account_panels  # at call time, as app.permissions does
    from app.permissions import may_access

    user = current_user._get_current_object()
    return render_template(
        "auth/account.html", user=user,
        recovery_codes_left=count_unused_recovery_codes(user) if user.has_two_factor else 0,
        governance_groups=governance_groups_of(user),
        package_panels=account_panels(current_app, user,
                                      lambda endpoint: may_access(user, endpoint)),
    )


@bp.route("/two-factor/setup", methods=["GET", "POST"])
@limiter.limit(limit("RATELIMIT_TWO_FACTOR_PER_ADDRESS"), methods=["POST"])
@limiter.limit(limit("RATELIMIT_TWO_FACTOR_PER_ACCOUNT"), key_func=signed_in_user_key,
               methods=["POST"])
def two_factor_setup():
    """Turn on two-factor sign-in: scan the QR code, confirm with a code, save the codes."""
    user = current_user._get_current_object()
    if user.is_demo:
        return render_template("auth/two_factor_demo.html")
    if user.has_two_factor:
        flash(_("Two-factor sign-in is already on."), "info")
        return redirect(url_for("auth.account"))
    nonce = session.get(SETUP_NONCE_KEY)
    if not isinstance(nonce, str) or not nonce:
        nonce = session[SETUP_NONCE_KEY] = new_setup_nonce()
    secret = setup_secret(user, nonce)
    form = TwoFactorSetupForm()
    if form.validate_on_submit():
        try:
            codes = enable_two_factor(user, secret=secret, code=form.code.data, ip=client_ip())
        except OperationRefused as error:
            Session.commit()  # keeps the audit record of the wrong code
            show_refusal(form, error)
        else:
            start_session(user)  # other sessions ended; this one carries on (and drops NONCE)
            Session.commit()
            send_two_factor_changed_email(user, enabled=True)
            flash(_("Two-factor sign-in is now on."), "success")
            # Shown once, in this response, and never stored in a readable form.
            return render_template("auth/recovery_codes_new.html", codes=codes, first_time=True)
    uri = provisioning_uri(secret, user.email)
    return render_template("auth/two_factor_setup.html", form=form, qr_svg=qr_svg(uri),
                           otpauth_uri=uri, secret=format_secret(secret),
                           required=user.must_use_two_factor)


@bp.route("/two-factor/disable", methods=["GET", "POST"])
@limiter.limit(limit("RATELIMIT_ACCOUNT_CHANGES_PER_ADDRESS"), methods=["POST"])
@limiter.limit(limit("RATELIMIT_ACCOUNT_CHANGES_PER_ADDRESS"), key_func=signed_in_user_key,
               methods=["POST"])
def two_factor_disable():
    """Turn off two-factor sign-in (not allowed for roles that require it)."""
    user = current_user._get_current_object()
    if not user.has_two_factor:
        flash(_("Two-factor sign-in is not turned on."), "info")
        return redirect(url_for("auth.account"))
    form = ConfirmPasswordForm()
    if not user.must_use_two_factor and form.validate_on_submit():
        try:
            disable_two_factor(user, password=form.password.data, ip=client_ip())
        except OperationRefused as error:
            Session.commit()  # keeps the audit record of a wrong password
            show_refusal(form, error)
        else:
            Session.commit()
            send_two_factor_changed_email(user, enabled=False)
            flash(_("Two-factor sign-in is now off."), "success")
            return redirect(url_for("auth.account"))
    # Roles that require two-factor get a page that explains why it stays on.
    return render_template("auth/two_factor_disable.html", form=form,
                           required=user.must_use_two_factor)


@bp.route("/two-factor/recovery-codes", methods=["GET", "POST"])
@limiter.limit(limit("RATELIMIT_ACCOUNT_CHANGES_PER_ADDRESS"), methods=["POST"])
@limiter.limit(limit("RATELIMIT_ACCOUNT_CHANGES_PER_ADDRESS"), key_func=signed_in_user_key,
               methods=["POST"])
def recovery_codes():
    """Replace your recovery codes with a new set (after confirming it is you)."""
    user = current_user._get_current_object()
    if not user.has_two_factor:
        flash(_("Turn on two-factor sign-in first."), "info")
        return redirect(url_for("auth.account"))
    form = RecoveryCodesForm()
    if form.validate_on_submit():
        try:
            codes = regenerate_recovery_codes(user, confirmation=form.confirmation.data,
                                              ip=client_ip())
        except OperationRefused as error:
            Session.commit()  # keeps the audit record of a wrong confirmation
            show_refusal(form, error)
        else:
            Session.commit()
            flash(_("Your old recovery codes no longer work."), "success")
            return render_template("auth/recovery_codes_new.html", codes=codes,
                                   first_time=False)
    return render_template("auth/recovery_codes.html", form=form,
                           codes_left=count_unused_recovery_codes(user))
