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
)

ACCESS = {f"analysis.{name}": ANALYSTS for name in ENDPOINTS}

AUDIT_ACTIONS = {
    "analysis.codebook_changed": _l("Codebook changed"),
    "analysis.codebook_imported": _l("Codebook imported"),
    "analysis.codings_imported": _l("Codings imported"),
    "analysis.feedback_imported": _l("Feedback imported"),
}


def register() -> FeaturePackage:
    """Everything the core needs to know about analysis."""
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
        order=50,
    )
