"""Forms for interviews."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from app.corpus.scope import PUBLISH_LEVELS, QUOTE_LEVELS
from app.web.fields import LocalDateTimeField, choices
from workshops.forms import PUBLISH_LABELS, QUOTE_LABELS

METHOD_LABELS = {"written": _l("Written"), "verbal": _l("Verbal"), "recorded": _l("Recorded")}


class InterviewForm(FlaskForm):
    interviewee_id = SelectField(_l("Participant"), choices=[], validators=[Optional()],
                                 description=_l("Or leave this and name a person without an "
                                                "account below."))
    name = StringField(_l("Name"), validators=[Length(max=200)])
    organisation = StringField(_l("Organisation"), validators=[Length(max=200)])
    contact = StringField(_l("Contact (email or phone)"), validators=[Length(max=254)])
    scheduled_at = LocalDateTimeField(_l("When"), validators=[InputRequired()])

    def __init__(self, *args, people=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.interviewee_id.choices = choices([("", _l("Someone without an account"))] + [
            (str(p.id), p.display_name) for p in people])


class _ScopeFields(FlaskForm):
    analysis = RadioField(_l("May it be analysed?"), choices=choices([("yes", _l("Yes")),
                                                                      ("no", _l("No"))]),
                          default="yes", validators=[InputRequired()])
    quote = RadioField(_l("Quoting"), choices=choices((k, QUOTE_LABELS[k]) for k in QUOTE_LEVELS),
                       default="anonymous", validators=[InputRequired()])
    publish = RadioField(_l("Who may see the text"), choices=choices(
        (k, PUBLISH_LABELS[k]) for k in PUBLISH_LEVELS), default="working_group",
        validators=[InputRequired()])


class ConsentForm(_ScopeFields):
    governed_by_id = SelectField(_l("Governed by"), choices=[], validators=[Optional()])
    method = RadioField(_l("How consent was given"), choices=choices(METHOD_LABELS.items()),
                        validators=[InputRequired()])
    given_at = LocalDateTimeField(_l("When consent was given"), validators=[InputRequired()])
    consent_form = FileField(_l("Written consent form (optional)"),
                             description=_l("A PDF, PNG or JPEG."))

    def __init__(self, *args, groups=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.governed_by_id.choices = choices([("", _l("No governance group"))] + [
            (str(g.id), g.name) for g in groups])


class MyConsentForm(_ScopeFields):
    """The interviewee narrows or withdraws their consent."""


class NoteForm(FlaskForm):
    questions = TextAreaField(_l("Questions asked"), validators=[Length(max=20000)])
    key_points = TextAreaField(_l("Key points"), validators=[Length(max=50000)],
                               description=_l("One key point per line. Each becomes a piece of "
                                              "feedback under the interviewee's consent."))


class CorrectionForm(FlaskForm):
    statement = TextAreaField(_l("What should be corrected?"),
                              validators=[DataRequired(), Length(max=5000)])


class DecisionForm(FlaskForm):
    decision = RadioField(_l("Decision"), choices=choices([("accept", _l("Accept")),
                                                           ("refuse", _l("Refuse"))]),
                          validators=[InputRequired()])
    response = TextAreaField(_l("Response"), validators=[Length(max=5000)])
