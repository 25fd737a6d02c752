"""Running a workshop: the roster, check-in on the day, roster exports and the outputs."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.corpus.scope import ConsentScope
from app.db import Session, writes_on_get
from app.permissions import object_or_404
from app.privacy.audit import record_event
from app.spreadsheets import Sheet, iter_csv, xlsx_response
from app.web.refusals import attempt
from app.web.requests import client_ip
from workshops import facilitators as staffing
from workshops import operations as ops
from workshops.exports import ROSTER_HEADER, roster_rows
from workshops.forms import AddFacilitatorForm, ConfirmForm, OutputForm, WithdrawOutputForm
from workshops.models import Booking, Workshop, WorkshopOutput
from workshops.queries import governance_groups, output_item, outputs_of, roster
from workshops.views import bp


@bp.get("/<int:workshop_id>/roster")
def roster_page(workshop_id: int):
    """Bookings, waitlist and access needs, with one-tap check-in."""
    workshop = object_or_404(Session.get(Workshop, workshop_id), "manage", current_user)
    return render_template("workshops/roster.html", workshop=workshop, rows=roster(workshop),
                           form=ConfirmForm())


@bp.route("/<int:workshop_id>/facilitators", methods=["GET", "POST"])
def facilitators(workshop_id: int):
    """Who runs this workshop; its facilitators (or an admin) add another facilitator."""
    from app.models import User

    workshop = object_or_404(Session.get(Workshop, workshop_id), "manage", current_user)
    form = AddFacilitatorForm(candidates=staffing.candidates_for(workshop))
    if form.validate_on_submit():
        person = Session.get(User, int(form.user_id.data))
        with attempt(form) as done:
            staffing.add_facilitator(current_user, workshop, person)
        if done:
            flash(_("%(name)s now runs this workshop.", name=person.display_name), "success")
            return redirect(url_for("workshops.facilitators", workshop_id=workshop.id))
    return render_template("workshops/facilitators.html", workshop=workshop, form=form,
                           people=staffing.facilitators_of(workshop), confirm=ConfirmForm())


@bp.post("/<int:workshop_id>/facilitators/remove")
def remove_facilitator(workshop_id: int):
    """Take one facilitator off the workshop (the user id is in the form)."""
    from app.models import User

    workshop = object_or_404(Session.get(Workshop, workshop_id), "manage", current_user)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    raw = request.form.get("user_id", "")
    person = Session.get(User, int(raw)) if raw.isdigit() else None
    with attempt(None) as done:
        staffing.remove_facilitator(current_user, workshop, person)
    if done:
        flash(_("%(name)s no longer runs this workshop.", name=person.display_name), "success")
        if not workshop.can_manage(current_user):  # they took themselves off
            return redirect(url_for("workshops.show", workshop_id=workshop.id))
    return redirect(url_for("workshops.facilitators", workshop_id=workshop.id))


@bp.post("/bookings/<int:booking_id>/attendance")
def check_in(booking_id: int):
    """Mark one confirmed person attended or a no-show (or clear it)."""
    booking = object_or_404(Session.get(Booking, booking_id), "view", current_user)
    if not booking.workshop.can_manage(current_user):
        abort(404)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    value = request.form.get("attendance") or None
    with attempt(None):
        ops.set_attendance(current_user, booking, value)
    return redirect(url_for("workshops.roster_page", workshop_id=booking.workshop_id)
                    + f"#booking-{booking.id}")


def _audit_export(workshop: Workshop, fmt: str, count: int) -> None:
    record_event(current_user, "workshops.roster_exported", target=workshop,
                 detail={"format": fmt, "rows": count}, ip=client_ip())
    Session.commit()


@bp.get("/<int:workshop_id>/roster.csv")
@writes_on_get
def export_roster_csv(workshop_id: int):
    """The roster as CSV (formula injection escaped); every export is audited."""
    from flask import Response

    workshop = object_or_404(Session.get(Workshop, workshop_id), "manage", current_user)
    rows = roster_rows(roster(workshop))
    _audit_export(workshop, "csv", len(rows))
    response = Response(iter_csv(ROSTER_HEADER, rows), mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="roster-{workshop.id}.csv"'
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/<int:workshop_id>/roster.xlsx")
@writes_on_get
def export_roster_xlsx(workshop_id: int):
    """The roster as an Excel workbook; every export is audited."""
    workshop = object_or_404(Session.get(Workshop, workshop_id), "manage", current_user)
    rows = roster_rows(roster(workshop))
    _audit_export(workshop, "xlsx", len(rows))
    return xlsx_response(f"roster-{workshop.id}.xlsx", [Sheet("Roster", ROSTER_HEADER, rows)])


@bp.route("/<int:workshop_id>/outputs", methods=["GET", "POST"])
def outputs(workshop_id: int):
    """Record the session's key points, each with the consent agreed in the room."""
    workshop = object_or_404(Session.get(Workshop, workshop_id), "manage", current_user)
    groups = governance_groups()
    form = OutputForm(groups=groups)
    if form.validate_on_submit():
        with attempt(form) as done:
            scope = ConsentScope(analysis=form.analysis.data == "yes", quote=form.quote.data,
                                 publish=form.publish.data,
                                 governed_by_id=int(form.governed_by_id.data)
                                 if form.governed_by_id.data else None)
            ops.record_output(current_user, workshop, text=form.text.data, consent=scope)
        if done:
            flash(_("Key point recorded."), "success")
            return redirect(url_for("workshops.outputs", workshop_id=workshop.id))
    return render_template("workshops/outputs.html", workshop=workshop, form=form,
                           outputs=outputs_of(workshop))



@bp.route("/outputs/<int:output_id>/withdraw", methods=["GET", "POST"])
def withdraw_output(output_id: int):
    """Withdraw a recorded key point, with the reason (audited)."""
    output = Session.get(WorkshopOutput, output_id)
    workshop = object_or_404(output.workshop if output else None, "manage", current_user)
    item = output_item(output)
    form = WithdrawOutputForm()
    if form.validate_on_submit():
        with attempt(form) as done:
            ops.withdraw_output(current_user, output, reason=form.reason.data, ip=client_ip())
        if done:
            flash(_("Key point withdrawn: it is no longer analysed, quoted or published."),
                  "success")
            return redirect(url_for("workshops.outputs", workshop_id=workshop.id))
    return render_template("workshops/output_withdraw.html", workshop=workshop, output=output,
                           item=item, form=form)
