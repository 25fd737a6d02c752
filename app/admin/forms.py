"""Forms for the administration pages.

Dates are typed in the site's time zone (New Zealand time by default) and converted to UTC
here, so operations and the database only ever see UTC.
"""
from __future__ import annotations

import re
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    EmailField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    Optional,
    Regexp,
    ValidationError,
)
from wtforms.widgets import CheckboxInput, ListWidget

from app.labels import ROLE_LABELS
from app.models import STAKEHOLDER_GROUPS

STATUS_LABELS = {
    "draft": _l("Draft (only administrators see it)"),
    "open": _l("Open"),
    "closed": _l("Closed"),
    "archived": _l("Archived"),
}
SLUG_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
LOCAL_FORMAT = "%Y-%m-%dT%H:%M"


def choices(pairs) -> list[SelectChoice]:
    """(value, label) pairs as WTForms choices."""
    return [SelectChoice(value, label) for value, label in pairs]


ROLE_CHOICES = choices(ROLE_LABELS.items())


class MultiCheckboxField(SelectMultipleField):
    """Several choices as checkboxes (the form macro renders it as a fieldset)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def site_timezone() -> ZoneInfo:
    return ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])


def local_to_utc(naive: datetime, zone: ZoneInfo) -> datetime:
    return naive.replace(tzinfo=zone).astimezone(UTC)


def utc_to_local(moment: datetime, zone: ZoneInfo) -> datetime:
    """The wall-clock time in ZONE, without a zone, as a datetime-local input shows it."""
    return moment.astimezone(zone).replace(tzinfo=None, second=0, microsecond=0)


def _exists_locally(naive: datetime, zone: ZoneInfo) -> bool:
    """False for a wall-clock time skipped when clocks go forward for daylight saving."""
    return utc_to_local(local_to_utc(naive, zone), zone) == naive.replace(second=0,
                                                                          microsecond=0)


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
    organisation_ids = SelectMultipleField(
        _l("Organisations"), coerce=int, choices=[],
        description=_l("Hold Ctrl (or ⌘ on a Mac) to choose more than one."),
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
    opens_at = DateTimeLocalField(
        _l("Opens"), format=LOCAL_FORMAT,
        validators=[InputRequired(message=_l("Enter the date and time it opens."))],
        description=_l("New Zealand time."),
    )
    closes_at = DateTimeLocalField(
        _l("Closes"), format=LOCAL_FORMAT,
        validators=[InputRequired(message=_l("Enter the date and time it closes."))],
        description=_l("New Zealand time."),
    )
    status = RadioField(_l("Status"), choices=choices(STATUS_LABELS.items()),
                        default="draft", validators=[InputRequired()])

    def validate_opens_at(self, field):
        if field.data and not _exists_locally(field.data, site_timezone()):
            raise ValidationError(_l("That time does not exist: the clocks go forward then. "
                                "Choose a time an hour later."))

    def validate_closes_at(self, field):
        if field.data and not _exists_locally(field.data, site_timezone()):
            raise ValidationError(_l("That time does not exist: the clocks go forward then. "
                                "Choose a time an hour later."))
        if field.data and self.opens_at.data and field.data <= self.opens_at.data:
            raise ValidationError(_l("The closing time must be after the opening time."))

    def utc_dates(self) -> tuple[datetime, datetime]:
        zone = site_timezone()
        return local_to_utc(self.opens_at.data, zone), local_to_utc(self.closes_at.data, zone)

    def fill_local_dates(self, opens_at: datetime, closes_at: datetime) -> None:
        """Show stored UTC dates as New Zealand wall-clock times."""
        zone = site_timezone()
        self.opens_at.data = utc_to_local(opens_at, zone)
        self.closes_at.data = utc_to_local(closes_at, zone)


class SettingsForm(FlaskForm):
    self_registration_open = RadioField(
        _l("Self-registration"),
        choices=choices([("no", _l("Closed: people join by invitation only")),
                         ("yes", _l("Open: anyone may create a participant account"))]),
        validators=[InputRequired()],
        description=_l("Staff roles are only ever given by invitation or by an administrator."),
    )
