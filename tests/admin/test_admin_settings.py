"""The self-registration switch."""
from __future__ import annotations

import json

from app.db import Session
from app.queries import is_self_registration_open

from .conftest import audit_events, is_checked


def test_opening_and_closing_self_registration_is_audited(client, admin, post_form):
    html = client.get("/admin/settings").get_data(as_text=True)
    assert is_checked(html, "self_registration_open", "no")

    assert post_form("/admin/settings", {"self_registration_open": "yes"}).status_code == 302
    Session.expire_all()
    assert is_self_registration_open()
    assert is_checked(client.get("/admin/settings").get_data(as_text=True),
                      "self_registration_open", "yes")
    [event] = audit_events("settings.changed")
    assert json.loads(event.detail) == {"key": "self_registration_open", "old": "no",
                                        "new": "yes"}

    post_form("/admin/settings", {"self_registration_open": "no"})
    Session.expire_all()
    assert not is_self_registration_open()
    assert len(audit_events("settings.changed")) == 2


def test_saving_the_same_value_is_not_audited(client, admin, post_form):
    post_form("/admin/settings", {"self_registration_open": "no"})
    assert audit_events("settings.changed") == []


def test_a_bad_value_is_refused(client, admin, post_form):
    response = post_form("/admin/settings", {"self_registration_open": "maybe"})
    assert response.status_code == 200
    assert "Not a valid choice" in response.get_data(as_text=True)
    assert not is_self_registration_open()
