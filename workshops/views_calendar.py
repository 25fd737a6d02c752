"""Calendar files: one per workshop, and each person's private feed at a secret address."""
from __future__ import annotations

from flask import Response, abort, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.db import Session
from app.permissions import object_or_404
from workshops import ics
from workshops import operations as ops
from workshops.forms import ConfirmForm
from workshops.models import Workshop
from workshops.queries import bookings_of, feed_owner, has_feed
from workshops.views import bp


def _calendar_response(body: bytes, filename: str) -> Response:
    response = Response(body, mimetype="text/calendar")
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/<int:workshop_id>/workshop.ics")
def workshop_ics(workshop_id: int):
    """The workshop as an iCalendar file (never with the meeting link)."""
    workshop = object_or_404(Session.get(Workshop, workshop_id), "view", current_user)
    return _calendar_response(ics.public_file(workshop), f"workshop-{workshop.id}.ics")


@bp.get("/calendar/<token>.ics")
def feed(token: str):
    """A person's bookings as a calendar feed; the address is the secret."""
    person = feed_owner(token)
    if person is None or not person.is_active:
        abort(404)
    return _calendar_response(ics.personal_feed(bookings_of(person)), "my-workshops.ics")


@bp.route("/mine/calendar", methods=["GET", "POST"])
def feed_settings():
    """Create, replace or turn off one's private calendar feed."""
    form = ConfirmForm()
    feed_url = None
    if form.validate_on_submit():
        from flask import request

        if request.form.get("action") == "revoke":
            ops.revoke_feed(current_user)
            Session.commit()
            from flask import flash

            flash(_("Your calendar feed is turned off: its address no longer works."), "success")
        else:
            token = ops.issue_feed_token(current_user)
            Session.commit()
            # Shown once: only the token's hash is stored.
            feed_url = url_for("workshops.feed", token=token, _external=True)
    return render_template("workshops/feed.html", form=form, feed_url=feed_url,
                           has_feed=has_feed(current_user))
