"""The feedback corpus tables: FeedbackItem (every piece of feedback, whatever its source) and
ConsentChange (every version of an item's consent scope).

Feature packages write items only through `app.corpus.operations.record_feedback`; analysis and
reports read only this table. The source is not constrained in the database: the registry in
`app.corpus.sources` is checked when an item is recorded, so adding a source needs no migration.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.corpus.closed import CLOSED_KINDS
from app.corpus.rules import audiences_of, visible_to
from app.corpus.scope import PUBLISH_LEVELS, QUOTE_LEVELS
from app.db import Base, UTCDateTime, utcnow
from app.models import STAKEHOLDER_GROUPS, Consultation, Organisation, User


def _in(values) -> str:
    return ", ".join(f"'{v}'" for v in values)


class FeedbackItem(Base):
    __tablename__ = "feedback_item"
    __table_args__ = (
        UniqueConstraint("source", "source_id", name="uq_feedback_item_source"),
        CheckConstraint(f"consent_quote IN ({_in(QUOTE_LEVELS)})", name="quote_known"),
        CheckConstraint(f"consent_publish IN ({_in(PUBLISH_LEVELS)})", name="publish_known"),
        CheckConstraint(
            f"stakeholder_group IS NULL OR stakeholder_group IN ({_in(STAKEHOLDER_GROUPS)})",
            name="stakeholder_group_known",
        ),
        # Reports count countable items by source and group, and walk them item by item for
        # their codings, from this index alone (migration reports_0002).
        Index("ix_feedback_item_report", "consultation_id", "consent_analysis", "campaign_id",
              "source", "stakeholder_group", "governed_by_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(
        ForeignKey("consultation.id", ondelete="CASCADE"), index=True
    )
    source: Mapped[str] = mapped_column(String(30))  # a key of app.corpus.sources.SOURCES
    # The id of the source record (a post, a note, an answer) in its own table.
    source_id: Mapped[str] = mapped_column(String(80))
    text: Mapped[str] = mapped_column(Text)
    author_id: Mapped[int | None] = mapped_column(
        ForeignKey("user.id", ondelete="SET NULL"), index=True
    )
    # Who recorded the item when it was created: the author, the facilitator who wrote up an
    # interview or workshop, the analyst who imported a row; None for a system import (CLI).
    recorded_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user.id", ondelete="SET NULL"), index=True
    )
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisation.id", ondelete="SET NULL")
    )
    stakeholder_group: Mapped[str | None] = mapped_column(String(20))
    question_key: Mapped[str | None] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    # The consent scope (docs/architecture.md). Withdrawal sets consent_analysis false.
    consent_analysis: Mapped[bool] = mapped_column(Boolean, default=True)
    consent_quote: Mapped[str] = mapped_column(String(20), default="none")
    consent_publish: Mapped[str] = mapped_column(String(20), default="none")
    governed_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("governance_group.id", ondelete="RESTRICT"), index=True
    )
    consent_version: Mapped[int] = mapped_column(Integer, default=1)

    # Campaign (template) screening: items whose text is a copy or near-copy of one template
    # share a campaign, so reports count the shared text once with its number of signatories.
    # OWN_TEXT is what this item adds to the template (None when it adds nothing, or is in no
    # campaign). Set by `app.corpus.campaigns`, never by the person giving feedback.
    campaign_id: Mapped[int | None] = mapped_column(
        ForeignKey("feedback_campaign.id", ondelete="SET NULL"), index=True
    )
    own_text: Mapped[str | None] = mapped_column(Text)

    consultation: Mapped[Consultation] = relationship()
    author: Mapped[User | None] = relationship(foreign_keys=[author_id])
    recorded_by: Mapped[User | None] = relationship(foreign_keys=[recorded_by_id])
    organisation: Mapped[Organisation | None] = relationship()

    def can_view(self, user: User) -> bool:
        """Whether USER may read this item's text anywhere in the platform. Not a rule of its
        own: it asks `visible_to` for each audience USER receives output for."""
        return any(visible_to(user, self, audience=audience).text is not None
                   for audience in audiences_of(user))


class FeedbackCampaign(Base):
    """A group of items that repeat one template (exact copies or near-copies), found by
    near-duplicate detection over one question's items in a consultation."""

    __tablename__ = "feedback_campaign"

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(
        ForeignKey("consultation.id", ondelete="CASCADE"), index=True
    )
    question_key: Mapped[str | None] = mapped_column(String(80))
    # The shared text, as the most common member states it.
    template_text: Mapped[str] = mapped_column(Text)
    member_count: Mapped[int] = mapped_column(Integer, default=0)
    # "exact" when every member repeats the template word for word, else "template".
    kind: Mapped[str] = mapped_column(String(10), default="template")
    detected_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ConsentChange(Base):
    """One version step of an item's consent scope: who changed it, when, old -> new."""

    __tablename__ = "consent_change"

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(
        ForeignKey("feedback_item.id", ondelete="CASCADE"), index=True
    )
    version: Mapped[int] = mapped_column(Integer)
    changed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    old_scope: Mapped[str] = mapped_column(Text)  # canonical JSON, "{}" for the first version
    new_scope: Mapped[str] = mapped_column(Text)
    reason: Mapped[str] = mapped_column(Text, default="")
    # When someone other than the person who gave the feedback widens its consent or removes
    # its governance group, the person's own agreement to that: how it was given (one of
    # app.corpus.checks.AGREEMENT_METHODS) and when. Empty for every other change.
    agreement_method: Mapped[str | None] = mapped_column(String(30))
    agreement_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class FeedbackQuestion(Base):
    """A closed question of a consultation, as the corpus knows it: its label, kind and
    options (value, label) in order. Written by `app.corpus.choices` when an answer to it is
    recorded; options of older versions of the question are kept after the current ones, so
    every stored choice keeps its label."""

    __tablename__ = "feedback_question"
    __table_args__ = (
        UniqueConstraint("consultation_id", "question_key", name="uq_feedback_question_key"),
        CheckConstraint(f"kind IN ({_in(CLOSED_KINDS)})", name="kind_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(
        ForeignKey("consultation.id", ondelete="CASCADE"), index=True)
    question_key: Mapped[str] = mapped_column(String(80))
    prompt: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(20))
    options: Mapped[list] = mapped_column(JSON, default=list)  # [[value, label], ...]
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class FeedbackChoice(Base):
    """One option chosen in one item's closed answer. The item carries the consent, the
    stakeholder group and the question key, so counting choices goes through the same rules as
    counting items (a withdrawn item's choices count nowhere)."""

    __tablename__ = "feedback_choice"
    __table_args__ = (UniqueConstraint("item_id", "option", name="uq_feedback_choice_option"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(
        ForeignKey("feedback_item.id", ondelete="CASCADE"), index=True)
    option: Mapped[str] = mapped_column(Text)  # the option's value
    rank: Mapped[int] = mapped_column(Integer, default=1)  # 1 = chosen first / ranked first
