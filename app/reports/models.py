"""Reports: what the secretariat builds, each build's snapshot, and kaitiaki approval requests.

A Report is a standing definition (consultation, audience, filters). Each ReportBuild is a
snapshot: the inputs it used (filters, codebook version, a digest of the consent versions, the
approvals in force) and the content computed from them, already made safe for the audience
(consent rules applied, counts suppressed and rounded), so every export renders the same
figures and the same quotes. A later withdrawal or kaitiaki decline makes older builds
outdated: they are never served to the public.
"""
from __future__ import annotations

import json
from datetime import datetime

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db import Base, UTCDateTime, utcnow
from app.models import Consultation, User

REPORT_AUDIENCES = ("working_group", "public")
BUILD_STATUSES = ("current", "outdated")
REQUEST_STATUSES = ("pending", "approved", "declined")


class Report(Base):
    __tablename__ = "report"
    __table_args__ = (
        CheckConstraint("audience IN ('working_group', 'public')", name="audience_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(
        ForeignKey("consultation.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    audience: Mapped[str] = mapped_column(String(20))
    filters: Mapped[str] = mapped_column(Text, default="{}")  # canonical JSON (ReportFilters)
    # The random part of every cell's rounding seed: stable across rebuilds, unguessable.
    seed: Mapped[str] = mapped_column(String(64))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The "what we heard" page: the sections the working group approved for the public.
    published: Mapped[bool] = mapped_column(Boolean, default=False)
    public_sections: Mapped[str] = mapped_column(Text, default="[]")  # JSON list of keys
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    published_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user.id", ondelete="SET NULL"))

    consultation: Mapped[Consultation] = relationship()
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])

    @property
    def filter_values(self) -> dict:
        return json.loads(self.filters or "{}")

    @property
    def sections(self) -> list[str]:
        return json.loads(self.public_sections or "[]")


class ReportBuild(Base):
    __tablename__ = "report_build"
    __table_args__ = (
        CheckConstraint("status IN ('current', 'outdated')", name="status_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("report.id", ondelete="CASCADE"),
                                           index=True)
    number: Mapped[int] = mapped_column(Integer)
    built_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    built_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    status: Mapped[str] = mapped_column(String(10), default="current")
    # The inputs, so the build can be rebuilt exactly and checked for staleness.
    filters: Mapped[str] = mapped_column(Text, default="{}")
    codebook_version: Mapped[int | None] = mapped_column(Integer)
    consent_digest: Mapped[str] = mapped_column(String(80))
    approvals: Mapped[str] = mapped_column(Text, default="[]")  # JSON [[group_id, use], ...]
    content: Mapped[str] = mapped_column(Text)  # JSON: the safe report (app.reports.builder)

    report: Mapped[Report] = relationship()

    @property
    def data(self) -> dict:
        return json.loads(self.content)


class ApprovalRequest(Base):
    """A request to a governance group's kaitiaki: a report would quote the group's items, or
    break results down by the group. DETAIL lists exactly the quotes and tables affected."""

    __tablename__ = "report_approval_request"
    __table_args__ = (
        CheckConstraint("use IN ('quote', 'breakdown')", name="use_known"),
        CheckConstraint("status IN ('pending', 'approved', 'declined')", name="status_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("report.id", ondelete="CASCADE"),
                                           index=True)
    group_id: Mapped[int] = mapped_column(
        ForeignKey("governance_group.id", ondelete="CASCADE"), index=True)
    use: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(10), default="pending")
    detail: Mapped[str] = mapped_column(Text, default="{}")  # JSON: quotes, tables
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    conditions: Mapped[str] = mapped_column(Text, default="")
    approval_id: Mapped[int | None] = mapped_column(
        ForeignKey("governance_approval.id", ondelete="SET NULL"))

    report: Mapped[Report] = relationship()

    @property
    def details(self) -> dict:
        return json.loads(self.detail or "{}")
