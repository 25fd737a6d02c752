"""People: search, filter and paginate; edit roles, organisations and access, audited."""
from __future__ import annotations

import json

from conftest import AuthActions

from app.admin.queries import list_users
from app.db import Session
from app.models import User

from .conftest import audit_events, input_value, is_checked


def test_search_by_name_or_email_and_filter_by_role(client, admin, make_user):
    ana = make_user("participant", email="ana.smith@example.test")
    make_user("analyst", email="bob@example.test")
    ana.display_name = "Ana Smith"
    Session.commit()

    html = client.get("/admin/people?q=SMITH").get_data(as_text=True)
    assert "ana.smith@example.test" in html and "bob@example.test" not in html
    html = client.get("/admin/people?q=bob%40example").get_data(as_text=True)
    assert "bob@example.test" in html and "ana.smith@example.test" not in html
    html = client.get("/admin/people?role=analyst").get_data(as_text=True)
    assert "bob@example.test" in html and "ana.smith@example.test" not in html
    # What was typed stays in the search box.
    assert input_value(client.get("/admin/people?q=SMITH").get_data(as_text=True), "q") == "SMITH"


def test_search_treats_wildcards_literally(client, admin, make_user):
    make_user("participant", email="plain@example.test")
    html = client.get("/admin/people?q=%25").get_data(as_text=True)
    assert "plain@example.test" not in html
    assert "0 people found" in html


def test_people_are_paginated_in_sql(admin, make_user):
    for _ in range(7):
        make_user("participant")
    first = list_users(role="participant", page=1, per_page=3)
    third = list_users(role="participant", page=3, per_page=3)
    assert first.total == 7 and first.pages == 3
    assert len(first.items) == 3 and len(third.items) == 1
    assert not {u.id for u in first.items} & {u.id for u in third.items}
    assert first.has_next and not third.has_next


def test_pager_links_keep_the_filters(client, admin, make_user, monkeypatch):
    monkeypatch.setattr("app.admin.queries.PER_PAGE", 2)
    for _ in range(3):
        make_user("participant")
    html = client.get("/admin/people?role=participant").get_data(as_text=True)
    assert "page=2" in html and "role=participant" in html
    page2 = client.get("/admin/people?role=participant&page=2").get_data(as_text=True)
    assert "Page 2 of 2" in page2


def test_admin_changes_roles_and_it_is_audited(client, admin, post_form, make_user):
    person = make_user("participant")
    response = post_form(f"/admin/people/{person.id}", {
        "display_name": "Pita Analyst", "roles": ["participant", "analyst"], "is_enabled": "y"})
    assert response.status_code == 302
    Session.expire_all()
    person = Session.get(User, person.id)
    assert person.roles == {"participant", "analyst"}
    assert person.display_name == "Pita Analyst"
    [event] = audit_events("user.roles_changed")
    assert event.actor_id == admin.id and event.target_id == str(person.id)
    detail = json.loads(event.detail)
    assert detail["old"] == ["participant"] and detail["new"] == ["analyst", "participant"]


def test_removing_a_role_keeps_the_others(client, admin, post_form, make_user):
    person = make_user("participant", "facilitator")
    post_form(f"/admin/people/{person.id}", {
        "display_name": person.display_name, "roles": ["facilitator"], "is_enabled": "y"})
    Session.expire_all()
    assert Session.get(User, person.id).roles == {"facilitator"}


def test_organisations_change_is_audited(client, admin, post_form, make_user, make_org):
    ngo = make_org("Harbourside", "ngo")
    iwi = make_org("Te Rūnanga", "iwi_maori")
    person = make_user("participant", org=ngo)
    post_form(f"/admin/people/{person.id}", {
        "display_name": person.display_name, "roles": ["participant"], "is_enabled": "y",
        "organisation_ids": [str(iwi.id)]})
    Session.expire_all()
    assert [o.name for o in Session.get(User, person.id).organisations] == ["Te Rūnanga"]
    [event] = audit_events("user.organisations_changed")
    assert json.loads(event.detail)["old"] == ["Harbourside"]
    assert json.loads(event.detail)["new"] == ["Te Rūnanga"]
    assert audit_events("user.roles_changed") == []  # roles did not change


def test_edit_form_shows_current_values(client, admin, make_user, make_org):
    org = make_org("Harbourside", "ngo")
    person = make_user("participant", "facilitator", org=org)
    html = client.get(f"/admin/people/{person.id}").get_data(as_text=True)
    assert input_value(html, "display_name") == person.display_name
    assert is_checked(html, "roles", "facilitator")
    assert is_checked(html, "roles", "participant")
    assert not is_checked(html, "roles", "admin")
    assert is_checked(html, "is_enabled", "y")
    assert is_checked(html, "organisation_ids", str(org.id))  # a checkbox list, not a <select>


def test_bad_input_shows_the_message_and_keeps_what_was_typed(client, admin, post_form,
                                                               make_user):
    person = make_user("participant")
    response = post_form(f"/admin/people/{person.id}", {
        "display_name": "Typed name", "is_enabled": "y"})  # no role chosen
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Choose at least one role." in html
    assert input_value(html, "display_name") == "Typed name"
    Session.expire_all()
    assert Session.get(User, person.id).display_name != "Typed name"


def test_admin_cannot_remove_their_own_admin_role(client, admin, post_form):
    response = post_form(f"/admin/people/{admin.id}", {
        "display_name": "Still me", "roles": ["analyst"], "is_enabled": "y"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "You cannot remove your own administrator role" in html
    assert is_checked(html, "roles", "analyst") and not is_checked(html, "roles", "admin")
    Session.expire_all()
    me = Session.get(User, admin.id)
    assert me.roles == {"admin"} and me.display_name != "Still me"
    assert audit_events("user.roles_changed") == []


def test_admin_cannot_disable_themselves(client, admin, post_form):
    response = post_form(f"/admin/people/{admin.id}", {
        "display_name": admin.display_name, "roles": ["admin"]})  # enabled box unticked
    assert "You cannot disable your own account" in response.get_data(as_text=True)
    Session.expire_all()
    assert Session.get(User, admin.id).is_enabled


def test_disabling_ends_the_persons_sessions(app, client, admin, post_form, make_user):
    person = make_user("participant")
    theirs = app.test_client()
    AuthActions(theirs).login(person)
    assert theirs.get("/account/").status_code == 200

    response = post_form(f"/admin/people/{person.id}", {
        "display_name": person.display_name, "roles": ["participant"]})  # enabled unticked
    assert response.status_code == 302
    Session.expire_all()
    person = Session.get(User, person.id)
    assert not person.is_enabled
    assert person.session_version == 2
    assert len(audit_events("user.disabled")) == 1

    # Signed out on their browser; and re-enabling does not bring the old session back.
    assert theirs.get("/account/").status_code == 302
    post_form(f"/admin/people/{person.id}", {
        "display_name": person.display_name, "roles": ["participant"], "is_enabled": "y"})
    Session.expire_all()
    assert Session.get(User, person.id).is_enabled
    assert len(audit_events("user.enabled")) == 1
    assert theirs.get("/account/").status_code == 302


def test_opening_a_persons_page_is_audited(client, admin, make_user):
    """A person's account details are personal data: every view is in the audit log."""
    person = make_user("participant", email="viewed@example.test")
    assert client.get(f"/admin/people/{person.id}").status_code == 200
    [event] = audit_events("record.viewed")
    assert (event.actor_id, event.target_type, event.target_id) == (admin.id, "user",
                                                                     str(person.id))
    # The list of people shows no one's details: it is not a view of a record.
    client.get("/admin/people")
    assert len(audit_events("record.viewed")) == 1


def test_renaming_a_person_is_audited(client, admin, post_form, make_user):
    person = make_user("participant")
    old_name = person.display_name
    post_form(f"/admin/people/{person.id}", {
        "display_name": "  Mere Renamed ", "roles": ["participant"], "is_enabled": "y"})
    [event] = audit_events("user.renamed")
    assert event.actor_id == admin.id and event.target_id == str(person.id)
    assert event.full_detail == {"email": person.email, "old": old_name,
                                 "new": "Mere Renamed"}
    assert json.loads(event.detail) == {}  # the names and address are erasable, not sealed
    # Saving again without a change records nothing more.
    post_form(f"/admin/people/{person.id}", {
        "display_name": "Mere Renamed", "roles": ["participant"], "is_enabled": "y"})
    assert len(audit_events("user.renamed")) == 1
