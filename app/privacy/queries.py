"""Reading the audit log. Nothing here writes."""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import asdict, dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, and_, exists, select

from app.db import Session
from app.privacy.models import AuditEvent
from app.web.dates import format_iso

AUDIT_PAGE_SIZE = 50


@dataclass(frozen=True)
class AuditFilters:
    """What the audit log page and its export are narrowed to. Times are UTC."""

    action: str = ""
    actor_email: str = ""  # matches addresses containing this, ignoring case
    target_type: str = ""
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
        conditions.append(AuditEvent.actor_email.ilike(
            f"%{_like_escape(filters.actor_email.strip())}%", escape="\\"))
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


AUDIT_CSV_HEADER = ("id", "occurred_at", "actor_id", "actor_email", "action", "target_type",
                    "target_id", "ip_address", "detail", "hash")


def audit_csv_rows(filters: AuditFilters, timezone_name: str) -> Iterator[tuple]:
    """The rows of the audit log export, newest first, times in local (NZ) time with offset."""
    zone = ZoneInfo(timezone_name)
    for row in iter_audit_events(filters):
        yield (row.id, format_iso(row.occurred_at, zone),
               row.actor_id, row.actor_email, row.action, row.target_type, row.target_id,
               row.ip_address, row.detail, row.hash)
