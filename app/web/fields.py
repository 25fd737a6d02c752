"""WTForms fields every package's forms share. The form macro (templates/_macros/forms.html)
renders each with its label, hint and error."""
from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from wtforms import DateTimeLocalField, SelectMultipleField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from app.web.dates import exists_locally, local_to_utc, site_timezone, utc_to_local_naive

LOCAL_FORMAT = "%Y-%m-%dT%H:%M"


def choices(pairs) -> list[SelectChoice]:
    """(value, label) pairs as WTForms choices."""
    return [SelectChoice(value, label) for value, label in pairs]


class MultiCheckboxField(SelectMultipleField):
    """Several choices as a list of checkboxes, rendered as a fieldset with a legend.

    Used instead of a <select multiple>, which needs Ctrl-click, is hard to use on a phone
    and with a screen reader, and silently drops every other choice on a stray click. An
    unticked list submits nothing, so data is [] rather than None.
    """

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()

    def process_formdata(self, valuelist):
        super().process_formdata(valuelist)
        if self.data is None:
            self.data = []


class LocalDateTimeField(DateTimeLocalField):
    """A date and time typed as a wall-clock time in the site's time zone
    (<input type="datetime-local">). `data` is that naive local time, as the browser sends
    it; `utc` is the moment in UTC for operations and the database.

    A form whose times belong to another zone (a workshop in Rarotonga) sets the field's
    `zone` (a ZoneInfo) before validating or filling it; None means the site's zone.

    A time skipped when the clocks go forward is refused with a message saying so; a time
    that happens twice when they go back is read as the first (see app.web.dates).
    """

    zone = None  # a ZoneInfo, or None: the site's time zone

    def __init__(self, label=None, validators=None, format=LOCAL_FORMAT, **kwargs):
        kwargs.setdefault("description", _l("New Zealand time."))
        super().__init__(label, validators, format=format, **kwargs)

    def _zone(self):
        return self.zone or site_timezone()

    def pre_validate(self, form) -> None:
        super().pre_validate(form)
        if self.data is not None and not exists_locally(self.data, self._zone()):
            raise ValidationError(_l("That time does not exist: the clocks go forward then. "
                                     "Choose a time an hour later."))

    @property
    def utc(self) -> datetime | None:
        """The typed time as an aware UTC datetime (None when empty)."""
        return local_to_utc(self.data, self._zone()) if self.data is not None else None

    def set_utc(self, moment: datetime | None) -> None:
        """Show a stored UTC MOMENT as the wall-clock time of the field's zone."""
        self.data = utc_to_local_naive(moment, self._zone()) if moment is not None else None
