"""The account page and changing a password."""
from __future__ import annotations

from conftest import DEFAULT_PASSWORD

from app.auth.passwords import verify_password
from app.db import Session
from app.governance.models import GovernanceGroup
from app.models import User

NEW_PASSWORD = "a brand new kauri forest walk"


def test_account_page_shows_the_persons_details(client, auth, make_user, make_org):
    org = make_org("Pasifika Voices", "pasifika")
    auth.login(make_user("participant", "facilitator", email="ana@example.org", org=org))
    html = client.get("/account/").get_data(as_text=True)
    assert html.count("<h1") == 1
    for text in ("ana@example.org", "Participant", "Facilitator", "Pasifika Voices",
                 "Pasifika organisation", "Two-factor sign-in", "/account/password",
                 "/account/two-factor/recovery-codes"):
        assert text in html, text
    assert "/account/two-factor/disable" not in html  # facilitators must keep it on



def test_account_page_says_what_each_role_is_for(client, auth, make_user):
    auth.login(make_user("participant", "facilitator"))
    html = client.get("/account/").get_data(as_text=True)
    assert "What your roles let you do" in html
    assert "book workshops, make submissions" in html  # participant
    assert "check people in, record outputs" in html  # facilitator
    assert "Moderate, code feedback" not in html  # analyst: not held


def test_a_kaitiaki_sees_the_groups_they_look_after(client, auth, make_user):
    kaitiaki = make_user("kaitiaki")
    other = make_user("kaitiaki")
    mine = GovernanceGroup(name="Ngāti Example", kind="iwi", kaitiaki=[kaitiaki])
    theirs = GovernanceGroup(name="Other Hapū", kind="hapu", kaitiaki=[other])
    Session.add_all([mine, theirs])
    Session.commit()
    auth.login(kaitiaki)
    html = client.get("/account/").get_data(as_text=True)
    assert 'You are <span lang="mi">kaitiaki</span> for:' in html and "Ngāti Example" in html
    assert "Other Hapū" not in html


def test_a_kaitiaki_of_no_group_is_told_so(client, auth, make_user):
    auth.login(make_user("kaitiaki"))
    html = client.get("/account/").get_data(as_text=True)
    assert 'No governance group names you as its <span lang="mi">kaitiaki</span> yet.' in html

def test_account_page_offers_two_factor_set_up(client, auth, make_user):
    auth.login(make_user("participant"))
    html = client.get("/account/").get_data(as_text=True)
    assert "/account/two-factor/setup" in html and "You take part as yourself" in html


def test_account_page_needs_sign_in(client):
    response = client.get("/account/")
    assert response.status_code == 302
    assert response.headers["Location"] == "/account/login?next=/account/"


def test_changing_the_password(client, auth, make_user, post_form, outbox):
    user = make_user(email="ana@example.org")
    auth.login(user)
    response = post_form("/account/password", {"current_password": DEFAULT_PASSWORD,
                                               "new_password": NEW_PASSWORD,
                                               "confirm": NEW_PASSWORD})
    assert response.status_code == 302
    assert verify_password(Session.get(User, user.id).password_hash, NEW_PASSWORD)
    [notice] = outbox.messages()
    assert notice["Subject"] == "Your Kōrero password was changed"


def test_password_change_refusals_are_explained(client, auth, make_user, post_form):
    user = make_user()
    auth.login(user)
    wrong = post_form("/account/password", {"current_password": "not my password at all",
                                            "new_password": NEW_PASSWORD,
                                            "confirm": NEW_PASSWORD}).get_data(as_text=True)
    assert "That is not your current password." in wrong
    weak = post_form("/account/password", {"current_password": DEFAULT_PASSWORD,
                                           "new_password": "qwertyuiop123",
                                           "confirm": "qwertyuiop123"}).get_data(as_text=True)
    assert "commonly used" in weak and "qwertyuiop123" not in weak
    assert verify_password(Session.get(User, user.id).password_hash, DEFAULT_PASSWORD)


def test_demo_accounts_cannot_change_their_password(client, auth, make_user, post_form):
    user = make_user("participant", is_demo=True)
    auth.login(user)
    html = post_form("/account/password", {"current_password": DEFAULT_PASSWORD,
                                           "new_password": NEW_PASSWORD,
                                           "confirm": NEW_PASSWORD}).get_data(as_text=True)
    assert "shared demo account" in html and "cannot be changed" in html
    assert verify_password(Session.get(User, user.id).password_hash, DEFAULT_PASSWORD)


def test_demo_accounts_are_not_offered_a_change_password_form(client, auth, make_user):
    """A form that can only fail is not offered: the page says why instead."""
    auth.login(make_user("participant", is_demo=True))
    html = client.get("/account/password").get_data(as_text=True)
    assert "shared demo account" in html
    assert 'name="new_password"' not in html and 'name="current_password"' not in html
    account = client.get("/account/").get_data(as_text=True)
    assert "/account/password" not in account and "cannot be changed" in account


def test_a_wrong_current_password_is_audited(client, auth, make_user, post_form, audit_events):
    user = make_user()
    auth.login(user)
    post_form("/account/password", {"current_password": "not my password at all",
                                    "new_password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    [event] = audit_events("reauth.failure")
    assert event.actor_id == user.id and event.target_id == str(user.id)
    assert event.detail == '{"purpose":"change_password"}'
