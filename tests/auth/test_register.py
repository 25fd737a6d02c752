"""Self-registration: closed by default (404 with a friendly page); when open, participants
create their own accounts."""
from __future__ import annotations

from sqlalchemy import select

from app.db import Session
from app.models import User

from .support import signed_in

PASSWORD = "harakeke weaving on a sunny afternoon"


def _form(**overrides) -> dict:
    return {"display_name": "Sione Tui", "email": "sione@example.org",
            "password": PASSWORD, "confirm": PASSWORD, **overrides}


def test_registration_is_closed_by_default(client, csrf_token):
    response = client.get("/account/register")
    assert response.status_code == 404
    assert "Registration is by invitation" in response.get_data(as_text=True)
    token = csrf_token(client.get("/account/login").get_data(as_text=True))
    posted = client.post("/account/register", data={**_form(), "csrf_token": token})
    assert posted.status_code == 404
    assert Session.scalars(select(User)).all() == []


def test_registering_creates_a_participant_and_signs_in(client, open_registration, post_form,
                                                        audit_events):
    response = post_form("/account/register", _form(email="Sione@Example.org"))
    assert response.status_code == 302
    assert signed_in(client)
    user = Session.scalars(select(User).where(User.email == "sione@example.org")).one()
    assert user.roles == {"participant"} and user.display_name == "Sione Tui"
    assert user.memberships == []
    [event] = audit_events("user.registered")
    assert event.actor_id == user.id


def test_the_page_offers_no_organisation_and_says_an_administrator_adds_one(
        client, open_registration, make_org):
    make_org("Ōtautahi Community Trust", stakeholder_group="iwi_maori")
    html = client.get("/account/register").get_data(as_text=True)
    assert "Ōtautahi Community Trust" not in html
    assert 'name="organisation_id"' not in html
    assert "an administrator can add you to it" in html


def test_an_organisation_id_in_the_post_creates_no_membership(client, open_registration,
                                                              make_org, post_form):
    """Anyone may register: an anonymous visitor must not be able to speak for an iwi,
    a Pasifika group or a ministry by posting its id."""
    org = make_org("Te Rūnanga o Ōtautahi", stakeholder_group="iwi_maori")
    response = post_form("/account/register", _form(organisation_id=str(org.id)))
    assert response.status_code == 302
    user = Session.scalars(select(User).where(User.email == "sione@example.org")).one()
    assert user.memberships == []


def test_a_taken_email_is_refused_and_the_form_keeps_what_was_typed(client, open_registration,
                                                                   make_user, post_form):
    make_user(email="sione@example.org")
    response = post_form("/account/register", _form())
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "already exists" in html
    assert 'value="Sione Tui"' in html and 'value="sione@example.org"' in html
    assert PASSWORD not in html
    assert not signed_in(client)


def test_bad_input_is_explained(client, open_registration, post_form):
    html = post_form("/account/register", _form(email="not-an-email", password="short",
                                                confirm="different")).get_data(as_text=True)
    assert "Enter an email address like name@example.org." in html
    assert "at least 12 characters" in html
    assert "not the same" in html
    assert Session.scalars(select(User)).all() == []


def test_registering_is_audited_as_a_sign_in(client, open_registration, post_form,
                                             audit_events):
    post_form("/account/register", _form())
    user = Session.scalars(select(User).where(User.email == "sione@example.org")).one()
    [event] = audit_events("login.success")
    assert event.actor_id == user.id and event.detail == '{"second_factor":"none"}'
