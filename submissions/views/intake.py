"""The public submit path of deadline day: load the form, submit it, see the receipt.

GET renders the form (no draft row: the answers live in the page, with an idempotency key);
POST stores the submission in one short transaction (submissions.intake) and redirects to the
receipt. When the database is too busy to take it within INTAKE_BUSY_TIMEOUT_MS, the person
gets a polite 503 page with their answers still in the form and a Retry-After, never a 500.
"""
from __future__ import annotations

import logging
import sqlite3

from flask import (
    abort,
    current_app,
    has_request_context,
    redirect,
    render_template,
    request,
    url_for,
)
from flask import session as cookie_session
from flask_login import current_user
from sqlalchemy import event
from sqlalchemy import exc as sa_exc
from sqlalchemy.pool import Pool

from app.db import SQLITE_BUSY_TIMEOUT_MS, Session
from app.web.requests import client_ip
from submissions import intake, sweeper
from submissions.answers import read_answers, read_consent
from submissions.forms import ActionForm
from submissions.views import bp

log = logging.getLogger("korero.submissions.intake")
GUEST_SUBMISSIONS = "submissions.guest_submissions"  # ids this browser submitted (signed cookie)
INTAKE_ENDPOINTS = frozenset({"submissions.intake_submit"})
BUSY_TIMEOUT_KEY = "korero.busy_timeout_ms"


@event.listens_for(Pool, "checkout")
def _short_busy_timeout(dbapi_connection, record, _proxy):
    """On the submit path, wait for SQLite's write lock only briefly: past that the person is
    better served by the busy page than by a request hanging for ten seconds. The PRAGMA runs
    only when the connection's timeout must change (every request checks a connection out;
    most want the one it already has). The record's info lasts as long as the connection."""
    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    wanted = SQLITE_BUSY_TIMEOUT_MS
    if has_request_context() and request.endpoint in INTAKE_ENDPOINTS:
        wanted = int(current_app.config.get("INTAKE_BUSY_TIMEOUT_MS", 2000))
    if record.info.get(BUSY_TIMEOUT_KEY) != wanted:
        dbapi_connection.execute(f"PRAGMA busy_timeout={int(wanted)}")
        record.info[BUSY_TIMEOUT_KEY] = wanted


def _posted(snapshot) -> dict:
    formdata = request.form
    return {"key": formdata.get("idempotency_key", ""),
            "answers": read_answers(snapshot.version, formdata),
            "consent": read_consent(formdata),
            "details": {"guest_name": formdata.get("guest_name", ""),
                        "guest_email": formdata.get("guest_email", "")}}


def _page(snapshot, values: dict, *, errors=None, busy: bool = False, status: int = 200):
    response = current_app.make_response((render_template(
        "submissions/intake_form.html", form=snapshot.form, version=snapshot.version,
        groups=snapshot.groups, values=values, errors=errors or {}, busy=busy,
        action=ActionForm()), status))
    if busy:
        response.headers["Retry-After"] = str(current_app.config.get("INTAKE_RETRY_AFTER", 60))
    return response


def _snapshot_or_404(form_id: int):
    snapshot = intake.form_snapshot(form_id)
    if snapshot is None:
        abort(404)
    return snapshot


@bp.get("/forms/<int:submission_form_id>/submit")
def intake_form(submission_form_id: int):
    """The whole form on one page, for a person without an account (signed-in people use
    their drafts)."""
    if current_user.is_authenticated:
        return redirect(url_for("submissions.start", submission_form_id=submission_form_id))
    snapshot = _snapshot_or_404(submission_form_id)
    values = {"key": intake.new_key(), "answers": {}, "consent": {},
              "details": {"guest_name": "", "guest_email": ""}}
    return _page(snapshot, values)


@bp.post("/forms/<int:submission_form_id>/submit")
def intake_submit(submission_form_id: int):
    """Store the submission (one transaction) and show its receipt; the same key twice
    gives the same receipt."""
    if current_user.is_authenticated:
        return redirect(url_for("submissions.start", submission_form_id=submission_form_id))
    try:
        snapshot = _snapshot_or_404(submission_form_id)
        values = _posted(snapshot)
        receipt = intake.receive(snapshot, address=client_ip(), **values)
    except intake.IntakeRefused as refused:
        Session.rollback()
        return _page(snapshot, values, errors=refused.errors, status=422)
    except (sa_exc.OperationalError, sa_exc.TimeoutError) as error:
        if not _is_busy(error):
            raise
        Session.rollback()
        log.warning("intake busy: %s", error)
        if "snapshot" not in locals() or "values" not in locals():
            return render_template("submissions/busy.html"), 503, {"Retry-After": "60"}
        return _page(snapshot, values, busy=True, status=503)
    cookie_session[GUEST_SUBMISSIONS] = [
        *cookie_session.get(GUEST_SUBMISSIONS, [])[-19:], receipt.submission_id]
    sweeper.request_sweep()
    return redirect(url_for("submissions.receipt", submission_id=receipt.submission_id), 303)


def _is_busy(error: Exception) -> bool:
    """SQLite's lock not granted in time, or no PostgreSQL connection free in time."""
    if isinstance(error, sa_exc.TimeoutError):
        return True
    text = str(getattr(error, "orig", error)).lower()
    return "locked" in text or "busy" in text or "too many clients" in text


def submitted_here(submission_id: int) -> bool:
    """Whether this browser made that submission through the intake form."""
    return submission_id in cookie_session.get(GUEST_SUBMISSIONS, [])
