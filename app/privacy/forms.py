"""Forms of the oversight pages."""
from __future__ import annotations

from datetime import date, timedelta
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, IntegerField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length, Optional, ValidationError
from wtforms.widgets import HiddenInput

from app.privacy.audit import AUDIT_ACTIONS
from app.privacy.presenting import target_type_choices
from app.privacy.queries import AuditFilters
from app.web.dates import local_day_start

# Dates the filters accept: a day's bounds must convert to UTC and back (date.min and date.max
# overflow), and nothing outside these years is in any audit log.
EARLIEST_DATE = date(1900, 1, 1)
LATEST_DATE = date(2999, 12, 31)
# The largest row id a paging cursor (before= / after=) may name: PostgreSQL's integer.
MAX_CURSOR = 2**31 - 1


def page_cursor(value: str) -> int:
    """A before=/after= paging cursor (a row id); ValueError for anything else, which
    `request.args.get(..., type=page_cursor)` reads as no cursor (the first page)."""
    number = int(value)
    if not 0 < number <= MAX_CURSOR:
        raise ValueError("cursor out of range")
    return number


def _within_range(_form, field) -> None:
    if field.data and not EARLIEST_DATE <= field.data <= LATEST_DATE:
        raise ValidationError(_l("Choose a date between %(first)s and %(last)s.",
                                 first=EARLIEST_DATE.isoformat(),
                                 last=LATEST_DATE.isoformat()))


class AuditFilterForm(FlaskForm):
    """The audit log's filters. Sent by GET (reading changes nothing), so no CSRF token."""

    class Meta:
        csrf = False

    action = SelectField(_l("Action"), choices=[
        SelectChoice(value, label)
        for value, label in [("", _l("Any action")), *AUDIT_ACTIONS.items()]
    ], validators=[Optional()], default="")
    actor = StringField(_l("Actor's email contains"), validators=[Optional(), Length(max=254)])
    target_type = SelectField(_l("What it was done to"), choices=[
        SelectChoice(value, label)
        for value, label in [("", _l("Anything")), *target_type_choices()]
    ], validators=[Optional()], default="")
    # Set by the linked names on the page: the events one account did or had done to it.
    person = IntegerField(widget=HiddenInput(), validators=[Optional()])
    date_from = DateField(_l("From (date)"), validators=[Optional(), _within_range])
    date_to = DateField(_l("To (date, inclusive)"), validators=[Optional(), _within_range])

    def validate_date_to(self, field):
        if field.data and self.date_from.data and field.data < self.date_from.data:
            raise ValidationError(_l("The end date must be on or after the start date."))

    def to_filters(self, timezone_name: str) -> AuditFilters:
        """The filters, with dates read as whole local days (New Zealand time by default)."""
        zone = ZoneInfo(timezone_name)
        return AuditFilters(
            action=self.action.data or "",
            actor_email=(self.actor.data or "").strip(),
            target_type=(self.target_type.data or "").strip(),
            person_id=self.person.data,
            since=local_day_start(self.date_from.data, zone) if self.date_from.data else None,
            # A day ends where the next one starts (23 or 25 hours on daylight-saving days).
            until=local_day_start(self.date_to.data + timedelta(days=1), zone)
            if self.date_to.data else None,
        )

