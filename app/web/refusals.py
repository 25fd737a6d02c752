"""Showing an operation's refusal: the one way every view does it."""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from flask import flash
from flask_wtf import FlaskForm

from app.db import Session
from app.errors import OperationRefused


def undo_refused(error: OperationRefused) -> str:
    """Roll back what the refused operation flushed; the message for the person.
    (CLI commands: `raise click.ClickException(undo_refused(error))`.)"""
    Session.rollback()
    return str(error)


def show_refusal(form: FlaskForm | None, error: OperationRefused) -> None:
    """Undo the refused attempt and tell the person what to fix.

    Rolls the session back, so nothing the operation flushed before refusing is committed by
    a later commit in the same request. (A view that must keep a record of the refusal, such
    as the audit event of a failed sign-in, commits it *before* calling this.) The message
    goes against its field when the error names one the form has, otherwise at the top of
    the form (form_errors, which the error_summary macro lists); with no form at all (a bare
    button) it is flashed. The form is not touched otherwise, so everything typed is shown
    again.
    """
    message = undo_refused(error)
    if form is None:
        flash(message, "error")
        return
    if error.field and error.field in form:
        field = form[error.field]
        # WTForms leaves a tuple when no validator ran on the field: make it a list.
        field.errors = [*field.errors, message]
    else:
        form.form_errors.append(message)


class Outcome:
    """What `attempt` yields: true once the operation ran and its work is committed."""

    def __init__(self) -> None:
        self.committed = False

    def __bool__(self) -> bool:
        return self.committed


@contextmanager
def attempt(form: FlaskForm | None) -> Iterator[Outcome]:
    """Run a view's operation and commit it once, or show its refusal on the form.

        with attempt(form) as done:
            workshop = ops.create_workshop(current_user, consultation, data)
        if done:
            flash(...)
            return redirect(...)
        return render_template(...)   # refused: the form again, with the message

    An OperationRefused raised in the block is shown as `show_refusal` shows it (the session
    rolled back, the message against its field) and goes no further; any other exception
    propagates untouched. Views that must commit something even when refused (the audit event
    of a failed sign-in) keep their own try/except.
    """
    outcome = Outcome()
    try:
        yield outcome
    except OperationRefused as error:
        show_refusal(form, error)
        return
    Session.commit()
    outcome.committed = True
