"""Report forms: the audience first, then what the report covers; publishing; decisions."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from app.reports.export_files import JOB_FORMATS
from app.web.fields import MultiCheckboxField, choices

AUDIENCE_CHOICES = choices([
    ("working_group", _l("The working group (and the advisory group)")),
    ("public", _l("The public: published results for providers and communities")),
])


class AudienceForm(FlaskForm):
    audience = RadioField(_l("Who is this report for?"), choices=AUDIENCE_CHOICES,
                          validators=[InputRequired(_l("Choose who the report is for."))])


class ReportForm(FlaskForm):
    audience = RadioField(_l("Who is this report for?"), choices=AUDIENCE_CHOICES,
                          validators=[InputRequired(_l("Choose who the report is for."))])
    title = StringField(_l("Title"), validators=[
        InputRequired(_l("Give the report a title.")), Length(max=200)])
    themes = MultiCheckboxField(_l("Themes"), coerce=int, description=_l(
        "Leave all unticked for every theme."))
    sources = MultiCheckboxField(_l("Sources"), coerce=str)
    questions = MultiCheckboxField(_l("Questions"), coerce=str)
    groups = MultiCheckboxField(_l("Stakeholder groups"), coerce=str)
    date_from = DateField(_l("From (date)"), validators=[Optional()])
    date_to = DateField(_l("To (date)"), validators=[Optional()])

    def validate_date_to(self, field):
        if field.data and self.date_from.data and field.data < self.date_from.data:
            from wtforms import ValidationError
            raise ValidationError(_l("The end date must be on or after the start date."))


class BuildForm(FlaskForm):
    pass


class ExportForm(FlaskForm):
    """Which slow format to make in a job (the buttons of the report page)."""

    format = SelectField(_l("Format"),
                         choices=choices((fmt, fmt.upper()) for fmt in JOB_FORMATS))


class PublishForm(FlaskForm):
    sections = MultiCheckboxField(_l("Sections the working group approved for the public"),
                                  coerce=str)
    action = RadioField(_l("Publish or withdraw"), default="publish", choices=choices([
        ("publish", _l("Publish these sections")), ("unpublish", _l("Take the page down"))]))


class DecisionForm(FlaskForm):
    decision = RadioField(_l("Your decision"), choices=choices([
        ("approved", _l("Approve")), ("declined", _l("Decline"))]),
        validators=[InputRequired(_l("Choose whether to approve or decline."))])
    conditions = TextAreaField(_l("Conditions (optional)"), validators=[Length(max=2000)],
                               description=_l("For example: only anonymous quotes; review "
                                              "the final wording."))
