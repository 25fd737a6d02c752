"""Error pages: in the site's layout, helpful, never a stack trace; a 500 rolls the session back
and shows a reference that is also in the log."""
from __future__ import annotations

import logging
import re

import pytest
from sqlalchemy import inspect, select

from app import create_app
from app.config import TestConfig
from app.db import Session
from app.models import Organisation
from app.permissions import PUBLIC

SECRET_DETAIL = "boom: secret detail that must stay in the log"


def assert_in_layout(html: str) -> None:
    assert 'class="skip-link"' in html and 'href="#main"' in html
    assert '<main id="main"' in html
    assert 'class="site-nav"' in html
    assert 'class="site-footer"' in html
    assert "Traceback" not in html


def test_unknown_url_is_a_404_page_in_the_layout(client):
    response = client.get("/no/such/page")
    assert response.status_code == 404
    html = response.get_data(as_text=True)
    assert_in_layout(html)
    assert "Page not found" in html
    assert "Check the address" in html
    assert 'href="/"' in html  # a way back home
    assert html.count("<h1") == 1


def test_405_is_a_page_in_the_layout_with_allow(client):
    response = client.get("/language")  # POST only
    assert response.status_code == 405
    assert "POST" in response.headers["Allow"]
    html = response.get_data(as_text=True)
    assert_in_layout(html)
    assert "That action is not available here" in html


def test_403_is_a_page_in_the_layout(client, auth, make_user):
    auth.login(make_user("participant"))
    response = client.get("/admin/")
    assert response.status_code == 403
    html = response.get_data(as_text=True)
    assert_in_layout(html)
    assert "You do not have access to this page" in html


def test_errors_answer_json_to_json_clients(client):
    response = client.get("/no/such/page", headers={"Accept": "application/json"})
    assert response.status_code == 404
    assert response.mimetype == "application/json"
    assert response.json == {"error": "Page not found", "status": 404}


# ---------------------------------------------------------------- 500


@pytest.fixture
def failing_app(database_url, monkeypatch):
    """A separate app (never the shared one) with one extra route that writes, then fails."""
    saved_bind = dict(Session.session_factory.kw)
    app = create_app(TestConfig(database_url))
    # create_app binds the shared Session to its own engine: give it back to this test's
    # transaction, so whatever the failing route writes is inside it.
    Session.remove()
    Session.configure(**saved_bind)
    written = {}

    @app.get("/__boom")
    @app.get("/__boom/account/invitation/<token>")  # a crash on a page with a secret address
    def boom(token=None):
        org = Organisation(name="Written before the failure", stakeholder_group="ngo")
        Session.add(org)
        Session.flush()
        written["org"] = org
        raise RuntimeError(SECRET_DETAIL)

    monkeypatch.setitem(app.extensions["korero_access"], "boom", PUBLIC)
    app.written = written
    yield app
    app.extensions["korero_engine"].dispose()


def test_500_shows_a_reference_that_is_in_the_log_and_rolls_back(failing_app, caplog):
    caplog.set_level(logging.ERROR, logger="korero.errors")
    response = failing_app.test_client().get("/__boom")
    assert response.status_code == 500
    html = response.get_data(as_text=True)
    assert_in_layout(html)
    assert SECRET_DETAIL not in html and "RuntimeError" not in html
    assert "Sorry, something went wrong on our side" in html
    match = re.search(r'<code class="reference">([0-9a-f]{8,})</code>', html)
    assert match, "no reference on the 500 page"
    reference = match.group(1)
    logged = [r for r in caplog.records if reference in r.getMessage()]
    assert logged, "the reference is not in the log"
    assert logged[0].exc_info and SECRET_DETAIL in caplog.text  # the log keeps the detail
    # Rolled back, not merely closed: the flushed row is gone from the session and the db.
    assert inspect(failing_app.written["org"]).transient
    assert Session.scalars(
        select(Organisation).where(Organisation.name == "Written before the failure")
    ).first() is None


def test_a_500_on_a_secret_address_logs_the_path_without_the_token(failing_app, caplog):
    caplog.set_level(logging.ERROR, logger="korero.errors")
    response = failing_app.test_client().get("/__boom/account/invitation/s3cr3t-t0ken-value")
    assert response.status_code == 500
    assert "/__boom/account/invitation/[redacted]" in caplog.text
    assert "s3cr3t-t0ken-value" not in caplog.text


def test_500_references_differ_and_json_clients_get_one(failing_app):
    client = failing_app.test_client()
    first = client.get("/__boom", headers={"Accept": "application/json"})
    second = client.get("/__boom", headers={"Accept": "application/json"})
    assert first.status_code == 500 and first.mimetype == "application/json"
    assert first.json["status"] == 500
    assert re.fullmatch(r"[0-9a-f]{8,}", first.json["reference"])
    assert first.json["reference"] != second.json["reference"]
    assert SECRET_DETAIL not in first.get_data(as_text=True)


def test_the_shared_app_has_no_test_route(app):
    assert "boom" not in {rule.endpoint for rule in app.url_map.iter_rules()}
