"""A person's forum preferences form (consent default for new posts, email choice), filled
from what they chose before: used by the forum's preferences page and by its section of the
account page (the issue asks for the consent default there)."""
from __future__ import annotations

from app.db import Session
from forums import operations
from forums.forms import PreferencesForm
from forums.models import EMAIL_MODES, ForumPreference


def preferences_form(person, *, filled: bool = True) -> tuple[PreferencesForm, bool]:
    """The form (filled with PERSON's current choices unless FILLED is false, i.e. when the
    request's own data fills it) and whether they have chosen a consent default yet."""
    default = operations.default_scope(person)
    form = PreferencesForm() if not filled else PreferencesForm(formdata=None)
    form.email_mode.choices = [(key, str(label)) for key, label in EMAIL_MODES.items()]
    if filled:
        row = Session.get(ForumPreference, person.id)
        form.email_mode.data = row.email_mode if row is not None else "immediate"
        if default is not None:
            form.fill_scope(default)
    return form, default is not None


def account_panel(person) -> dict:
    """The context of the forum's section on the account page."""
    form, has_default = preferences_form(person)
    return {"form": form, "has_default": has_default}
