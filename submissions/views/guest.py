"""Submissions: the page a person without an account reaches from their receipt's secret link,
to see their submission, change it until the closing date, or withdraw it."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, session, url_for
from flask_babel import gettext as _

from app.web.refusals import attempt
from app.web.requests import client_ip
from submissions.forms import ActionForm
from submissions.guest_links import VERIFIED_BY, submission_for_link
from submissions.operations import withdraw_submission
from submissions.receipts import answer_rows
from submissions.views import bp
from submissions.views.public import GUEST_DRAFTS


def _load(token: str):
    submission = submission_for_link(token)
    if submission is None:
        abort(404)
    return submission


def _may_change(submission) -> bool:
    return submission.withdrawn_at is None and submission.form.is_open()


@bp.get("/yours/<token>")
def guest_submission(token: str):
    """The guest's submission, and what they can still do with it."""
    submission = _load(token)
    return render_template("submissions/guest.html", submission=submission, token=token,
                           rows=answer_rows(submission), may_change=_may_change(submission),
                           action=ActionForm())


@bp.post("/yours/<token>/edit")
def guest_edit(token: str):
    """Open the submission's draft in this browser (the secret link proved it is theirs), to
    change the answers and submit again."""
    submission = _load(token)
    if not ActionForm().validate_on_submit():
        abort(400)
    if not _may_change(submission) or submission.draft_id is None:
        flash(_("This submission can no longer be changed."), "error")
        return redirect(url_for("submissions.guest_submission", token=token))
    drafts = list(session.get(GUEST_DRAFTS, []))
    if submission.draft_id not in drafts:
        session[GUEST_DRAFTS] = [*drafts, submission.draft_id]
    return redirect(url_for("submissions.edit_draft", submission_draft_id=submission.draft_id))


@bp.post("/yours/<token>/withdraw")
def guest_withdraw(token: str):
    """Withdraw the submission and every piece of feedback made from it."""
    submission = _load(token)
    if not ActionForm().validate_on_submit():
        abort(400)
    with attempt(None) as done:
        withdraw_submission(None, submission, ip=client_ip(), verified_by=VERIFIED_BY)
    if done:
        flash(_("Your submission is withdrawn: it will not be read, counted or quoted."),
              "success")
    return redirect(url_for("submissions.guest_submission", token=token))
