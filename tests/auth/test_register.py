"""Self-registration: closed by default (404 with a friendly page); when open, two steps. A name
and an email address get the same "check your email" answer whether or not the address has an
account, and create nothing; the emailed link (signed, from BASE_URL, expiring) then asks for a
password and creates the participant."""
from __future__ import annotations

import re
import time

import itsdangerous.timed
from conftest import Mailbox
from sqlalchemy import func, select

from app.db import Session
from app.models import SiteSetting, User

from .support import first_link, path_of, signed_in

REGISTER = "/account/register"
PASSWORD = "harakeke weaving on a sunny afternoon"


def _request(post_form, email: str = "sione@example.org", name: str = "Sione Tui", **kwargs):
    return post_form(REGISTER, {"display_name": name, "email": email}, **kwargs)


def _link(post_form, smtp_server, email: str = "sione@example.org", name: str = "Sione Tui",
          count: int = 1) -> str:
    """Ask for a registration link and return it from the email (sent in the background)."""
    assert _request(post_form, email, name).status_code == 200
    messages = smtp_server.wait_for(count)
    assert len(messages) == count
    return first_link(Mailbox.body_of(messages[count - 1]))


def _complete(post_form, path: str, *, name: str = "Sione Tui", password: str = PASSWORD,
              confirm: str | None = None, page_url: str | None = None, on=None, **extra):
    """Post the second step's form (EXTRA adds form fields); PAGE_URL supplies the CSRF token
    when the link's own page shows no form."""
    return post_form(path, {"display_name": name, "password": password,
                            "confirm": password if confirm is None else confirm, **extra},
                     page_url=page_url, on=on)


def _user_count() -> int:
    Session.expire_all()
    return Session.scalar(select(func.count()).select_from(User))


def _comparable(response) -> str:
    """The page without its CSRF tokens and CSP nonces, which differ on every request."""
    html = re.sub(r'name="csrf_token"[^>]*>', "", response.get_data(as_text=True))
    return re.sub(r'nonce="[^"]*"', "", html)


class _Clock:
    """Stands in for `time` inside itsdangerous, so a link can grow old without waiting."""

    def __init__(self, offset: float):
        self.offset = offset

    def time(self) -> float:
        return time.time() + self.offset


# ---------------------------------------------------------------- closed


def test_registration_is_closed_by_default(client, csrf_token):
    response = client.get(REGISTER)
    assert response.status_code == 404
    assert "Registration is by invitation" in response.get_data(as_text=True)
    token = csrf_token(client.get("/account/login").get_data(as_text=True))
    posted = client.post(REGISTER, data={"display_name": "Sione Tui",
                                         "email": "sione@example.org", "csrf_token": token})
    assert posted.status_code == 404
    assert _user_count() == 0


def test_closing_registration_refuses_a_link_already_sent(client, open_registration, post_form,
                                                          smtp_server, csrf_token):
    path = path_of(_link(post_form, smtp_server))
    Session.merge(SiteSetting(key="self_registration_open", value="no"))
    Session.commit()
    page = client.get(path)
    assert page.status_code == 404
    assert "Registration is by invitation" in page.get_data(as_text=True)
    token = csrf_token(client.get("/account/login").get_data(as_text=True))
    posted = client.post(path, data={"display_name": "Sione Tui", "password": PASSWORD,
                                     "confirm": PASSWORD, "csrf_token": token})
    assert posted.status_code == 404
    assert _user_count() == 0 and not signed_in(client)


# ---------------------------------------------------------------- step 1: asking for a link


def test_the_first_step_asks_for_a_name_and_email_only(client, open_registration, make_org):
    make_org("Ōtautahi Community Trust", stakeholder_group="iwi_maori")
    html = client.get(REGISTER).get_data(as_text=True)
    assert 'name="display_name"' in html and 'name="email"' in html
    assert 'type="password"' not in html
    assert "Ōtautahi Community Trust" not in html and 'name="organisation_id"' not in html
    assert "an administrator can add you to it" in html


def test_a_new_and_a_taken_address_get_the_same_answer_and_nothing_is_created(
        open_registration, post_form, make_user, smtp_server):
    first = _request(post_form)
    assert first.status_code == 200
    assert _user_count() == 0  # the request alone creates nothing
    smtp_server.wait_for(1)
    make_user(email="sione@example.org")  # now the same address has an account
    second = _request(post_form)
    assert second.status_code == 200
    assert _comparable(first) == _comparable(second)
    html = second.get_data(as_text=True)
    assert "Check your email" in html and "expires in 24 hours" in html
    assert "already exists" not in html
    assert _user_count() == 1
    assert len(smtp_server.wait_for(2)) == 2


def test_a_new_address_is_emailed_a_link_built_from_base_url(app, client, open_registration,
                                                              csrf_token, smtp_server):
    evil = {"Host": "evil.example"}
    page = client.get(REGISTER, headers=evil)
    response = client.post(REGISTER, headers=evil, data={
        "display_name": "Sione Tui", "email": " Sione@Example.org ",
        "csrf_token": csrf_token(page.get_data(as_text=True))})
    assert response.status_code == 200
    [message] = smtp_server.wait_for(1)
    assert message["To"] == "sione@example.org"
    assert message["Subject"] == "Finish creating your Kōrero account"
    body = Mailbox.body_of(message)
    assert "Kia ora," in body and "expires in 24 hours" in body
    assert "Sione" not in body  # anyone can register any address: no chosen words in the email
    link = first_link(body)
    assert link.startswith(app.config["BASE_URL"] + "/account/register/")
    assert "evil.example" not in message.as_string()
    assert link in message.get_body(preferencelist=("html",)).get_content()
    assert _user_count() == 0


def test_a_taken_address_is_emailed_a_note_and_no_link(app, open_registration, post_form,
                                                        make_user, smtp_server):
    make_user(email="sione@example.org")
    _request(post_form, "SIONE@example.org", "Someone Else")
    [message] = smtp_server.wait_for(1)
    assert message["To"] == "sione@example.org"
    assert message["Subject"] == "You already have a Kōrero account"
    body = Mailbox.body_of(message)
    assert "already has one" in body
    base = app.config["BASE_URL"]
    assert f"{base}/account/login" in body and f"{base}/account/forgot-password" in body
    assert "/account/register" not in message.as_string()
    assert "Someone Else" not in message.as_string()
    assert _user_count() == 1


def test_bad_input_is_explained_and_nothing_is_sent(open_registration, post_form, smtp_server):
    response = _request(post_form, "not-an-email", "")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Enter an email address like name@example.org." in html
    assert "Enter your name." in html
    assert 'value="not-an-email"' in html
    assert smtp_server.delivered() == []


def test_a_signed_in_person_is_sent_home(client, auth, make_user, open_registration):
    auth.login(make_user())
    assert client.get(REGISTER).status_code == 302


# ---------------------------------------------------------------- step 2: the link


def test_the_link_creates_the_participant_signs_in_and_audits(client, open_registration,
                                                              post_form, smtp_server,
                                                              audit_events):
    path = path_of(_link(post_form, smtp_server, email="Sione@Example.org"))
    page = client.get(path)
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "sione@example.org" in html and 'value="Sione Tui"' in html
    assert page.headers["Referrer-Policy"] == "no-referrer"
    response = _complete(post_form, path, name="Sione Tui-Fa'amoe")
    assert response.status_code == 302
    assert signed_in(client)
    user = Session.scalars(select(User).where(User.email == "sione@example.org")).one()
    assert user.roles == {"participant"} and user.display_name == "Sione Tui-Fa'amoe"
    assert user.memberships == []
    [registered] = audit_events("user.registered")
    assert registered.actor_id == user.id
    [login] = audit_events("login.success")
    assert login.actor_id == user.id and login.detail == '{"second_factor":"none"}'


def test_an_organisation_id_in_the_post_creates_no_membership(client, open_registration,
                                                              make_org, post_form,
                                                              smtp_server):
    """Anyone may register: an anonymous visitor must not be able to speak for an iwi,
    a Pasifika group or a ministry by posting its id."""
    org = make_org("Te Rūnanga o Ōtautahi", stakeholder_group="iwi_maori")
    path = path_of(_link(post_form, smtp_server))
    assert _complete(post_form, path, organisation_id=str(org.id)).status_code == 302
    user = Session.scalars(select(User).where(User.email == "sione@example.org")).one()
    assert user.memberships == []


def test_a_second_use_of_the_link_changes_nothing(app, client, open_registration, post_form,
                                                  smtp_server, audit_events):
    path = path_of(_link(post_form, smtp_server))
    assert _complete(post_form, path).status_code == 302
    user = Session.scalars(select(User).where(User.email == "sione@example.org")).one()
    password_hash = user.password_hash
    other = app.test_client()
    page = other.get(path)
    assert page.status_code == 409
    html = page.get_data(as_text=True)
    assert "already an account for sione@example.org" in html and "/account/login" in html
    response = _complete(post_form, path, on=other, page_url="/account/login",
                         name="Somebody Else", password="another long passphrase for a hijack")
    assert response.status_code == 409
    assert not signed_in(other)
    Session.expire_all()
    assert _user_count() == 1
    assert user.password_hash == password_hash and user.display_name == "Sione Tui"
    assert len(audit_events("user.registered")) == 1


def test_an_expired_link_says_so_and_offers_to_start_again(app, client, open_registration,
                                                           post_form, smtp_server,
                                                           monkeypatch):
    monkeypatch.setitem(app.config, "REGISTRATION_LINK_HOURS", 1)
    path = path_of(_link(post_form, smtp_server))
    assert "expires in 1 hour." in Mailbox.body_of(smtp_server.messages[0])
    monkeypatch.setattr(itsdangerous.timed, "time", _Clock(offset=3601 + 5))
    page = client.get(path)
    html = page.get_data(as_text=True)
    assert page.status_code == 410
    assert "This link has expired" in html and "work for 1 hour," in html
    assert f'href="{REGISTER}"' in html
    assert _complete(post_form, path, page_url="/account/login").status_code == 410
    assert _user_count() == 0


def test_a_link_still_works_just_before_it_expires(app, client, open_registration, post_form,
                                                   smtp_server, monkeypatch):
    monkeypatch.setitem(app.config, "REGISTRATION_LINK_HOURS", 1)
    path = path_of(_link(post_form, smtp_server))
    monkeypatch.setattr(itsdangerous.timed, "time", _Clock(offset=3600 - 60))
    assert client.get(path).status_code == 200


def test_a_tampered_link_is_not_found(client, open_registration, post_form, smtp_server):
    path = path_of(_link(post_form, smtp_server))
    head, payload = path.rsplit("/", 1)
    tampered = f"{head}/{'A' if payload[0] != 'A' else 'B'}{payload[1:]}"
    for bad in (tampered, f"{REGISTER}/not-a-token", f"{REGISTER}/{payload}x"):
        page = client.get(bad)
        assert page.status_code == 404, bad
        assert "This registration link is not valid" in page.get_data(as_text=True)
    assert _complete(post_form, tampered, page_url="/account/login").status_code == 404
    assert _user_count() == 0


def test_an_invitation_token_is_not_a_registration_link(app, client, open_registration):
    """Each kind of link is signed with its own salt."""
    from app.auth.tokens import sign_invitation_token

    with app.app_context():
        token = sign_invitation_token("sione@example.org")
    assert client.get(f"{REGISTER}/{token}").status_code == 404


def test_a_weak_password_is_refused_and_the_name_kept(client, open_registration, post_form,
                                                      smtp_server):
    path = path_of(_link(post_form, smtp_server))
    response = _complete(post_form, path, name="Sione T", password="short",
                         confirm="different")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'value="Sione T"' in html
    assert "at least 12 characters" in html and "not the same" in html
    # The same policy as everywhere: not the email address either.
    response = _complete(post_form, path, password="sione@example.org1")
    assert response.status_code == 200
    assert 'value="Sione Tui"' in response.get_data(as_text=True)
    assert _user_count() == 0 and not signed_in(client)


def test_a_signed_in_person_following_a_link_creates_nothing(client, auth, make_user,
                                                             open_registration, post_form,
                                                             smtp_server):
    path = path_of(_link(post_form, smtp_server))
    auth.login(make_user())
    assert client.get(path).status_code == 302
    assert _user_count() == 1
