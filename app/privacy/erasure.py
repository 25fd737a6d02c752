"""Erasing a person's personal details from the audit log (what the privacy "erase my data"
right calls). The sealed rows stay, so the log still proves what happened and when; only the
erasable AuditPersonal rows lose their contents, and the erasure is itself recorded."""
from __future__ import annotations

from sqlalchemy import and_, func, or_, select, update

from app.db import Session, utcnow
from app.privacy.audit import record_event
from app.privacy.models import AuditPersonal
from app.privacy.verify import ERASURE_ACTION


def erase_person_from_audit(actor, *, person_id: int | None, email: str = "",
                            ip: str = "") -> int:
    """Erase every personal detail the audit log holds about one person: rows naming their
    account (PERSON_ID) as actor or subject, and rows holding their address (EMAIL, ignoring
    case, on rows tied to no account: attempts and invitations before an account existed). Records
    "audit.personal_erased" (without the person's address or IP) and flushes; returns how
    many detail rows were erased. Refuses when neither PERSON_ID nor EMAIL is given."""
    conditions = []
    if person_id is not None:
        conditions.append(AuditPersonal.person_id == person_id)
    if email.strip():
        # Only rows tied to no account: an account's rows are erased through its id, which
        # the erasure record names, so verify can tell a real erasure from a wiped row.
        conditions.append(and_(AuditPersonal.person_id.is_(None),
                               func.lower(AuditPersonal.email) == email.strip().lower()))
    if not conditions:
        raise ValueError("name the person to erase: an account id or an email address")
    wanted = select(AuditPersonal.id).where(or_(*conditions), AuditPersonal.erased_at.is_(None))
    ids = list(Session.scalars(wanted))
    is_self = actor is not None and person_id is not None and getattr(actor, "id", None) == \
        person_id
    erasure = record_event(actor, ERASURE_ACTION, target_type="user" if person_id else "",
                           target_id=person_id if person_id is not None else "",
                           detail={"rows": len(ids)}, ip=ip, keep_actor_details=not is_self)
    if ids:
        Session.execute(
            update(AuditPersonal).where(AuditPersonal.id.in_(ids))
            .values(data=None, salt=None, email="", erased_at=utcnow(),
                    erasure_event_id=erasure.id)
            .execution_options(synchronize_session=False))
        Session.flush()
        for loaded in list(Session.identity_map.values()):  # only what the UPDATE changed
            if isinstance(loaded, AuditPersonal):
                Session.expire(loaded)
    return len(ids)
