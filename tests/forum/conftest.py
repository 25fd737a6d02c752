"""Forum fixtures: a consultation with an open space, an iwi caucus (governance group), a
Pasifika caucus (stakeholder group) and a named-member caucus, and people in and out of each."""
from __future__ import annotations

from dataclasses import dataclass

import pytest

from app.corpus.scope import ConsentScope
from app.db import Session
from forums import cache, operations

SCOPE = ConsentScope(analysis=True, quote="anonymous", publish="working_group")


@dataclass
class Forum:
    consultation: object
    open: object
    iwi: object
    pasifika: object
    named: object
    iwi_member: object
    pasifika_member: object
    outsider: object
    analyst: object
    facilitator: object
    kaitiaki: object
    admin: object


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def forum(make_user, make_org, make_consultation, governed_group):
    consultation = make_consultation()
    iwi_org = make_org("Te Rūnanga o Test", "iwi_maori")
    pasifika_org = make_org("Test Pasifika Trust", "pasifika")
    ngo = make_org("Test NGO", "ngo")
    group = governed_group("iwi")
    kaitiaki = group.kaitiaki[0]
    people = {"iwi_member": make_user("participant", org=iwi_org),
              "pasifika_member": make_user("participant", org=pasifika_org),
              "outsider": make_user("participant", org=ngo),
              "analyst": make_user("analyst"), "facilitator": make_user("facilitator"),
              "admin": make_user("admin")}
    for person in people.values():
        operations.set_preference(person, scope=SCOPE)
    operations.set_preference(kaitiaki, scope=SCOPE)
    analyst = people["analyst"]
    spaces = {
        "open": operations.create_space(analyst, consultation, title="Open"),
        "iwi": operations.create_space(analyst, consultation, title="Iwi caucus", kind="caucus",
                                    audience="governance", governance_group=group,
                                    moderators=[people["facilitator"]]),
        "pasifika": operations.create_space(analyst, consultation, title="Pasifika caucus",
                                         kind="caucus", audience="stakeholder",
                                         stakeholder_group="pasifika"),
        "named": operations.create_space(analyst, consultation, title="Named caucus",
                                      kind="caucus", audience="members",
                                      members=[people["outsider"]])}
    Session.commit()
    return Forum(consultation=consultation, kaitiaki=kaitiaki, **spaces, **people)


@pytest.fixture
def post_as(client, auth, csrf_token):
    """post_as(user, url, **data): sign in as USER and POST DATA with a CSRF token."""

    def go(user, url, **data):
        auth.login(user)
        token = csrf_token(client.get("/forums/preferences").get_data(as_text=True))
        return client.post(url, data={"csrf_token": token, **data})

    return go
