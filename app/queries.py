"""Read-only look-ups of core records shared by every package."""
from __future__ import annotations

from sqlalchemy import case, select

from app.db import Session, utcnow
from app.models import Consultation, SiteSetting


def get_current_consultation() -> Consultation | None:
    """The consultation the site is about: an open one first, else the latest closed one."""
    now = utcnow()
    is_open_now = case(
        ((Consultation.status == "open") & (Consultation.opens_at <= now)
         & (Consultation.closes_at > now), 0),
        else_=1,
    )
    stmt = (
        select(Consultation)
        .where(Consultation.status.in_(("open", "closed")))
        .order_by(is_open_now, Consultation.closes_at.desc())
        .limit(1)
    )
    return Session.scalars(stmt).first()


def get_setting(key: str, default: str = "") -> str:
    row = Session.get(SiteSetting, key)
    return row.value if row else default


def is_self_registration_open() -> bool:
    return get_setting("self_registration_open", "no") == "yes"
