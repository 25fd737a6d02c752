"""Submissions: the public page of published submissions, and the analysts' review (redact,
publish)."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.db import Session
from app.models import STAKEHOLDER_GROUPS
from app.web.pagination import paginate
from app.web.refusals import attempt
from app.web.requests import client_ip, requested_page
from submissions import queries
from submissions.forms import ActionForm
from submissions.models import Submission
from submissions.operations.publishing import public_text, publish_submission, redact
from submissions.receipts import answer_rows
from submissions.views import bp


def _public_rows(submission: Submission) -> list[tuple]:
    return [(q, None if text is None else public_text(text, submission.redactions, q.key))
            for q, text in answer_rows(submission)]


@bp.get("/published")
def published():
    """Published submissions, with search and a stakeholder-group filter."""
    search = (request.args.get("q") or "")[:200]
    group = request.args.get("group") or ""
    if group not in STAKEHOLDER_GROUPS and group != "individual":
        group = ""
    page = paginate(queries.published_submissions(search=search, group=group),
                    requested_page())
    return render_template("submissions/published.html", page=page, search=search,
                           group=group, groups=STAKEHOLDER_GROUPS)


@bp.get("/published/<int:submission_id>")
def published_submission(submission_id: int):
    """One published submission, with its redactions applied."""
    submission = Session.get(Submission, submission_id)
    if submission is None or not submission.is_public:
        abort(404)
    return render_template("submissions/published_one.html", submission=submission,
                           rows=_public_rows(submission))


def _load_for_review(submission_id: int) -> Submission:
    submission = Session.get(Submission, submission_id)
    if submission is None:
        abort(404)
    return submission


@bp.get("/manage/submissions/<int:submission_id>")
def review_submission(submission_id: int):
    """An analyst's view of a submission: the original, the public version, redactions."""
    submission = _load_for_review(submission_id)
    return render_template("submissions/manage/review.html", submission=submission,
                           rows=answer_rows(submission), public_rows=_public_rows(submission),
                           action=ActionForm())


@bp.post("/manage/submissions/<int:submission_id>/redact")
def redact_submission(submission_id: int):
    """Redact a passage of one answer, with the reason."""
    submission = _load_for_review(submission_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    with attempt(None) as done:
        redact(current_user, submission, question_key=request.form.get("question_key", ""),
               passage=request.form.get("passage", ""), reason=request.form.get("reason", ""),
               ip=client_ip())
    if done:
        flash(_("Passage redacted."), "success")
    return redirect(url_for("submissions.review_submission", submission_id=submission.id))


@bp.post("/manage/submissions/<int:submission_id>/publish", endpoint="publish_submission")
def publish_submission_view(submission_id: int):
    """Publish (or unpublish) a redacted submission."""
    submission = _load_for_review(submission_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    with attempt(None) as done:
        publish_submission(current_user, submission,
                           publish=request.form.get("publish") != "no")
    if done:
        flash(_("Published.") if submission.published_at else _("Unpublished."), "success")
    return redirect(url_for("submissions.review_submission", submission_id=submission.id))
