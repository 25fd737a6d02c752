"""Governance groups (iwi, hapū, Pasifika groups), their kaitiaki, and kaitiaki decisions.

Table names are those of migration 0001 (the models moved here from app.privacy.models).
"""
from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, Column, ForeignKey, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db import Base, UTCDateTime, utcnow
from app.models import User

GOVERNANCE_KINDS = {"iwi": _l("Iwi"), "hapu": _l("Hapū"), "pasifika": _l("Pasifika group")}
GOVERNED_USES = ("quote", "breakdown")
DECISIONS = ("approved", "declined")

kaitiaki_assignment = Table(
    "kaitiaki_assignment",
    Base.metadata,
    Column("group_id", ForeignKey("governance_group.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", ForeignKey("user.id", ondelete="CASCADE"), primary_key=True),
)


class GovernanceGroup(Base):
    """An iwi, hapū or Pasifika group whose kaitiaki govern the use of its members' data."""

    __tablename__ = "governance_group"
    __table_args__ = (
        CheckConstraint("kind IN ('iwi', 'hapu', 'pasifika')", name="kind_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    kaitiaki: Mapped[list[User]] = relationship(secondary=kaitiaki_assignment)

    @property
    def kind_label(self) -> str:
        return GOVERNANCE_KINDS[self.kind]

    def is_kaitiaki(self, user: User) -> bool:
        return user.has_role("kaitiaki") and any(k.id == user.id for k in self.kaitiaki)


class GovernanceApproval(Base):
    """A kaitiaki decision on one use (quoting, or breaking results down) of a group's data in
    one consultation. The newest decision for (group, consultation, use) is the one in force."""

    __tablename__ = "governance_approval"
    __table_args__ = (
        CheckConstraint("use IN ('quote', 'breakdown')", name="use_known"),
        CheckConstraint("decision IN ('approved', 'declined')", name="decision_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(
        ForeignKey("governance_group.id", ondelete="CASCADE"), index=True
    )
    consultation_id: Mapped[int] = mapped_column(
        ForeignKey("consultation.id", ondelete="CASCADE"), index=True
    )
    use: Mapped[str] = mapped_column(String(20))
    decision: Mapped[str] = mapped_column(String(20))
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    note: Mapped[str] = mapped_column(Text, default="")

    group: Mapped[GovernanceGroup] = relationship()
