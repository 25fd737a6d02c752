"""Organisations: listed with group and member count; added and edited; names unique."""
from __future__ import annotations

import json
import re
from html import unescape

from sqlalchemy import select

from app.db import Session
from app.models import Organisation

from .conftest import audit_events, input_value, is_checked


def test_list_shows_group_label_and_member_count(client, admin, make_org, make_user):
    org = make_org("Lalaga Pasifika Family Services", "pasifika")
    make_user("participant", org=org)
    make_user("participant", org=org)
    make_org("Empty Trust", "other")
    html = client.get("/admin/organisations").get_data(as_text=True)
    assert "Pasifika organisation" in html
    row = html[html.index("Lalaga Pasifika Family Services"):]
    assert re.search(r'<td [^>]*class="numeric">2</td>', row[:400])
    row = html[html.index("Empty Trust"):]
    assert re.search(r'<td [^>]*class="numeric">0</td>', row[:400])


def test_add_an_organisation(client, admin, post_form):
    response = post_form("/admin/organisations/new",
                         {"name": "  Tūhono   Community Trust ", "stakeholder_group": "ngo"})
    assert response.status_code == 302
    org = Session.scalars(select(Organisation)).one()
    assert (org.name, org.stakeholder_group) == ("Tūhono Community Trust", "ngo")
    [event] = audit_events("organisation.created")
    assert event.actor_id == admin.id and json.loads(event.detail)["name"] == org.name


def test_duplicate_name_is_refused_keeping_the_input(client, admin, post_form, make_org):
    make_org("Harbourside Family Services", "ngo")
    response = post_form("/admin/organisations/new",
                         {"name": "harbourside family services", "stakeholder_group": "other"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "There is already an organisation called" in html
    assert input_value(html, "name") == "harbourside family services"
    assert is_checked(html, "stakeholder_group", "other")
    assert len(Session.scalars(select(Organisation)).all()) == 1
    assert audit_events("organisation.created") == []


def test_missing_group_is_refused(client, admin, post_form):
    response = post_form("/admin/organisations/new", {"name": "No Group Ltd"})
    html = response.get_data(as_text=True)
    assert "Choose the organisation's stakeholder group." in unescape(html)
    assert input_value(html, "name") == "No Group Ltd"
    assert Session.scalars(select(Organisation)).all() == []


def test_edit_an_organisation(client, admin, post_form, make_org):
    org = make_org("Te Rūnanga o Ngāti Whetū", "iwi_maori")
    html = client.get(f"/admin/organisations/{org.id}").get_data(as_text=True)
    assert input_value(html, "name") == "Te Rūnanga o Ngāti Whetū"
    assert is_checked(html, "stakeholder_group", "iwi_maori")

    response = post_form(f"/admin/organisations/{org.id}",
                         {"name": "Te Rūnanga o Ngāti Whetūrangi", "stakeholder_group": "iwi_maori"})
    assert response.status_code == 302
    Session.expire_all()
    assert Session.get(Organisation, org.id).name == "Te Rūnanga o Ngāti Whetūrangi"
    [event] = audit_events("organisation.updated")
    assert json.loads(event.detail) == {
        "name": ["Te Rūnanga o Ngāti Whetū", "Te Rūnanga o Ngāti Whetūrangi"]}


def test_saving_an_unchanged_organisation_is_allowed_and_not_audited(client, admin, post_form,
                                                                     make_org):
    org = make_org("Same Name", "ngo")
    response = post_form(f"/admin/organisations/{org.id}",
                         {"name": "Same Name", "stakeholder_group": "ngo"})
    assert response.status_code == 302
    assert audit_events("organisation.updated") == []


def test_renaming_onto_another_name_is_refused(client, admin, post_form, make_org):
    make_org("First", "ngo")
    second = make_org("Second", "ngo")
    response = post_form(f"/admin/organisations/{second.id}",
                         {"name": "FIRST", "stakeholder_group": "ngo"})
    assert "There is already an organisation called" in response.get_data(as_text=True)
    Session.expire_all()
    assert Session.get(Organisation, second.id).name == "Second"
