"""Walking every route of the app: which rules exist, real objects to fill their URL arguments,
and a snapshot of every table to prove a request changed nothing.

Used by test_permissions.py, test_csrf.py, test_security_headers.py and test_object_access.py.
URL arguments are filled generically from their names (`user_id` -> a real user's id,
`token` -> a bogus token ...); feature packages supply the objects their URLs name through their
registration (`FeaturePackage.route_objects`), so nothing here is edited for a new package. A
rule with an argument nobody knows how to fill fails loudly, so a new route can never slip past
the walk.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

from flask import Flask, url_for
from sqlalchemy import select

from app.db import Base, Session, utcnow

BOGUS_TOKEN = "not-a-real-token-0123456789abcdef"

# Personas the walks use: anonymous, one per role, and a second participant.
PERSONAS = ("anonymous", "participant", "facilitator", "analyst", "advisory", "kaitiaki", "admin",
            "participant2")


def rules_for(app: Flask, method: str) -> list:
    """Every rule that accepts METHOD, in a stable order."""
    return sorted(
        (rule for rule in app.url_map.iter_rules() if method in (rule.methods or ())),
        key=lambda rule: (rule.endpoint, rule.rule),
    )


@dataclass
class RouteObjects:
    """Real rows to put into URL arguments. `owner` is participant 1, whose records the
    object-level tests try to reach as participant 2."""

    owner: object
    organisation: object
    consultation: object
    invitation: object
    feedback_item: object
    package_objects: dict = field(default_factory=dict)  # from packages' route_objects
    job: object = None  # None where a walk has no job (the browser tests)

    def by_name(self) -> dict:
        return {
            **self.package_objects,
            "user": self.owner,
            "person": self.owner,
            "account": self.owner,
            "organisation": self.organisation,
            "org": self.organisation,
            "consultation": self.consultation,
            "invitation": self.invitation,
            "invite": self.invitation,
            "item": self.feedback_item,
            "feedback": self.feedback_item,
            "feedback_item": self.feedback_item,
            "job": self.job,
        }


def create_route_objects(make_user, make_org, make_consultation, owner=None,
                         app=None) -> RouteObjects:
    """One of each object a URL can name, created for real in the test's transaction (with the
    objects of APP's packages; of the installed packages when no APP is given)."""
    from app.auth.models import Invitation
    from app.corpus.models import FeedbackItem
    from app.jobs.models import Job

    organisation = make_org("Walk Organisation")
    owner = owner or make_user("participant", org=organisation)
    admin = make_user("admin")
    consultation = make_consultation(title="Walk consultation")
    invitation = Invitation(
        email="invitee@example.test", roles="participant", organisation=organisation,
        token_hash=hashlib.sha256(b"walk-invitation").hexdigest(), invited_by_id=admin.id,
        expires_at=utcnow() + timedelta(days=7),
    )
    item = FeedbackItem(
        consultation_id=consultation.id, source="submission_answer", source_id="walk-1",
        text="Private words from participant one.", author_id=owner.id,
        organisation_id=organisation.id, stakeholder_group=organisation.stakeholder_group,
    )
    job = Job(kind="demo", title="Participant one's job", status="running", params={},
              progress_done=3, progress_total=10, created_by_id=owner.id)
    Session.add_all([invitation, item, job])
    Session.commit()  # a savepoint release: survives request teardown, not the test
    return RouteObjects(owner=owner, organisation=organisation, consultation=consultation,
                        invitation=invitation, feedback_item=item, job=job,
                        package_objects=_package_objects(owner, organisation, consultation,
                                                         make_user, app))


def _package_objects(owner, organisation, consultation, make_user, app) -> dict:
    """Each feature package's URL objects, from the factories its registration supplies."""
    from app.packages import WalkContext, installed_packages, packages_for

    context = WalkContext(session=Session, owner=owner, organisation=organisation,
                          consultation=consultation, make_user=make_user)
    found: dict = {}
    for package in (packages_for(app) if app is not None else installed_packages()):
        if package.route_objects is None:
            continue
        for stem, obj in package.route_objects(context).items():
            if stem in found:
                raise ValueError(f"two packages supply route objects named {stem!r}")
            found[stem] = obj
    Session.commit()
    return found


# URL arguments that name no one's record: secret links and static files.
NOT_OBJECTS = frozenset({"token", "filename"})


def names_real_objects(rule) -> bool:
    """Whether the walk fills RULE's URL with real objects (not only bogus tokens)."""
    return any(arg not in NOT_OBJECTS and not arg.endswith("_token") for arg in rule.arguments)


class UnfillableArgument(LookupError):
    pass


def _value_for(argument: str, endpoint: str, objects: RouteObjects):
    names = objects.by_name()
    if argument == "filename":  # the static route
        return "css/korero.css"
    if argument == "token" or argument.endswith("_token"):
        return BOGUS_TOKEN
    if argument.endswith("_id"):
        stem = argument.removesuffix("_id")
        if stem in names:
            return names[stem].id
    if argument == "slug":
        return objects.consultation.slug
    if argument == "id":
        # A bare <id>: the object the endpoint's name talks about (admin.edit_user -> user).
        view = endpoint.rsplit(".", 1)[-1]
        for stem, obj in names.items():
            if stem in view.split("_"):
                return obj.id
    raise UnfillableArgument(
        f"{endpoint}: no filler for URL argument <{argument}>; teach tests/routewalk.py "
        "which real object it names"
    )


def url_for_rule(app: Flask, rule, objects: RouteObjects) -> str:
    """The URL of RULE with every argument filled from OBJECTS."""
    values = {arg: _value_for(arg, rule.endpoint, objects) for arg in sorted(rule.arguments)}
    with app.test_request_context():
        return url_for(rule.endpoint, **values)


def login_path(app: Flask) -> str:
    with app.test_request_context():
        return url_for("auth.login")


def is_login_redirect(response, login: str, requested: str | None = None) -> bool:
    """A redirect to the login page (carrying ?next=REQUESTED when given)."""
    if response.status_code not in (301, 302, 303, 307, 308):
        return False
    target = urlsplit(response.headers.get("Location", ""))
    if target.path != login:
        return False
    if requested is not None:
        return parse_qs(target.query).get("next", [""])[0] == requested
    return True


def snapshot() -> dict[str, list[tuple]]:
    """Every row of every table, in primary-key order."""
    tables = {}
    for table in Base.metadata.sorted_tables:
        order = list(table.primary_key.columns) or list(table.columns)
        rows = Session.execute(select(table).order_by(*order)).all()
        tables[table.name] = [tuple(row) for row in rows]
    return tables


def changed_tables(before: dict, after: dict, ignore: tuple[str, ...] = ()) -> dict[str, str]:
    """{table: 'N rows -> M rows (contents differ)'} for every table that differs."""
    changes = {}
    for name in sorted(set(before) | set(after)):
        if name in ignore:
            continue
        old, new = before.get(name, []), after.get(name, [])
        if old != new:
            changes[name] = f"{len(old)} rows -> {len(new)} rows" + (
                " (contents differ)" if len(old) == len(new) else "")
    return changes
