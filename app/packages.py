"""Feature packages plug into the core here, and only here.

A feature package (forums, workshops, submissions, analysis, reports ...) is a folder with one
registration: a function returning a `FeaturePackage` that declares everything the core needs to
know about it (its blueprint, who may use each endpoint, its audit actions, models, navigation,
feedback sources, demo data, secret URLs, personal-data handlers, "your tasks" entries and, for
the test suite, factories for the objects its URLs name). The function is named in
pyproject.toml under `[project.entry-points."korero.packages"]`, so the core finds packages
without importing any of them by name: adding a package edits no core file.

The core checks each declaration when the app is built: a package may only declare endpoints and
audit actions in its own namespace (`forums.*`), and `create_app` refuses one that does not.
"""
from __future__ import annotations

import importlib
import logging
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any

from flask import Blueprint, Flask

from app.logging_setup import register_secret_paths

log = logging.getLogger("korero.packages")

ENTRY_POINT_GROUP = "korero.packages"

# Who may use an endpoint: app.permissions.PUBLIC, SIGNED_IN or a frozenset of role names.
Access = str | frozenset


# Audit actions any package's audited view may add: app.privacy.audit.record_sensitive_view's.
CORE_VIEW_ACTIONS = frozenset({"record.viewed"})


class PackageError(RuntimeError):
    """A package declares something the core refuses (outside its namespace, a clash ...)."""


@dataclass(frozen=True)
class NavEntry:
    """A link in the main navigation, shown to whoever the matrix lets use ENDPOINT. BADGE,
    when given, counts what waits for the signed-in person there (unread notifications ...);
    it is asked once per page, so it must be one cheap query."""

    endpoint: str
    label: Any  # a string or a lazy gettext string
    order: int = 100
    badge: Callable[[Any], int] | None = None
    badge_label: Any = None  # "%(count)s unread", read by screen readers after the label


@dataclass(frozen=True)
class NavLink:
    """A navigation entry as one person sees it: with its badge counted for them."""

    endpoint: str
    label: Any
    count: int = 0
    count_label: str = ""


@dataclass(frozen=True)
class HomeCard:
    """A "ways to take part" card on the home page, linking to ENDPOINT."""

    endpoint: str
    title: Any
    text: Any
    order: int = 100


@dataclass(frozen=True)
class AccountPanel:
    """A section of a package's own on the account page (a person's settings for that
    package, e.g. the forum's consent default), shown to whoever may use ENDPOINT: the
    package's TEMPLATE rendered with CONTEXT(person), the names it needs; its form posts to
    ENDPOINT, which comes back to the account page."""

    endpoint: str
    template: str
    context: Callable[[Any], Mapping[str, Any]]
    order: int = 100


@dataclass(frozen=True)
class Task:
    """One line of a person's "Your tasks" page: what needs them now, and how many."""

    label: Any
    count: int
    url: str


@dataclass
class DemoContext:
    """What a package's demo-data step gets: the core demo records, already flushed."""

    session: Any
    report: Any  # app.seed.SeedReport: call report.note(created, "what") for each record
    accounts: Mapping[str, Any]  # "admin", "analyst", ..., "participant", "participant2"
    organisations: Mapping[str, Any]  # by name
    consultation: Any
    governance_groups: Mapping[str, Any]  # by name
    password: str


@dataclass
class WalkContext:
    """What a package's test factory gets to build the objects its URLs name. OWNER is a
    participant: objects that belong to someone should belong to OWNER, so the object-level
    tests can prove another participant gets 404 for them."""

    session: Any
    owner: Any
    organisation: Any
    consultation: Any
    make_user: Callable[..., Any]


@dataclass(frozen=True)
class FeaturePackage:
    """Everything a feature package tells the core. Only NAME, BLUEPRINT, URL_PREFIX and ACCESS
    are required; the rest default to "nothing of that kind"."""

    name: str  # the namespace: blueprint name, endpoint prefix and audit-action prefix
    blueprint: Blueprint
    url_prefix: str
    access: Mapping[str, Access]  # endpoint -> who; merged into the one default-deny matrix
    audit_actions: Mapping[str, Any] = field(default_factory=dict)  # "forums.x" -> label
    models: tuple[str, ...] = ()  # modules to import so the metadata and Alembic see tables
    migrations: Path | None = None  # a folder of Alembic revisions, chained onto the core's
    nav: tuple[NavEntry, ...] = ()
    home_cards: tuple[HomeCard, ...] = ()
    account_panels: tuple[AccountPanel, ...] = ()
    feedback_sources: Mapping[str, Any] = field(default_factory=dict)  # key -> label
    seed_demo: Callable[[DemoContext], None] | None = None
    # Regular expressions for path prefixes whose next segment is a secret token, e.g.
    # r"/workshops/+calendar/+" for a private calendar feed: redacted from every log.
    secret_paths: tuple[str, ...] = ()
    # Privacy rights: what a person's data in this package is (JSON-ready), and erasing it.
    export_personal_data: Callable[[Any], Mapping[str, Any]] | None = None
    erase_personal_data: Callable[[Any, Any], None] | None = None  # (actor, person)
    tasks: Callable[[Any], Iterable[Task]] | None = None
    # GET endpoints that record that they were viewed (an audited sensitive view), with the
    # audit actions each may add; every other GET must change nothing.
    audited_views: Mapping[str, frozenset[str]] = field(default_factory=dict)
    # For the test suite's route walks: URL argument stem ("thread" for <thread_id>) -> object.
    route_objects: Callable[[WalkContext], Mapping[str, Any]] | None = None
    # Endpoints whose URL objects are shared (an open forum thread): every other participant
    # route naming an object must answer 404 to a participant it does not belong to.
    shared_object_endpoints: frozenset[str] = frozenset()
    # Endpoints that may answer 404 in the role walk although filled with real objects
    # (because the object is private to its owner); each needs its own object-level test.
    walk_may_404: frozenset[str] = frozenset()
    # GET endpoints whose whole page the package keeps cached per reader: endpoint ->
    # answer(person, view_args), the page or None (app/auth/cached_reads.py calls it for a
    # signed-in person who passed every check, before the person is loaded through the ORM;
    # the person is a shared read-only copy). The endpoint must have no GET rate limit.
    cached_reads: Mapping[str, Callable[[Any, Mapping[str, Any]], str | None]] = field(
        default_factory=dict)
    order: int = 100  # navigation and demo-data order: lower first


def check_package(package: FeaturePackage) -> None:
    """Refuse a declaration outside the package's own namespace."""
    problems = []
    if package.blueprint.name != package.name:
        problems.append(f"its blueprint is named {package.blueprint.name!r}")
    prefix = package.name + "."

    def outside(what: str, names: Iterable[str]) -> None:
        for name in names:
            if not name.startswith(prefix):
                problems.append(f"{what} {name!r} is outside its namespace {prefix}*")

    outside("endpoint", package.access)
    outside("audit action", package.audit_actions)
    outside("navigation endpoint", (entry.endpoint for entry in package.nav))
    outside("home-card endpoint", (card.endpoint for card in package.home_cards))
    outside("account-panel endpoint", (panel.endpoint for panel in package.account_panels))
    outside("audited view", package.audited_views)
    outside("shared-object endpoint", package.shared_object_endpoints)
    outside("walk-404 endpoint", package.walk_may_404)
    outside("cached read", package.cached_reads)
    for endpoint in [entry.endpoint
                     for entry in (*package.nav, *package.home_cards, *package.account_panels)]:
        if endpoint not in package.access:
            problems.append(f"linked endpoint {endpoint!r} has no declared access")
    for endpoint, actions in package.audited_views.items():
        # The core's own view-recording actions (record_sensitive_view) may be used too.
        outside(f"audit action of {endpoint}", set(actions) - CORE_VIEW_ACTIONS)
    if problems:
        raise PackageError(f"package {package.name!r}: " + "; ".join(problems))


def _load(reference: str | Callable[[], FeaturePackage]) -> FeaturePackage:
    if callable(reference):
        return reference()
    module_name, _, attribute = reference.partition(":")
    return getattr(importlib.import_module(module_name), attribute or "register")()


@lru_cache(maxsize=1)
def installed_packages() -> tuple[FeaturePackage, ...]:
    """Every package named under the `korero.packages` entry point, in order."""
    packages = [_load(ep.load()) for ep in entry_points(group=ENTRY_POINT_GROUP)]
    for package in packages:
        check_package(package)
    return _in_order(packages)


def _in_order(packages: Iterable[FeaturePackage]) -> tuple[FeaturePackage, ...]:
    found: dict[str, FeaturePackage] = {}
    for package in packages:
        if package.name in found:
            raise PackageError(f"two packages are named {package.name!r}")
        found[package.name] = package
    return tuple(sorted(found.values(), key=lambda p: (p.order, p.name)))


def packages_for(app: Flask | None) -> tuple[FeaturePackage, ...]:
    """The packages APP was built with; the installed ones when there is no APP (a script
    working outside any application context)."""
    if app is None:
        return installed_packages()
    return app.extensions.get("korero_packages", ())


def migration_folders() -> list[Path]:
    """The Alembic revision folders of every installed package (the core's come first)."""
    return [package.migrations for package in installed_packages() if package.migrations]


def import_package_models() -> None:
    """Import every installed package's model modules (for Alembic outside an app)."""
    for package in installed_packages():
        for module in package.models:
            importlib.import_module(module)


# ---------------------------------------------------------------- wiring into an app


def init_app(app: Flask, core_access: Mapping[str, Access]) -> None:
    """Plug every package into APP: models, blueprint, access, audit actions, sources.

    The app's access matrix is the core's merged with every package's; the packages are
    installed ones plus any named in the EXTRA_PACKAGES setting ("module:function", used by
    the tests to prove a package plugs in without editing the core).
    """
    extra = [_load(reference) for reference in app.config.get("EXTRA_PACKAGES", ())]
    for package in extra:
        check_package(package)
    packages = _in_order([*installed_packages(), *extra])
    app.extensions["korero_packages"] = packages
    matrix = dict(core_access)
    for package in packages:
        _merge_access(matrix, package)
        for module in package.models:
            importlib.import_module(module)
        app.register_blueprint(package.blueprint, url_prefix=package.url_prefix)
        _register_audit_actions(package)
        _register_feedback_sources(package)
        register_secret_paths(package.secret_paths)
        app.extensions.setdefault("korero_cached_reads", {}).update(package.cached_reads)
    app.extensions["korero_access"] = matrix


def _merge_access(matrix: dict, package: FeaturePackage) -> None:
    for endpoint, access in package.access.items():
        if endpoint in matrix and matrix[endpoint] != access:
            raise PackageError(f"{endpoint}: declared twice with different access")
        matrix[endpoint] = access


def _register_audit_actions(package: FeaturePackage) -> None:
    from app.privacy.audit import register_audit_actions

    register_audit_actions(package.audit_actions)


def _register_feedback_sources(package: FeaturePackage) -> None:
    from app.corpus.sources import register_source

    for key, label in package.feedback_sources.items():
        register_source(key, label)


# ---------------------------------------------------------------- what packages contribute


def navigation(app: Flask, may_access: Callable[[str], bool], person=None,
               counted: Mapping[str, int] | None = None) -> list[NavLink]:
    """The packages' navigation entries the current person may use, in order, with their
    badges counted for PERSON (signed in) and left at 0 for the anonymous. COUNTED gives
    badges the caller has already counted for PERSON, by endpoint (not asked again)."""
    entries = [entry for package in packages_for(app) for entry in package.nav]
    links = []
    for entry in sorted(entries, key=lambda entry: entry.order):
        if not may_access(entry.endpoint):
            continue
        count = 0
        if entry.badge is not None and getattr(person, "is_authenticated", False):
            if counted is not None and entry.endpoint in counted:
                count = counted[entry.endpoint]
            else:
                count = int(entry.badge(person) or 0)
        count_label = ""
        if count:
            template = entry.badge_label or "%(count)s new"
            count_label = str(template) % {"count": count}
        links.append(NavLink(entry.endpoint, entry.label, count, count_label))
    return links


def badged_endpoints(app: Flask) -> frozenset[str]:
    """The endpoints of the navigation entries that have a badge to count."""
    found = app.extensions.get("korero_badged_endpoints")
    if found is None:
        found = app.extensions["korero_badged_endpoints"] = frozenset(
            entry.endpoint for package in packages_for(app) for entry in package.nav
            if entry.badge is not None)
    return found


def home_cards(app: Flask, may_access: Callable[[str], bool]) -> list[HomeCard]:
    """The packages' "ways to take part" cards the current person may follow, in order."""
    cards = [card for package in packages_for(app) for card in package.home_cards]
    return sorted((card for card in cards if may_access(card.endpoint)),
                  key=lambda card: card.order)


def account_panels(app: Flask, person,
                   may_access: Callable[[str], bool]) -> list[tuple[str, Mapping[str, Any]]]:
    """The packages' account-page sections PERSON may use, in order: (template, context)."""
    panels = sorted((panel for package in packages_for(app) for panel in package.account_panels
                     if may_access(panel.endpoint)), key=lambda panel: panel.order)
    return [(panel.template, panel.context(person)) for panel in panels]


def tasks_for(app: Flask, person) -> list[Task]:
    """Every package's "your tasks" entries for PERSON that have something to do."""
    found: list[Task] = []
    for package in packages_for(app):
        if package.tasks is not None:
            found.extend(task for task in package.tasks(person) if task.count)
    return found


def export_personal_data(app: Flask, person) -> dict[str, Mapping[str, Any]]:
    """PERSON's data in every package, by package name (for a subject access request)."""
    return {package.name: package.export_personal_data(person)
            for package in packages_for(app) if package.export_personal_data is not None}


def erase_personal_data(app: Flask, actor, person) -> list[str]:
    """Ask every package to erase PERSON's data; the names of the packages that did."""
    erased = []
    for package in packages_for(app):
        if package.erase_personal_data is not None:
            package.erase_personal_data(actor, person)
            erased.append(package.name)
    return erased


def seed_demo(app: Flask | None, context: DemoContext) -> None:
    """Each package's demo-data step, in package order, after the core's."""
    for package in packages_for(app):
        if package.seed_demo is not None:
            package.seed_demo(context)
