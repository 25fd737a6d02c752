"""Oversight: the audit log page and its CSV export (admin and advisory, see the MATRIX).

Reading the log is itself recorded ("audit.viewed", "export.created"): the only GETs here that
write, because who looked at the log is part of the log.
"""
from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    current_app,
    render_template,
    request,
    stream_with_context,
)
from flask_babel import gettext as _
from flask_login import current_user

from app.db import Session, utcnow, writes_on_get
from app.errors import render_error
from app.extensions import limiter
from app.privacy import presenting, queries
from app.privacy.audit import record_event
from app.privacy.forms import AuditFilterForm, page_cursor
from app.privacy.queries import AuditFilters
from app.spreadsheets import iter_csv
from app.web.requests import client_ip

bp = Blueprint("privacy", __name__)

_FILTER_FIELDS = ("action", "actor", "target_type", "person", "date_from", "date_to")


def _filter_form() -> tuple[AuditFilterForm, AuditFilters | None]:
    """The filter form read from the query string, and its filters (None when invalid)."""
    form = AuditFilterForm(formdata=request.args)
    if not any(request.args.get(name) for name in _FILTER_FIELDS):
        return form, AuditFilters()
    if not form.validate():
        return form, None
    return form, form.to_filters(current_app.config["BABEL_DEFAULT_TIMEZONE"])


def _filter_args() -> dict:
    """The filters as query-string arguments, to carry into paging and export links."""
    return {name: request.args[name] for name in _FILTER_FIELDS if request.args.get(name)}


def _cursor(name: str) -> int | None:
    """The before=/after= paging cursor, None when absent; ValueError when malformed."""
    value = request.args.get(name)
    return None if value in (None, "") else page_cursor(value)


@bp.get("/audit")
@writes_on_get
def audit_log():
    """The audit log, newest first, filtered and paged; each view is itself recorded."""
    form, filters = _filter_form()
    try:
        before, after = _cursor("before"), _cursor("after")
    except ValueError:
        return render_error(400, detail=_("That page link is not valid (it names no page of "
                                          "the audit log). Start again from the first page."))
    page = events = person_name = None
    if filters is not None:
        page = queries.get_audit_page(filters, before=before, after=after)
        events = presenting.describe_page(page.events)
        person_name = presenting.person_name(filters.person_id)
        detail = {"filters": filters.describe()}
        if before or after:
            detail["page"] = {"before": before, "after": after}
        record_event(current_user, "audit.viewed", detail=detail, ip=client_ip())
        Session.commit()
    # Filters that do not make sense come back with their messages and a 400, as any refused
    # input does.
    status = 200 if filters is not None else 400
    return render_template("privacy/audit_log.html", form=form, page=page, events=events,
                           person_name=person_name, filter_args=_filter_args()), status


@bp.get("/audit/export.csv")
@writes_on_get
@limiter.limit("30 per minute")
def export_audit_log():
    """The filtered audit log as a CSV download, streamed, with formula cells escaped."""
    form, filters = _filter_form()
    if filters is None:
        return render_template("privacy/audit_log.html", form=form, page=None, events=None,
                               person_name=None, filter_args=_filter_args()), 400
    record_event(current_user, "export.created", ip=client_ip(),
                 detail={"export": "audit_log", "filters": filters.describe()})
    Session.commit()  # the export is on record before a single row leaves
    rows = queries.audit_csv_rows(filters, current_app.config["BABEL_DEFAULT_TIMEZONE"])
    filename = f"audit-log-{utcnow():%Y%m%d-%H%M%S}.csv"
    return Response(
        stream_with_context(iter_csv(queries.AUDIT_CSV_HEADER, rows)),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
