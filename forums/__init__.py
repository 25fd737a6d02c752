"""The online forum for key partners: open spaces and caucus spaces.

Plugs into the core through `register()`, named in pyproject.toml under the
`korero.packages` entry points (see app/packages.py and docs/architecture.md).
"""
from __future__ import annotations

from pathlib import Path

from flask_babel import lazy_gettext as _l

from app.packages import AccountPanel, FeaturePackage, HomeCard, NavEntry
from app.permissions import PUBLIC, SIGNED_IN

MODERATORS = frozenset({"analyst", "facilitator", "kaitiaki"})
SPACE_MAKERS = frozenset({"analyst", "admin"})

ACCESS = {
    "forums.index": PUBLIC,
    "forums.unsubscribe": PUBLIC,  # the signed token in the link is the key
    # Feed readers carry no session: the person's secret in the address is the key, and the
    # feed shows only what that person may see now (forums/feeds.py).
    "forums.space_feed": PUBLIC,
    "forums.thread_feed": PUBLIC,
    "forums.feed_settings": SIGNED_IN,
    "forums.attachment": SIGNED_IN,
    "forums.add_attachments": SIGNED_IN,
    "forums.remove_attachment": SIGNED_IN,
    "forums.space": SIGNED_IN,
    "forums.new_thread": SIGNED_IN,
    "forums.thread": SIGNED_IN,
    "forums.edit_post": SIGNED_IN,
    "forums.delete_post": SIGNED_IN,
    "forums.flag_post": SIGNED_IN,
    "forums.post_history": SIGNED_IN,
    "forums.post_consent": SIGNED_IN,
    "forums.follow_thread": SIGNED_IN,
    "forums.follow_space": SIGNED_IN,
    "forums.notifications": SIGNED_IN,
    "forums.read_notifications": SIGNED_IN,
    "forums.preferences": SIGNED_IN,
    "forums.search": SIGNED_IN,
    # Object checks inside: only the space's own moderators get past a 404.
    "forums.moderate_post": SIGNED_IN,
    "forums.moderate_thread": SIGNED_IN,
    "forums.space_settings": SIGNED_IN,
    "forums.queue": MODERATORS,
    "forums.new_space": SPACE_MAKERS,
}

AUDIT_ACTIONS = {
    "forums.space_created": _l("Forum space opened"),
    "forums.space_settings_changed": _l("Forum space settings changed"),
    "forums.thread_created": _l("Forum thread started"),
    "forums.post_created": _l("Forum reply posted"),
    "forums.post_edited": _l("Forum post edited"),
    "forums.post_deleted": _l("Forum post deleted"),
    "forums.post_flagged": _l("Forum post flagged"),
    "forums.post_hidden": _l("Forum post hidden"),
    "forums.post_unhidden": _l("Forum post shown again"),
    "forums.post_approved": _l("Forum post approved"),
    "forums.flags_dismissed": _l("Forum flags dismissed"),
    "forums.thread_locked": _l("Forum thread locked"),
    "forums.thread_unlocked": _l("Forum thread unlocked"),
    "forums.thread_pinned": _l("Forum thread pinned"),
    "forums.thread_unpinned": _l("Forum thread unpinned"),
    "forums.consent_changed": _l("Forum post consent changed"),
    "forums.erased": _l("Forum data erased"),
    "forums.files_attached": _l("Files attached to a forum post"),
    "forums.file_removed": _l("File removed from a forum post"),
    "forums.feed_issued": _l("Forum feed addresses made"),
    "forums.feed_revoked": _l("Forum feeds turned off"),
}

# Routes whose objects the walk fills from a caucus the walk's owner belongs to: staff and
# other participants are not members, so 404 is right for them (tests/forums prove members and
# non-members of every kind of caucus).
OBJECT_ENDPOINTS = frozenset({
    "forums.space", "forums.new_thread", "forums.thread", "forums.edit_post",
    "forums.delete_post", "forums.flag_post", "forums.post_history", "forums.post_consent",
    "forums.follow_thread", "forums.follow_space", "forums.moderate_post",
    "forums.moderate_thread", "forums.space_settings", "forums.attachment",
    "forums.add_attachments", "forums.remove_attachment",
    # The walk's secret is bogus: 404 for everyone (tests/forum/test_feeds.py has real ones).
    "forums.space_feed", "forums.thread_feed",
})


def _badge_count(person) -> int:
    from forums.notify import badge_count

    return badge_count(person)


def register() -> FeaturePackage:
    """Everything the core needs to know about the forum."""
    from forums import cli, fast_read, hooks, jobs  # noqa: F401  (CLI commands and job kinds)
    from forums.preferences import account_panel
    from forums.views import bp

    return FeaturePackage(
        name="forums",
        blueprint=bp,
        url_prefix="/forums",
        access=ACCESS,
        audit_actions=AUDIT_ACTIONS,
        models=("forums.models",),
        migrations=Path(__file__).parent / "migrations",
        nav=(NavEntry("forums.index", _l("Forum"), order=10, badge=_badge_count,
                      badge_label=_l("%(count)s unread notifications")),),
        home_cards=(HomeCard(
            "forums.index", _l("Join the forum"),
            _l("Discuss the proposals with other key partners, in open spaces and in caucus "
               "spaces for iwi and Pasifika members."), order=10),),
        # The consent default for new posts is set on the account page too (issue 17).
        account_panels=(AccountPanel("forums.preferences", "forums/_account_panel.html",
                                     account_panel, order=10),),
        feedback_sources={"forum_post": _l("Forum post")},
        seed_demo=hooks.seed_demo,
        secret_paths=(r"/forums/+unsubscribe/+", r"/forums/+feeds/+"),
        export_personal_data=hooks.export_personal_data,
        erase_personal_data=hooks.erase_personal_data,
        tasks=hooks.tasks,
        route_objects=hooks.route_objects,
        # An open space's threads are shared by every participant (the walk's are a caucus's).
        # A feed's key is the secret in its address, not the session: whoever holds a person's
        # secret reads that person's feed, by design (tests/forum/test_feeds.py and
        # test_route_walk.py prove each secret reaches only what its owner may see).
        shared_object_endpoints=frozenset({"forums.space", "forums.thread",
                                           "forums.space_feed", "forums.thread_feed"}),
        walk_may_404=OBJECT_ENDPOINTS,
        # A plain read of an open space's thread, served from the whole-page cache once the
        # core's checks pass (forums/fast_read.py); every other read goes through the view.
        cached_reads={"forums.thread": fast_read.answer},
        order=10,
    )
