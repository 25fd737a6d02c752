"""Analysis tables: a codebook per consultation, its themes and versions, and the codings that
apply themes to feedback items (whole items or spans), with their provenance.

The names and columns here are an interface (notes: ANALYSIS_INTERFACE.md): reports read
them. Columns may be added, never renamed or dropped.
"""
from __future__ import annotations

import secrets
from datetime import datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.corpus.models import FeedbackItem
from app.db import Base, UTCDateTime, utcnow

THEME_STATUSES = ("active", "merged", "deleted")
STANCES = ("supports", "opposes", "mixed", "unclear")
ORIGINS = ("analyst", "model")
CODING_STATUSES = ("applied", "suggested", "rejected")
DEFAULT_COLOUR = "#4c6b8a"


def _in(values) -> str:
    return ", ".join(f"'{value}'" for value in values)


class Codebook(Base):
    """The one codebook of a consultation. VERSION is the current version number: every
    change to its themes bumps it and stores a CodebookVersion snapshot."""

    __tablename__ = "codebook"

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(
        ForeignKey("consultation.id", ondelete="CASCADE"), unique=True
    )
    version: Mapped[int] = mapped_column(Integer, default=1)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # A random value that database triggers replace whenever a coding, a theme or an item's
    # countability changes (app/analysis/stamps.py): the method notes' figures are cached
    # under it. Read it with a query, never from a loaded object (the ORM does not see the
    # triggers' writes).
    coding_stamp: Mapped[str] = mapped_column(String(32), default=lambda: secrets.token_hex(8),
                                              server_default="")

    themes: Mapped[list[Theme]] = relationship(
        back_populates="codebook", order_by="Theme.position", cascade="all, delete-orphan",
        passive_deletes=True)


class CodebookVersion(Base):
    """One version of a codebook: what changed, by whom, and every theme as it then stood
    (canonical JSON), so a report can name and show the version it used."""

    __tablename__ = "codebook_version"
    __table_args__ = (UniqueConstraint("codebook_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    codebook_id: Mapped[int] = mapped_column(
        ForeignKey("codebook.id", ondelete="CASCADE"), index=True
    )
    number: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    summary: Mapped[str] = mapped_column(Text, default="")
    snapshot: Mapped[str] = mapped_column(Text, default="[]")


class Theme(Base):
    """A theme of a codebook: top level, or the child of a top-level theme (two levels only).
    Merged and deleted themes stay as rows (old codebook versions and codings name them)."""

    __tablename__ = "theme"
    __table_args__ = (
        CheckConstraint(f"status IN ({_in(THEME_STATUSES)})", name="status_known"),
        CheckConstraint("parent_id IS NULL OR parent_id <> id", name="not_own_parent"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    codebook_id: Mapped[int] = mapped_column(
        ForeignKey("codebook.id", ondelete="CASCADE"), index=True
    )
    parent_id: Mapped[int | None] = mapped_column(
        ForeignKey("theme.id", ondelete="SET NULL"), index=True
    )
    name: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(Text, default="")
    colour: Mapped[str] = mapped_column(String(7), default=DEFAULT_COLOUR)
    status: Mapped[str] = mapped_column(String(10), default="active")
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("theme.id", ondelete="SET NULL"))
    position: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    codebook: Mapped[Codebook] = relationship(back_populates="themes")
    parent: Mapped[Theme | None] = relationship(remote_side=[id], foreign_keys=[parent_id])

    @property
    def is_active(self) -> bool:
        return self.status == "active"


class Coding(Base):
    """One theme applied to one item, whole (no span) or to the span [span_start, span_end)
    of its text. ORIGIN says who made it: an analyst (coder_id), or a model (model_version,
    confidence) whose suggestion an analyst may accept (status applied, reviewed_by_id) or
    reject. SPAN_TEXT keeps the span's text as coded, so a later edit of the item shows."""

    __tablename__ = "coding"
    __table_args__ = (
        CheckConstraint(f"stance IS NULL OR stance IN ({_in(STANCES)})", name="stance_known"),
        CheckConstraint(f"origin IN ({_in(ORIGINS)})", name="origin_known"),
        CheckConstraint(f"status IN ({_in(CODING_STATUSES)})", name="status_known"),
        CheckConstraint(
            "(span_start IS NULL AND span_end IS NULL) OR "
            "(span_start IS NOT NULL AND span_end IS NOT NULL AND span_start >= 0 "
            "AND span_end > span_start)", name="span_valid"),
        CheckConstraint("confidence IS NULL OR (confidence >= 0 AND confidence <= 1)",
                        name="confidence_range"),
        # The method notes' agreement lookups (items two analysts coded; reviewed model
        # suggestions) read this index instead of every coding.
        Index("ix_coding_origin_status_item", "origin", "status", "item_id", "coder_id"),
        # A report's per-theme counts and the method notes' coded-item counts read an item's
        # codings from this index alone (migration reports_0002).
        Index("ix_coding_item_status_theme", "item_id", "status", "theme_id", "stance",
              "origin"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(
        ForeignKey("feedback_item.id", ondelete="CASCADE"), index=True
    )
    theme_id: Mapped[int] = mapped_column(ForeignKey("theme.id", ondelete="CASCADE"), index=True)
    span_start: Mapped[int | None] = mapped_column(Integer)
    span_end: Mapped[int | None] = mapped_column(Integer)
    span_text: Mapped[str | None] = mapped_column(Text)
    stance: Mapped[str | None] = mapped_column(String(10))
    origin: Mapped[str] = mapped_column(String(10), default="analyst")
    coder_id: Mapped[int | None] = mapped_column(
        ForeignKey("user.id", ondelete="SET NULL"), index=True
    )
    model_version: Mapped[str | None] = mapped_column(String(80))
    confidence: Mapped[float | None] = mapped_column(Float)
    status: Mapped[str] = mapped_column(String(10), default="applied")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    theme: Mapped[Theme] = relationship()
    item: Mapped[FeedbackItem] = relationship()

    @property
    def is_span(self) -> bool:
        return self.span_start is not None

    def span_is_stale(self, text: str) -> bool:
        """Whether the item's text no longer holds the coded span where it was coded."""
        if not self.is_span:
            return False
        return text[self.span_start:self.span_end] != (self.span_text or "")


class ItemAnnotation(Base):
    """What an analyst notes about an item as a whole: evidence-rich (worth reading in full)."""

    __tablename__ = "item_annotation"

    item_id: Mapped[int] = mapped_column(
        ForeignKey("feedback_item.id", ondelete="CASCADE"), primary_key=True
    )
    evidence_rich: Mapped[bool] = mapped_column(Boolean, default=False)
    marked_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    marked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


RUN_STATUSES = ("running", "finished", "failed")
CANDIDATE_STATUSES = ("new", "promoted", "merged", "dropped")


class DiscoveryRun(Base):
    """One run of automatic theme discovery over a consultation's countable items (a job),
    and what it found: its candidate themes, for analysts to review."""

    __tablename__ = "discovery_run"
    __table_args__ = (
        CheckConstraint(f"status IN ({_in(RUN_STATUSES)})", name="status_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(
        ForeignKey("consultation.id", ondelete="CASCADE"), index=True
    )
    job_id: Mapped[int | None] = mapped_column(ForeignKey("job.id", ondelete="SET NULL"))
    method: Mapped[str] = mapped_column(String(80))
    seed: Mapped[int] = mapped_column(Integer, default=0)
    model_version: Mapped[str] = mapped_column(String(120), default="")
    status: Mapped[str] = mapped_column(String(10), default="running")
    item_count: Mapped[int] = mapped_column(Integer, default=0)  # items it read
    theme_count: Mapped[int] = mapped_column(Integer, default=0)
    seconds: Mapped[float | None] = mapped_column(Float)
    started_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    candidates: Mapped[list[CandidateTheme]] = relationship(
        back_populates="run", order_by="CandidateTheme.id", cascade="all, delete-orphan",
        passive_deletes=True)


class CandidateTheme(Base):
    """A theme a discovery run proposes ("3" a parent, "3.1" its child): label, key phrases,
    an extractive summary, quotes (quotable items only) and its members, until an analyst
    promotes it into the codebook, merges it into a theme there, or drops it. Promoting or
    merging suggests the theme for its members (model codings for analysts to review)."""

    __tablename__ = "candidate_theme"
    __table_args__ = (
        CheckConstraint(f"status IN ({_in(CANDIDATE_STATUSES)})", name="status_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(
        ForeignKey("discovery_run.id", ondelete="CASCADE"), index=True
    )
    key: Mapped[str] = mapped_column(String(20))
    parent_key: Mapped[str | None] = mapped_column(String(20))
    label: Mapped[str] = mapped_column(String(200))
    key_phrases: Mapped[str] = mapped_column(Text, default="[]")  # JSON list of strings
    summary: Mapped[str] = mapped_column(Text, default="")
    size: Mapped[int] = mapped_column(Integer, default=0)  # campaigns counted once per member
    member_item_ids: Mapped[str] = mapped_column(Text, default="[]")  # JSON list of item ids
    # JSON list beside member_item_ids: each member's cosine similarity to the theme's centre
    # (the confidence of the codings a promotion suggests); "[]" for runs stored before it.
    member_scores: Mapped[str] = mapped_column(Text, default="[]", server_default="[]")
    quote_item_ids: Mapped[str] = mapped_column(Text, default="[]")  # JSON, quotable items
    redundant_with: Mapped[str] = mapped_column(Text, default="[]")  # JSON [[key, similarity]]
    status: Mapped[str] = mapped_column(String(10), default="new")
    theme_id: Mapped[int | None] = mapped_column(ForeignKey("theme.id", ondelete="SET NULL"))
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    run: Mapped[DiscoveryRun] = relationship(back_populates="candidates")
