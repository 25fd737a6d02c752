"""Who runs the site and how to reach them, the standing pages, Māori words marked as such,
the icons, and feature landing pages that promise nothing that is not there yet."""
from __future__ import annotations

import re

import pytest

from app.db import Session
from app.models import SiteSetting
from app.web.reo import mark_maori

OWNER = "Office for Social Data Standards (demo)"


def test_every_page_names_the_owner_and_how_to_reach_them(app, client):
    assert app.config["SITE_OWNER"] == OWNER
    for path in ("/", "/privacy", "/no-such-page"):
        html = client.get(path).get_data(as_text=True)
        footer = html[html.index('<footer class="site-footer">'):]
        assert f"Run by {OWNER}." in footer
        assert 'href="mailto:consultation@demo.korero.nz"' in footer
        assert 'href="tel:045550199">04 555 0199</a>' in footer
        assert re.search(rf"© 20\d\d {re.escape(OWNER)}", footer)


def test_the_footer_year_is_this_year_in_the_sites_time_zone(app, client):
    from datetime import datetime
    from zoneinfo import ZoneInfo

    zone = ZoneInfo(app.config["BABEL_DEFAULT_TIMEZONE"])
    before = datetime.now(zone).year
    html = client.get("/privacy").get_data(as_text=True)
    years = {str(before), str(datetime.now(zone).year)}  # a request across midnight, 31 Dec
    assert any(f"© {year} {OWNER}" in html for year in years)


def test_the_contact_comes_from_the_settings(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "CONTACT_EMAIL", "kōrero@agency.example.nz")
    monkeypatch.setitem(app.config, "CONTACT_PHONE", "")
    html = client.get("/").get_data(as_text=True)
    assert "mailto:kōrero@agency.example.nz" in html and "tel:" not in html


def test_the_access_refused_page_says_whom_to_ask(client, auth, make_user):
    auth.login(make_user("participant"))
    response = client.get("/admin/")
    html = response.get_data(as_text=True)
    assert response.status_code == 403
    main = html[html.index("<main"):html.index("</main>")]
    assert f"To ask for access, contact {OWNER} at" in main
    assert "mailto:consultation@demo.korero.nz" in main


def test_registration_names_the_contact(client):
    closed = client.get("/account/register").get_data(as_text=True)
    assert f"{OWNER}, at" in closed and "mailto:consultation@demo.korero.nz" in closed
    Session.merge(SiteSetting(key="self_registration_open", value="yes"))
    Session.commit()
    html = client.get("/account/register").get_data(as_text=True)
    main = html[html.index("<main"):html.index("</main>")]
    assert "mailto:consultation@demo.korero.nz" in main


def test_the_privacy_statement_explains_the_privacy_act_rights(client):
    html = client.get("/privacy").get_data(as_text=True)
    assert "Privacy Act 2020" in html
    assert "information privacy principle 6, access" in html
    assert "information privacy principle 7, correction" in html
    assert 'href="mailto:privacy@demo.korero.nz"' in html
    assert 'href="https://privacy.org.nz/' in html and "Privacy Commissioner" in html


def test_the_accessibility_statement_has_a_review_date_known_issues_and_a_contact(client):
    html = client.get("/accessibility").get_data(as_text=True)
    assert "last reviewed on 20 November 2026" in html
    assert 'id="known-issues"' in html and "signed out after 30 minutes" in html
    main = html[html.index("<main"):html.index("</main>")]
    assert "mailto:consultation@demo.korero.nz" in main


# ---------------------------------------------------------------- languages of parts


def test_pages_are_new_zealand_english_with_maori_words_marked(client, make_consultation):
    make_consultation(title="Open consultation")
    html = client.get("/").get_data(as_text=True)
    assert '<html lang="en-NZ">' in html
    assert 'alt="Kōrero" lang="mi"' in html  # the logo
    assert '<span lang="mi">iwi</span>, <span lang="mi">hapū</span>' in html
    assert '<span lang="mi">kaitiaki</span>' in html


@pytest.mark.parametrize("text, expected", [
    ("Welcome to Kōrero.", 'Welcome to <span lang="mi">Kōrero</span>.'),
    ("Iwi and hapū", '<span lang="mi">Iwi</span> and <span lang="mi">hapū</span>'),
    ("learn te reo Māori", 'learn <span lang="mi">te reo Māori</span>'),
    ("hui, huis and Hawaiian", '<span lang="mi">hui</span>, huis and Hawaiian'),
    ("<b>x</b> & kaitiaki", '&lt;b&gt;x&lt;/b&gt; &amp; <span lang="mi">kaitiaki</span>'),
])
def test_maori_words_are_wrapped_and_the_rest_escaped(app, text, expected):
    assert str(mark_maori(text)) == expected


def test_markup_keeps_its_tags_untouched(app):
    from markupsafe import Markup

    marked = mark_maori(Markup('<a href="/iwi">the iwi page</a>'))
    assert str(marked) == '<a href="/iwi">the <span lang="mi">iwi</span> page</a>'


# ---------------------------------------------------------------- icons and switcher


def test_favicon_and_the_linked_icons_are_served(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 200
    assert response.mimetype == "image/vnd.microsoft.icon"
    assert response.data[:4] == b"\x00\x00\x01\x00"  # an ICO header
    html = client.get("/").get_data(as_text=True)
    icons = re.findall(r'<link rel="(?:icon|apple-touch-icon)" href="([^"]+)"', html)
    assert len(icons) == 3
    logo = re.search(r'<img class="brand-logo" src="([^"]+)"', html).group(1)
    for url in [*icons, logo]:
        assert client.get(url).status_code == 200, url


# ---------------------------------------------------------------- feature landing pages


@pytest.mark.parametrize("path", ["/workshops/", "/submissions/"])
def test_a_feature_landing_page_never_loops_back_to_its_own_sign_in_button(
        client, auth, make_user, make_consultation, path):
    """The feature exists now: the page promises nothing that is not there, its sign-in
    button brings the person back to it, and once signed in the button is gone."""
    make_consultation(title="Open consultation")
    main = client.get(path).get_data(as_text=True).split("<main")[1]
    assert "not open yet" not in main
    if "Sign in to take part" in main:
        assert f'href="/account/login?next={path}"' in main
    auth.login(make_user("participant"))
    main = client.get(path).get_data(as_text=True).split("<main")[1]
    assert "Sign in to take part" not in main
