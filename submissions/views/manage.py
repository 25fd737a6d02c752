"""Submissions: the form builder and the list of submissions, for analysts."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.db import Session
from app.errors import OperationRefused
from app.permissions import object_or_404
from app.queries import get_current_consultation
from app.web.fields import choices
from app.web.pagination import paginate
from app.web.refusals import attempt, undo_refused
from app.web.requests import requested_page
from submissions import operations, queries
from submissions.forms import ActionForm, FormSettingsForm, GuestSettingForm, QuestionForm
from submissions.guest_settings import consultation_allows_guests, set_guest_submissions
from submissions.models import Question
from submissions.views import bp


def _load_form(form_id: int):
    return object_or_404(queries.get_form(form_id), "edit", current_user)


def _load_question(form, question_id: int) -> Question:
    question = Session.get(Question, question_id)
    if question is None or question.version.form_id != form.id:
        abort(404)
    return question


def _question_form(form, obj=None, formdata=None) -> QuestionForm:
    qform = QuestionForm(obj=obj, formdata=formdata)
    candidates = [q for q in form.current_version.answerable
                  if q.kind in ("single_choice", "multiple_choice", "yes_no", "agreement")
                  and (obj is None or q.key != obj.key)]
    qform.show_if_key.choices = choices([("", _("Always show it"))] + [
        (q.key, q.prompt[:80]) for q in candidates])
    if obj is not None and formdata is None:
        qform.options.data = "\n".join(obj.choices or [])
    return qform


@bp.get("/manage")
def manage_forms():
    """Every submission form, and a new one."""
    consultation = get_current_consultation()
    return _index(consultation, FormSettingsForm())


def _index(consultation, settings, guests=None, status: int = 200):
    if guests is None:
        guests = GuestSettingForm(allows_guests=consultation is not None
                                  and consultation_allows_guests(consultation.id))
    return render_template("submissions/manage/index.html", forms=queries.list_forms(),
                           consultation=consultation, settings=settings,
                           guests=guests), status


@bp.post("/manage/guests")
def guest_setting():
    """Whether people without an account may submit to the current consultation."""
    consultation = get_current_consultation()
    if consultation is None:
        abort(404)
    guests = GuestSettingForm()
    if guests.validate_on_submit():
        with attempt(guests) as done:
            set_guest_submissions(current_user, consultation, guests.allows_guests.data)
        if done:
            flash(_("Saved: people without an account may now make a submission.")
                  if guests.allows_guests.data else
                  _("Saved: only people with an account may make a submission."), "success")
            return redirect(url_for("submissions.manage_forms"))
    return _index(consultation, FormSettingsForm(), guests, status=422)


@bp.post("/manage")
def create_form():
    """Create a form for the current consultation."""
    consultation = get_current_consultation()
    settings = FormSettingsForm()
    if consultation is None:
        abort(404)
    if settings.validate_on_submit():
        with attempt(settings) as done:
            form = operations.create_form(current_user, consultation,
                                          title=settings.title.data, intro=settings.intro.data)
        if done:
            return redirect(url_for("submissions.edit_form", submission_form_id=form.id))
    return _index(consultation, settings, status=422)


def _builder(form, *, settings=None, new_question=None, status: int = 200):
    return render_template(
        "submissions/manage/form.html", form=form, version=form.current_version,
        settings=settings or FormSettingsForm(obj=form),
        new_question=new_question or _question_form(form), action=ActionForm()), status


@bp.get("/manage/<int:submission_form_id>")
def edit_form(submission_form_id: int):
    """The form builder: settings, the questions in order, and a new question."""
    return _builder(_load_form(submission_form_id))


@bp.post("/manage/<int:submission_form_id>")
def update_form(submission_form_id: int):
    """Change a form's title and introduction."""
    form = _load_form(submission_form_id)
    settings = FormSettingsForm()
    if settings.validate_on_submit():
        with attempt(settings) as done:
            operations.update_form(current_user, form, title=settings.title.data,
                                   intro=settings.intro.data)
        if done:
            flash(_("Form saved."), "success")
            return redirect(url_for("submissions.edit_form", submission_form_id=form.id))
    return _builder(form, settings=settings, status=422)


@bp.post("/manage/<int:submission_form_id>/questions")
def add_question(submission_form_id: int):
    """Add a question at the end of the form."""
    form = _load_form(submission_form_id)
    qform = _question_form(form, formdata=request.form)
    if qform.validate_on_submit():
        with attempt(qform) as done:
            operations.add_question(current_user, form, qform.data_for_operation())
        if done:
            flash(_("Question added."), "success")
            return redirect(url_for("submissions.edit_form", submission_form_id=form.id)
                            + "#questions")
    return _builder(form, new_question=qform, status=422)


@bp.route("/manage/<int:submission_form_id>/questions/<int:submission_question_id>",
          methods=["GET", "POST"])
def edit_question(submission_form_id: int, submission_question_id: int):
    """Change one question."""
    form = _load_form(submission_form_id)
    question = _load_question(form, submission_question_id)
    qform = _question_form(form, obj=question,
                           formdata=request.form if request.method == "POST" else None)
    if request.method == "POST" and qform.validate_on_submit():
        with attempt(qform) as done:
            operations.update_question(current_user, form, question.key,
                                       qform.data_for_operation())
        if done:
            flash(_("Question saved."), "success")
            return redirect(url_for("submissions.edit_form", submission_form_id=form.id)
                            + "#questions")
    status = 422 if request.method == "POST" else 200
    return render_template("submissions/manage/question.html", form=form, question=question,
                           qform=qform), status


def _question_action(submission_form_id: int, submission_question_id: int, do):
    form = _load_form(submission_form_id)
    question = _load_question(form, submission_question_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        do(form, question)
    except OperationRefused as error:
        flash(undo_refused(error), "error")
    else:
        Session.commit()
    return redirect(url_for("submissions.edit_form", submission_form_id=form.id)
                    + f"#question-{question.key}")


@bp.post("/manage/<int:submission_form_id>/questions/<int:submission_question_id>/move")
def move_question(submission_form_id: int, submission_question_id: int):
    """Move a question up or down (buttons, so the keyboard reorders as well as a mouse)."""
    direction = request.form.get("direction", "")
    return _question_action(submission_form_id, submission_question_id, lambda form, q: (
        operations.move_question(current_user, form, q.key, direction)))


@bp.post("/manage/<int:submission_form_id>/questions/<int:submission_question_id>/delete")
def delete_question(submission_form_id: int, submission_question_id: int):
    """Remove a question from the form."""
    return _question_action(submission_form_id, submission_question_id, lambda form, q: (
        operations.delete_question(current_user, form, q.key)))


@bp.get("/manage/<int:submission_form_id>/preview")
def preview_form(submission_form_id: int):
    """The form exactly as submitters will see it (nothing can be saved from here)."""
    form = _load_form(submission_form_id)
    return render_template(
        "submissions/draft.html", draft=None, form=form, version=form.current_version,
        values={"answers": {}, "consent": {}, "details": {}}, errors={}, conflict=None,
        action=ActionForm(), submission=None, groups=queries.governance_groups(), preview=True)


@bp.post("/manage/<int:submission_form_id>/publish")
def publish_form(submission_form_id: int):
    """Publish or unpublish a form."""
    form = _load_form(submission_form_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        operations.publish_form(current_user, form, publish=request.form.get("publish") != "no")
    except OperationRefused as error:
        flash(undo_refused(error), "error")
    else:
        Session.commit()
        flash(_("Form published.") if form.is_published else _("Form unpublished."), "success")
    return redirect(url_for("submissions.edit_form", submission_form_id=form.id))


@bp.get("/manage/<int:submission_form_id>/submissions")
def list_submissions(submission_form_id: int):
    """A form's submissions (newest first, a page at a time), marking unconfirmed email
    addresses."""
    form = _load_form(submission_form_id)
    page = paginate(queries.form_submissions(form), requested_page())
    return render_template("submissions/manage/submissions.html", form=form, page=page)
