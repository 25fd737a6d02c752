"""Whether a consultation takes submissions from people without an account: reading it, and
the analysts' operation that changes it (audited)."""
from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import bindparam, select

from app.db import Session, utcnow
from app.errors import OperationRefused
from app.privacy.audit import record_event
from submissions.guest_models import SubmissionSettings

# One column by a prebuilt statement: read on every public submission (deadline day's hot
# path), where loading the ORM object cost about a tenth of the request.
_ALLOWS_GUESTS = (select(SubmissionSettings.__table__.c.allows_guests)
                  .where(SubmissionSettings.__table__.c.consultation_id
                         == bindparam("consultation_id")))


def consultation_allows_guests(consultation_id: int) -> bool:
    return bool(Session.scalar(_ALLOWS_GUESTS, {"consultation_id": consultation_id}))


def set_guest_submissions(actor, consultation, allowed: bool) -> SubmissionSettings:
    """Let people without an account submit to CONSULTATION (every form of it), or stop
    them. Analysts only; audited. Submissions already made stay."""
    if actor is None or not actor.has_role("analyst"):
        raise OperationRefused(_("Only analysts may change who can make a submission."))
    settings = Session.get(SubmissionSettings, consultation.id)
    if settings is None:
        settings = SubmissionSettings(consultation_id=consultation.id, allows_guests=False)
        Session.add(settings)
    changed = settings.allows_guests != bool(allowed)
    settings.allows_guests = bool(allowed)
    settings.updated_at = utcnow()
    Session.flush()
    if changed:
        record_event(actor, "submissions.guests_changed", target=consultation,
                     detail={"allows_guests": bool(allowed)})
    return settings
