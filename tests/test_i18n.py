"""Languages: `lang` on every page, the language switcher, and every string through gettext."""
from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from babel.messages.frontend import CommandLineInterface
from babel.messages.pofile import read_po

from app.config import PROJECT_ROOT

TEMPLATES = PROJECT_ROOT / "templates"


def _lang_of(response) -> str:
    match = re.search(r'<html lang="([^"]+)"', response.get_data(as_text=True))
    assert match, "no <html lang> on the page"
    return match.group(1)


def _switch(client, csrf_token, lang: str, next_path: str = "/forums/"):
    token = csrf_token(client.get("/account/login").get_data(as_text=True))
    return client.post("/language", data={"lang": lang, "next": next_path, "csrf_token": token})


@pytest.mark.parametrize("path", ["/", "/forums/", "/workshops/", "/submissions/", "/privacy",
                                  "/accessibility", "/account/login", "/no-such-page"])
def test_pages_declare_english(client, path):
    assert _lang_of(client.get(path)) == "en-NZ"  # New Zealand English


def test_english_is_the_default_whatever_the_browser_asks_for(client):
    assert _lang_of(client.get("/", headers={"Accept-Language": "fr-FR,fr;q=0.9"})) == "en-NZ"


def test_the_browsers_language_is_chosen_from_each_requests_header(app, client, monkeypatch):
    monkeypatch.setitem(app.config["LANGUAGES"], "mi", "Te reo Māori")
    for _ in range(2):  # the choice for a header is remembered: the same both times
        assert _lang_of(client.get("/", headers={"Accept-Language": "mi,en;q=0.5"})) \
            .startswith("mi")
        assert _lang_of(client.get("/", headers={"Accept-Language": "en,mi;q=0.5"})) \
            == "en-NZ"
        assert _lang_of(client.get("/")) == "en-NZ"


def test_the_switcher_is_hidden_while_there_is_one_language(app, client):
    assert list(app.config["LANGUAGES"]) == ["en"]
    html = client.get("/").get_data(as_text=True)
    assert "language-switcher" not in html and 'name="lang"' not in html


def test_the_switcher_posts_to_set_language(app, client, monkeypatch):
    monkeypatch.setitem(app.config["LANGUAGES"], "mi", "Te reo Māori")
    html = client.get("/").get_data(as_text=True)
    form = re.search(r'<form class="language-switcher" method="post" action="([^"]+)"', html)
    assert form and form.group(1) == "/language"
    assert re.search(r'<label for="lang">Language</label>', html)
    assert 'name="csrf_token"' in html.split('class="language-switcher"', 1)[1]


def test_the_chosen_language_is_remembered(app, client, csrf_token, monkeypatch):
    # A second language, for this test only: the choice must stick in the session.
    monkeypatch.setitem(app.config["LANGUAGES"], "mi", "Te reo Māori")
    response = _switch(client, csrf_token, "mi")
    assert response.status_code == 302 and response.headers["Location"] == "/forums/"
    with client.session_transaction() as session:
        assert session["lang"] == "mi"
    assert _lang_of(client.get("/")) == "mi"
    assert _lang_of(client.get("/forums/")) == "mi"
    _switch(client, csrf_token, "en")
    assert _lang_of(client.get("/")) == "en-NZ"


def test_an_unknown_language_is_ignored(client, csrf_token):
    response = _switch(client, csrf_token, "xx-not-a-language")
    assert response.status_code == 302
    with client.session_transaction() as session:
        assert "lang" not in session
    assert _lang_of(client.get("/")) == "en-NZ"


def test_english_chosen_explicitly_is_kept(client, csrf_token):
    _switch(client, csrf_token, "en")
    with client.session_transaction() as session:
        assert session["lang"] == "en"


# ---------------------------------------------------------------- every string is translatable


@pytest.fixture(scope="module")
def catalog(tmp_path_factory):
    """The message catalogue `pybabel extract -F babel.cfg` builds from the source tree."""
    output = tmp_path_factory.mktemp("i18n") / "messages.pot"
    import os

    cwd = os.getcwd()
    os.chdir(PROJECT_ROOT)
    try:
        CommandLineInterface().run(["pybabel", "-q", "extract", "-F", "babel.cfg", "-k", "_l",
                                    "-k", "lazy_gettext", "-o", str(output), "."])
    finally:
        os.chdir(cwd)
    with output.open("rb") as handle:
        return read_po(handle)


@pytest.mark.parametrize("message", [
    "Skip to main content",   # templates/base.html
    "Sign in",                # templates/_nav.html
    "Language",               # the switcher
    "Ways to take part",      # templates/main/index.html
    "Page not found",         # app/errors.py, through lazy_gettext
    "Privacy",                # app/main/views.py, through gettext
])
def test_known_strings_are_extracted(catalog, message):
    assert message in catalog, f"{message!r} is not in the extracted catalogue"


class _HardCodedText(HTMLParser):
    """Finds visible text and text attributes that are not produced by a Jinja expression."""

    TEXT_ATTRIBUTES = ("aria-label", "title", "placeholder", "alt", "aria-description")
    SKIP_INSIDE = ("script", "style", "code", "pre")

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self._skipping: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in self.SKIP_INSIDE:
            self._skipping.append(tag)
        for name, value in attrs:
            if name in self.TEXT_ATTRIBUTES and _has_words(value or ""):
                self.found.append(f'{name}="{value}"')

    def handle_endtag(self, tag):
        if self._skipping and self._skipping[-1] == tag:
            self._skipping.pop()

    def handle_data(self, data):
        if not self._skipping and _has_words(data):
            self.found.append(data.strip())


def _has_words(text: str) -> bool:
    return bool(re.search(r"[^\W\d_]{2,}", text))


def _without_jinja(source: str) -> str:
    source = re.sub(r"\{#.*?#\}", "", source, flags=re.DOTALL)
    source = re.sub(r"\{%-?\s*trans\b.*?endtrans\s*-?%\}", "", source, flags=re.DOTALL)
    source = re.sub(r"\{%.*?%\}", "", source, flags=re.DOTALL)
    return re.sub(r"\{\{.*?\}\}", "", source, flags=re.DOTALL)


def test_templates_have_no_hard_coded_text():
    """Visible text in templates must come from {{ _("...") }} (or a variable)."""
    problems = []
    templates = sorted(TEMPLATES.rglob("*.html"))
    assert templates
    for path in templates:
        parser = _HardCodedText()
        parser.feed(_without_jinja(path.read_text(encoding="utf-8")))
        problems += [f"{Path(path).relative_to(PROJECT_ROOT)}: {text!r}" for text in parser.found]
    assert not problems, "text not wrapped in gettext:\n" + "\n".join(problems)


# ---------------------------------------------------------------- WTForms' own messages


def _choice_error(app, lang: str) -> str:
    from flask import session
    from flask_wtf import FlaskForm
    from wtforms import SelectField

    class Pick(FlaskForm):
        class Meta:
            csrf = False

        colour = SelectField(choices=[("red", "Red")])

    with app.test_request_context("/", method="POST", data={"colour": "blue"}):
        session["lang"] = lang
        form = Pick()
        assert not form.validate()
        return form.colour.errors[0]


def test_wtforms_messages_follow_the_language_and_are_loaded_once_per_language(
        app, monkeypatch):
    """The catalogue comes from a per-process cache (app/i18n.py), not from disk in
    every request, and still in each request's own language."""
    from app.i18n import wtforms_translations

    monkeypatch.setitem(app.config["LANGUAGES"], "de", "Deutsch")
    wtforms_translations.cache_clear()
    assert _choice_error(app, "en") == "Not a valid choice."
    assert _choice_error(app, "de") == "Keine gültige Auswahl."
    assert _choice_error(app, "en") == "Not a valid choice."
    assert _choice_error(app, "de") == "Keine gültige Auswahl."
    info = wtforms_translations.cache_info()
    assert info.misses == 2 and info.hits >= 2  # read from disk once per language


def _german_catalogue():
    import io

    from babel import support
    from babel.messages.catalog import Catalog
    from babel.messages.mofile import write_mo

    catalog = Catalog(locale="de")
    catalog.add("Privacy", "Datenschutz")
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return support.Translations(fp=buffer)


def test_template_strings_follow_the_language_within_a_request(app, monkeypatch):
    """The templates' gettext finds the translations once per request (app/i18n.py), yet a
    forced locale and Flask-Babel's refresh() still change them at once."""
    from flask import render_template_string, session
    from flask_babel import force_locale, refresh

    domain = app.extensions["babel"].instance.domain_instance
    monkeypatch.setitem(app.config["LANGUAGES"], "de", "Deutsch")
    monkeypatch.setitem(domain.cache, ("de", "messages"), _german_catalogue())
    page = "{{ _('Privacy') }}"
    with app.test_request_context("/"):
        session["lang"] = "de"
        assert render_template_string(page) == "Datenschutz"
        with force_locale("en"):
            assert render_template_string(page) == "Privacy"
        assert render_template_string(page) == "Datenschutz"
        session["lang"] = "en"
        assert render_template_string(page) == "Datenschutz"  # kept for this request ...
        refresh()
        assert render_template_string(page) == "Privacy"  # ... until Babel is told
    with app.test_request_context("/"):
        session["lang"] = "de"
        assert render_template_string(page) == "Datenschutz"
