"""Building a submission form: questions, order, conditions, publishing, versions.

A version that has submissions is frozen: the first edit after that copies it into a new
version (`_editable_version`), and the edit is made there. Questions keep their KEY across
versions, so conditions and FeedbackItem.question_key stay meaningful.
"""
from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import exists, select

from app.db import Session, utcnow
from app.errors import OperationRefused
from app.privacy.audit import record_event
from submissions.models import (
    CHOICE_KINDS,
    QUESTION_KINDS,
    FormVersion,
    Question,
    Submission,
    SubmissionForm,
)

MAX_CHOICES = 30


def _require_analyst(actor) -> None:
    if actor is None or not actor.has_role("analyst"):
        raise OperationRefused(_("Only analysts may build submission forms."))


def create_form(actor, consultation, *, title: str, intro: str = "") -> SubmissionForm:
    """A new, unpublished form for CONSULTATION with an empty version 1. Analysts only."""
    _require_analyst(actor)
    title = (title or "").strip()
    if not title:
        raise OperationRefused(_("Give the form a title."), field="title")
    form = SubmissionForm(consultation_id=consultation.id, title=title[:200],
                          intro=(intro or "").strip(),
                          status="draft", created_by_id=actor.id, created_at=utcnow())
    form.versions.append(FormVersion(number=1, created_at=utcnow()))
    Session.add(form)
    Session.flush()
    record_event(actor, "submissions.form_created", target=form)
    return form


def update_form(actor, form: SubmissionForm, *, title: str, intro: str) -> SubmissionForm:
    """Change a form's title and introduction. (Whether people without an account may submit
    is the consultation's setting: submissions.guest_settings.)"""
    _require_analyst(actor)
    if not (title or "").strip():
        raise OperationRefused(_("Give the form a title."), field="title")
    form.title, form.intro = title.strip()[:200], (intro or "").strip()
    Session.flush()
    return form


def has_submissions(version: FormVersion) -> bool:
    return bool(Session.scalar(select(exists().where(Submission.version_id == version.id))))


def _editable_version(form: SubmissionForm) -> FormVersion:
    """The version edits go to: the current one, or a copy of it once it has submissions."""
    current = form.current_version
    if not has_submissions(current):
        return current
    copy = FormVersion(number=current.number + 1, created_at=utcnow())
    for q in current.questions:
        copy.questions.append(Question(
            key=q.key, position=q.position, kind=q.kind, prompt=q.prompt,
            help_text=q.help_text, is_required=q.is_required, max_chars=q.max_chars,
            choices=list(q.choices or []), show_if_key=q.show_if_key,
            show_if_value=q.show_if_value))
    form.versions.append(copy)
    Session.flush()
    return copy


def _question_in(version: FormVersion, key: str) -> Question:
    for q in version.questions:
        if q.key == key:
            return q
    raise OperationRefused(_("That question is no longer on the form."))


def _clean(version: FormVersion, data: dict, key: str | None = None) -> dict:
    kind = data.get("kind", "")
    if kind not in QUESTION_KINDS:
        raise OperationRefused(_("Choose a kind of question from the list."), field="kind")
    prompt = (data.get("prompt") or "").strip()
    if not prompt:
        raise OperationRefused(_("Write the question (or the section's heading)."),
                               field="prompt")
    choices = [c.strip() for c in (data.get("choices") or []) if c and c.strip()]
    choices = list(dict.fromkeys(choices))
    if kind in CHOICE_KINDS and len(choices) < 2:
        raise OperationRefused(_("Give at least two choices, one a line."), field="choices")
    if len(choices) > MAX_CHOICES:
        raise OperationRefused(_("Give at most %(n)d choices.", n=MAX_CHOICES), field="choices")
    max_chars = data.get("max_chars") or None
    if max_chars is not None and (not isinstance(max_chars, int) or max_chars < 1):
        raise OperationRefused(_("A character limit is a whole number above 0, or empty."),
                               field="max_chars")
    show_if_key = data.get("show_if_key") or None
    show_if_value = (data.get("show_if_value") or "").strip() or None
    if show_if_key:
        if show_if_key == key:
            raise OperationRefused(_("A question cannot depend on itself."), field="show_if_key")
        target = _question_in(version, show_if_key)
        values = [v for v, _label in target.options]
        if target.kind not in ("single_choice", "yes_no", "agreement", "multiple_choice") or (
                show_if_value not in values):
            raise OperationRefused(_("Show this question only after a choice question, naming "
                                     "one of its answers."), field="show_if_value")
    else:
        show_if_value = None
    return {"kind": kind, "prompt": prompt, "help_text": (data.get("help_text") or "").strip(),
            "is_required": bool(data.get("is_required")) and kind != "section",
            "max_chars": max_chars if kind in ("short_text", "long_text") else None,
            "choices": choices if kind in CHOICE_KINDS else [],
            "show_if_key": show_if_key, "show_if_value": show_if_value}


def add_question(actor, form: SubmissionForm, data: dict) -> Question:
    """Add a question (or section heading) at the end of the form's editable version."""
    _require_analyst(actor)
    version = _editable_version(form)
    values = _clean(version, data)
    taken = {q.key for f_version in form.versions for q in f_version.questions}
    n = len(taken) + 1
    while f"q{n}" in taken:
        n += 1
    position = max((q.position for q in version.questions), default=0) + 1
    question = Question(key=f"q{n}", position=position, **values)
    version.questions.append(question)
    Session.flush()
    record_event(actor, "submissions.form_edited", target=form,
                 detail={"version": version.number, "added": question.key})
    return question


def update_question(actor, form: SubmissionForm, key: str, data: dict) -> Question:
    """Change question KEY (in a new version when the current one has submissions)."""
    _require_analyst(actor)
    version = _editable_version(form)
    question = _question_in(version, key)
    for name, value in _clean(version, data, key).items():
        setattr(question, name, value)
    Session.flush()
    record_event(actor, "submissions.form_edited", target=form,
                 detail={"version": version.number, "changed": key})
    return question


def move_question(actor, form: SubmissionForm, key: str, direction: str) -> Question:
    """Swap question KEY with its neighbour above ("up") or below ("down")."""
    _require_analyst(actor)
    version = _editable_version(form)
    ordered = list(version.questions)
    question = _question_in(version, key)
    index = ordered.index(question)
    other = index - 1 if direction == "up" else index + 1
    if direction not in ("up", "down") or not 0 <= other < len(ordered):
        raise OperationRefused(_("That question cannot move further that way."))
    neighbour = ordered[other]
    question.position, neighbour.position = neighbour.position, question.position
    Session.flush()
    Session.expire(version, ["questions"])
    return question


def delete_question(actor, form: SubmissionForm, key: str) -> None:
    """Remove question KEY from the editable version; refuses while another depends on it."""
    _require_analyst(actor)
    version = _editable_version(form)
    question = _question_in(version, key)
    if any(q.show_if_key == key for q in version.questions):
        raise OperationRefused(_("Another question is shown depending on this one: change "
                                 "that condition first."))
    version.questions.remove(question)
    Session.flush()
    record_event(actor, "submissions.form_edited", target=form,
                 detail={"version": version.number, "removed": key})


def publish_form(actor, form: SubmissionForm, *, publish: bool = True) -> SubmissionForm:
    """Publish (or unpublish) FORM. Refuses a form with nothing to answer."""
    _require_analyst(actor)
    if publish and not form.current_version.answerable:
        raise OperationRefused(_("Add at least one question before publishing."))
    form.status = "published" if publish else "draft"
    Session.flush()
    record_event(actor, "submissions.form_published" if publish else
                 "submissions.form_unpublished", target=form)
    return form
