"""Workshops (hui, fono, talanoa) and one-on-one interviews.

Plugs into the core through `register()`, named in pyproject.toml under the
`korero.packages` entry points (see app/packages.py and docs/architecture.md).
"""
from __future__ import annotations

from pathlib import Path

from flask_babel import lazy_gettext as _l

from app.packages import FeaturePackage, HomeCard, NavEntry
from app.permissions import PUBLIC, SIGNED_IN

RUNNERS = frozenset({"facilitator", "admin"})

ACCESS = {
    "workshops.index": PUBLIC,
    "workshops.month": PUBLIC,
    "workshops.show": PUBLIC,
    "workshops.workshop_ics": PUBLIC,
    "workshops.feed": PUBLIC,  # the secret token in the address is the access check
    "workshops.book": SIGNED_IN,  # Workshop.can_book decides (audience)
    "workshops.cancel_booking": SIGNED_IN,  # Booking.can_cancel: only the person who booked
    "workshops.my_bookings": SIGNED_IN,
    "workshops.feed_settings": SIGNED_IN,
    "workshops.new": RUNNERS,
    "workshops.edit": RUNNERS,
    "workshops.publish": RUNNERS,
    "workshops.cancel": RUNNERS,
    "workshops.roster_page": RUNNERS,
    "workshops.check_in": RUNNERS,
    "workshops.export_roster_csv": RUNNERS,
    "workshops.export_roster_xlsx": RUNNERS,
    "workshops.outputs": RUNNERS,
    "workshops.withdraw_output": RUNNERS,
    "workshops.facilitators": RUNNERS,  # the RUNNERS pages: Workshop.can_manage decides (404)
    "workshops.remove_facilitator": RUNNERS,
    # Interviews: Interview.can_view (the facilitator who wrote it, analysts, the interviewee;
    # 404 for everyone else) and Interview.can_write (that facilitator only) decide per object.
    "workshops.interviews": SIGNED_IN,
    "workshops.new_interview": frozenset({"facilitator"}),
    "workshops.interview": SIGNED_IN,
    "workshops.consent_form": SIGNED_IN,
    "workshops.record_consent": frozenset({"facilitator"}),
    "workshops.edit_note": frozenset({"facilitator"}),
    "workshops.request_correction": SIGNED_IN,
    "workshops.decide_correction": frozenset({"facilitator"}),
    "workshops.change_my_consent": SIGNED_IN,
}

AUDIT_ACTIONS = {
    "workshops.created": _l("Workshop created"),
    "workshops.updated": _l("Workshop edited"),
    "workshops.published": _l("Workshop published"),
    "workshops.cancelled": _l("Workshop cancelled"),
    "workshops.roster_exported": _l("Workshop roster exported"),
    "workshops.output_recorded": _l("Workshop output recorded"),
    "workshops.output_withdrawn": _l("Workshop output withdrawn"),
    "workshops.facilitator_added": _l("Workshop facilitator added"),
    "workshops.facilitator_removed": _l("Workshop facilitator removed"),
    "workshops.feed_issued": _l("Calendar feed address made"),
    "workshops.feed_revoked": _l("Calendar feed turned off"),
    "workshops.interview_added": _l("Interview scheduled"),
    "workshops.consent_recorded": _l("Interview consent recorded"),
    "workshops.note_saved": _l("Interview note saved"),
    "workshops.correction_requested": _l("Interview correction requested"),
    "workshops.correction_decided": _l("Interview correction decided"),
    "workshops.consent_narrowed": _l("Interview consent changed by the interviewee"),
    "workshops.interview_purged": _l("Interview notes purged (retention)"),
    "workshops.interview_erased": _l("Interview deleted with its interviewee's data"),
    # A sensitive view: the core's record_sensitive_view writes "record.viewed", which a
    # package may not list in its audited_views (outside its namespace), so this is its own.
    "workshops.interview_viewed": _l("Interview note viewed"),
}

# Pages of one workshop only its facilitators and admins reach (Workshop.can_manage): the
# walk's facilitator does not run the walk's workshop, so gets 404 there; the object-level
# tests (tests/workshops/test_workshops_facilitators.py) prove who gets in.
WORKSHOP_RUNNER_ENDPOINTS = frozenset({
    "workshops.edit", "workshops.roster_page", "workshops.export_roster_csv",
    "workshops.export_roster_xlsx", "workshops.outputs", "workshops.withdraw_output",
    "workshops.facilitators"})

# Interview pages the walk's facilitator (not the one who wrote the interview) gets 404 for.
INTERVIEW_OBJECT_ENDPOINTS = frozenset({
    "workshops.interview", "workshops.consent_form", "workshops.record_consent",
    "workshops.edit_note", "workshops.request_correction", "workshops.decide_correction",
    "workshops.change_my_consent"})


def register() -> FeaturePackage:
    """Everything the core needs to know about workshops and interviews."""
    from workshops import hooks, jobs  # noqa: F401  (jobs registers its job kind and command)
    from workshops.views import bp

    return FeaturePackage(
        name="workshops",
        blueprint=bp,
        url_prefix="/workshops",
        access=ACCESS,
        audit_actions=AUDIT_ACTIONS,
        models=("workshops.models", "workshops.interview_models"),
        migrations=Path(__file__).parent / "migrations",
        nav=(NavEntry("workshops.index", _l("Workshops"), order=20),),
        home_cards=(HomeCard(
            "workshops.index", _l("Come to a workshop"),
            _l("Online booking opens soon: book a place at a workshop near you or online, "
              "and add it to your calendar."),
            order=20),),
        feedback_sources={"workshop_output": _l("Workshop output"),
                          "interview_note": _l("Interview note")},
        seed_demo=hooks.seed_demo,
        secret_paths=(r"/workshops/+calendar/+",),
        export_personal_data=hooks.export_personal_data,
        erase_personal_data=hooks.erase_personal_data,
        tasks=hooks.tasks,
        audited_views={"workshops.export_roster_csv": frozenset({"workshops.roster_exported"}),
                       "workshops.export_roster_xlsx": frozenset({"workshops.roster_exported"}),
                       "workshops.interview": frozenset({"workshops.interview_viewed"}),
                       "workshops.consent_form": frozenset({"workshops.interview_viewed"})},
        route_objects=hooks.route_objects,
        shared_object_endpoints=frozenset({"workshops.show", "workshops.workshop_ics",
                                           "workshops.book"}),
        walk_may_404=INTERVIEW_OBJECT_ENDPOINTS | WORKSHOP_RUNNER_ENDPOINTS,
        order=20,
    )
