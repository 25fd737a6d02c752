"""Feature packages plug into the core through one registration (app/packages.py).

A sample package that lives only in tests/ is added to an app through the EXTRA_PACKAGES setting:
its blueprint, access, navigation, home card, audit actions, secret URLs, demo data, tasks and
personal-data handlers all reach the core with no edit to any core file. The installed packages
(forums, workshops, submissions) are checked the same way, and the committed access matrix is
proved fresh.
"""
from __future__ import annotations

import pytest
import sample_package
from conftest import AuthActions
from flask import Blueprint

from app.access_doc import MATRIX_DOC, render_access_matrix
from app.config import PROJECT_ROOT
from app.db import Session
from app.logging_setup import redact_secrets
from app.packages import (
    AccountPanel,
    FeaturePackage,
    NavEntry,
    PackageError,
    check_package,
    erase_personal_data,
    export_personal_data,
    installed_packages,
    tasks_for,
)
from app.permissions import PUBLIC
from app.privacy.audit import AUDIT_ACTIONS, record_event


def test_a_package_plugs_in_its_blueprint_and_access(sample_app, app):
    client = sample_app.test_client()
    assert client.get("/sample/").get_data(as_text=True) == "sample index"
    assert sample_app.extensions["korero_access"]["sample.staff_only"] == {"analyst"}
    # Default deny holds for the package too: its staff page sends the anonymous to sign in.
    assert client.get("/sample/staff").status_code == 302
    # The shared app, built without the sample package, knows nothing of it.
    assert "sample.index" not in app.extensions["korero_access"]
    assert not any(rule.endpoint.startswith("sample.") for rule in app.url_map.iter_rules())


def test_package_navigation_shows_only_to_who_may_use_it(sample_app, make_user):
    client = sample_app.test_client()
    assert "Sample staff page" not in client.get("/").get_data(as_text=True)
    AuthActions(client).login(make_user("participant"))
    assert "Sample staff page" not in client.get("/").get_data(as_text=True)
    AuthActions(client).login(make_user("analyst"))
    page = client.get("/").get_data(as_text=True)
    assert 'href="/sample/staff"' in page and "Sample staff page" in page
    # Its badge is counted for the person, with words for screen readers.
    assert '<span aria-hidden="true">4</span>' in page and "4 to review" in page


def test_package_home_cards_appear_on_the_home_page(sample_app, make_consultation):
    make_consultation(title="Card consultation")
    page = sample_app.test_client().get("/").get_data(as_text=True)
    assert "Try the sample" in page and 'href="/sample/"' in page
    # The installed packages' cards are there too, in their cards' order (the sample's card
    # keeps the default order, so it comes last).
    assert page.index("Join the forum") < page.index("Come to a workshop") < page.index(
        "Make a submission") < page.index("Try the sample")


def test_package_audit_actions_are_registered(sample_app):
    assert str(AUDIT_ACTIONS["sample.thing_done"]) == "Sample thing done"
    with sample_app.app_context():
        event = record_event(None, "sample.thing_done", target_type="sample", target_id=1)
        assert event.action == "sample.thing_done"
        with pytest.raises(ValueError, match="unknown audit action"):
            record_event(None, "sample.never_declared")


def test_package_secret_paths_are_redacted_from_logs(sample_app):
    assert (redact_secrets("GET /sample/feed/s3cr3t-token HTTP/1.1")
            == "GET /sample/feed/[redacted] HTTP/1.1")
    assert redact_secrets("GET /sample/other/s3cr3t HTTP/1.1") == (
        "GET /sample/other/s3cr3t HTTP/1.1")
    # The core's own secrets are still redacted.
    assert "[redacted]" in redact_secrets("/account/invitation/abc")


def test_package_demo_step_runs_after_the_core_demo(sample_app):
    from app.seed import seed_demo

    with sample_app.app_context():
        report = seed_demo(Session(), password="korero-demo-2026")
    assert ("seed", "data-protection-and-use-policy",
            sorted(["admin", "analyst", "facilitator", "advisory", "kaitiaki", "participant",
                    "participant2"])) in sample_package.CALLS
    assert "sample demo record" in report.created


def test_tasks_and_personal_data_handlers_come_from_packages(sample_app, make_user):
    person, admin = make_user("participant"), make_user("admin")
    tasks = tasks_for(sample_app, person)
    assert [(t.label, t.count) for t in tasks] == [("Sample things to review", 3)]
    exported = export_personal_data(sample_app, person)
    assert exported["sample"] == {"things": [f"thing of {person.display_name}"]}
    assert "sample" in erase_personal_data(sample_app, admin, person)
    assert ("erase", admin.id, person.id) in sample_package.CALLS


# ---------------------------------------------------------------- what a package may declare


def _package(**changes) -> FeaturePackage:
    values = {"name": "sample", "blueprint": Blueprint("sample", __name__), "url_prefix": "/s",
              "access": {"sample.index": PUBLIC}}
    values.update(changes)
    return FeaturePackage(**values)


@pytest.mark.parametrize("changes, complaint", [
    ({"access": {"admin.users": PUBLIC}}, "endpoint 'admin.users' is outside"),
    ({"audit_actions": {"login.success": "Signed in"}}, "audit action 'login.success'"),
    ({"nav": (NavEntry("sample.other", "Other"),)}, "'sample.other' has no declared access"),
    ({"nav": (NavEntry("forums.index", "Forum"),)}, "navigation endpoint 'forums.index'"),
    ({"blueprint": Blueprint("other", __name__)}, "its blueprint is named 'other'"),
    ({"account_panels": (AccountPanel("auth.account", "x.html", dict),)},
     "account-panel endpoint 'auth.account'"),
    ({"account_panels": (AccountPanel("sample.other", "x.html", dict),)},
     "'sample.other' has no declared access"),
    ({"audited_views": {"sample.index": frozenset({"export.created"})}},
     "audit action of sample.index 'export.created'"),
    # A package may answer early only for its own pages: never another's, nor the core's.
    ({"cached_reads": {"auth.account": lambda person, args: None}},
     "cached read 'auth.account' is outside"),
])
def test_a_declaration_outside_the_package_namespace_is_refused(changes, complaint):
    with pytest.raises(PackageError, match=complaint):
        check_package(_package(**changes))
    check_package(_package())  # the same package without the change is fine


def test_an_audited_view_may_record_the_cores_sensitive_view_action():
    check_package(_package(audited_views={"sample.index": frozenset({"record.viewed"})}))


def test_the_installed_packages_are_the_feature_packages():
    names = [p.name for p in installed_packages()]
    assert names[:3] == ["forums", "workshops", "submissions"]
    assert "analysis" in names


def test_every_endpoint_of_a_package_is_its_own_and_declared(app):
    for package in app.extensions["korero_packages"]:
        endpoints = {rule.endpoint for rule in app.url_map.iter_rules()
                     if rule.endpoint.startswith(package.name + ".")}
        assert endpoints, f"{package.name} has no routes"
        undeclared = endpoints - set(package.access)
        assert not undeclared, f"{package.name}: no declared access for {sorted(undeclared)}"
        stale = set(package.access) - endpoints
        assert not stale, f"{package.name}: declares endpoints that do not exist: {stale}"


def test_the_committed_access_matrix_is_fresh(app):
    committed = (PROJECT_ROOT / MATRIX_DOC).read_text(encoding="utf-8")
    assert committed == render_access_matrix(app), (
        f"{MATRIX_DOC} is stale: run `flask --app app access-matrix` and commit the result")
