"""The per-process cache of signed-in people (app/auth/user_cache.py): a cached person costs one
query, and every change to what they may do counts on their very next request, however it was
made (nothing here tells the cache: it must notice by itself, as a worker would that another
process changed the database)."""
from __future__ import annotations

import pytest
from sqlalchemy import delete, event, update

from app.auth import user_cache
from app.db import Session
from app.models import Membership, Organisation, User, UserRole

from .support import signed_in


@pytest.fixture(autouse=True)
def _empty_user_cache():
    user_cache.forget()
    yield
    user_cache.forget()


def _statements(app, client, path: str) -> list[str]:
    seen: list[str] = []
    engine = app.extensions["korero_engine"]

    def record(_conn, _cursor, statement, *_args):
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        assert client.get(path).status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", record)
    return seen


def _change(statement) -> None:
    """Change the database behind the cache's back, as another process would."""
    Session.execute(statement)
    Session.commit()
    Session.remove()


def test_a_cached_person_costs_one_query(app, client, auth, make_user, make_org):
    org = make_org("Kāhui Tautoko", "iwi_maori")
    auth.login(make_user("participant", "facilitator", org=org))
    client.get("/account/")  # loads the person and keeps a copy
    statements = _statements(app, client, "/account/")
    touching = [s for s in statements if any(table in s for table in (
        "FROM user", "FROM \"user\"", "user_role", "membership", "organisation"))]
    assert len(touching) == 1, touching
    assert "user_role" in touching[0] and "organisation" in touching[0]


def test_the_cached_copy_has_roles_organisations_and_whole_collections(
        app, client, auth, make_user, make_org):
    org = make_org("Pasifika Tautua", "pasifika")
    user = make_user("participant", "facilitator", org=org)
    make_user("participant", org=org)  # a second member of the same organisation
    auth.login(user)
    client.get("/account/")
    with app.test_request_context():
        cached = user_cache.load(user.id)
        assert cached.roles == {"participant", "facilitator"}
        assert [o.name for o in cached.organisations] == ["Pasifika Tautua"]
        # The organisation's own member list is never a partial one built from this person.
        assert len(cached.organisations[0].memberships) == 2
        Session.remove()


def test_a_removed_role_counts_on_the_next_request(client, auth, make_user):
    admin = make_user("participant", "admin")
    auth.login(admin)
    assert client.get("/admin/").status_code == 200
    assert client.get("/admin/").status_code == 200  # served from the cached copy
    _change(delete(UserRole).where(UserRole.user_id == admin.id, UserRole.role == "admin"))
    assert client.get("/admin/").status_code in (403, 404)


def test_an_added_role_counts_on_the_next_request(client, auth, make_user):
    person = make_user("participant", "analyst")
    auth.login(person)
    assert client.get("/admin/").status_code in (403, 404)
    _change(UserRole.__table__.insert().values(user_id=person.id, role="admin"))
    assert client.get("/admin/").status_code == 200


def test_a_disabled_account_is_signed_out_on_the_next_request(client, auth, make_user):
    person = make_user()
    auth.login(person)
    assert signed_in(client) and signed_in(client)
    _change(update(User).where(User.id == person.id).values(is_enabled=False))
    assert not signed_in(client)


def test_a_bumped_session_version_signs_out_on_the_next_request(client, auth, make_user):
    person = make_user()
    auth.login(person)
    assert signed_in(client) and signed_in(client)
    _change(update(User).where(User.id == person.id).values(session_version=7))
    assert not signed_in(client)


def test_a_renamed_person_shows_their_new_name_at_once(client, auth, make_user):
    person = make_user()
    auth.login(person)
    assert "Participant" in client.get("/account/").get_data(as_text=True)
    _change(update(User).where(User.id == person.id).values(display_name="Hēmi Renamed"))
    assert "Hēmi Renamed" in client.get("/account/").get_data(as_text=True)


def test_a_left_or_regrouped_organisation_counts_on_the_next_request(
        app, client, auth, make_user, make_org):
    org = make_org("Te Whānau Trust", "iwi_maori")
    person = make_user(org=org)
    auth.login(person)
    client.get("/account/")
    _change(update(Organisation).where(Organisation.id == org.id)
            .values(stakeholder_group="pasifika"))
    client.get("/account/")
    with app.test_request_context():
        assert [o.stakeholder_group for o in user_cache.load(person.id).organisations] == [
            "pasifika"]
        Session.remove()
    _change(delete(Membership).where(Membership.user_id == person.id))
    client.get("/account/")
    with app.test_request_context():
        assert user_cache.load(person.id).organisations == []
        Session.remove()


def test_a_deleted_person_is_nobody(client, auth, make_user):
    person = make_user()
    auth.login(person)
    assert signed_in(client)
    _change(delete(User).where(User.id == person.id))
    assert not signed_in(client)


def test_changes_made_through_the_signed_in_person_are_saved(client, auth, make_user, app):
    """The copy bound to a request is an ordinary session object: writing to it saves."""
    person = make_user()
    auth.login(person)
    client.get("/account/")
    with app.test_request_context():
        loaded = user_cache.load(person.id)
        loaded.display_name = "Written Through The Cache"
        Session.commit()
        Session.remove()
    assert "Written Through The Cache" in client.get("/account/").get_data(as_text=True)
