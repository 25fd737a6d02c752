"""The audit log: append-only rows, each sealed with a keyed MAC (app.privacy.seal) that covers
its own fields, the digests of its erasable personal details, and the previous row's seal, so
changing, replacing or deleting any row breaks every seal after it (app.privacy.verify checks).
Appends are serialised (an advisory lock on PostgreSQL; SQLite allows one writer at a time) so
two requests never chain onto the same row.
"""
from __future__ import annotations

import secrets

from flask_babel import lazy_gettext as _l
from sqlalchemy import select, text

from app.db import Session, is_postgres, utcnow
from app.privacy.checkpoints import note_sealed_head
from app.privacy.models import AuditEvent, AuditPersonal
from app.privacy.seal import (
    KEYED_SCHEME,
    canonical_json,
    keyed_seal,
    keyring,
    personal_digest,
    sealed_values,
)

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
    "feedback.verified_change": _l("Feedback changed by its giver (no account, verified)"),
    "feedback.redacted": _l("Feedback redacted by staff"),
    "governance.decided": _l("Kaitiaki decision recorded"),
    "record.viewed": _l("Sensitive record viewed"),
    "export.created": _l("Export created"),
    "audit.viewed": _l("Audit log viewed"),
    "audit.personal_erased": _l("Personal details erased from the audit log"),
}


def register_audit_actions(actions) -> None:
    """Add a package's audit ACTIONS ({action: label}); the same action twice is refused
    unless it is the very same declaration (an app built twice in one process)."""
    for action, label in actions.items():
        if action in AUDIT_ACTIONS and str(AUDIT_ACTIONS[action]) != str(label):
            raise ValueError(f"audit action {action!r} is registered twice")
        AUDIT_ACTIONS[action] = label


# Detail keys that are about a person, whatever the action: record_event moves them out of the
# sealed row into the erasable AuditPersonal row of the event's subject.
PERSONAL_DETAIL_KEYS = frozenset({"email", "display_name", "phone"})
# Per action, further detail keys that are personal (a rename's old and new names).
PERSONAL_DETAIL_BY_ACTION: dict[str, frozenset[str]] = {
    "user.renamed": frozenset({"old", "new"}),
}


def _personal_row(session, event: AuditEvent, role: str, person_id, data: dict) -> str:
    """Add the erasable row of DATA for EVENT; returns the digest the event's seal covers."""
    payload = canonical_json(data)
    salt = secrets.token_hex(16)
    email = data.get("email") or data.get("detail", {}).get("email") or ""
    session.add(AuditPersonal(event_id=event.id, role=role, person_id=person_id,
                              email=str(email)[:254], data=payload, salt=salt))
    return personal_digest(salt, payload)


def _subject_person_id(target_type: str, target_id: str) -> int | None:
    return int(target_id) if target_type == "user" and target_id.isdigit() else None


def record_event(actor, action: str, *, target=None, target_type: str = "",
                 target_id: str | int = "", detail: dict | None = None, ip: str = "",
                 actor_email: str = "", personal: dict | None = None,
                 keep_actor_details: bool = True) -> AuditEvent:
    """Append one event to the audit log, sealed under the current audit key, and flush.
    ACTOR may be None (a failed login, the command line).

    TARGET, when given, is a model instance: its table name and id are recorded. Personal
    details (the actor's address and IP; DETAIL keys in PERSONAL_DETAIL_KEYS; PERSONAL) go to
    an erasable AuditPersonal row, never into the sealed row. KEEP_ACTOR_DETAILS=False records
    no address or IP for the actor (the erasure of their own details).
    Refuses an action missing from AUDIT_ACTIONS.
    """
    if action not in AUDIT_ACTIONS:
        raise ValueError(f"unknown audit action {action!r}: add it to AUDIT_ACTIONS")
    keys = keyring()
    session = Session()
    if is_postgres(session):
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_AUDIT_LOCK})
    if target is not None:
        target_type = target_type or target.__tablename__
        target_id = getattr(target, "id", target_id)
    target_id = "" if target_id is None else str(target_id)
    detail = dict(detail or {})
    personal_keys = PERSONAL_DETAIL_KEYS | PERSONAL_DETAIL_BY_ACTION.get(action, frozenset())
    subject = {key: detail.pop(key) for key in sorted(detail) if key in personal_keys}
    subject.update(personal or {})
    actor_data = {}
    if keep_actor_details:
        actor_data = {key: value for key, value in (
            ("email", actor_email or getattr(actor, "email", "") or ""), ("ip", ip or ""))
            if value}
    event = AuditEvent(occurred_at=utcnow(), actor_id=getattr(actor, "id", None),
                       legacy_actor_email="", action=action, target_type=target_type,
                       target_id=target_id, detail=canonical_json(detail),
                       legacy_ip_address="", scheme=KEYED_SCHEME, key_id=keys.current_id)
    session.add(event)
    # The insert takes SQLite's write lock, so the previous row can no longer change under us.
    session.flush()
    seals = {}
    if actor_data:
        seals["actor"] = _personal_row(session, event, "actor", event.actor_id, actor_data)
    if subject:
        seals["subject"] = _personal_row(session, event, "subject",
                                         _subject_person_id(target_type, target_id),
                                         {"detail": subject})
    event.personal_seals = canonical_json(seals)
    prev_hash = session.scalar(
        select(AuditEvent.hash).where(AuditEvent.id < event.id).order_by(AuditEvent.id.desc())
        .limit(1)
    ) or ""
    event.prev_hash = prev_hash
    event.hash = keyed_seal(sealed_values(event), prev_hash, keys)
    session.flush()
    note_sealed_head(session, event.id, event.hash)
    return event


def record_sensitive_view(actor, target, *, ip: str = "") -> AuditEvent:
    """Record that ACTOR opened TARGET, a record holding someone's personal or sensitive data
    (a person's account details now; interview notes and drafts as their features arrive).
    Every page showing such a record calls this, so the log answers "who has seen this?"."""
    return record_event(actor, "record.viewed", target=target, ip=ip)


# Checking the log lives in app.privacy.verify; these names stay importable from here.
from app.privacy.verify import ChainReport, verify_chain  # noqa: F401
