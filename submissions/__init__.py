"""Written submissions: consultation forms, drafts, receipts and organisational submissions.

Plugs into the core through `register()`, named in pyproject.toml under the
`korero.packages` entry points (see app/packages.py and docs/architecture.md).
"""
from __future__ import annotations

from pathlib import Path

from flask_babel import lazy_gettext as _l

from app.packages import FeaturePackage, HomeCard, NavEntry
from app.permissions import PUBLIC

ANALYST = frozenset({"analyst"})

ACCESS = {
    # Public: people without an account submit when a form allows it. Each view checks the
    # object (a draft or receipt is its owner's, its organisation's, or the guest session's).
    "submissions.index": PUBLIC,
    "submissions.start": PUBLIC,
    "submissions.create_draft": PUBLIC,
    "submissions.edit_draft": PUBLIC,
    "submissions.save": PUBLIC,
    "submissions.autosave": PUBLIC,
    "submissions.receipt": PUBLIC,
    "submissions.receipt_download": PUBLIC,
    "submissions.withdraw": PUBLIC,
    "submissions.confirm_email": PUBLIC,
    "submissions.confirm_email_post": PUBLIC,
    # The secret link of a guest's receipt is the access check (404 for any other token).
    "submissions.guest_submission": PUBLIC,
    "submissions.guest_edit": PUBLIC,
    "submissions.guest_withdraw": PUBLIC,
    "submissions.add_attachment": PUBLIC,
    "submissions.download_attachment": PUBLIC,
    "submissions.delete_attachment": PUBLIC,
    "submissions.published": PUBLIC,
    "submissions.published_submission": PUBLIC,
    # Deadline day: the whole form on one page for people without an account (submissions.intake)
    "submissions.intake_form": PUBLIC,
    "submissions.intake_submit": PUBLIC,
    # The form builder
    "submissions.manage_forms": ANALYST,
    "submissions.create_form": ANALYST,
    "submissions.edit_form": ANALYST,
    "submissions.update_form": ANALYST,
    "submissions.guest_setting": ANALYST,
    "submissions.add_question": ANALYST,
    "submissions.edit_question": ANALYST,
    "submissions.move_question": ANALYST,
    "submissions.delete_question": ANALYST,
    "submissions.preview_form": ANALYST,
    "submissions.publish_form": ANALYST,
    "submissions.list_submissions": ANALYST,
    "submissions.review_submission": ANALYST,
    "submissions.redact_submission": ANALYST,
    "submissions.publish_submission": ANALYST,
    # Screening and campaigns (submissions.screening, app.corpus.campaigns)
    "submissions.screening_queue": ANALYST,
    "submissions.screening_decide": ANALYST,
    "submissions.campaigns": ANALYST,
    "submissions.detect_campaigns": ANALYST,
    "submissions.campaign": ANALYST,
    "submissions.campaign_decide": ANALYST,
}

AUDIT_ACTIONS = {
    "submissions.form_created": _l("Submission form created"),
    "submissions.form_edited": _l("Submission form edited"),
    "submissions.form_published": _l("Submission form published"),
    "submissions.form_unpublished": _l("Submission form unpublished"),
    "submissions.withdrawn": _l("Submission withdrawn"),
    "submissions.erased": _l("Submissions erased for a person"),
    "submissions.redacted": _l("Submission passage redacted"),
    "submissions.published": _l("Submission published"),
    "submissions.unpublished": _l("Submission unpublished"),
    "submissions.guests_changed": _l("Submissions without an account allowed or stopped"),
    "submissions.screening_accepted": _l("Flagged submission accepted"),
    "submissions.screening_rejected": _l("Flagged submission rejected"),
    "submissions.imported": _l("Submissions imported from a file"),
}


def register() -> FeaturePackage:
    """Everything the core needs to know about written submissions."""
    from submissions import (  # noqa: F401  (register the job kinds and CLI)
        privacy,
        recording,
        sweeper,
    )
    from submissions.synthetic import seed_demo_step
    from submissions.views import bp
    from submissions.walk import route_objects

    return FeaturePackage(
        name="submissions",
        blueprint=bp,
        url_prefix="/submissions",
        access=ACCESS,
        audit_actions=AUDIT_ACTIONS,
        models=("submissions.models", "submissions.guest_models",
                "submissions.screening_models"),
        migrations=Path(__file__).parent / "migrations",
        # One entry: the landing page links to the forms to manage and the published ones,
        # so the header stays on one line on a laptop.
        nav=(NavEntry("submissions.index", _l("Submissions"), order=30),),
        home_cards=(HomeCard(
            "submissions.index", _l("Make a submission"),
            _l("The online form opens soon: answer the consultation questions for yourself "
               "or on behalf of your organisation, save a draft and come back."), order=30),),
        feedback_sources={"submission_answer": _l("Submission answer")},
        seed_demo=seed_demo_step,
        secret_paths=(r"/submissions/+confirm/+", r"/submissions/+yours/+"),
        export_personal_data=privacy.export_personal_data,
        erase_personal_data=privacy.erase_personal_data,
        tasks=privacy.tasks,
        route_objects=route_objects,
        shared_object_endpoints=frozenset({"submissions.start", "submissions.create_draft",
                                           "submissions.published_submission",
                                           "submissions.intake_form",
                                           "submissions.intake_submit"}),
        # Private to their owner (or organisation, or guest session): every other persona
        # gets 404; tests/submissions/test_access.py proves each one.
        walk_may_404=frozenset({"submissions.edit_draft", "submissions.receipt",
                                "submissions.receipt_download",
                                "submissions.download_attachment",
                                "submissions.published_submission"}),
        order=30,
    )
