"""WTForms' own messages ("Not a valid choice", ...) in the request's language, loaded once per
process and language.

Flask-WTF looks for them in `request.wtforms_translations` and, when that is empty, loads
WTForms' catalogue from disk (babel's `Translations.load`, a directory walk and a file read)
once in every request that validates a form: on a booking, the largest share of the form's
cost. `KoreroRequest` answers that attribute from a per-process cache instead, so the
catalogue is read the first time a language is used and never again.
"""
from __future__ import annotations

import functools

from babel import support
from flask import Request
from flask_babel import get_locale
from wtforms.i18n import messages_path


@functools.lru_cache(maxsize=16)
def wtforms_translations(locale: str) -> support.NullTranslations:
    return support.Translations.load(messages_path(), [locale], domain="wtforms")


class KoreroRequest(Request):
    @property
    def wtforms_translations(self) -> support.NullTranslations:
        return wtforms_translations(str(get_locale() or "en"))
