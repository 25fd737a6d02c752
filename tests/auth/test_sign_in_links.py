"""The one-time sign-in link emailed to the owner of an account whose per-account sign-in
limit tripped (issue 15: anyone could lock an account with wrong passwords)."""
from __future__ import annotations

from datetime import timedelta

from conftest import Mailbox
from sqlalchemy import select

from app.auth.models import SignInLink
from app.db import Session, utcnow
from app.logging_setup import redact_secrets

from .support import first_link, path_of

LOGIN = "/account/login"


def _attack(post_form, email: str, attempts: int = 21):
    """ATTEMPTS wrong passwords for EMAIL, each from its own address; the last response."""
    response = None
    for n in range(attempts):
        response = post_form(LOGIN, {"email": email, "password": "a wrong password guess"},
                             environ_base={"REMOTE_ADDR": f"198.51.100.{n}"})
    return response


def test_an_attacked_account_is_emailed_one_sign_in_link(post_form, make_user, smtp_server,
                                                         audit_events, client, app):
    owner = make_user(email="target@example.org")
    response = _attack(post_form, "target@example.org")
    assert response.status_code == 429
    assert "we have emailed its owner a link" in response.get_data(as_text=True)
    _attack(post_form, "target@example.org", attempts=3)  # more attempts: no second email
    [message] = smtp_server.delivered()
    assert message["To"] == "target@example.org"
    link = first_link(Mailbox.body_of(message))
    assert "/account/sign-in-link/" in link
    assert redact_secrets(path_of(link)) == "/account/sign-in-link/[redacted]"
    [sent] = audit_events("login.link_sent")
    assert sent.actor_id == owner.id

    page = client.get(path_of(link))  # opening the link changes nothing (mail scanners do)
    assert page.status_code == 200 and audit_events("login.link_used") == []
    signed_in = post_form(path_of(link), {}, on=client)
    assert signed_in.status_code == 302 and signed_in.headers["Location"] == "/"
    assert [e.actor_id for e in audit_events("login.link_used")] == [owner.id]
    assert client.get("/account/").status_code == 200

    assert app.test_client().get(path_of(link)).status_code == 410  # it worked once


def test_an_unknown_address_gets_the_same_answer_and_no_email(post_form, smtp_server,
                                                              audit_events):
    response = _attack(post_form, "nobody@example.org")
    assert response.status_code == 429
    assert "we have emailed its owner a link" in response.get_data(as_text=True)
    assert smtp_server.delivered() == [] and audit_events("login.link_sent") == []


def test_a_used_or_expired_link_does_not_work(post_form, make_user, smtp_server, app):
    make_user(email="target@example.org")
    _attack(post_form, "target@example.org")
    [message] = smtp_server.delivered()
    path = path_of(first_link(Mailbox.body_of(message)))
    link = Session.scalars(select(SignInLink)).one()
    link.expires_at = utcnow() - timedelta(seconds=1)
    Session.commit()
    fresh = app.test_client()
    assert fresh.get(path).status_code == 410
    assert fresh.get("/account/sign-in-link/not-a-real-token").status_code == 404


def test_the_link_still_asks_for_the_second_factor(post_form, make_user, smtp_server, client):
    make_user("admin", email="boss@example.org")  # staff have two-factor on
    _attack(post_form, "boss@example.org")
    [message] = smtp_server.delivered()
    response = post_form(path_of(first_link(Mailbox.body_of(message))), {}, on=client)
    assert response.headers["Location"].endswith("/account/login/two-factor")
