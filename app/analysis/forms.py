"""Forms for the codebook, coding, suggestions and theme discovery."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    HiddenField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from app.analysis.models import STANCES
from app.web.fields import MultiCheckboxField, choices

STANCE_LABELS = {"": _l("Not set"), "supports": _l("Supports"), "opposes": _l("Opposes"),
                 "mixed": _l("Mixed"), "unclear": _l("Unclear")}


def theme_choices(themes, *, blank=None):
    """(id, label) pairs for THEMES in tree order; children are indented with a dash."""
    pairs = [("", blank)] if blank is not None else []
    pairs += [(str(theme.id), ("– " if theme.parent_id else "") + theme.name)
              for theme in themes]
    return choices(pairs)


class ThemeForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)])
    description = TextAreaField(_l("Description"), validators=[Length(max=5000)],
                                description=_l("What the theme covers, for other analysts."))
    colour = StringField(_l("Colour"), validators=[Length(max=7)], default="#4c6b8a",
                         description=_l("# and six hexadecimal digits, for example #4c6b8a."))
    parent = SelectField(_l("Under"), validators=[Optional()],
                         description=_l("Leave at the top level, or put it under a top-level "
                                        "theme (two levels)."))


class MergeForm(FlaskForm):
    target = SelectField(_l("Merge into"), validators=[DataRequired()],
                         description=_l("Its codings move to the theme you choose."))


class SplitForm(FlaskForm):
    name = StringField(_l("Name of the new theme"), validators=[DataRequired(),
                                                                Length(max=120)])
    coding_ids = MultiCheckboxField(_l("Codings that move to the new theme"), coerce=int)


class ConfirmForm(FlaskForm):
    """A bare button (delete, move, start): only the CSRF token."""


class MoveForm(FlaskForm):
    direction = HiddenField(validators=[DataRequired()])


class ImportForm(FlaskForm):
    file = FileField(_l("Codebook file"), validators=[FileRequired()],
                     description=_l("A REFI-QDA codebook (.qdc) from NVivo, ATLAS.ti, MAXQDA, "
                                    "QualCoder or Taguette, or a CSV file with a name column "
                                    "(and parent, description, colour)."))


class CodingForm(FlaskForm):
    themes = MultiCheckboxField(_l("Themes"), coerce=int,
                                description=_l("Keys 1 to 9 tick the first nine themes."))
    span_quote = StringField(_l("Only this part of the text (optional)"),
                             validators=[Optional(), Length(max=5000)],
                             description=_l("Paste or type the words the themes apply to; "
                                            "leave empty for the whole item. Selecting text "
                                            "on the page fills this in."))
    span_start = HiddenField()
    span_end = HiddenField()
    stance = SelectField(_l("Stance"), choices=choices(STANCE_LABELS.items()), default="",
                         validators=[Optional()])
    next_item = BooleanField(_l("Go to the next item afterwards"), default=True)


class EvidenceForm(FlaskForm):
    evidence_rich = BooleanField(_l("Evidence-rich: worth reading in full"))


class CorrectForm(FlaskForm):
    themes = MultiCheckboxField(_l("The right themes"), coerce=int)


class BulkSuggestionsForm(FlaskForm):
    coding_ids = MultiCheckboxField(_l("Suggestions"), coerce=int)
    decision = HiddenField(validators=[DataRequired()])


class DiscoveryForm(FlaskForm):
    method = SelectField(_l("Method"))
    seed = IntegerField(_l("Seed"), default=0, validators=[Optional(), NumberRange(0, 2**31)],
                        description=_l("The same seed gives the same themes."))


class PromoteForm(FlaskForm):
    """Promote a candidate theme (optionally into an existing theme: a merge)."""

    target = SelectField(_l("Into"), validators=[Optional()])


__all__ = ["STANCES"]
