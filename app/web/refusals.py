"""Showing an operation's refusal: the one way every view does it."""
from __future__ import annotations

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
