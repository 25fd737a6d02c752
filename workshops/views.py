"""Workshops: pages for everyone, booking for participants, running them for facilitators.

Views follow the house order: load (404) -> check -> validate -> one operation -> commit ->
send what the operation asked to send -> redirect. Roster, check-in and outputs are in
views_staff.py; the calendar files in views_calendar.py."""
from __future__ import annotations

import calendar as month_calendar
from datetime import date

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.db import Session, utcnow
from app.errors import OperationRefused
from app.extensions import limiter
from app.permissions import object_or_404
from app.queries import get_current_consultation
from app.web.dates import format_human_date, to_local
from app.web.pagination import paginate
from app.web.refusals import attempt, show_refusal
from app.web.requests import requested_page
from workshops import operations as ops
from workshops.facilitators import workshops_run_by
from workshops.forms import (
    FORMAT_LABELS,
    LANGUAGE_LABELS,
    STATUS_LABELS,
    BookingForm,
    ConfirmForm,
    WorkshopForm,
    audience_choices,
)
from workshops.models import Booking, Workshop
from workshops.notifications import queue_notices
from workshops.queries import (
    Filters,
    booking_of,
    bookings_of,
    confirmed_counts,
    list_regions,
    list_workshops_stmt,
    places_left,
    waitlist_position,
    workshops_in_month,
)
from workshops.timezones import default_zone_name

bp = Blueprint("workshops", __name__)


@bp.app_context_processor
def _labels():
    return {"workshop_format_labels": FORMAT_LABELS, "workshop_language_labels": LANGUAGE_LABELS,
            "workshop_status_labels": STATUS_LABELS,
            "workshop_audience_labels": dict(audience_choices()),
            "workshop_site_zone": default_zone_name()}


def _booking_limit() -> str:
    return current_app.config.get("RATELIMIT_WORKSHOP_BOOKING", "30/minute")


def _user_key() -> str:
    return f"user:{current_user.get_id() if current_user.is_authenticated else 'none'}"


def _is_staff() -> bool:
    return current_user.is_authenticated and current_user.has_role("facilitator", "admin")


def _draft_scope() -> dict:
    """Which drafts the person sees listed: every one for admins, their own for facilitators."""
    if not current_user.is_authenticated:
        return {}
    if current_user.has_role("admin"):
        return {"include_drafts": True}
    if current_user.has_role("facilitator"):
        return {"drafts_run_by": current_user.id}
    return {}


def _filters_from_request() -> Filters:
    on_or_after = None
    try:
        if request.args.get("from"):
            on_or_after = date.fromisoformat(request.args["from"])
    except ValueError:
        flash(_("Type the date as YYYY-MM-DD, for example 2027-03-01."), "error")
    fmt = request.args.get("format", "")
    return Filters(region=request.args.get("region", "")[:80],
                   format=fmt if fmt in FORMAT_LABELS else "",
                   audience=request.args.get("audience", "")[:20], on_or_after=on_or_after,
                   with_places_only=request.args.get("places") == "1")


@bp.get("/")
def index():
    """Workshops of the current consultation, with filters."""
    consultation = get_current_consultation()
    filters = _filters_from_request()
    consultation_id = consultation.id if consultation else None
    stmt = list_workshops_stmt(consultation_id, filters, **_draft_scope())
    page = paginate(stmt, requested_page())
    yours = workshops_run_by(current_user, consultation_id) \
        if current_user.is_authenticated and current_user.has_role("facilitator") else None
    counts = confirmed_counts([w.id for w in page.items] + [w.id for w in yours or ()])
    return render_template("workshops/index.html", consultation=consultation, page=page,
                           counts=counts, filters=filters, yours=yours,
                           regions=list_regions(consultation.id if consultation else None),
                           is_staff=_is_staff(), args=request.args.to_dict())


@bp.get("/month")
def month():
    """A month of workshops as a calendar grid."""
    today = to_local(utcnow()).date()
    try:
        year, number = (int(part) for part in request.args.get("month", "").split("-"))
        if not 1 <= number <= 12 or not 2000 <= year <= 2100:
            raise ValueError
    except ValueError:
        year, number = today.year, today.month
    consultation = get_current_consultation()
    found = workshops_in_month(consultation.id if consultation else None, year, number,
                               **_draft_scope())
    by_day: dict[int, list[Workshop]] = {}
    for workshop in found:
        by_day.setdefault(to_local(workshop.starts_at).day, []).append(workshop)
    previous = (year - (number == 1), (number - 2) % 12 + 1)
    following = (year + (number == 12), number % 12 + 1)
    return render_template("workshops/calendar.html", weeks=month_calendar.Calendar()
                           .monthdayscalendar(year, number), by_day=by_day,
                           month_label=format_human_date(date(year, number, 1)).split(" ", 1)[1],
                           previous=previous,
                           following=following)


@bp.get("/<int:workshop_id>")
def show(workshop_id: int):
    """One workshop: when, where, languages, accessibility, and the person's booking."""
    workshop = object_or_404(Session.get(Workshop, workshop_id), "view", current_user)
    booking = booking_of(workshop, current_user)
    return render_template("workshops/show.html", workshop=workshop, booking=booking,
                           places_left=places_left(workshop),
                           position=waitlist_position(booking) if booking else None,
                           may_manage=workshop.can_manage(current_user),
                           may_book=workshop.can_book(current_user), now=utcnow(),
                           form=ConfirmForm())


@bp.route("/<int:workshop_id>/book", methods=["GET", "POST"])
@limiter.limit(_booking_limit, key_func=_user_key, methods=["POST"])
def book(workshop_id: int):
    """Book a place (or a place on the waitlist when the workshop is full)."""
    person = current_user._get_current_object()  # once, not through the proxy each time
    workshop = object_or_404(Session.get(Workshop, workshop_id), "view", person)
    if not workshop.can_book(person):
        abort(404 if workshop.status != "published" else 403)
    form = BookingForm(person=person)
    if form.validate_on_submit():
        organisation = next((org for org in person.organisations
                             if str(org.id) == form.organisation.data), None)
        try:
            booking, notices = ops.book_place(
                person, workshop, access_needs=form.access_needs.data,
                dietary_needs=form.dietary_needs.data, organisation=organisation)
        except OperationRefused as error:
            show_refusal(form, error)
        else:
            queue_notices(notices)
            Session.commit()
            if booking.status == "confirmed":
                flash(_("Your place is booked. We have emailed you a calendar invitation."),
                      "success")
            else:
                flash(_("The workshop is full, so you are on the waitlist (number %(n)s).",
                        n=waitlist_position(booking)), "success")
            return redirect(url_for("workshops.show", workshop_id=workshop.id))
    return render_template("workshops/book.html", workshop=workshop, form=form,
                           places_left=places_left(workshop),
                           booking=booking_of(workshop, person))


@bp.post("/bookings/<int:booking_id>/cancel")
def cancel_booking(booking_id: int):
    """Cancel one's own booking; the first person waiting gets the place."""
    booking = object_or_404(Session.get(Booking, booking_id), "cancel", current_user)
    form = ConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        notices = ops.cancel_booking(current_user, booking)
    except OperationRefused as error:
        show_refusal(None, error)
    else:
        queue_notices(notices)
        Session.commit()
        flash(_("Your booking is cancelled."), "success")
    return redirect(url_for("workshops.show", workshop_id=booking.workshop_id))


@bp.get("/mine")
def my_bookings():
    """The signed-in person's bookings and waitlist places."""
    bookings = bookings_of(current_user)
    return render_template("workshops/mine.html", bookings=bookings,
                           positions={b.id: waitlist_position(b) for b in bookings},
                           form=ConfirmForm())


# ---------------------------------------------------------------- facilitators


@bp.route("/new", methods=["GET", "POST"])
def new():
    """Create a draft workshop."""
    consultation = get_current_consultation()
    if consultation is None:
        flash(_("There is no open consultation to add a workshop to."), "error")
        return redirect(url_for("workshops.index"))
    form = WorkshopForm()
    if request.method == "GET":
        form.languages.data = ["en"]
        form.audience.data = "everyone"
    if form.validate_on_submit():
        with attempt(form) as done:
            workshop = ops.create_workshop(current_user, consultation, form.data_for_operation())
        if done:
            flash(_("Draft saved. Publish it when it is ready for bookings."), "success")
            return redirect(url_for("workshops.show", workshop_id=workshop.id))
    return render_template("workshops/edit.html", form=form, workshop=None)


@bp.route("/<int:workshop_id>/edit", methods=["GET", "POST"])
def edit(workshop_id: int):
    """Edit a workshop."""
    workshop = object_or_404(Session.get(Workshop, workshop_id), "manage", current_user)
    form = WorkshopForm()
    if request.method == "GET":
        form.fill_from(workshop)
    if form.validate_on_submit():
        with attempt(form) as done:
            ops.update_workshop(current_user, workshop, form.data_for_operation())
        if done:
            flash(_("Workshop saved."), "success")
            return redirect(url_for("workshops.show", workshop_id=workshop.id))
    return render_template("workshops/edit.html", form=form, workshop=workshop)


@bp.post("/<int:workshop_id>/publish")
def publish(workshop_id: int):
    """Open a draft workshop for bookings."""
    workshop = object_or_404(Session.get(Workshop, workshop_id), "manage", current_user)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    with attempt(None) as done:
        ops.publish_workshop(current_user, workshop)
    if done:
        flash(_("Published: people can now book."), "success")
    return redirect(url_for("workshops.show", workshop_id=workshop.id))


@bp.post("/<int:workshop_id>/cancel")
def cancel(workshop_id: int):
    """Cancel a workshop; everyone booked or waiting is emailed."""
    workshop = object_or_404(Session.get(Workshop, workshop_id), "manage", current_user)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        notices = ops.cancel_workshop(current_user, workshop)
    except OperationRefused as error:
        show_refusal(None, error)
    else:
        queue_notices(notices)
        Session.commit()
        flash(_("The workshop is cancelled and %(n)s people are being emailed.",
                n=len(notices)), "success")
    return redirect(url_for("workshops.show", workshop_id=workshop.id))


from workshops import (  # noqa: F401  (routes on bp)
    interview_views,
    views_calendar,
    views_staff,
)
