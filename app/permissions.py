"""Who may use which endpoint: one declared matrix, enforced before every request.

Default deny: an endpoint missing from the matrix is refused with 403 for everyone (and
tests/test_permissions.py fails on it). The matrix is CORE_ACCESS (below) merged with what each
feature package declares in its registration (app/packages.py); `flask --app app access-matrix`
writes the whole merged matrix to docs/access-matrix.md, so access changes show in one diff. Object-level rules (may this person see *this* draft?)
are model methods `can_<verb>(user)`; views call them and answer 404 for objects the person
may not know exist.
"""
from __future__ import annotations

from flask import Flask, abort, current_app, redirect, request, url_for
from flask_login import current_user

from app.models import ROLES

PUBLIC = "public"  # anyone, signed in or not
SIGNED_IN = "signed_in"  # any signed-in person, whatever their roles

STAFF = frozenset({"facilitator", "analyst", "advisory", "kaitiaki", "admin"})
ADMIN = frozenset({"admin"})
OVERSIGHT = frozenset({"admin", "advisory"})
EVERY_ROLE = frozenset(ROLES)

CORE_ACCESS: dict[str, str | frozenset[str]] = {
    # Site
    "static": PUBLIC,
    "main.index": PUBLIC,
    "main.healthz": PUBLIC,
    "main.set_language": PUBLIC,
    "main.accessibility": PUBLIC,
    "main.privacy": PUBLIC,
    "main.favicon": PUBLIC,
    "main.tasks": SIGNED_IN,  # "Your tasks": where everyone lands after signing in
    # Accounts
    "auth.login": PUBLIC,
    "auth.two_factor": PUBLIC,  # the second step of signing in; checks its own pending state
    "auth.logout": SIGNED_IN,
    "auth.forgot_password": PUBLIC,
    "auth.reset_password": PUBLIC,
    "auth.sign_in_link": PUBLIC,  # the one-time link emailed to the owner of an attacked account
    "auth.accept_invitation": PUBLIC,
    "auth.register": PUBLIC,  # refuses unless an admin opened self-registration
    "auth.complete_registration": PUBLIC,  # the emailed link; refuses as auth.register does
    "auth.account": SIGNED_IN,
    "auth.change_password": SIGNED_IN,
    "auth.two_factor_setup": SIGNED_IN,
    "auth.two_factor_disable": SIGNED_IN,
    "auth.recovery_codes": SIGNED_IN,
    # Administration
    "admin.index": ADMIN,
    "admin.users": ADMIN,
    "admin.edit_user": ADMIN,
    "admin.organisations": ADMIN,
    "admin.new_organisation": ADMIN,
    "admin.edit_organisation": ADMIN,
    "admin.invitations": ADMIN,
    "admin.new_invitation": ADMIN,
    "admin.revoke_invitation": ADMIN,
    "admin.consultations": ADMIN,
    "admin.new_consultation": ADMIN,
    "admin.edit_consultation": ADMIN,
    "admin.settings": ADMIN,
    # Oversight
    "privacy.audit_log": OVERSIGHT,
    "privacy.export_audit_log": OVERSIGHT,
    # Background jobs: Job.can_view / can_cancel decide per job (404 for others' jobs)
    "jobs.index": SIGNED_IN,
    "jobs.show": SIGNED_IN,
    "jobs.status": SIGNED_IN,
    "jobs.cancel": SIGNED_IN,
    "jobs.run_demo": ADMIN,
}

# While a staff member has not yet set up two-factor sign-in, these are all they may reach.
TWO_FACTOR_SETUP_ENDPOINTS = frozenset(
    {"static", "auth.two_factor_setup", "auth.logout", "main.healthz", "main.set_language",
     "main.favicon"}
)


def access_matrix() -> dict[str, str | frozenset[str]]:
    """The current app's whole matrix: the core's and every package's declarations."""
    return current_app.extensions["korero_access"]


def access_for(endpoint: str | None, matrix: dict | None = None):
    """The declared access of ENDPOINT, or None when it declares nothing (deny). MATRIX
    defaults to the current app's."""
    return (access_matrix() if matrix is None else matrix).get(endpoint or "")


def may_access(user, endpoint: str | None, matrix: dict | None = None) -> bool:
    """Whether USER (possibly anonymous) may use ENDPOINT according to the matrix (the
    current app's unless MATRIX is given)."""
    access = access_for(endpoint, matrix)
    if access is None:
        return False
    if access == PUBLIC:
        return True
    if not getattr(user, "is_authenticated", False):
        return False
    if access == SIGNED_IN:
        return True
    return user.has_role(*access)


def enforce_matrix() -> None:
    """before_request: default-deny check of the current endpoint."""
    endpoint = request.endpoint
    if endpoint is None:  # no route matched: let the 404/405 handlers answer
        return None
    access = access_for(endpoint)
    if access is None:
        abort(403)
    user = current_user._get_current_object()  # once: each proxy access costs a lookup
    if access != PUBLIC and not user.is_authenticated:
        return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
    if (user.is_authenticated and needs_two_factor_setup(user)
            and endpoint not in TWO_FACTOR_SETUP_ENDPOINTS):
        return redirect(url_for("auth.two_factor_setup"))
    if access != PUBLIC and not may_access(user, endpoint):
        abort(403)
    return None


def object_or_404(thing, verb: str, user):
    """THING when USER may VERB it (its model's `can_<verb>(user)`), else 404: a record you
    may not use is one you may not know exists. Views call this on every object they load
    from the URL, even where the matrix already limits the endpoint."""
    if thing is None or not getattr(thing, f"can_{verb}")(user):
        abort(404)
    return thing


def needs_two_factor_setup(user) -> bool:
    """Staff who must use two-factor sign-in and have not set it up yet: they reach only
    TWO_FACTOR_SETUP_ENDPOINTS."""
    return user.must_use_two_factor and not user.has_two_factor


def init_app(app: Flask) -> None:
    app.before_request(enforce_matrix)

    @app.context_processor
    def _permission_helpers():
        from app.packages import home_cards, navigation

        def allowed(endpoint: str) -> bool:
            return may_access(current_user, endpoint)

        return {"may_access": allowed,
                "package_nav": lambda: navigation(current_app, allowed, current_user),
                "package_home_cards": lambda: home_cards(current_app, allowed)}
