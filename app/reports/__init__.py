"""Reports: themed reports for the working group and the public, kaitiaki approvals, exports
and the public "what we heard" page. Reads the corpus and app.analysis only.

Plugs into the core through `register()`, named in pyproject.toml under the
`korero.packages` entry points (see app/packages.py and docs/architecture.md).
"""
from __future__ import annotations

from pathlib import Path

from flask_babel import lazy_gettext as _l

from app.packages import FeaturePackage, NavEntry
from app.permissions import PUBLIC

ANALYSTS = frozenset({"analyst"})
READERS = frozenset({"analyst", "advisory"})  # advisory members read working-group reports
KAITIAKI = frozenset({"kaitiaki"})

ACCESS = {
    "reports.index": READERS,
    "reports.new": ANALYSTS,
    "reports.report": READERS,
    "reports.build": ANALYSTS,
    "reports.export": READERS,
    "reports.export_job": READERS,
    # Readers only (others get the matrix's 403 before any job is looked up); the object
    # check inside lets only the job's owner and analysts past a 404.
    "reports.export_file": READERS,
    "reports.publish": ANALYSTS,
    "reports.approvals": KAITIAKI,
    "reports.approval_request": KAITIAKI,  # object check inside: their own groups only
    "reports.heard": PUBLIC,
    "reports.heard_pdf": PUBLIC,
}

AUDIT_ACTIONS = {
    "reports.created": _l("Report created"),
    "reports.built": _l("Report built"),
    "reports.exported": _l("Report exported"),
    "reports.published": _l("Report published"),
    "reports.unpublished": _l("Report unpublished"),
    "reports.request_decided": _l("Kaitiaki decided a report request"),
}


def register() -> FeaturePackage:
    """Everything the core needs to know about reports."""
    from app.reports import cli, hooks, jobs  # noqa: F401  (CLI commands and job kinds)
    from app.reports.views import bp

    return FeaturePackage(
        name="reports",
        blueprint=bp,
        url_prefix="/reports",
        access=ACCESS,
        audit_actions=AUDIT_ACTIONS,
        models=("app.reports.models",),
        migrations=Path(__file__).parent / "migrations",
        nav=(NavEntry("reports.index", _l("Reports"), order=60),
             NavEntry("reports.approvals", _l("Approvals"), order=61)),
        seed_demo=hooks.seed_demo,
        tasks=hooks.tasks,
        route_objects=hooks.route_objects,
        audited_views={"reports.export": frozenset({"reports.exported"}),
                       "reports.export_file": frozenset({"reports.exported"}),
                       "reports.heard_pdf": frozenset({"reports.exported"})},
        # A request is seen only by its own group's kaitiaki (tests/reports prove who).
        # The public page of a consultation is everyone's.
        shared_object_endpoints=frozenset({"reports.heard", "reports.heard_pdf"}),
        walk_may_404=frozenset({"reports.approval_request", "reports.export_file"}),
        order=60,
    )
