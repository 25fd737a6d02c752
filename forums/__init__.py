"""The online forum for key partners: open spaces and caucus spaces.

Plugs into the core through `register()`, named in pyproject.toml under the
`korero.packages` entry points (see app/packages.py and docs/architecture.md).
"""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from app.packages import FeaturePackage, HomeCard, NavEntry
from app.permissions import PUBLIC


def register() -> FeaturePackage:
    """Everything the core needs to know about the forum."""
    from forums.views import bp

    return FeaturePackage(
        name="forums",
        blueprint=bp,
        url_prefix="/forums",
        access={"forums.index": PUBLIC},
        nav=(NavEntry("forums.index", _l("Forum"), order=10),),
        home_cards=(HomeCard(
            "forums.index", _l("Join the forum"),
            _l("Discuss the proposals with other key partners, in open spaces and in caucus "
               "spaces for iwi and Pasifika members."), order=10),),
        feedback_sources={"forum_post": _l("Forum post")},
        order=10,
    )
