"""Object-level access: one participant can neither read nor change another's private records.

The admin person page; every participant route that names an object, found by walking the app
(feature packages supply the objects through their registrations); and the model methods
`can_view` that every view deciding about one object calls.
"""
from __future__ import annotations

import pytest
from conftest import AuthActions
from routewalk import (
    changed_tables,
    create_route_objects,
    names_real_objects,
    rules_for,
    snapshot,
    url_for_rule,
)

from app.corpus.models import FeedbackItem
from app.permissions import may_access


@pytest.fixture
def objects(make_user, make_org, make_consultation):
    return create_route_objects(make_user, make_org, make_consultation)


@pytest.fixture
def participant2(make_user):
    return make_user("participant", email="participant2@example.test")


def _rule(app, endpoint, method):
    rules = [r for r in rules_for(app, method) if r.endpoint == endpoint]
    assert rules, f"no {method} route for {endpoint}"
    return rules[0]


def test_a_participant_cannot_open_another_persons_admin_page(app, client, auth, objects,
                                                               participant2, csrf_token):
    url = url_for_rule(app, _rule(app, "admin.edit_user", "GET"), objects)
    assert str(objects.owner.id) in url
    auth.login(participant2)
    assert client.get(url).status_code == 403
    token = csrf_token(client.get("/").get_data(as_text=True))
    before = (objects.owner.display_name, objects.owner.email, sorted(objects.owner.roles))
    response = client.post(url, data={"csrf_token": token, "display_name": "Hijacked",
                                      "email": "hijack@example.test", "roles": "admin"})
    assert response.status_code == 403
    from app.db import Session
    from app.models import User

    Session.expire_all()
    owner = Session.get(User, objects.owner.id)
    assert (owner.display_name, owner.email, sorted(owner.roles)) == before


def test_an_admin_can_open_a_persons_page(app, client, auth, make_user, objects):
    url = url_for_rule(app, _rule(app, "admin.edit_user", "GET"), objects)
    auth.login(make_user("admin"))
    response = client.get(url)
    assert response.status_code == 200
    assert objects.owner.email in response.get_data(as_text=True)


# ---------------------------------------------------------------- model methods


def test_only_the_author_and_analysts_may_view_a_feedback_item(make_user, objects,
                                                                participant2):
    item: FeedbackItem = objects.feedback_item
    assert item.can_view(objects.owner)
    assert not item.can_view(participant2)
    assert item.can_view(make_user("analyst"))
    for role in ("facilitator", "advisory", "kaitiaki"):
        assert not item.can_view(make_user(role)), role


def test_can_view_agrees_with_visible_to(make_user, objects):
    """can_view is the consent rules asked per audience, not a second set of rules."""
    item: FeedbackItem = objects.feedback_item
    advisory, analyst = make_user("advisory"), make_user("analyst")
    item.consent_publish = "working_group"
    assert item.can_view(advisory) and not item.can_view(make_user("participant"))
    item.consent_publish = "public"
    assert item.can_view(make_user("participant"))
    item.consent_analysis = False  # withdrawn: nobody but the author
    assert not item.can_view(analyst) and not item.can_view(advisory)
    assert item.can_view(objects.owner)


def test_a_person_record_is_visible_to_its_owner_and_admins_only(make_user, objects,
                                                                  participant2):
    owner = objects.owner
    assert owner.can_view(owner)
    assert not owner.can_view(participant2)
    assert owner.can_view(make_user("admin"))
    for role in ("facilitator", "analyst", "advisory", "kaitiaki"):
        assert not owner.can_view(make_user(role)), role
    assert not owner.can_edit(owner)
    assert not owner.can_edit(participant2)
    assert owner.can_edit(make_user("admin"))


# ---------------------------------------------------------------- object routes for participants

# Every route a participant may use that names objects in its URL is checked here, found by
# walking the app: the walk fills the URL with objects owned by participant 1 (packages supply
# them through their registration), which participant 1 reaches and participant 2 gets 404 for,
# before and after trying to change them. Routes whose objects are shared by design (an open
# forum thread) are declared in the package's `shared_object_endpoints`.


def _shared_object_endpoints(app) -> set[str]:
    return {endpoint for package in app.extensions["korero_packages"]
            for endpoint in package.shared_object_endpoints}


def _private_object_rules(app, participant) -> list:
    shared = _shared_object_endpoints(app)
    return [rule for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule)
            if names_real_objects(rule) and rule.endpoint not in shared
            and may_access(participant, rule.endpoint, app.extensions["korero_access"])]


def private_object_problems(app, client, auth, objects, participant2, csrf_token) -> list[str]:
    """What is wrong with APP's private object routes, as participant 2 trying participant 1's
    objects (OBJECTS), and as participant 1 (who must not get 404 for their own)."""
    problems = []
    for rule in _private_object_rules(app, objects.owner):
        url = url_for_rule(app, rule, objects)
        if "GET" in rule.methods:
            auth.login(objects.owner)
            if client.get(url).status_code == 404:
                problems.append(f"GET {url} ({rule.endpoint}): 404 for the owner too, so the "
                                "check below proves nothing")
            auth.login(participant2)
            status = client.get(url).status_code
            if status != 404:
                problems.append(f"GET {url} ({rule.endpoint}): participant 2 got {status}")
        if "POST" in rule.methods:
            auth.login(participant2)
            token = csrf_token(client.get("/").get_data(as_text=True))
            before = snapshot()
            status = client.post(url, data={"csrf_token": token}).status_code
            changes = changed_tables(before, snapshot())
            if status != 404 or changes:
                problems.append(f"POST {url} ({rule.endpoint}): participant 2 got {status}, "
                                f"changed {changes}")
    return problems


def test_another_participant_gets_404_for_every_private_object_route(
        app, client, auth, objects, participant2, csrf_token):
    problems = private_object_problems(app, client, auth, objects, participant2, csrf_token)
    assert not problems, "\n".join(problems)


def test_the_private_object_check_catches_a_view_that_forgets_the_object_check(
        sample_app, make_user, make_org, make_consultation, csrf_token):
    """The sample package has one private route done right and one that leaks: the check
    passes the first and names the second."""
    objects = create_route_objects(make_user, make_org, make_consultation, app=sample_app)
    other = make_user("participant", email="someone-else@example.test")
    client = sample_app.test_client()
    problems = private_object_problems(sample_app, client, AuthActions(client), objects,
                                       other, csrf_token)
    assert len(problems) == 1 and "(sample.leaky_item): participant 2 got 200" in problems[0], (
        problems)


def test_shared_object_endpoints_are_declared_by_their_own_package(app):
    for package in app.extensions["korero_packages"]:
        for endpoint in package.shared_object_endpoints:
            assert endpoint in package.access, f"{package.name}: {endpoint} is not its own"


@pytest.mark.parametrize("endpoint, method", [("jobs.show", "GET"), ("jobs.status", "GET"),
                                              ("jobs.cancel", "POST")])
def test_another_participants_job_is_a_404(endpoint, method, app, client, auth, objects,
                                           participant2, csrf_token):
    url = url_for_rule(app, _rule(app, endpoint, method), objects)
    assert str(objects.job.id) in url
    auth.login(participant2)
    if method == "GET":
        assert client.get(url).status_code == 404
    else:
        token = csrf_token(client.get("/").get_data(as_text=True))
        assert client.post(url, data={"csrf_token": token}).status_code == 404
        from app.db import Session

        Session.expire_all()
        assert Session.get(type(objects.job), objects.job.id).status == "running"
    auth.login(objects.owner)  # ... while its owner reaches it
    if method == "GET":
        assert client.get(url).status_code == 200


def test_object_or_404_hides_what_the_person_may_not_use(app, make_user, objects,
                                                         participant2):
    """Views load URL objects through object_or_404: a record you may not use is a 404, the
    same answer as one that does not exist."""
    from werkzeug.exceptions import NotFound

    from app.permissions import object_or_404

    owner, admin = objects.owner, make_user("admin")
    assert object_or_404(owner, "view", owner) is owner
    assert object_or_404(owner, "edit", admin) is owner
    for thing, verb, user in ((owner, "view", participant2), (owner, "edit", owner),
                              (objects.feedback_item, "view", participant2),
                              (objects.invitation, "revoke", owner), (None, "view", admin)):
        with pytest.raises(NotFound):
            object_or_404(thing, verb, user)
