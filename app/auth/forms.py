"""Forms for signing in, passwords, two-factor, invitations and registration.

Password fields never echo what was typed back into the page (WTForms' PasswordField default).
"""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, InputRequired, Length, ValidationError

from app.auth.addresses import normalise_email
from app.auth.passwords import MAX_LENGTH, password_problems


def _valid_email(form, field) -> None:
    try:
        normalise_email(field.data)
    except ValueError as error:
        raise ValidationError(str(error)) from error


class _NewPasswordMixin:
    """New password + confirmation, checked against the policy (and the email, if known)."""

    email_for_policy = ""

    def validate_password(self, field) -> None:
        email = self.email_for_policy or getattr(getattr(self, "email", None), "data", "") or ""
        problems = password_problems(field.data or "", email)
        if problems:
            raise ValidationError(" ".join(problems))


def _new_password_fields(label=None):
    password = PasswordField(
        label or _l("Password"),
        validators=[InputRequired(_l("Choose a password.")), Length(max=MAX_LENGTH)],
        description=_l("At least 12 characters. A short sentence you will remember works well."),
    )
    confirm = PasswordField(
        _l("Type the password again"),
        validators=[InputRequired(_l("Type the password again.")),
                    EqualTo("password", _l("The two passwords are not the same."))],
    )
    return password, confirm


def _display_name_field():
    return StringField(
        _l("Your name"),
        validators=[DataRequired(_l("Enter your name.")), Length(max=120)],
        description=_l("How you will appear to others, for example in the forum."),
    )


class LoginForm(FlaskForm):
    # No format check: the answer must be the same generic message for any address.
    email = EmailField(_l("Email address"), validators=[DataRequired(_l("Enter your email "
                                                                        "address.")),
                                                         Length(max=254)])
    password = PasswordField(_l("Password"), validators=[InputRequired(_l("Enter your "
                                                                          "password."))])


class TwoFactorForm(FlaskForm):
    code = StringField(
        _l("Code"),
        validators=[DataRequired(_l("Enter the code from your app or a recovery code.")),
                    Length(max=32)],
        description=_l("The 6-digit code from your authenticator app, or one of your recovery "
                       "codes."),
        render_kw={"autocapitalize": "off", "spellcheck": "false"},
    )


class SignInLinkForm(FlaskForm):
    """A button only: signing in with an emailed one-time link."""


class ForgotPasswordForm(FlaskForm):
    email = EmailField(_l("Email address"),
                       validators=[DataRequired(_l("Enter your email address.")),
                                   Length(max=254)],
                       description=_l("The address you sign in with."))


class ResetPasswordForm(_NewPasswordMixin, FlaskForm):
    password, confirm = _new_password_fields(_l("New password"))


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField(_l("Current password"),
                                     validators=[InputRequired(_l("Enter your current "
                                                                  "password."))])
    new_password = PasswordField(
        _l("New password"),
        validators=[InputRequired(_l("Choose a new password.")), Length(max=MAX_LENGTH)],
        description=_l("At least 12 characters. A short sentence you will remember works well."),
    )
    confirm = PasswordField(
        _l("Type the new password again"),
        validators=[InputRequired(_l("Type the new password again.")),
                    EqualTo("new_password", _l("The two passwords are not the same."))],
    )


class TwoFactorSetupForm(FlaskForm):
    code = StringField(
        _l("Code from your app"),
        validators=[DataRequired(_l("Enter the 6-digit code your app shows.")), Length(max=12)],
        description=_l("After adding Kōrero to your app, enter the 6-digit code it shows."),
        render_kw={"inputmode": "numeric"},
    )


class ConfirmPasswordForm(FlaskForm):
    password = PasswordField(_l("Your password"),
                             validators=[InputRequired(_l("Enter your password."))])


class RecoveryCodesForm(FlaskForm):
    confirmation = PasswordField(
        _l("Your password or a code from your app"),
        validators=[InputRequired(_l("Enter your password or a 6-digit code."))],
        description=_l("To make new recovery codes, first confirm it is you."),
    )


class AcceptInvitationForm(_NewPasswordMixin, FlaskForm):
    display_name = _display_name_field()
    password, confirm = _new_password_fields()


class AcceptWithPasswordForm(FlaskForm):
    """For an invitation to an address that already has an account."""

    password = PasswordField(_l("Your password"),
                             validators=[InputRequired(_l("Enter your password."))])


class AcceptConfirmForm(FlaskForm):
    """A button only: the signed-in person accepts an invitation to their own address."""


class RegisterForm(FlaskForm):
    """The first step of self-registration: who you are and where to send the link. No
    password yet: it is chosen from the emailed link, which proves the address is yours."""

    display_name = _display_name_field()
    email = EmailField(_l("Email address"),
                       validators=[DataRequired(_l("Enter your email address.")),
                                   Length(max=254), _valid_email],
                       description=_l("We will email this address a link to finish creating "
                                      "your account."))
    # No organisation choice: anyone may register, so a self-registered person takes part as
    # themselves; only an administrator adds people to an organisation (its stakeholder group
    # shows on their feedback and quotes).


class CompleteRegistrationForm(_NewPasswordMixin, FlaskForm):
    """The second step, from the emailed link: the name (as given, and correctable) and a
    password. The address comes from the link, never from the form."""

    display_name = _display_name_field()
    password, confirm = _new_password_fields()
