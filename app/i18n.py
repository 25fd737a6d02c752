"""Translations at the cost of a lookup: the templates' gettext, and WTForms' own messages.

- Templates: Flask-Babel's template gettext finds the translations anew for every string
  (through `g`, the domain, the context namespace and the locale: six context-local lookups
  per call), and a page has 40 or more strings: about a fifth of rendering the layout.
  `current_translations()` keeps them in Flask-Babel's own per-request namespace under the key
  its `refresh()` and `force_locale()` already clear and restore, so a language change within
  a request still takes effect at once.
- WTForms' messages ("Not a valid choice", ...): Flask-WTF looks for them in
  `request.wtforms_translations` and, when that is empty, reads WTForms' catalogue from disk
  (a directory walk and a file read) once in every request that validates a form: on a
  booking, the largest share of the form's cost. `KoreroRequest` answers that attribute from a
  per-process cache, so each language's catalogue is read once.
"""
from __future__ import annotations

import functools

from babel import support
from flask import Flask, Request, g, has_app_context
from flask_babel import get_locale, get_translations
from wtforms.i18n import messages_path

_CONTEXT = "_flask_babel"  # Flask-Babel's namespace in g (flask_babel._get_current_context)
_KEY = "babel_translations"  # what its refresh() deletes and force_locale() resets


def current_translations() -> support.NullTranslations:
    """This request's translations, found once per request (or per forced locale)."""
    if not has_app_context():
        return get_translations()
    namespace = g.get(_CONTEXT)
    found = getattr(namespace, _KEY, None) if namespace is not None else None
    if found is None:
        found = get_translations()  # creates the namespace when it is missing
        setattr(g.get(_CONTEXT), _KEY, found)
    return found


def install_template_gettext(app: Flask) -> None:
    """The templates' gettext family through current_translations (Flask-Babel installs the
    same callables, each finding the translations anew)."""
    app.jinja_env.install_gettext_callables(
        gettext=lambda s: current_translations().ugettext(s),
        ngettext=lambda s, p, n: current_translations().ungettext(s, p, n),
        newstyle=True,
        pgettext=lambda c, s: current_translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: current_translations().unpgettext(c, s, p, n),
    )


@functools.lru_cache(maxsize=16)
def wtforms_translations(locale: str) -> support.NullTranslations:
    return support.Translations.load(messages_path(), [locale], domain="wtforms")


class KoreroRequest(Request):
    @property
    def wtforms_translations(self) -> support.NullTranslations:
        return wtforms_translations(str(get_locale() or "en"))
