"""Invitations: created and emailed (to a real SMTP server), listed with status, revoked."""
from __future__ import annotations

import re
from datetime import timedelta
from html import unescape

from sqlalchemy import select

from app.auth.models import Invitation
from app.db import Session, utcnow

from .conftest import audit_events, input_value, is_checked, is_selected


def _only_invitation() -> Invitation:
    Session.expire_all()
    return Session.scalars(select(Invitation)).one()


def test_invitation_is_created_emailed_and_shown(client, admin, post_form, make_org,
                                                 smtp_server):
    org = make_org("Harbourside Family Services", "ngo")
    response = post_form("/admin/invitations/new", {
        "email": "Tama@Example.org", "roles": ["participant", "facilitator"],
        "organisation_id": str(org.id)})
    html = unescape(response.get_data(as_text=True))
    assert response.status_code == 200
    assert "We emailed an invitation to tama@example.org." in html

    invitation = _only_invitation()
    assert invitation.email == "tama@example.org"
    assert invitation.role_list == ["participant", "facilitator"]
    assert invitation.organisation_id == org.id and invitation.invited_by_id == admin.id
    assert invitation.status == "pending"
    assert len(audit_events("invitation.created")) == 1

    link = re.search(r'id="invitation-link" value="([^"]+)"', html).group(1)
    assert link.startswith("http://korero.test/account/invitation/")
    [message] = smtp_server.wait_for(1)
    assert message["To"] == "tama@example.org"
    assert link in smtp_server.body_of(message)
    # The page that shows the secret link is not cached.
    assert response.headers["Cache-Control"] == "no-store"


def test_the_invitation_link_works(client, admin, post_form, smtp_server):
    html = post_form("/admin/invitations/new", {
        "email": "new@example.org", "roles": ["participant"], "organisation_id": "0"},
    ).get_data(as_text=True)
    link = re.search(r'id="invitation-link" value="([^"]+)"', html).group(1)
    fresh = client.application.test_client()
    assert fresh.get(link.removeprefix("http://korero.test")).status_code == 200


def test_a_failed_email_still_shows_the_link(client, admin, post_form, app):
    saved = app.config["MAIL_SERVER"], app.config["MAIL_PORT"]
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=1)  # nothing listens on port 1
    try:
        response = post_form("/admin/invitations/new", {
            "email": "offline@example.org", "roles": ["participant"], "organisation_id": "0"})
    finally:
        app.config["MAIL_SERVER"], app.config["MAIL_PORT"] = saved
    html = unescape(response.get_data(as_text=True))
    assert "the email could not be sent" in html
    assert 'id="invitation-link"' in html
    assert _only_invitation().status == "pending"


def test_bad_input_keeps_what_was_typed(client, admin, post_form, make_org):
    org = make_org("Tūhono Community Trust", "ngo")
    response = post_form("/admin/invitations/new", {
        "email": "not-an-address", "roles": ["analyst"], "organisation_id": str(org.id)})
    html = unescape(response.get_data(as_text=True))
    assert response.status_code == 200
    assert "Enter an email address like name@example.org." in html
    assert input_value(html, "email") == "not-an-address"
    assert is_checked(html, "roles", "analyst") and not is_checked(html, "roles", "participant")
    assert is_selected(html, org.id)
    assert Session.scalars(select(Invitation)).all() == []

    response = post_form("/admin/invitations/new", {
        "email": "someone@example.org", "organisation_id": "0"})
    assert "Choose at least one role." in response.get_data(as_text=True)
    assert Session.scalars(select(Invitation)).all() == []


def test_list_shows_each_status_and_revoke_only_for_pending(client, admin, post_form,
                                                           smtp_server):
    for address in ("pending@example.org", "revoked@example.org", "expired@example.org",
                    "accepted@example.org"):
        post_form("/admin/invitations/new", {"email": address, "roles": ["participant"],
                                             "organisation_id": "0"})
    rows = {i.email: i for i in Session.scalars(select(Invitation))}
    now = utcnow()
    rows["revoked@example.org"].revoked_at = now
    rows["expired@example.org"].expires_at = now - timedelta(minutes=1)
    rows["accepted@example.org"].accepted_at = now
    Session.commit()

    html = client.get("/admin/invitations").get_data(as_text=True)
    for status in ("Pending", "Revoked", "Expired", "Accepted"):
        assert f">{status}</span>" in html
    assert html.count('action="/admin/invitations/') == 1
    assert f'action="/admin/invitations/{rows["pending@example.org"].id}/revoke"' in html


def test_revoke_stops_the_invitation_and_is_audited(client, admin, post_form, smtp_server):
    post_form("/admin/invitations/new", {"email": "gone@example.org", "roles": ["participant"],
                                         "organisation_id": "0"})
    invitation = _only_invitation()
    response = post_form(f"/admin/invitations/{invitation.id}/revoke", {},
                         page_url="/admin/invitations")
    assert response.status_code == 302
    assert _only_invitation().status == "revoked"
    [event] = audit_events("invitation.revoked")
    assert event.actor_id == admin.id and event.target_id == str(invitation.id)
    assert "Revoked the invitation to gone@example.org." in unescape(
        client.get("/admin/invitations").get_data(as_text=True))


def test_revoking_an_accepted_invitation_is_refused(client, admin, post_form, smtp_server):
    post_form("/admin/invitations/new", {"email": "in@example.org", "roles": ["participant"],
                                         "organisation_id": "0"})
    invitation = _only_invitation()
    invitation.accepted_at = utcnow()
    Session.commit()
    response = post_form(f"/admin/invitations/{invitation.id}/revoke", {},
                         page_url="/admin/invitations")
    assert response.status_code == 302
    assert _only_invitation().status == "accepted"
    assert "already been accepted" in client.get("/admin/invitations").get_data(as_text=True)


def test_revoke_is_post_only_and_unknown_invitations_are_404(client, admin, post_form):
    assert client.get("/admin/invitations/1/revoke").status_code == 405
    response = post_form("/admin/invitations/999999/revoke", {}, page_url="/admin/invitations")
    assert response.status_code == 404
