"""People, organisations, memberships, consultations and site settings."""
from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from flask_login import UserMixin
from sqlalchemy import (
    Boolean,
    CheckConstraint,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db import Base, UTCDateTime, utcnow
from app.encryption import EncryptedTotpSecret

ROLES = ("participant", "facilitator", "analyst", "advisory", "kaitiaki", "admin")
# Roles that see sensitive or aggregated data must sign in with a second factor.
MFA_REQUIRED_ROLES = frozenset({"facilitator", "analyst", "advisory", "kaitiaki", "admin"})

STAKEHOLDER_GROUPS = {
    "ngo": _l("NGO / social service provider"),
    "iwi_maori": _l("Iwi / hapū / Māori organisation"),
    "pasifika": _l("Pasifika organisation"),
    "government": _l("Government agency"),
    "other": _l("Other"),
}

CONSULTATION_STATUSES = ("draft", "open", "closed", "archived")


def _in(values) -> str:
    return ", ".join(f"'{v}'" for v in values)


class User(UserMixin, Base):
    __tablename__ = "user"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    display_name: Mapped[str] = mapped_column(String(120))
    password_hash: Mapped[str | None] = mapped_column(String(255))
    is_enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    # Demo accounts skip two-factor set-up so a newcomer can try every role at once.
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)
    # Bumped by logout, password change and disabling: every older session stops working.
    session_version: Mapped[int] = mapped_column(Integer, default=1)
    # Encrypted at rest (app/encryption.py); reads and writes see the plaintext secret.
    totp_secret: Mapped[str | None] = mapped_column(EncryptedTotpSecret)
    totp_enabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    role_rows: Mapped[list[UserRole]] = relationship(
        back_populates="user", cascade="all, delete-orphan", lazy="selectin"
    )
    memberships: Mapped[list[Membership]] = relationship(
        back_populates="user", cascade="all, delete-orphan", lazy="selectin"
    )

    def __repr__(self) -> str:
        return f"<User {self.id} {self.email}>"

    # Flask-Login: the id carries the session version, so a bump ends older sessions.
    def get_id(self) -> str:
        return f"{self.id}:{self.session_version}"

    @property
    def is_active(self) -> bool:  # Flask-Login refuses disabled accounts
        return bool(self.is_enabled)

    @property
    def roles(self) -> frozenset[str]:
        return frozenset(row.role for row in self.role_rows)

    def has_role(self, *roles: str) -> bool:
        return bool(self.roles.intersection(roles))

    @property
    def has_two_factor(self) -> bool:
        return self.totp_enabled_at is not None

    @property
    def must_use_two_factor(self) -> bool:
        return not self.is_demo and bool(self.roles & MFA_REQUIRED_ROLES)

    @property
    def organisations(self) -> list[Organisation]:
        return [m.organisation for m in self.memberships]

    def can_view(self, user: User) -> bool:
        """A person's own account, or an admin."""
        return user.id == self.id or user.has_role("admin")

    def can_edit(self, user: User) -> bool:
        return user.has_role("admin")


class UserRole(Base):
    __tablename__ = "user_role"
    __table_args__ = (CheckConstraint(f"role IN ({_in(ROLES)})", name="role_known"),)

    user_id: Mapped[int] = mapped_column(
        ForeignKey("user.id", ondelete="CASCADE"), primary_key=True
    )
    role: Mapped[str] = mapped_column(String(20), primary_key=True)
    user: Mapped[User] = relationship(back_populates="role_rows")


class Organisation(Base):
    __tablename__ = "organisation"
    __table_args__ = (
        CheckConstraint(
            f"stakeholder_group IN ({_in(STAKEHOLDER_GROUPS)})", name="stakeholder_group_known"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    stakeholder_group: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    memberships: Mapped[list[Membership]] = relationship(
        back_populates="organisation", cascade="all, delete-orphan"
    )

    @property
    def stakeholder_group_label(self) -> str:
        return STAKEHOLDER_GROUPS[self.stakeholder_group]

    def can_edit(self, user: User) -> bool:
        return user.has_role("admin")


class Membership(Base):
    __tablename__ = "membership"
    __table_args__ = (UniqueConstraint("user_id", "organisation_id", name="uq_membership_pair"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User] = relationship(back_populates="memberships")
    organisation: Mapped[Organisation] = relationship(back_populates="memberships", lazy="joined")


class Consultation(Base):
    __tablename__ = "consultation"
    __table_args__ = (
        CheckConstraint(f"status IN ({_in(CONSULTATION_STATUSES)})", name="status_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(Text, default="")
    summary_html: Mapped[str] = mapped_column(Text, default="")  # sanitised on write
    opens_at: Mapped[datetime] = mapped_column(UTCDateTime)
    closes_at: Mapped[datetime] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(20), default="draft")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    def is_open(self, now: datetime | None = None) -> bool:
        """Open for feedback: status open and now within the dates."""
        now = now or utcnow()
        return self.status == "open" and self.opens_at <= now < self.closes_at

    def can_view(self, user) -> bool:
        if self.status in ("open", "closed"):
            return True
        return bool(getattr(user, "is_authenticated", False)) and user.has_role("admin")

    def can_edit(self, user) -> bool:
        return bool(getattr(user, "is_authenticated", False)) and user.has_role("admin")


class SiteSetting(Base):
    """Small admin switches, such as open self-registration."""

    __tablename__ = "site_setting"

    key: Mapped[str] = mapped_column(String(80), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(
        UTCDateTime, default=utcnow, onupdate=utcnow
    )
