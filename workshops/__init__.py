"""Workshops (hui, fono, talanoa) and one-on-one interviews.

Plugs into the core through `register()`, named in pyproject.toml under the
`korero.packages` entry points (see app/packages.py and docs/architecture.md).
"""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from app.packages import FeaturePackage, HomeCard, NavEntry
from app.permissions import PUBLIC


def register() -> FeaturePackage:
    """Everything the core needs to know about workshops and interviews."""
    from workshops.views import bp

    return FeaturePackage(
        name="workshops",
        blueprint=bp,
        url_prefix="/workshops",
        access={"workshops.index": PUBLIC},
        nav=(NavEntry("workshops.index", _l("Workshops"), order=20),),
        home_cards=(HomeCard(
            "workshops.index", _l("Come to a workshop"),
            _l("Online booking opens soon: book a place at a workshop near you or online, "
              "and add it to your calendar."),
            order=20),),
        feedback_sources={"workshop_output": _l("Workshop output"),
                          "interview_note": _l("Interview note")},
        order=20,
    )
