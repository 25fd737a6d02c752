"""Forms for the administration pages.

Dates are typed in the site's time zone (New Zealand time by default) and converted to UTC
by app.web.fields.LocalDateTimeField, so operations and the database only ever see UTC.
"""
from __future__ import annotations

import re
from datetime import datetime

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    RadioField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    Optional,
    Regexp,
    ValidationError,
)

from app.labels import ROLE_LABELS
from app.models import STAKEHOLDER_GROUPS
from app.web.fields import LocalDateTimeField, MultiCheckboxField, choices

STATUS_LABELS = {
    "draft": _l("Draft (only administrators see it)"),
    "open": _l("Open"),
    "closed": _l("Closed"),
    "archived": _l("Archived"),
}
SLUG_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
ROLE_CHOICES = choices(ROLE_LABELS.items())


class UserSearchForm(FlaskForm):
    """The filters above the people list (a GET form: nothing to protect with CSRF)."""

    class Meta:
        csrf = False

    q = StringField(_l("Name or email"), validators=[Optional(), Length(max=254)])
    role = SelectField(_l("Role"), choices=choices([("", _l("Any role")), *ROLE_LABELS.items()]),
                       validators=[Optional()])


class EditUserForm(FlaskForm):
    display_name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)])
    roles = MultiCheckboxField(
        _l("Roles"), choices=ROLE_CHOICES,
        description=_l("A person may hold several roles. Staff roles need two-factor sign-in."),
    )
    organisation_ids = MultiCheckboxField(
        _l("Organisations"), coerce=int, choices=[],
        description=_l("Tick every organisation the person takes part for."),
    )
    is_enabled = BooleanField(
        _l("Account enabled"),
        description=_l("Disabling an account signs the person out everywhere at once."),
    )

    def validate_roles(self, field):
        if not field.data:
            raise ValidationError(_l("Choose at least one role."))


class OrganisationForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    stakeholder_group = RadioField(
        _l("Stakeholder group"), choices=choices(STAKEHOLDER_GROUPS.items()),
        validators=[InputRequired(message=_l("Choose the organisation's stakeholder group."))],
        description=_l("Reports break results down by stakeholder group."),
    )


class InvitationForm(FlaskForm):
    # The address's form is checked by create_invitation (the one place that knows the rules).
    email = EmailField(_l("Email address"), validators=[DataRequired(), Length(max=254)])
    roles = MultiCheckboxField(
        _l("Roles"), choices=ROLE_CHOICES,
        default=["participant"],
    )
    organisation_id = SelectField(
        _l("Organisation"), coerce=int, choices=[],
        description=_l("The organisation the person takes part for, if any."),
    )

    def validate_roles(self, field):
        if not field.data:
            raise ValidationError(_l("Choose at least one role."))


class ConsultationForm(FlaskForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    slug = StringField(
        _l("Web address name"),
        validators=[Optional(), Length(max=80), Regexp(
            SLUG_PATTERN, message=_l("Use only lower-case letters a–z, digits and single "
                                     "hyphens between words, e.g. data-use-policy."))],
        description=_l("Leave empty to make one from the title."),
    )
    summary = TextAreaField(
        _l("Summary"), validators=[Optional(), Length(max=20_000)],
        description=_l("Markdown: **bold**, *italic*, lists with -, links as [text](https://…)."),
    )
    opens_at = LocalDateTimeField(
        _l("Opens"),
        validators=[InputRequired(message=_l("Enter the date and time it opens."))],
    )
    closes_at = LocalDateTimeField(
        _l("Closes"),
        validators=[InputRequired(message=_l("Enter the date and time it closes."))],
    )
    status = RadioField(_l("Status"), choices=choices(STATUS_LABELS.items()),
                        default="draft", validators=[InputRequired()])
    # The "Preview summary" button: same form, posted to show the rendered summary, not save.
    preview = SubmitField(_l("Preview summary"))

    def wants_preview(self) -> bool:
        """A POST from the Preview button: show the summary, save nothing. (CSRFProtect has
        already checked the token of every POST.)"""
        return self.is_submitted() and bool(self.preview.data)

    def validate_closes_at(self, field):
        if field.data and self.opens_at.data and field.data <= self.opens_at.data:
            raise ValidationError(_l("The closing time must be after the opening time."))

    def utc_dates(self) -> tuple[datetime, datetime]:
        return self.opens_at.utc, self.closes_at.utc

    def fill_local_dates(self, opens_at: datetime, closes_at: datetime) -> None:
        """Show stored UTC dates as New Zealand wall-clock times."""
        self.opens_at.set_utc(opens_at)
        self.closes_at.set_utc(closes_at)


class SettingsForm(FlaskForm):
    self_registration_open = RadioField(
        _l("Self-registration"),
        choices=choices([("no", _l("Closed: people join by invitation only")),
                         ("yes", _l("Open: anyone may create a participant account"))]),
        validators=[InputRequired()],
        description=_l("Staff roles are only ever given by invitation or by an administrator."),
    )
