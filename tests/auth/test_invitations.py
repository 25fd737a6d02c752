"""Invitations and create_user: signed single-use links, new and existing accounts."""
from __future__ import annotations

from contextlib import nullcontext
from datetime import timedelta

import pytest
from conftest import DEFAULT_PASSWORD, Mailbox
from flask import has_app_context
from sqlalchemy import select

from app.auth.models import Invitation
from app.auth.notifications import send_invitation_email
from app.auth.operations import create_invitation, create_user, revoke_invitation
from app.auth.tokens import token_hash, unsign_invitation_token
from app.db import Session, utcnow
from app.errors import OperationRefused
from app.models import Membership, User

from .support import detail_of, first_link, path_of, signed_in

NEW_PASSWORD = "pohutukawa flowers in december"


# Operations are called directly inside an app context, as the CLI does. Tests that also make
# requests must not hold one open: requests would share its `g`, and so its signed-in person.
in_app_context = pytest.mark.usefixtures("app_context")


@pytest.fixture
def inviter(make_user):
    return make_user("admin", email="boss@example.org")


@pytest.fixture
def invite(app, inviter):
    """invite(email, roles, org=None) -> (invitation, accept path), committed."""

    def make(email="new@example.org", roles=("participant",), org=None):
        context = nullcontext() if has_app_context() else app.app_context()
        with context:
            invitation, link = create_invitation(inviter, email=email, roles=roles,
                                                 organisation=org, ip="10.0.0.1")
            Session.commit()
            invitation_id = invitation.id
        invitation = Session.get(Invitation, invitation_id)
        assert link.startswith(app.config["BASE_URL"] + "/account/invitation/")
        return invitation, path_of(link)

    return make


def _accept_new(post_form, path, name="Aroha Ngata", password=NEW_PASSWORD):
    return post_form(path, {"display_name": name, "password": password, "confirm": password})


# ---------------------------------------------------------------- operations


@in_app_context
def test_create_invitation_stores_only_a_hash_and_audits(app, inviter, make_org, audit_events):
    org = make_org("Te Rūnanga")
    invitation, link = create_invitation(inviter, email=" New@Example.org ",
                                         roles=["analyst", "participant"], organisation=org,
                                         ip="10.0.0.1")
    assert invitation.email == "new@example.org"
    assert invitation.roles == "participant analyst"
    signed = link.rsplit("/", 1)[1]
    raw = unsign_invitation_token(signed, 3600)
    assert invitation.token_hash == token_hash(raw) and raw not in invitation.token_hash
    expected = utcnow() + timedelta(days=app.config["INVITATION_DAYS"])
    assert abs((invitation.expires_at - expected).total_seconds()) < 60
    [event] = audit_events("invitation.created")
    assert event.actor_id == inviter.id and event.ip_address == "10.0.0.1"
    assert detail_of(event)["roles"] == ["participant", "analyst"]


@in_app_context
def test_create_invitation_refuses_bad_input(inviter):
    with pytest.raises(OperationRefused) as error:
        create_invitation(inviter, email="not an address", roles=["participant"])
    assert error.value.field == "email"
    with pytest.raises(OperationRefused) as error:
        create_invitation(inviter, email="a@example.org", roles=["emperor"])
    assert error.value.field == "roles"


@in_app_context
def test_invitation_email_arrives_with_the_link(inviter, make_org, smtp_server):
    invitation, link = create_invitation(inviter, email="new@example.org", roles="participant",
                                         organisation=make_org("Kāinga Ora"))
    assert send_invitation_email(invitation, link) is True
    [message] = smtp_server.wait_for(1)
    assert message["To"] == "new@example.org"
    assert message["Subject"] == "You are invited to take part in Kōrero"
    body = Mailbox.body_of(message)
    assert first_link(body) == link and "Kāinga Ora" in body


@in_app_context
def test_invitation_email_failure_is_reported_not_raised(app, inviter, monkeypatch):
    monkeypatch.setitem(app.config, "MAIL_SERVER", "127.0.0.1")
    monkeypatch.setitem(app.config, "MAIL_PORT", 1)  # nothing listens there
    invitation, link = create_invitation(inviter, email="new@example.org", roles="participant")
    assert send_invitation_email(invitation, link) is False


@in_app_context
def test_create_user_normalises_and_refuses(inviter, make_org, audit_events):
    org = make_org()
    user = create_user(inviter, email="Mixed@Example.ORG", display_name="  Hine  ",
                       roles=["facilitator"], password=NEW_PASSWORD, organisation=org)
    assert user.email == "mixed@example.org" and user.display_name == "Hine"
    assert user.roles == {"facilitator"} and user.organisations == [org]
    [event] = audit_events("user.created")
    assert event.actor_id == inviter.id and event.target_id == str(user.id)
    for kwargs, field in (({"email": "MIXED@example.org"}, "email"),
                          ({"email": "bad@"}, "email"),
                          ({"password": "short"}, "password"),
                          ({"password": "password1234"}, "password"),
                          ({"roles": ["nobody"]}, "roles")):
        arguments = {"email": "other@example.org", "display_name": "Other",
                     "roles": ["participant"], **kwargs}
        with pytest.raises(OperationRefused) as error:
            create_user(inviter, **arguments)
        assert error.value.field == field, kwargs


@in_app_context
def test_revoking_and_revoking_an_accepted_invitation(inviter, invite, audit_events):
    invitation, _ = invite()
    revoke_invitation(inviter, invitation, ip="10.0.0.2")
    assert invitation.revoked_at is not None
    assert [e.ip_address for e in audit_events("invitation.revoked")] == ["10.0.0.2"]
    accepted, _ = invite("other@example.org")
    accepted.accepted_at = utcnow()
    with pytest.raises(OperationRefused):
        revoke_invitation(inviter, accepted)


# ---------------------------------------------------------------- accepting


def test_accepting_creates_the_account_and_signs_in(client, invite, make_org, post_form,
                                                    audit_events):
    org = make_org("Pasifika Futures", "pasifika")
    invitation, path = invite("new@example.org", ["participant"], org)
    page = client.get(path).get_data(as_text=True)
    assert "new@example.org" in page and "Pasifika Futures" in page
    response = _accept_new(post_form, path)
    assert response.status_code == 302
    assert signed_in(client)
    user = Session.scalars(select(User).where(User.email == "new@example.org")).one()
    assert user.display_name == "Aroha Ngata" and user.roles == {"participant"}
    assert [m.organisation_id for m in user.memberships] == [org.id]
    refreshed = Session.get(Invitation, invitation.id)
    assert refreshed.accepted_at is not None and refreshed.accepted_user_id == user.id
    [event] = audit_events("invitation.accepted")
    assert event.actor_id == user.id and detail_of(event)["existing_account"] is False


def test_invited_staff_are_sent_to_set_up_two_factor(client, invite, post_form):
    _, path = invite("analyst@example.org", ["analyst"])
    _accept_new(post_form, path)
    assert client.get("/account/").headers["Location"] == "/account/two-factor/setup"


def test_an_invitation_works_once(app, client, invite, post_form):
    _, path = invite()
    _accept_new(post_form, path)
    again = app.test_client().get(path)
    assert again.status_code == 410 and "already been accepted" in again.get_data(as_text=True)


def test_bad_input_keeps_what_was_typed(client, invite, post_form):
    _, path = invite()
    response = _accept_new(post_form, path, name="Aroha Ngata", password="short")
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "at least 12 characters" in html
    assert 'value="Aroha Ngata"' in html
    assert Session.scalars(select(User).where(User.email == "new@example.org")).first() is None


def test_revoked_expired_and_tampered_links_are_refused(app, client, inviter, invite,
                                                        monkeypatch):
    revoked, revoked_path = invite("one@example.org")
    with app.app_context():
        revoke_invitation(inviter, Session.get(Invitation, revoked.id))
        Session.commit()
    response = client.get(revoked_path)
    assert response.status_code == 410 and "withdrawn" in response.get_data(as_text=True)

    expired, expired_path = invite("two@example.org")
    expired.expires_at = utcnow() - timedelta(minutes=1)
    Session.commit()
    response = client.get(expired_path)
    assert response.status_code == 410 and "expired" in response.get_data(as_text=True)

    _, old_path = invite("three@example.org")
    monkeypatch.setitem(app.config, "INVITATION_DAYS", -1)  # the signature is now too old
    response = client.get(old_path)
    assert response.status_code == 410 and "expired" in response.get_data(as_text=True)
    monkeypatch.setitem(app.config, "INVITATION_DAYS", 14)

    response = client.get(old_path[:-3] + "abc")
    assert response.status_code == 404 and "not valid" in response.get_data(as_text=True)


def test_existing_account_accepts_with_its_password(client, invite, make_user, make_org,
                                                    post_form, audit_events):
    org = make_org("Whānau Trust", "iwi_maori")
    user = make_user("participant", email="known@example.org")
    _, path = invite("known@example.org", ["participant", "kaitiaki"], org)
    page = client.get(path).get_data(as_text=True)
    assert "already have an account" in page and 'name="display_name"' not in page

    wrong = post_form(path, {"password": "not the password at all"})
    assert "not the password of this account" in wrong.get_data(as_text=True)
    assert not signed_in(client)

    response = post_form(path, {"password": DEFAULT_PASSWORD})
    assert response.status_code == 302
    refreshed = Session.get(User, user.id)
    assert refreshed.roles == {"participant", "kaitiaki"}
    assert [m.organisation_id for m in refreshed.memberships] == [org.id]
    assert detail_of(audit_events("invitation.accepted")[0])["existing_account"] is True
    # kaitiaki need two-factor now: signed in, and sent to set it up.
    assert client.get("/account/").headers["Location"] == "/account/two-factor/setup"


def test_existing_account_with_two_factor_signs_in_first(client, auth, invite, make_user,
                                                         post_form):
    user = make_user("analyst", email="staff@example.org")
    _, path = invite("staff@example.org", ["facilitator"])
    page = client.get(path).get_data(as_text=True)
    assert "Sign in to accept" in page and f"next={path}" in page.replace("%2F", "/")
    auth.login(user)
    confirm = client.get(path).get_data(as_text=True)
    assert "Accept the invitation" in confirm
    assert post_form(path, {}).status_code == 302
    assert Session.get(User, user.id).roles == {"analyst", "facilitator"}


def test_signed_in_as_someone_else(client, auth, invite, make_user):
    auth.login(make_user(email="someone@example.org"))
    _, path = invite("new@example.org")
    response = client.get(path)
    assert response.status_code == 409
    assert "this invitation is for new@example.org" in response.get_data(as_text=True)


def test_membership_is_not_duplicated(client, invite, make_user, make_org, post_form):
    org = make_org()
    user = make_user(email="known@example.org", org=org)
    _, path = invite("known@example.org", ["participant"], org)
    post_form(path, {"password": DEFAULT_PASSWORD})
    assert len(Session.scalars(select(Membership).where(Membership.user_id == user.id)).all()) == 1


def test_accepting_as_a_new_person_is_audited_as_a_sign_in(client, invite, post_form,
                                                           audit_events):
    _, path = invite("new@example.org", ["participant"])
    _accept_new(post_form, path)
    user = Session.scalars(select(User).where(User.email == "new@example.org")).one()
    [event] = audit_events("login.success")
    assert event.actor_id == user.id and detail_of(event) == {"second_factor": "none"}


def test_a_demo_account_cannot_accept_with_its_password_in_production(
        app, client, invite, make_user, post_form, monkeypatch, audit_events):
    make_user("participant", email="demo@example.org", is_demo=True)
    _, path = invite("demo@example.org", ["facilitator"])
    monkeypatch.setitem(app.config, "KORERO_ENV", "production")
    response = post_form(path, {"password": DEFAULT_PASSWORD})
    assert response.status_code == 200
    assert "Demo accounts are switched off" in response.get_data(as_text=True)
    assert not signed_in(client)
    [event] = audit_events("login.failure")
    assert detail_of(event) == {"reason": "demo_in_production"}
