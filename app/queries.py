"""Read-only look-ups of core records shared by every package."""
from __future__ import annotations

from sqlalchemy import bindparam, case, select

from app.db import Session, utcnow
from app.models import Consultation, SiteSetting

# Built once: the home page asks on every request, and building the statement costs more than
# running it. `now` is bound per call (it takes the column's UTC type from the comparison).
_NOW = bindparam("now")
_CURRENT_CONSULTATION = (
    select(Consultation)
    .where(Consultation.status.in_(("open", "closed")))
    .order_by(
        case(((Consultation.status == "open") & (Consultation.opens_at <= _NOW)
              & (Consultation.closes_at > _NOW), 0), else_=1),
        Consultation.closes_at.desc(),
    )
    .limit(1)
)


def get_current_consultation() -> Consultation | None:
    """The consultation the site is about: an open one first, else the latest closed one."""
    return Session.scalars(_CURRENT_CONSULTATION, {"now": utcnow()}).first()


def get_setting(key: str, default: str = "") -> str:
    row = Session.get(SiteSetting, key)
    return row.value if row else default


def is_self_registration_open() -> bool:
    return get_setting("self_registration_open", "no") == "yes"
