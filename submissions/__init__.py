"""Written submissions: consultation forms, drafts, receipts and organisational submissions.

Plugs into the core through `register()`, named in pyproject.toml under the
`korero.packages` entry points (see app/packages.py and docs/architecture.md).
"""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from app.packages import FeaturePackage, HomeCard, NavEntry
from app.permissions import PUBLIC


def register() -> FeaturePackage:
    """Everything the core needs to know about written submissions."""
    from submissions.views import bp

    return FeaturePackage(
        name="submissions",
        blueprint=bp,
        url_prefix="/submissions",
        access={"submissions.index": PUBLIC},
        nav=(NavEntry("submissions.index", _l("Submissions"), order=30),),
        home_cards=(HomeCard(
            "submissions.index", _l("Make a submission"),
            _l("The online form opens soon: answer the consultation questions for yourself "
               "or on behalf of your organisation, save a draft and come back."), order=30),),
        feedback_sources={"submission_answer": _l("Submission answer")},
        order=30,
    )
