"""Interviews: scheduling, consent, notes, and the interviewee's own view.

A note is visible only to the facilitator who wrote it, analysts and the interviewee; anyone
else gets 404. Every view of a note (and of its consent form) is in the audit log."""
from __future__ import annotations

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.corpus.scope import ConsentScope
from app.db import Session, utcnow, writes_on_get
from app.permissions import object_or_404
from app.privacy.audit import record_event
from app.queries import get_current_consultation, get_setting
from app.web.refusals import attempt
from app.web.requests import client_ip
from workshops import interview_operations as iops
from workshops.forms import ConfirmForm
from workshops.interview_forms import (
    ConsentForm,
    CorrectionForm,
    DecisionForm,
    InterviewForm,
    MyConsentForm,
    NoteForm,
)
from workshops.interview_models import CorrectionRequest, Interview
from workshops.interview_queries import corrections_of, interviews_for, participants, revisions_of
from workshops.queries import governance_groups
from workshops.views import bp


def _interview(interview_id: int) -> Interview:
    return object_or_404(Session.get(Interview, interview_id), "view", current_user)


def _writable(interview_id: int) -> Interview:
    return object_or_404(Session.get(Interview, interview_id), "write", current_user)


def _record_view(interview: Interview, what: str) -> None:
    """A sensitive view, committed before the page is rendered: "who has seen this note?"."""
    record_event(current_user, "workshops.interview_viewed", target=interview,
                 detail={"what": what}, ip=client_ip())
    Session.commit()


@bp.get("/interviews/")
def interviews():
    """The interviews the signed-in person may open."""
    return render_template("workshops/interviews.html", interviews=interviews_for(current_user))


@bp.route("/interviews/new", methods=["GET", "POST"])
def new_interview():
    """Schedule an interview with a participant or a person without an account."""
    consultation = get_current_consultation()
    if consultation is None:
        abort(404)
    form = InterviewForm(people=participants())
    if form.validate_on_submit():
        person = next((p for p in participants() if str(p.id) == form.interviewee_id.data), None)
        try:
            days = int(get_setting("interview_retention_days", str(iops.DEFAULT_RETENTION_DAYS)))
        except ValueError:
            days = iops.DEFAULT_RETENTION_DAYS
        with attempt(form) as done:
            interview = iops.schedule_interview(
                current_user, consultation, scheduled_at=form.scheduled_at.utc,
                interviewee=person, name=form.name.data or "",
                organisation=form.organisation.data or "", contact=form.contact.data or "",
                retention_days=days)
        if done:
            flash(_("Interview scheduled. Record consent before taking notes."), "success")
            return redirect(url_for("workshops.interview", interview_id=interview.id))
    return render_template("workshops/interview_new.html", form=form)


@bp.get("/interviews/<int:interview_id>")
@writes_on_get
def interview(interview_id: int):
    """The interview and its note (an audited sensitive view)."""
    found = _interview(interview_id)
    _record_view(found, "note")
    return render_template("workshops/interview.html", interview=found,
                           items=iops.key_point_items(found), revisions=revisions_of(found),
                           corrections=corrections_of(found), may_write=found.can_write(current_user),
                           is_interviewee=found.is_interviewee(current_user),
                           correction_form=CorrectionForm(), my_consent_form=_my_consent_form(found),
                           decision_form=DecisionForm(), form=ConfirmForm())


def _my_consent_form(interview: Interview) -> MyConsentForm:
    form = MyConsentForm(formdata=None)
    if interview.has_consent:
        form.analysis.data = "yes" if interview.consent_analysis else "no"
        form.quote.data, form.publish.data = interview.consent_quote, interview.consent_publish
    return form


@bp.get("/interviews/<int:interview_id>/consent-form")
@writes_on_get
def consent_form(interview_id: int):
    """The written consent form, as an attachment (an audited sensitive view)."""
    found = _interview(interview_id)
    if not found.consent_form_name:
        abort(404)
    path = iops.consent_form_folder() / found.consent_form_name
    if not path.is_file():
        abort(404)
    _record_view(found, "consent_form")
    response = Response(path.read_bytes(), mimetype=found.consent_form_mimetype)
    suffix = path.suffix
    response.headers["Content-Disposition"] = f'attachment; filename="consent-form{suffix}"'
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/interviews/<int:interview_id>/consent", methods=["GET", "POST"])
def record_consent(interview_id: int):
    """Record the interviewee's consent: scopes, how and when, and the form if written."""
    found = _writable(interview_id)
    form = ConsentForm(groups=governance_groups())
    if request.method == "GET":
        form.given_at.set_utc(utcnow().replace(second=0, microsecond=0))
    if form.validate_on_submit():
        upload = form.consent_form.data
        content = upload.read() if upload else None
        with attempt(form) as done:
            scope = ConsentScope(analysis=form.analysis.data == "yes", quote=form.quote.data,
                                 publish=form.publish.data,
                                 governed_by_id=int(form.governed_by_id.data)
                                 if form.governed_by_id.data else None)
            iops.record_consent(current_user, found, scope, method=form.method.data,
                                given_at=form.given_at.utc, form_content=content or None)
        if done:
            flash(_("Consent recorded."), "success")
            return redirect(url_for("workshops.interview", interview_id=found.id))
    return render_template("workshops/interview_consent.html", interview=found, form=form)


@bp.route("/interviews/<int:interview_id>/note", methods=["GET", "POST"])
def edit_note(interview_id: int):
    """Write the note: questions asked and key points (a new revision each save)."""
    found = _writable(interview_id)
    form = NoteForm()
    if request.method == "GET":
        form.questions.data = found.questions
        form.key_points.data = "\n".join(item.text for item in iops.key_point_items(found))
    if form.validate_on_submit():
        with attempt(form) as done:
            iops.save_note(current_user, found, questions=form.questions.data or "",
                           key_points=(form.key_points.data or "").splitlines())
        if done:
            flash(_("Note saved."), "success")
            return redirect(url_for("workshops.interview", interview_id=found.id))
    return render_template("workshops/interview_note.html", interview=found, form=form)


@bp.post("/interviews/<int:interview_id>/correction")
def request_correction(interview_id: int):
    """The interviewee asks for a correction."""
    found = _interview(interview_id)
    form = CorrectionForm()
    if form.validate_on_submit():
        with attempt(None) as done:
            iops.request_correction(current_user, found, form.statement.data)
        if done:
            flash(_("Your request is sent to the facilitator."), "success")
    else:
        flash(_("Say what should be corrected."), "error")
    return redirect(url_for("workshops.interview", interview_id=found.id))


@bp.post("/interviews/corrections/<int:correction_id>/decide")
def decide_correction(correction_id: int):
    """The facilitator accepts or refuses a correction."""
    correction = Session.get(CorrectionRequest, correction_id)
    if correction is None or not correction.interview.can_write(current_user):
        abort(404)
    form = DecisionForm()
    if form.validate_on_submit():
        with attempt(None) as done:
            iops.decide_correction(current_user, correction,
                                   accept=form.decision.data == "accept",
                                   response=form.response.data or "")
        if done:
            flash(_("Decision recorded."), "success")
    return redirect(url_for("workshops.interview", interview_id=correction.interview_id))


@bp.post("/interviews/<int:interview_id>/my-consent")
def change_my_consent(interview_id: int):
    """The interviewee narrows or withdraws consent, for every key point at once."""
    found = _interview(interview_id)
    form = MyConsentForm()
    if form.validate_on_submit():
        with attempt(None) as done:
            scope = ConsentScope(analysis=form.analysis.data == "yes", quote=form.quote.data,
                                 publish=form.publish.data)
            iops.change_my_consent(current_user, found, scope)
        if done:
            flash(_("Your consent is changed for every key point of this interview."), "success")
    return redirect(url_for("workshops.interview", interview_id=found.id))
