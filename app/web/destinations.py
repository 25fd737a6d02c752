"""What a local address is called, for "Sign in to continue to People".

The name comes from the site's own vocabulary, never from the address itself: the `next`
target of a sign-in link is typed by whoever made the link, so echoing any of it would let a
crafted link put words on the sign-in page. Only a path that `safe_next` accepts and that
matches one of this site's pages is named; anything else gets None and a plain "Sign in".
"""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask, current_app
from flask_babel import lazy_gettext as _l
from werkzeug.exceptions import HTTPException
from werkzeug.routing import RequestRedirect

from app.security import safe_next

# Pages of the core by endpoint, then whole areas by blueprint. Feature packages are named by
# their navigation entries (app/packages.py), so a package adds nothing here.
PAGE_NAMES = {
    "auth.account": _l("your account"),
    "auth.change_password": _l("change your password"),
    "auth.two_factor_setup": _l("set up two-factor sign-in"),
    "auth.two_factor_disable": _l("turn off two-factor sign-in"),
    "auth.recovery_codes": _l("make new recovery codes"),
    "auth.accept_invitation": _l("accept your invitation"),
    "admin.index": _l("Administration"),
    "admin.users": _l("People"),
    "admin.edit_user": _l("a person's details"),
    "admin.organisations": _l("Organisations"),
    "admin.new_organisation": _l("add an organisation"),
    "admin.edit_organisation": _l("an organisation's details"),
    "admin.invitations": _l("Invitations"),
    "admin.new_invitation": _l("invite someone"),
    "admin.consultations": _l("Consultations"),
    "admin.new_consultation": _l("set up a consultation"),
    "admin.edit_consultation": _l("a consultation's details"),
    "admin.settings": _l("Settings"),
    "privacy.audit_log": _l("the audit log"),
}
AREA_NAMES = {
    "admin": _l("Administration"),
    "jobs": _l("Jobs"),
    "privacy": _l("the audit log"),
}


def _endpoint_of(app: Flask, path: str) -> str | None:
    """The endpoint a GET of PATH (query string ignored) reaches on APP, or None."""
    adapter = app.url_map.bind(app.config.get("SERVER_NAME") or "localhost")
    try:
        endpoint, _args = adapter.match(urlsplit(path).path, method="GET")
    except RequestRedirect as redirect:  # a missing trailing slash: name where it goes
        return _endpoint_of(app, urlsplit(redirect.new_url).path)
    except HTTPException:  # no such page, or not a page you GET
        return None
    return endpoint


def page_name(target: str | None, app: Flask | None = None) -> str | None:
    """A short human name for the page at the local path TARGET ("People", "your account",
    "Forum"), or None when TARGET is not a safe local path to a page this site names."""
    target = safe_next(target)
    if target is None:
        return None
    app = app or current_app._get_current_object()
    endpoint = _endpoint_of(app, target)
    if endpoint is None or endpoint == "static":
        return None
    if endpoint in PAGE_NAMES:
        return str(PAGE_NAMES[endpoint])
    area = endpoint.split(".", 1)[0]
    # The registered packages (app.packages keeps them here; importing that module from
    # app.web would make an import cycle).
    for package in app.extensions.get("korero_packages", ()):
        for entry in package.nav:
            if entry.endpoint.split(".", 1)[0] == area:
                return str(entry.label)
    return str(AREA_NAMES[area]) if area in AREA_NAMES else None
