"""Checking the audit log: every seal, every link, every personal-detail digest, and (from the
CLI) the checkpoints kept outside the database. Reads only."""
from __future__ import annotations

import json
from dataclasses import dataclass, field

from sqlalchemy import select

from app.db import Session
from app.privacy.models import AuditEvent, AuditPersonal
from app.privacy.seal import (
    KEYED_SCHEME,
    LEGACY_SCHEME,
    Keyring,
    keyed_seal,
    keyring,
    legacy_digest,
    personal_digest,
)

ERASURE_ACTION = "audit.personal_erased"


@dataclass
class ChainReport:
    checked: int
    first_bad_id: int | None = None
    problem: str = ""
    checkpoint_problems: list[str] = field(default_factory=list)
    checkpoints_read: int = 0

    @property
    def is_intact(self) -> bool:
        return self.first_bad_id is None and not self.checkpoint_problems


def _personal_problem(event, sides: dict[str, AuditPersonal], erasures: dict) -> str:
    """What is wrong with EVENT's personal details, or ""."""
    try:
        seals = json.loads(event.personal_seals or "{}")
    except ValueError:
        return "its personal-detail seals are unreadable (the row was changed)"
    added = sorted(set(sides) - set(seals))
    if added:
        return f"personal details ({added[0]}) were added to it afterwards"
    for role, digest in sorted(seals.items()):
        side = sides.get(role)
        if side is None:
            return (f"its personal details ({role}) were deleted without an erasure on record")
        if side.erased_at is not None:
            erasure = erasures.get(side.erasure_event_id)
            if erasure is None or erasure.id <= event.id or (
                    side.person_id is not None and erasure.target_id != str(side.person_id)):
                return (f"its personal details ({role}) were removed, but no erasure of that "
                        "person is on record")
            continue
        if side.data is None or side.salt is None or \
                personal_digest(side.salt, side.data) != digest:
            return f"its personal details ({role}) no longer match its seal (they were changed)"
        data = json.loads(side.data)
        email = data.get("email") or data.get("detail", {}).get("email") or ""
        if side.email != str(email)[:254]:
            return f"its personal details ({role}) were changed (the address column)"
    return ""


def _batch_personal(event_ids: list[int]):
    sides: dict[int, dict[str, AuditPersonal]] = {}
    rows = Session.execute(select(AuditPersonal.__table__)
                           .where(AuditPersonal.event_id.in_(event_ids))).all()
    for row in rows:
        sides.setdefault(row.event_id, {})[row.role] = row
    erasure_ids = {row.erasure_event_id for row in rows if row.erasure_event_id}
    erasures = {}
    if erasure_ids:
        erasures = {row.id: row for row in Session.execute(
            select(AuditEvent.id, AuditEvent.target_id)
            .where(AuditEvent.id.in_(erasure_ids), AuditEvent.action == ERASURE_ACTION))}
    return sides, erasures


def _row_problem(event, prev_hash: str, seen_keyed: bool, keys: Keyring) -> str:
    if event.prev_hash != prev_hash:
        return "its link to the previous row is broken (a row before it was changed or deleted)"
    if event.scheme == LEGACY_SCHEME:
        if seen_keyed:
            return ("it is in the old unkeyed format but follows keyed rows (it was inserted "
                    "or rewritten)")
        if event.hash != legacy_digest(event, prev_hash):
            return "its contents no longer match its hash (the row was changed)"
        return ""
    if event.scheme != KEYED_SCHEME:
        return f"it names an unknown seal scheme {event.scheme!r} (the row was changed)"
    seal = keyed_seal(event, prev_hash, keys)
    if seal is None:
        return (f"it is sealed with key {event.key_id!r}, which this server does not hold "
                f"(keys from {keys.source})")
    if event.hash != seal:
        return "its contents no longer match its seal (the row was changed or replaced)"
    return ""


def verify_chain(batch_size: int = 5000, progress=None, keys: Keyring | None = None
                 ) -> ChainReport:
    """Walk the log in id order and recheck every seal, link and personal-detail digest.
    Streams in batches: flat memory. Stops at the first bad row."""
    keys = keys or keyring()
    prev_hash, checked, last_id, seen_keyed = "", 0, 0, False
    while True:
        # Plain rows, not ORM objects: nothing piles up in the session's identity map.
        rows = Session.execute(
            select(AuditEvent.__table__).where(AuditEvent.id > last_id).order_by(AuditEvent.id)
            .limit(batch_size)
        ).all()
        if not rows:
            return ChainReport(checked=checked)
        sides, erasures = _batch_personal([row.id for row in rows])
        for event in rows:
            problem = _row_problem(event, prev_hash, seen_keyed, keys)
            if not problem and event.scheme == KEYED_SCHEME:
                problem = _personal_problem(event, sides.get(event.id, {}), erasures)
            if problem:
                return ChainReport(checked, event.id, problem)
            seen_keyed = seen_keyed or event.scheme == KEYED_SCHEME
            prev_hash = event.hash
            checked += 1
        last_id = rows[-1].id
        if progress:
            progress(len(rows))
