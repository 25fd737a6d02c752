"""The audit log: append-only rows chained by SHA-256, and the check that the chain holds.

Each row's hash covers its own fields and the previous row's hash, so changing or deleting any
row breaks every hash after it. Appends are serialised (an advisory lock on PostgreSQL; SQLite
allows one writer at a time) so two requests never chain onto the same row.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select, text

from app.db import Session, is_postgres, utcnow
from app.privacy.models import AuditEvent

# An arbitrary constant naming the audit-append lock for pg_advisory_xact_lock.
_PG_AUDIT_LOCK = 0x4B6F7265  # "Kore"

# Every action the platform records, labelled for the audit log page and its filter. record_event
# refuses an action missing here. The core's are listed below; a feature package declares its
# own (named "<package>.<what>") in its registration, and app.packages adds them here.
AUDIT_ACTIONS = {
    "login.success": _l("Signed in"),
    "login.failure": _l("Failed sign-in"),
    "logout": _l("Signed out"),
    "reauth.failure": _l("Failed re-authentication"),
    "password.changed": _l("Password changed"),
    "password.reset_requested": _l("Password reset requested"),
    "password.reset": _l("Password reset"),
    "two_factor.enabled": _l("Two-factor turned on"),
    "two_factor.disabled": _l("Two-factor turned off"),
    "two_factor.recovery_used": _l("Recovery code used"),
    "two_factor.recovery_codes_replaced": _l("Recovery codes replaced"),
    "invitation.created": _l("Invitation created"),
    "invitation.accepted": _l("Invitation accepted"),
    "invitation.revoked": _l("Invitation revoked"),
    "user.created": _l("Person added"),
    "user.registered": _l("Person registered"),
    "user.renamed": _l("Name changed"),
    "user.roles_changed": _l("Roles changed"),
    "user.enabled": _l("Account enabled"),
    "user.disabled": _l("Account disabled"),
    "user.organisations_changed": _l("Organisations changed"),
    "organisation.created": _l("Organisation created"),
    "organisation.updated": _l("Organisation updated"),
    "consultation.created": _l("Consultation created"),
    "consultation.updated": _l("Consultation updated"),
    "settings.changed": _l("Settings changed"),
    "consent.changed": _l("Consent changed"),
    "governance.decided": _l("Kaitiaki decision recorded"),
    "record.viewed": _l("Sensitive record viewed"),
    "export.created": _l("Export created"),
    "audit.viewed": _l("Audit log viewed"),
}


def register_audit_actions(actions) -> None:
    """Add a package's audit ACTIONS ({action: label}); the same action twice is refused
    unless it is the very same declaration (an app built twice in one process)."""
    for action, label in actions.items():
        if action in AUDIT_ACTIONS and str(AUDIT_ACTIONS[action]) != str(label):
            raise ValueError(f"audit action {action!r} is registered twice")
        AUDIT_ACTIONS[action] = label


def canonical_json(data: Any) -> str:
    return json.dumps(data or {}, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                      default=str)


_HASHED_FIELDS = ("id", "actor_id", "actor_email", "action", "target_type", "target_id",
                  "detail", "ip_address")


def _row_digest(row, prev_hash: str) -> str:
    """ROW is an AuditEvent or a row mapping with the same fields."""
    fields = {name: getattr(row, name) for name in _HASHED_FIELDS}
    # PostgreSQL hands times back in the connection's zone: hash them in UTC, always.
    fields["occurred_at"] = row.occurred_at.astimezone(UTC).isoformat()
    fields["prev_hash"] = prev_hash
    payload = canonical_json(fields)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def record_event(actor, action: str, *, target=None, target_type: str = "",
                 target_id: str | int = "", detail: dict | None = None, ip: str = "",
                 actor_email: str = "") -> AuditEvent:
    """Append one event to the audit log and flush. ACTOR may be None (e.g. a failed login).

    TARGET, when given, is a model instance: its table name and id are recorded.
    """
    if action not in AUDIT_ACTIONS:
        raise ValueError(f"unknown audit action {action!r}: add it to AUDIT_ACTIONS")
    session = Session()
    if is_postgres(session):
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_AUDIT_LOCK})
    if target is not None:
        target_type = target_type or target.__tablename__
        target_id = getattr(target, "id", target_id)
    event = AuditEvent(
        occurred_at=utcnow(),
        actor_id=getattr(actor, "id", None),
        actor_email=actor_email or getattr(actor, "email", "") or "",
        action=action,
        target_type=target_type,
        target_id="" if target_id is None else str(target_id),
        detail=canonical_json(detail),
        ip_address=ip or "",
    )
    session.add(event)
    # The insert takes SQLite's write lock, so the previous row can no longer change under us.
    session.flush()
    prev_hash = session.scalar(
        select(AuditEvent.hash).where(AuditEvent.id < event.id).order_by(AuditEvent.id.desc())
        .limit(1)
    ) or ""
    event.prev_hash = prev_hash
    event.hash = _row_digest(event, prev_hash)
    session.flush()
    return event



def record_sensitive_view(actor, target, *, ip: str = "") -> AuditEvent:
    """Record that ACTOR opened TARGET, a record holding someone's personal or sensitive data
    (a person's account details now; interview notes and drafts as their features arrive).
    Every page showing such a record calls this, so the log answers "who has seen this?"."""
    return record_event(actor, "record.viewed", target=target, ip=ip)

@dataclass
class ChainReport:
    checked: int
    first_bad_id: int | None = None
    problem: str = ""

    @property
    def is_intact(self) -> bool:
        return self.first_bad_id is None


def verify_chain(batch_size: int = 5000, progress=None) -> ChainReport:
    """Walk the log in id order and recompute every hash. Streams in batches: flat memory."""
    session = Session()
    prev_hash = ""
    checked = 0
    last_id = 0
    while True:
        # Plain rows, not ORM objects: nothing piles up in the session's identity map.
        rows = session.execute(
            select(AuditEvent.__table__).where(AuditEvent.id > last_id).order_by(AuditEvent.id)
            .limit(batch_size)
        ).all()
        if not rows:
            return ChainReport(checked=checked)
        for event in rows:
            if event.prev_hash != prev_hash:
                return ChainReport(checked, event.id, "its link to the previous row is broken "
                                   "(a row before it was changed or deleted)")
            if event.hash != _row_digest(event, prev_hash):
                return ChainReport(checked, event.id, "its contents no longer match its hash "
                                   "(the row was changed)")
            prev_hash = event.hash
            checked += 1
        last_id = rows[-1].id
        if progress:
            progress(len(rows))
