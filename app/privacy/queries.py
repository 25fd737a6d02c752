"""Reading the audit log. Nothing here writes."""
from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, and_, exists, or_, select

from app.db import Session
from app.models import User
from app.privacy.models import AuditEvent, AuditPersonal
from app.privacy.seal import canonical_json
from app.web.dates import format_iso

AUDIT_PAGE_SIZE = 50


@dataclass(frozen=True)
class AuditFilters:
    """What the audit log page and its export are narrowed to. Times are UTC."""

    action: str = ""
    actor_email: str = ""  # matches addresses containing this, ignoring case
    target_type: str = ""
    person_id: int | None = None  # events this account did, or that were done to it
    since: datetime | None = None  # inclusive
    until: datetime | None = None  # exclusive

    @property
    def is_empty(self) -> bool:
        return not any(asdict(self).values())

    def describe(self) -> dict:
        """The filters as plain values, for the audit detail of a view or export."""
        return {key: (value.isoformat() if isinstance(value, datetime) else value)
                for key, value in asdict(self).items() if value}


def _like_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _conditions(filters: AuditFilters) -> list[ColumnElement[bool]]:
    conditions = []
    if filters.action:
        conditions.append(AuditEvent.action == filters.action)
    if filters.actor_email:
        pattern = f"%{_like_escape(filters.actor_email.strip())}%"
        conditions.append(or_(
            exists().where(AuditPersonal.event_id == AuditEvent.id,
                           AuditPersonal.role == "actor",
                           AuditPersonal.email.ilike(pattern, escape="\\")),
            AuditEvent.legacy_actor_email.ilike(pattern, escape="\\")))  # scheme 1
    if filters.person_id is not None:
        conditions.append(or_(AuditEvent.actor_id == filters.person_id,
                              and_(AuditEvent.target_type == "user",
                                   AuditEvent.target_id == str(filters.person_id))))
    if filters.target_type:
        conditions.append(AuditEvent.target_type == filters.target_type.strip())
    if filters.since is not None:
        conditions.append(AuditEvent.occurred_at >= filters.since)
    if filters.until is not None:
        conditions.append(AuditEvent.occurred_at < filters.until)
    return conditions


@dataclass
class AuditPage:
    events: list[AuditEvent]
    newer_than: int | None  # pass as after= for the newer page, None when this is the newest
    older_than: int | None  # pass as before= for the older page, None when this is the oldest


def get_audit_page(filters: AuditFilters, *, before: int | None = None,
                   after: int | None = None, size: int = AUDIT_PAGE_SIZE) -> AuditPage:
    """One page of matching events, newest first, by keyset on id (ids follow the chain, so
    they follow time): cost does not grow with how far back the page is."""
    conditions = _conditions(filters)
    query = select(AuditEvent).where(*conditions)
    if after is not None:  # the page just newer than AFTER: read upwards, then flip
        rows = list(Session.scalars(
            query.where(AuditEvent.id > after).order_by(AuditEvent.id).limit(size)))
        rows.reverse()
    else:
        if before is not None:
            query = query.where(AuditEvent.id < before)
        rows = list(Session.scalars(query.order_by(AuditEvent.id.desc()).limit(size)))
    if not rows:
        return AuditPage([], None, None)

    def _any(where) -> bool:
        return bool(Session.scalar(select(exists().where(and_(*conditions, where)))))

    newest_id, oldest_id = rows[0].id, rows[-1].id
    return AuditPage(
        rows,
        newer_than=newest_id if _any(AuditEvent.id > newest_id) else None,
        older_than=oldest_id if _any(AuditEvent.id < oldest_id) else None,
    )


def iter_audit_events(filters: AuditFilters, *, batch_size: int = 2000) -> Iterator:
    """Every matching event, newest first, as plain rows fetched in batches (flat memory:
    no ORM objects pile up in the session)."""
    conditions = _conditions(filters)
    table = AuditEvent.__table__
    last_id = None
    while True:
        query = select(table).where(*conditions)
        if last_id is not None:
            query = query.where(table.c.id < last_id)
        rows = Session.execute(query.order_by(table.c.id.desc()).limit(batch_size)).all()
        yield from rows
        if len(rows) < batch_size:
            return
        last_id = rows[-1].id


def get_personal_details(event_ids) -> dict[int, dict[str, AuditPersonal]]:
    """The erasable details of these events: {event id: {"actor"|"subject": row}}."""
    found: dict[int, dict[str, AuditPersonal]] = {}
    if event_ids:
        for row in Session.scalars(select(AuditPersonal)
                                   .where(AuditPersonal.event_id.in_(list(event_ids)))):
            found.setdefault(row.event_id, {})[row.role] = row
    return found


def get_names(person_ids) -> dict[int, str]:
    """Today's display names of these accounts (accounts since deleted are missing)."""
    ids = {i for i in person_ids if i is not None}
    if not ids:
        return {}
    return dict(Session.execute(select(User.id, User.display_name).where(User.id.in_(ids))).all())


def get_erased_person_ids(person_ids) -> set[int]:
    """Which of these accounts have had their details erased from the log."""
    ids = {str(i) for i in person_ids if i is not None}
    if not ids:
        return set()
    return {int(i) for i in Session.scalars(
        select(AuditEvent.target_id).where(AuditEvent.action == "audit.personal_erased",
                                           AuditEvent.target_type == "user",
                                           AuditEvent.target_id.in_(ids)))}


def _personal_rows(event_ids) -> dict[int, dict[str, object]]:
    """Plain-row version of get_personal_details, for the streamed export."""
    found: dict[int, dict[str, object]] = {}
    for row in Session.execute(select(AuditPersonal.__table__)
                               .where(AuditPersonal.event_id.in_(event_ids))):
        found.setdefault(row.event_id, {})[row.role] = row
    return found


AUDIT_CSV_HEADER = ("id", "occurred_at", "actor_id", "actor_email", "action", "target_type",
                    "target_id", "ip_address", "detail", "personal_details", "scheme", "key_id",
                    "prev_hash", "hash")


def _export_fields(row, sides) -> tuple[str, str, str, str]:
    """(actor email, IP, detail with the subject's personal details, their state)."""
    actor, subject = sides.get("actor"), sides.get("subject")
    detail = json.loads(row.detail or "{}")
    email, ip = row.actor_email, row.ip_address  # scheme 1 rows keep them here
    state = "none"
    for side in (actor, subject):
        if side is None:
            continue
        if side.erased_at is not None:
            state = "erased"
            continue
        state = "kept" if state == "none" else state
        data = json.loads(side.data)
        if side is actor:
            email, ip = data.get("email", ""), data.get("ip", "")
        else:
            detail.update(data.get("detail", {}))
    return email, ip, canonical_json(detail), state


def audit_csv_rows(filters: AuditFilters, timezone_name: str) -> Iterator[tuple]:
    """The rows of the audit log export, newest first, times in local (NZ) time with offset:
    every field of the sealed row, with the personal details that have not been erased."""
    zone = ZoneInfo(timezone_name)
    batch: list = []

    def flush():
        sides = _personal_rows([row.id for row in batch])
        for row in batch:
            email, ip, detail, state = _export_fields(row, sides.get(row.id, {}))
            yield (row.id, format_iso(row.occurred_at, zone), row.actor_id, email, row.action,
                   row.target_type, row.target_id, ip, detail, state, row.scheme, row.key_id,
                   row.prev_hash, row.hash)

    for row in iter_audit_events(filters):
        batch.append(row)
        if len(batch) >= 500:
            yield from flush()
            batch = []
    if batch:
        yield from flush()
