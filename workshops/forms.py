"""Forms for workshops, bookings, check-in and outputs."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import URL, DataRequired, InputRequired, Length, NumberRange, Optional

from app.corpus.scope import PUBLISH_LEVELS, QUOTE_LEVELS
from app.models import STAKEHOLDER_GROUPS
from app.web.fields import LocalDateTimeField, MultiCheckboxField, choices
from workshops.timezones import default_zone_name, zone_choices, zone_of

FORMAT_LABELS = {"in_person": _l("In person"), "online": _l("Online"), "hybrid": _l("Hybrid")}
LANGUAGE_LABELS = {
    "en": _l("English"), "mi": _l("te reo Māori"), "sm": _l("Gagana Sāmoa"),
    "to": _l("Lea faka-Tonga"), "fj": _l("Vosa Vakaviti"), "niu": _l("Vagahau Niue"),
    "tkl": _l("Gagana Tokelau"), "ckm": _l("Te reo Māori Kūki 'Āirani"),
    "nzsl": _l("New Zealand Sign Language"),
}
STATUS_LABELS = {"draft": _l("Draft"), "published": _l("Published"),
                 "cancelled": _l("Cancelled")}
QUOTE_LABELS = {"none": _l("Not quoted"), "anonymous": _l("Quoted anonymously"),
                "attributed": _l("Quoted with attribution")}
PUBLISH_LABELS = {"none": _l("Not shown beyond the secretariat"),
                  "working_group": _l("The working group"), "public": _l("The public")}


def audience_choices():
    return [("everyone", _l("Everyone")), *((key, label) for key, label in STAKEHOLDER_GROUPS.items())]


class WorkshopForm(FlaskForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    description = TextAreaField(_l("Description"), validators=[Length(max=5000)])
    format = RadioField(_l("Format"), choices=choices(FORMAT_LABELS.items()),
                        validators=[InputRequired()])
    region = StringField(_l("Region"), validators=[Length(max=80)],
                         description=_l("For example Auckland, Waikato or Otago."))
    venue_address = TextAreaField(_l("Venue address"), validators=[Length(max=1000)],
                                  description=_l("Needed for in-person and hybrid workshops."))
    meeting_link = StringField(_l("Meeting link"), validators=[Optional(), URL(), Length(max=500)],
                               description=_l("Shown only to people with a confirmed place."))
    # DataRequired, not InputRequired: a client that sends no zone gets the site's (__init__).
    timezone = SelectField(_l("Time zone"), choices=[], validators=[DataRequired()],
                           description=_l("The times below are in this zone, and shown in it."))
    starts_at = LocalDateTimeField(_l("Starts"), validators=[InputRequired()],
                                   description=_l("In the workshop's time zone."))
    ends_at = LocalDateTimeField(_l("Ends"), validators=[InputRequired()],
                                 description=_l("In the workshop's time zone."))
    booking_deadline_at = LocalDateTimeField(_l("Bookings close"), validators=[InputRequired()],
                                             description=_l("In the workshop's time zone."))
    capacity = IntegerField(_l("Places"), validators=[InputRequired(), NumberRange(1, 10000)])
    languages = MultiCheckboxField(_l("Languages offered"),
                                   choices=choices(LANGUAGE_LABELS.items()))
    accessibility = TextAreaField(_l("Accessibility"), validators=[Length(max=2000)],
                                  description=_l("Step-free access, hearing loop, interpreters, "
                                                 "parking, toilets."))
    audience = SelectField(_l("Who may book"), choices=[], validators=[InputRequired()])

    TIME_FIELDS = ("starts_at", "ends_at", "booking_deadline_at")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.audience.choices = choices(audience_choices())
        self.timezone.choices = choices(zone_choices())
        if not self.timezone.data:
            self.timezone.data = default_zone_name()

    def _use_zone(self, name: str | None) -> None:
        """Read and show the times in zone NAME (the site's when it is not a known zone)."""
        for field_name in self.TIME_FIELDS:
            getattr(self, field_name).zone = zone_of(name)

    def validate(self, extra_validators=None) -> bool:
        self._use_zone(self.timezone.data)
        return super().validate(extra_validators)

    def data_for_operation(self) -> dict:
        return {
            "title": self.title.data, "description": self.description.data or "",
            "format": self.format.data, "region": self.region.data or "",
            "venue_address": self.venue_address.data or "",
            "meeting_link": self.meeting_link.data or "", "timezone": self.timezone.data,
            "starts_at": self.starts_at.utc, "ends_at": self.ends_at.utc,
            "booking_deadline_at": self.booking_deadline_at.utc, "capacity": self.capacity.data,
            "languages": list(self.languages.data or []),
            "accessibility": self.accessibility.data or "", "audience": self.audience.data,
        }

    def fill_from(self, workshop) -> None:
        for name in ("title", "description", "format", "region", "venue_address",
                     "meeting_link", "capacity", "accessibility", "audience", "timezone"):
            getattr(self, name).data = getattr(workshop, name)
        self.languages.data = workshop.language_codes
        self._use_zone(workshop.timezone)
        self.starts_at.set_utc(workshop.starts_at)
        self.ends_at.set_utc(workshop.ends_at)
        self.booking_deadline_at.set_utc(workshop.booking_deadline_at)


class BookingForm(FlaskForm):
    access_needs = TextAreaField(_l("Access needs (optional)"), validators=[Length(max=2000)],
                                 description=_l("Only the workshop's facilitators see this."))
    dietary_needs = TextAreaField(_l("Dietary needs (optional)"), validators=[Length(max=1000)])
    organisation = SelectField(_l("Attending"), choices=[], validators=[Optional()])

    def __init__(self, *args, person=None, **kwargs):
        super().__init__(*args, **kwargs)
        orgs = list(getattr(person, "organisations", []) or [])
        self.organisation.choices = choices([("", _l("As myself"))] + [
            (str(org.id), _l("For %(name)s", name=org.name)) for org in orgs])


class ConfirmForm(FlaskForm):
    """A bare button (cancel, publish, check-in): only the CSRF token."""


class WithdrawOutputForm(FlaskForm):
    reason = TextAreaField(_l("Why is this key point withdrawn?"),
                           description=_l("For example: the group asked for it to be taken "
                                          "out. The reason is kept in the audit log."),
                           validators=[DataRequired(), Length(max=1000)])


class OutputForm(FlaskForm):
    text = TextAreaField(_l("Key point"), validators=[DataRequired(), Length(max=5000)])
    analysis = RadioField(_l("May it be analysed?"), choices=choices([("yes", _l("Yes")),
                                                                      ("no", _l("No"))]),
                          default="yes", validators=[InputRequired()])
    quote = RadioField(_l("Quoting agreed in the room"), choices=choices(
        (key, QUOTE_LABELS[key]) for key in QUOTE_LEVELS), default="anonymous",
        validators=[InputRequired()])
    publish = RadioField(_l("Who may see its text"), choices=choices(
        (key, PUBLISH_LABELS[key]) for key in PUBLISH_LEVELS), default="working_group",
        validators=[InputRequired()])
    governed_by_id = SelectField(_l("Governed by (where a caucus agreed one)"), choices=[],
                                 validators=[Optional()])

    def __init__(self, *args, groups=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.governed_by_id.choices = choices([("", _l("No governance group"))] + [
            (str(group.id), group.name) for group in groups])


class AddFacilitatorForm(FlaskForm):
    """Another facilitator to run the workshop (people with the facilitator role only)."""

    user_id = SelectField(_l("Facilitator to add"), choices=[], validators=[DataRequired()])

    def __init__(self, *args, candidates=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.user_id.choices = choices([("", _l("Choose a facilitator"))] + [
            (str(person.id), f"{person.display_name} ({person.email})")
            for person in candidates])
