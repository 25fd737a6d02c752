"""The error summary and fields in error (GOV.UK and NZ Government design system patterns):
the summary comes first in the main content, above the heading; it links to each field in
error (a group through its first option); the page title starts with "Error:"; and the
stylesheet really gives a field in error its red bar and border."""
from __future__ import annotations

import re
from pathlib import Path

from app.models import Consultation  # noqa: F401  (the consultation form's table exists)


def _main(html: str) -> str:
    return html.split('<main id="main"', 1)[1]


def test_a_failed_submit_puts_the_summary_above_the_heading(client, csrf_token):
    page = client.get("/account/login").get_data(as_text=True)
    html = client.post("/account/login", data={"email": "", "password": "",
                                                "csrf_token": csrf_token(page)}
                       ).get_data(as_text=True)
    main = _main(html)
    assert main.index("There is a problem") < main.index("<h1")
    assert re.search(r'<title>Error: Sign in', html)
    assert 'href="#email"' in main and 'href="#password"' in main
    assert 'data-error-summary tabindex="-1"' in main
    assert re.search(r'<script src="/static/js/forms\.js[^"]*" nonce="[^"]+" defer>', main)
    assert re.search(r'class="field\s*has-error"', main)
    # Without errors: no summary, no script, an ordinary title.
    assert "There is a problem" not in page and "forms.js" not in page
    assert "<title>Error:" not in page


def test_a_group_in_error_is_linked_through_its_first_option(client, make_user, auth,
                                                             csrf_token):
    auth.login(make_user("admin", email="admin@example.test"))
    page = client.get("/admin/organisations/new").get_data(as_text=True)
    html = client.post("/admin/organisations/new", data={"name": "Ngā Kete",
                                                          "csrf_token": csrf_token(page)}
                       ).get_data(as_text=True)
    assert 'href="#stakeholder_group-0"' in html and 'id="stakeholder_group-0"' in html


def test_two_factor_setup_keeps_its_summary_in_step_two(client, make_user, auth, csrf_token):
    auth.login(make_user("participant", email="p@example.test"))
    page = client.get("/account/two-factor/setup").get_data(as_text=True)
    html = client.post("/account/two-factor/setup", data={
        "code": "000000", "csrf_token": csrf_token(page)}).get_data(as_text=True)
    main = _main(html)
    assert main.index("Enter the code it shows") < main.index("There is a problem")


def test_the_stylesheet_rules_for_errors_outrank_the_ordinary_field_rules():
    """The bug this guards: `form .field {border: 0}` beat `.has-error`, and the later
    input rule beat `.has-error input`, so a field in error only moved sideways."""
    css = Path(__file__).resolve().parents[2].joinpath("app/static/css/korero.css").read_text()
    bar = css.index("form .field.has-error")
    assert css.index("form .field {") < bar
    assert "!important" not in css[bar:bar + 200]
    border = css.index(".field.has-error select")
    assert css.index("input[type=text], input[type=email]") < border
