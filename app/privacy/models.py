"""The append-only, sealed audit log and its erasable personal details. (Governance groups and
approvals live in app.governance.models.)"""
from __future__ import annotations

import json
from datetime import datetime

from sqlalchemy import Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship
from sqlalchemy.orm.collections import attribute_keyed_dict

from app.db import Base, UTCDateTime, utcnow


class AuditEvent(Base):
    """One thing that happened. Rows are only ever appended; each is sealed with a keyed MAC
    over its fields and the seal of the row before it, so an edited, replaced or deleted row
    breaks the chain (see `audit-verify`)."""

    __tablename__ = "audit_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    # Not a foreign key: deleting an account must never rewrite (and so break) sealed rows.
    actor_id: Mapped[int | None] = mapped_column(Integer)
    # Scheme 1 rows only (see app.privacy.seal). Keyed rows keep the actor's address and IP
    # in AuditPersonal, which can be erased; here they stay empty. Read `actor_email` and
    # `ip_address` (below), which look in both places.
    legacy_actor_email: Mapped[str] = mapped_column("actor_email", String(254), default="")
    action: Mapped[str] = mapped_column(String(60), index=True)
    target_type: Mapped[str] = mapped_column(String(60), default="")
    target_id: Mapped[str] = mapped_column(String(60), default="")
    detail: Mapped[str] = mapped_column(Text, default="{}")  # canonical JSON, nothing personal
    legacy_ip_address: Mapped[str] = mapped_column("ip_address", String(64), default="")
    # {"actor": digest, "subject": digest} of this row's AuditPersonal rows, sealed with it.
    personal_seals: Mapped[str] = mapped_column(Text, default="{}")
    scheme: Mapped[int] = mapped_column(Integer, default=2)
    key_id: Mapped[str] = mapped_column(String(40), default="")
    prev_hash: Mapped[str] = mapped_column(String(64), default="")
    hash: Mapped[str] = mapped_column(String(64), default="")

    # The event's erasable details by role ("actor", "subject"); read-only.
    personal: Mapped[dict[str, AuditPersonal]] = relationship(
        "AuditPersonal", primaryjoin="foreign(AuditPersonal.event_id) == AuditEvent.id",
        viewonly=True, collection_class=attribute_keyed_dict("role"))

    def _actor_data(self) -> dict:
        actor = self.personal.get("actor")
        if actor is None:
            return {"email": self.legacy_actor_email, "ip": self.legacy_ip_address}
        return json.loads(actor.data) if actor.data else {}

    @property
    def actor_email(self) -> str:
        """The address the actor acted as ("" when none, or once erased)."""
        return self._actor_data().get("email", "")

    @property
    def ip_address(self) -> str:
        return self._actor_data().get("ip", "")

    @property
    def full_detail(self) -> dict:
        """The sealed detail with the subject's personal details merged back (unless erased)."""
        detail = json.loads(self.detail or "{}")
        subject = self.personal.get("subject")
        if subject is not None and subject.data:
            detail.update(json.loads(subject.data).get("detail", {}))
        return detail


class AuditPersonal(Base):
    """The personal details of one audit event, for one person: the actor's address and IP,
    or what the event says about its subject (their address, old and new names). Kept apart
    so that erasing a person removes them while the sealed row, which holds only a salted
    digest of them, still verifies."""

    __tablename__ = "audit_personal"
    __table_args__ = (UniqueConstraint("event_id", "role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # Not foreign keys, like AuditEvent.actor_id: the log outlives accounts.
    event_id: Mapped[int] = mapped_column(Integer, index=True)
    role: Mapped[str] = mapped_column(String(10))  # "actor" | "subject"
    person_id: Mapped[int | None] = mapped_column(Integer, index=True)
    email: Mapped[str] = mapped_column(String(254), default="", index=True)
    data: Mapped[str | None] = mapped_column(Text)  # canonical JSON; None once erased
    salt: Mapped[str | None] = mapped_column(String(32))
    erased_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    erasure_event_id: Mapped[int | None] = mapped_column(Integer)

    @property
    def is_erased(self) -> bool:
        return self.erased_at is not None
