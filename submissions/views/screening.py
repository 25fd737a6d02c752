"""Analysts: the screening queue (accept or reject flagged submissions, with a reason) and the
campaigns found among the submissions (the template, each member's variation highlighted, a
decision for the whole campaign)."""
from __future__ import annotations

from difflib import SequenceMatcher

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup, escape
from sqlalchemy import Text, select

from app.corpus.models import FeedbackCampaign, FeedbackItem
from app.db import Session
from app.jobs import start_job
from app.queries import get_current_consultation
from app.web.pagination import paginate
from app.web.refusals import attempt
from app.web.requests import client_ip, requested_page
from submissions import screening
from submissions.forms import ActionForm
from submissions.models import Submission
from submissions.recording import SOURCE
from submissions.screening_models import FLAG_KINDS, SubmissionReview
from submissions.views import bp


def _consultation():
    consultation = get_current_consultation()
    if consultation is None:
        abort(404)
    return consultation


@bp.get("/screening")
def screening_queue():
    """Flagged submissions waiting for a decision (or, with ?status=, those decided)."""
    consultation = _consultation()
    status = request.args.get("status", "flagged")
    flag = request.args.get("flag", "")
    stmt = (select(SubmissionReview).where(SubmissionReview.consultation_id == consultation.id,
                                           SubmissionReview.status == status)
            .order_by(SubmissionReview.flagged_at, SubmissionReview.submission_id))
    if flag in FLAG_KINDS:
        # JSON lists are compared as text on both databases: '"burst"' inside the list.
        stmt = stmt.where(SubmissionReview.flags.cast(Text).contains(f'"{flag}"'))
    page = paginate(stmt, requested_page())
    return render_template("submissions/screening.html", page=page, status=status, flag=flag,
                           flags=FLAG_KINDS, labels=screening.FLAG_LABELS, action=ActionForm(),
                           consultation=consultation)


@bp.post("/screening/<int:submission_id>")
def screening_decide(submission_id: int):
    """Accept or reject one flagged submission, with a reason (audited)."""
    review = Session.get(SubmissionReview, submission_id)
    if review is None:
        abort(404)
    if not ActionForm().validate_on_submit():
        abort(400)
    with attempt(None) as done:
        screening.decide(current_user, review, decision=request.form.get("decision", ""),
                         reason=request.form.get("reason", ""), ip=client_ip())
    if done:
        flash(_("Decision recorded for %(reference)s.", reference=review.submission.reference),
              "success")
    return redirect(request.form.get("next") or url_for("submissions.screening_queue"))


@bp.get("/campaigns")
def campaigns():
    """The campaigns found among the current consultation's submissions, largest first."""
    consultation = _consultation()
    stmt = (select(FeedbackCampaign).where(FeedbackCampaign.consultation_id == consultation.id)
            .order_by(FeedbackCampaign.member_count.desc(), FeedbackCampaign.id))
    return render_template("submissions/campaigns.html", page=paginate(stmt, requested_page()),
                           consultation=consultation, action=ActionForm())


@bp.post("/campaigns/detect")
def detect_campaigns():
    """Run campaign detection again now (a job)."""
    consultation = _consultation()
    if not ActionForm().validate_on_submit():
        abort(400)
    job = start_job(current_user, "submissions.campaigns", consultation_id=consultation.id)
    Session.commit()
    return redirect(url_for("jobs.show", job_id=job.id))


def _load_campaign(campaign_id: int) -> FeedbackCampaign:
    campaign = Session.get(FeedbackCampaign, campaign_id)
    if campaign is None:
        abort(404)
    return campaign


@bp.get("/campaigns/<int:feedback_campaign_id>")
def campaign(feedback_campaign_id: int):
    """The template, and each member's text with what differs from it highlighted."""
    found = _load_campaign(feedback_campaign_id)
    stmt = (select(FeedbackItem).where(FeedbackItem.campaign_id == found.id)
            .order_by(FeedbackItem.own_text.is_(None), FeedbackItem.id))
    page = paginate(stmt, requested_page())
    references = _references(page.items)
    return render_template("submissions/campaign.html", campaign=found, page=page,
                           references=references, highlight=highlight, action=ActionForm())


def _references(items) -> dict[int, Submission]:
    ids = {int(i.source_id.split(":", 1)[0]) for i in items if i.source == SOURCE}
    rows = Session.scalars(select(Submission).where(Submission.id.in_(ids))) if ids else []
    by_id = {s.id: s for s in rows}
    return {i.id: by_id.get(int(i.source_id.split(":", 1)[0])) for i in items
            if i.source == SOURCE}


@bp.post("/campaigns/<int:feedback_campaign_id>/decide")
def campaign_decide(feedback_campaign_id: int):
    """Accept or reject every flagged submission of the campaign at once."""
    found = _load_campaign(feedback_campaign_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    with attempt(None) as done:
        count = screening.decide_campaign(current_user, found.id,
                                          decision=request.form.get("decision", ""),
                                          reason=request.form.get("reason", ""), ip=client_ip())
    if done:
        flash(_("%(count)d flagged submissions decided.", count=count), "success")
    return redirect(url_for("submissions.campaign", feedback_campaign_id=found.id))


def highlight(template: str, text: str) -> Markup:
    """TEXT with the words the TEMPLATE does not have in <ins>, and the template's words it
    left out in <del>; every word escaped. Screen readers do not announce <ins> and <del>, so
    each starts with a visually hidden "added:" or "removed:"."""
    ours, theirs = template.split(), text.split()
    parts = []
    added = Markup('<ins><span class="visually-hidden">%s </span>%s</ins>')
    removed = Markup('<del><span class="visually-hidden">%s </span>%s</del>')
    for op, a1, a2, b1, b2 in SequenceMatcher(None, ours, theirs, autojunk=False).get_opcodes():
        if op == "equal":
            parts.append(escape(" ".join(theirs[b1:b2])))
            continue
        if op in ("delete", "replace"):
            parts.append(removed % (_("removed:"), " ".join(ours[a1:a2])))
        if op in ("insert", "replace"):
            parts.append(added % (_("added:"), " ".join(theirs[b1:b2])))
    return Markup(" ").join(parts)
