"""Submissions: WTForms for the form builder (the answer page is read by submissions.answers)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from app.web.fields import choices
from submissions.labels import KIND_LABELS


class ActionForm(FlaskForm):
    """A bare form: a button with its CSRF token."""


class FormSettingsForm(FlaskForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    intro = TextAreaField(_l("Introduction"), validators=[Optional(), Length(max=5000)],
                          description=_l("Shown above the questions."))


class GuestSettingForm(FlaskForm):
    allows_guests = BooleanField(
        _l("People without an account may make a submission to this consultation (they give "
           "a name and an email address)"),
        description=_l("Applies to every form of the consultation."))


class QuestionForm(FlaskForm):
    kind = SelectField(_l("Kind"), choices=choices(KIND_LABELS.items()))
    prompt = TextAreaField(_l("Question (or section heading)"),
                           validators=[DataRequired(), Length(max=2000)])
    help_text = TextAreaField(_l("Help text"), validators=[Optional(), Length(max=2000)])
    is_required = BooleanField(_l("An answer is required"))
    max_chars = IntegerField(_l("Character limit (text questions)"),
                             validators=[Optional(), NumberRange(min=1, max=100_000)])
    options = TextAreaField(_l("Choices, one a line (choice and ranking questions)"),
                            validators=[Optional(), Length(max=5000)])
    show_if_key = SelectField(_l("Show only when this question…"), choices=[], validate_choice=False)
    show_if_value = StringField(_l("…has this answer"), validators=[Optional(), Length(max=200)])

    def data_for_operation(self) -> dict:
        return {"kind": self.kind.data, "prompt": self.prompt.data,
                "help_text": self.help_text.data, "is_required": self.is_required.data,
                "max_chars": self.max_chars.data, "show_if_key": self.show_if_key.data,
                "show_if_value": self.show_if_value.data,
                "choices": (self.options.data or "").splitlines()}
