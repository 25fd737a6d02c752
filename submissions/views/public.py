"""Submissions: the pages submitters use (with or without an account)."""
from __future__ import annotations

from flask import (
    abort,
    flash,
    jsonify,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.exc import IntegrityError

from app.db import Session
from app.errors import OperationRefused
from app.permissions import object_or_404
from app.queries import get_current_consultation
from app.web import dates
from app.web.refusals import attempt, undo_refused
from app.web.requests import client_ip
from submissions import queries
from submissions.answers import read_answers, read_consent
from submissions.forms import ActionForm
from submissions.models import Attachment, Draft, Submission
from submissions.operations import (
    DraftConflict,
    confirm_guest_email,
    save_draft,
    start_draft,
    submit_draft,
    withdraw_submission,
)
from submissions.operations import add_attachment as add_attachment_op
from submissions.operations import delete_attachment as delete_attachment_op
from submissions.operations.drafts import find_submission
from submissions.receipts import answer_rows, receipt_pdf, submission_for_token
from submissions.sweeper import request_sweep
from submissions.views import bp
from submissions.views.intake import submitted_here

GUEST_DRAFTS = "submissions.guest_drafts"  # the signed session's list of a guest's draft ids


def _actor():
    return current_user if current_user.is_authenticated else None


def guest_may(draft_id: int | None) -> bool:
    """A person without an account reaches only the drafts started in their own session."""
    return draft_id is not None and draft_id in session.get(GUEST_DRAFTS, [])


def _load_draft(draft_id: int) -> Draft:
    draft = Session.get(Draft, draft_id)
    if draft is None or not (draft.can_edit(current_user)
                             or (draft.is_guest and guest_may(draft.id))):
        abort(404)
    return draft


def _load_submission(submission_id: int) -> Submission:
    submission = Session.get(Submission, submission_id)
    if submission is None or not (submission.can_view(current_user) or (
            submission.is_guest and (guest_may(submission.draft_id)
                                     or submitted_here(submission.id)))):
        abort(404)
    return submission


@bp.get("/")
def index():
    """The submission forms of the current consultation, and your drafts and submissions."""
    consultation = get_current_consultation()
    forms = queries.list_forms(consultation.id, published_only=True) if consultation else []
    drafts = submissions = []
    if current_user.is_authenticated:
        drafts = queries.list_drafts_for(current_user)
        submissions = queries.list_submissions_for(current_user)
    return render_template("submissions/index.html", consultation=consultation, forms=forms,
                           drafts=drafts, submissions=submissions)


@bp.get("/forms/<int:submission_form_id>")
def start(submission_form_id: int):
    """A published form's introduction and the ways to start a submission."""
    form = object_or_404(queries.get_form(submission_form_id), "view", current_user)
    return render_template("submissions/start.html", form=form, action=ActionForm())


@bp.post("/forms/<int:submission_form_id>/start")
def create_draft(submission_form_id: int):
    """Start a draft, for yourself or for one of your organisations."""
    form = object_or_404(queries.get_form(submission_form_id), "view", current_user)
    if not ActionForm().validate_on_submit():
        abort(400)
    organisation = None
    on_behalf = request.form.get("on_behalf", "self")
    if current_user.is_authenticated and on_behalf.isdigit():
        organisation = next((o for o in current_user.organisations if o.id == int(on_behalf)),
                            None)
        if organisation is None:
            abort(404)
    with attempt(None) as done:
        draft = start_draft(_actor(), form, organisation=organisation)
    if not done:
        return redirect(url_for("submissions.start", submission_form_id=form.id))
    if draft.is_guest:
        session[GUEST_DRAFTS] = [*session.get(GUEST_DRAFTS, [])[-19:], draft.id]
    return redirect(url_for("submissions.edit_draft", submission_draft_id=draft.id))


def _page(draft: Draft, *, status: int = 200, posted: dict | None = None, errors=None,
          conflict: dict | None = None):
    values = posted or {"answers": draft.answers or {}, "consent": draft.consent or {},
                        "details": {"guest_name": draft.guest_name,
                                    "guest_email": draft.guest_email,
                                    "submitter_role": draft.submitter_role,
                                    "is_authorised": draft.is_authorised}}
    return render_template(
        "submissions/draft.html", draft=draft, form=draft.form, version=draft.form_version,
        values=values, errors=errors or {}, conflict=conflict, action=ActionForm(),
        submission=find_submission(draft), groups=queries.governance_groups(),
        preview=False), status


def _posted(draft: Draft) -> dict:
    formdata = request.form
    return {"answers": read_answers(draft.form_version, formdata),
            "consent": read_consent(formdata),
            "details": {"guest_name": formdata.get("guest_name", ""),
                        "guest_email": formdata.get("guest_email", ""),
                        "submitter_role": formdata.get("submitter_role", ""),
                        "is_authorised": formdata.get("is_authorised") == "yes"}}


def _same_as_saved(draft: Draft, posted: dict) -> bool:
    details = posted["details"]
    return (posted["answers"] == (draft.answers or {})
            and posted["consent"] == (draft.consent or {})
            and details["guest_name"].strip() == draft.guest_name
            and details["guest_email"].strip() == draft.guest_email
            and details["submitter_role"].strip() == draft.submitter_role
            and details["is_authorised"] == draft.is_authorised)


def _save(draft: Draft, posted: dict) -> None:
    """Save POSTED unless it is what is saved already (a retried or repeated request)."""
    if _same_as_saved(draft, posted):
        return
    base = request.form.get("base_version", "")
    save_draft(_actor(), draft, base_version=int(base) if base.isdigit() else -1,
               answers=posted["answers"], consent=posted["consent"], details=posted["details"])


@bp.get("/drafts/<int:submission_draft_id>")
def edit_draft(submission_draft_id: int):
    """The submission page: the questions with the draft's answers."""
    return _page(_load_draft(submission_draft_id))


@bp.post("/drafts/<int:submission_draft_id>")
def save(submission_draft_id: int):
    """Save the draft ("save") or save and submit it ("submit"); a conflict shows both."""
    draft = _load_draft(submission_draft_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    posted = _posted(draft)
    try:
        _save(draft, posted)
    except DraftConflict:
        Session.rollback()
        draft = _load_draft(submission_draft_id)
        return _page(draft, status=409, posted=posted, conflict={
            "answers": draft.answers or {}, "by": draft.changes[0].user if draft.changes else None,
            "at": draft.updated_at})
    except OperationRefused as error:
        message = undo_refused(error)
        return _page(_load_draft(submission_draft_id), status=422, posted=posted,
                     errors={"_form": message})
    if request.form.get("action") != "submit":
        Session.commit()
        flash(_("Draft saved."), "success")
        return redirect(url_for("submissions.edit_draft", submission_draft_id=draft.id))
    return _submit(draft, posted)


def _submit(draft: Draft, posted: dict):
    group_ids = {g.id for g in queries.governance_groups()}
    try:
        submission, _changed = submit_draft(_actor(), draft, group_ids=group_ids)
        Session.commit()
    except OperationRefused as error:
        message = undo_refused(error)
        return _page(_load_draft(draft.id), status=422, posted=posted,
                     errors={(error.field or "_form"): message})
    except IntegrityError:  # the same submit, committed by a parallel request first
        Session.rollback()
        submission = find_submission(_load_draft(draft.id))
        if submission is None:
            raise
    request_sweep()
    return redirect(url_for("submissions.receipt", submission_id=submission.id))


@bp.post("/drafts/<int:submission_draft_id>/autosave")
def autosave(submission_draft_id: int):
    """Save the draft from the page's script: JSON with the new version, or 409."""
    draft = _load_draft(submission_draft_id)
    if not ActionForm().validate_on_submit():
        return jsonify(error=_("The page expired: reload it.")), 400
    posted = _posted(draft)
    try:
        _save(draft, posted)
    except DraftConflict:
        Session.rollback()
        return jsonify(error=_("Someone else saved this draft. Use “Save draft” to compare "
                               "both versions.")), 409
    except OperationRefused as error:
        return jsonify(error=undo_refused(error)), 422
    Session.commit()
    # Seconds matter here ("saved at 2:05:31pm"): the page says when it last saved.
    return jsonify(version=draft.version,
                   saved_at=dates.to_local(draft.updated_at).strftime("%H:%M:%S"))


@bp.get("/receipts/<int:submission_id>")
def receipt(submission_id: int):
    """The receipt: the reference, the answers and what can still be done."""
    submission = _load_submission(submission_id)
    return render_template("submissions/receipt.html", submission=submission,
                           rows=answer_rows(submission), action=ActionForm())


@bp.get("/receipts/<int:submission_id>/pdf")
def receipt_download(submission_id: int):
    """The receipt as a PDF download."""
    submission = _load_submission(submission_id)
    response = make_response(receipt_pdf(submission))
    response.headers["Content-Type"] = "application/pdf"
    response.headers["Content-Disposition"] = (
        f'attachment; filename="{submission.reference}.pdf"')
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.post("/receipts/<int:submission_id>/withdraw")
def withdraw(submission_id: int):
    """Withdraw a submission and every piece of feedback made from it."""
    submission = _load_submission(submission_id)
    if not submission.can_edit(current_user) and not submission.is_guest:
        abort(404)
    if not ActionForm().validate_on_submit():
        abort(400)
    with attempt(None) as done:
        # A guest reached it through their own signed session (_load_submission): the
        # corpus is told how they were verified.
        withdraw_submission(_actor(), submission, ip=client_ip(),
                            verified_by="receipt_link" if submission.is_guest else None)
    if not done:
        return redirect(url_for("submissions.receipt", submission_id=submission.id))
    flash(_("Your submission is withdrawn: it will not be read, counted or quoted."), "success")
    return redirect(url_for("submissions.receipt", submission_id=submission.id))


@bp.get("/confirm/<token>")
def confirm_email(token: str):
    """The emailed link: a button confirms the address (a GET changes nothing)."""
    submission = submission_for_token(token)
    if submission is None:
        abort(404)
    return render_template("submissions/confirm.html", submission=submission,
                           action=ActionForm(), token=token)


@bp.post("/confirm/<token>")
def confirm_email_post(token: str):
    """Confirm a guest's email address."""
    submission = submission_for_token(token)
    if submission is None:
        abort(404)
    if not ActionForm().validate_on_submit():
        abort(400)
    confirm_guest_email(submission)
    Session.commit()
    flash(_("Thank you: your email address is confirmed."), "success")
    return redirect(url_for("submissions.confirm_email", token=token))


def _load_attachment(attachment_id: int) -> Attachment:
    attachment = Session.get(Attachment, attachment_id)
    if attachment is None:
        abort(404)
    draft = attachment.draft
    submission = find_submission(draft)
    if not (draft.can_edit(current_user) or (draft.is_guest and guest_may(draft.id))
            or (submission is not None and submission.can_view(current_user))):
        abort(404)
    return attachment


@bp.post("/drafts/<int:submission_draft_id>/attachments")
def add_attachment(submission_draft_id: int):
    """Attach a file (PDF, DOCX, ODT or TXT) to a draft."""
    draft = _load_draft(submission_draft_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    upload = request.files.get("file")
    with attempt(None) as done:
        add_attachment_op(_actor(), draft, filename=upload.filename if upload else "",
                          content=upload.read() if upload else b"")
    if done:
        flash(_("File attached."), "success")
    return redirect(url_for("submissions.edit_draft", submission_draft_id=draft.id)
                    + "#attachments")


@bp.get("/attachments/<int:submission_attachment_id>")
def download_attachment(submission_attachment_id: int):
    """An attached file, always as a download."""
    from submissions.attachments import KINDS, read

    attachment = _load_attachment(submission_attachment_id)
    response = make_response(read(attachment.stored_name))
    response.headers["Content-Type"] = KINDS[attachment.kind]
    response.headers["Content-Disposition"] = content_disposition(attachment.filename)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    return response


def content_disposition(filename: str) -> str:
    """attachment; with an ASCII fallback name and the real one RFC 5987 encoded."""
    from urllib.parse import quote

    fallback = "".join(ch if ch.isascii() and ch.isalnum() or ch in "._-" else "_"
                       for ch in filename) or "attachment"
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename)}"


@bp.post("/attachments/<int:submission_attachment_id>/delete")
def delete_attachment(submission_attachment_id: int):
    """Remove an attached file from a draft."""
    attachment = _load_attachment(submission_attachment_id)
    draft = attachment.draft
    if not (draft.can_edit(current_user) or (draft.is_guest and guest_may(draft.id))):
        abort(404)
    if not ActionForm().validate_on_submit():
        abort(400)
    with attempt(None) as done:
        delete_attachment_op(_actor(), attachment)
    if done:
        flash(_("File removed."), "success")
    return redirect(url_for("submissions.edit_draft", submission_draft_id=draft.id)
                    + "#attachments")
