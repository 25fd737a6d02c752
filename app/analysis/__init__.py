"""Analysis: codebook, coding and automatic themes. Reads the corpus (app.corpus) only.

Plugs into the core through `register()`, named in pyproject.toml under the
`korero.packages` entry points (see app/packages.py and docs/architecture.md). Only analysts
reach it: participants, facilitators, the advisory group and kaitiaki never see the workspace
(they read what reports publish).
"""
from __future__ import annotations

from pathlib import Path

from flask_babel import lazy_gettext as _l

from app.packages import FeaturePackage, NavEntry

ANALYSTS = frozenset({"analyst"})

ENDPOINTS = (
    "index",
    # codebook (views_codebook.py)
    "codebook", "new_theme", "theme", "merge_theme", "split_theme", "delete_theme",
    "move_theme", "export_codebook_csv", "export_codebook_qdc", "import_codebook",
    # coding workspace (views_coding.py)
    "items", "item", "code_item", "remove_coding", "accept_coding", "correct_item",
    "mark_evidence", "suggestions",
    # discovery and assisted coding (views_discovery.py)
    "discovery_index", "start_discovery", "start_assist", "discovery_run", "review_candidate",
)

ACCESS = {f"analysis.{name}": ANALYSTS for name in ENDPOINTS}

AUDIT_ACTIONS = {
    "analysis.codebook_changed": _l("Codebook changed"),
    "analysis.codings_imported": _l("Codings imported"),
    "analysis.feedback_imported": _l("Feedback imported"),
}


def register() -> FeaturePackage:
    """Everything the core needs to know about analysis."""
    # Importing these registers the CLI commands, job kinds and routes.
    from app.analysis import cli, hooks, jobs, views_codebook, views_coding, views_discovery  # noqa: F401  # noqa: F401
    from app.analysis.views import bp

    return FeaturePackage(
        name="analysis",
        blueprint=bp,
        url_prefix="/analysis",
        access=ACCESS,
        audit_actions=AUDIT_ACTIONS,
        models=("app.analysis.models",),
        migrations=Path(__file__).parent / "migrations",
        nav=(NavEntry("analysis.index", _l("Analysis"), order=50),),
        # No feedback sources of its own: the import command writes the core's "imported_row".
        seed_demo=hooks.seed_demo,
        tasks=hooks.tasks,
        route_objects=hooks.route_objects,
        order=50,
    )
