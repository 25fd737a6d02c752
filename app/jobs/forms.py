"""The one form of the jobs pages: an admin starting a demo job."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import IntegerField
from wtforms.validators import InputRequired, NumberRange

DEMO_MAX_STEPS = 600


class DemoJobForm(FlaskForm):
    steps = IntegerField(
        _l("Steps"), default=20,
        validators=[InputRequired(_l("Enter how many steps the demo job should take.")),
                    NumberRange(1, DEMO_MAX_STEPS,
                                _l("Enter a number of steps from 1 to %(max)s.",
                                   max=DEMO_MAX_STEPS))],
        description=_l("Each step takes a fifth of a second."))
