"""The feedback corpus: every piece of feedback, whatever its source, is one FeedbackItem.

Feature packages write items only through `record_feedback` (below); analysis and reports read
only this table. Consent lives on the item and every change to it is versioned in
ConsentChange. What a reader may see of an item is decided in `app.consent`.
"""
from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    Boolean,
    CheckConstraint,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    select,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db import Base, Session, UTCDateTime, utcnow
from app.errors import OperationRefused
from app.models import STAKEHOLDER_GROUPS, Consultation, Organisation, User
from app.privacy.audit import record_event
from app.privacy.models import GovernanceGroup

if TYPE_CHECKING:  # app.consent imports this module; import it lazily at run time
    from app.consent import ConsentScope

SOURCES = {
    "forum_post": _l("Forum post"),
    "workshop_output": _l("Workshop output"),
    "interview_note": _l("Interview note"),
    "submission_answer": _l("Submission answer"),
    "imported_row": _l("Imported row"),
}
QUOTE_LEVELS = ("none", "anonymous", "attributed")
PUBLISH_LEVELS = ("none", "working_group", "public")


def _in(values) -> str:
    return ", ".join(f"'{v}'" for v in values)


class FeedbackItem(Base):
    __tablename__ = "feedback_item"
    __table_args__ = (
        UniqueConstraint("source", "source_id", name="uq_feedback_item_source"),
        CheckConstraint(f"source IN ({_in(SOURCES)})", name="source_known"),
        CheckConstraint(f"consent_quote IN ({_in(QUOTE_LEVELS)})", name="quote_known"),
        CheckConstraint(f"consent_publish IN ({_in(PUBLISH_LEVELS)})", name="publish_known"),
        CheckConstraint(
            f"stakeholder_group IS NULL OR stakeholder_group IN ({_in(STAKEHOLDER_GROUPS)})",
            name="stakeholder_group_known",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(
        ForeignKey("consultation.id", ondelete="CASCADE"), index=True
    )
    source: Mapped[str] = mapped_column(String(30))
    # The id of the source record (a post, a note, an answer) in its own table.
    source_id: Mapped[str] = mapped_column(String(80))
    text: Mapped[str] = mapped_column(Text)
    author_id: Mapped[int | None] = mapped_column(
        ForeignKey("user.id", ondelete="SET NULL"), index=True
    )
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisation.id", ondelete="SET NULL")
    )
    stakeholder_group: Mapped[str | None] = mapped_column(String(20))
    question_key: Mapped[str | None] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    # The consent scope (see DESIGN.md). Withdrawal sets consent_analysis false.
    consent_analysis: Mapped[bool] = mapped_column(Boolean, default=True)
    consent_quote: Mapped[str] = mapped_column(String(20), default="none")
    consent_publish: Mapped[str] = mapped_column(String(20), default="none")
    governed_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("governance_group.id", ondelete="RESTRICT"), index=True
    )
    consent_version: Mapped[int] = mapped_column(Integer, default=1)

    consultation: Mapped[Consultation] = relationship()
    author: Mapped[User | None] = relationship()
    organisation: Mapped[Organisation | None] = relationship()

    def can_view(self, user: User) -> bool:
        """Whether USER may read this item's text anywhere in the platform. Not a rule of its
        own: it asks `app.consent.visible_to` for each audience USER receives output for."""
        from app.consent import audiences_of, visible_to

        return any(visible_to(user, self, audience=audience).text is not None
                   for audience in audiences_of(user))


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


# ---------------------------------------------------------------- operations
# Feature packages call these; they add and flush, never commit. What a reader may see of an
# item is decided in app.consent, which also defines ConsentScope.


def _check_group_exists(scope: ConsentScope) -> None:
    if scope.governed_by_id is not None and Session.get(GovernanceGroup,
                                                        scope.governed_by_id) is None:
        raise OperationRefused(_("That governance group does not exist. Choose one from the "
                                 "list."), field="governed_by_id")


# Sources a facilitator writes up on someone's behalf: interview notes (with the interviewee's
# consent as the facilitator recorded it) and a workshop's outputs.
FACILITATOR_RECORDED = frozenset({"interview_note", "workshop_output"})


def _may_record(actor: User | None, source: str, author: User | None) -> bool:
    """Who may create or rewrite an item: the system (no actor: an import run from the CLI),
    its author, a facilitator for what facilitators record, an analyst for imported rows."""
    if actor is None:
        return True
    if author is not None and actor.id == author.id:
        return True
    if source in FACILITATOR_RECORDED and actor.has_role("facilitator"):
        return True
    return source == "imported_row" and actor.has_role("analyst")


def _may_change_consent(actor: User | None, item: FeedbackItem) -> bool:
    """Consent is set by the person who gave the feedback, or recorded by the facilitator for
    an interview or workshop (DESIGN.md). Nobody else may change it, least of all widen it."""
    if actor is None:
        return False
    if actor.id == item.author_id:
        return True
    return item.source in FACILITATOR_RECORDED and actor.has_role("facilitator")


def record_feedback(actor: User | None, *, consultation: Consultation, source: str,
                    source_id: str | int, text: str, author: User | None = None,
                    organisation: Organisation | None = None, question_key: str | None = None,
                    consent: ConsentScope, created_at: datetime | None = None) -> FeedbackItem:
    """Create or update the FeedbackItem for one source record, found by (source, source_id).

    Creating sets consent version 1 and records the first ConsentChange ("{}" -> scope).
    Updating changes the text, question and organisation (and so the stakeholder group), and
    when CONSENT differs from the item's, changes it through `update_consent` (which refuses
    actors who may not). The author and consultation of an item never change. Refuses an
    unknown source, empty text, an unknown governance group, or a source record that already
    belongs to another consultation. ACTOR may be None for system imports of new items.
    """
    from app.consent import ConsentScope

    if source not in SOURCES:
        raise OperationRefused(_("Unknown feedback source “%(source)s”.", source=source),
                               field="source")
    text = (text or "").strip()
    if not text:
        raise OperationRefused(_("Write some feedback before saving."), field="text")
    if not isinstance(consent, ConsentScope):
        raise TypeError("consent must be a ConsentScope")
    _check_group_exists(consent)
    source_id = str(source_id)
    item = Session.scalar(select(FeedbackItem).where(FeedbackItem.source == source,
                                                     FeedbackItem.source_id == source_id))
    if not _may_record(actor, source, item.author if item is not None else author):
        raise OperationRefused(_("Only the person who gave this feedback (or, for interviews "
                                 "and workshops, their facilitator) may record it."))
    stakeholder_group = organisation.stakeholder_group if organisation is not None else None

    if item is None:
        now = utcnow()
        item = FeedbackItem(
            consultation_id=consultation.id, source=source, source_id=source_id, text=text,
            author_id=author.id if author is not None else None,
            organisation_id=organisation.id if organisation is not None else None,
            stakeholder_group=stakeholder_group, question_key=question_key,
            created_at=created_at or now, updated_at=now, consent_version=1,
        )
        consent.apply_to(item)
        Session.add(item)
        Session.flush()
        Session.add(ConsentChange(
            item_id=item.id, version=1, changed_by_id=getattr(actor, "id", None),
            changed_at=now, old_scope="{}", new_scope=consent.to_json(),
        ))
        Session.flush()
        return item

    if item.consultation_id != consultation.id:
        raise OperationRefused(_("This feedback already belongs to another consultation."))
    item.text = text
    item.question_key = question_key
    item.organisation_id = organisation.id if organisation is not None else None
    item.stakeholder_group = stakeholder_group
    item.updated_at = utcnow()
    if consent != ConsentScope.from_item(item):
        update_consent(actor, item, consent, reason="updated with the feedback")
    Session.flush()
    return item


def update_consent(actor: User | None, item: FeedbackItem, new_scope: ConsentScope, *,
                   reason: str = "", ip: str = "") -> ConsentChange:
    """Change an item's consent scope: bumps consent_version, stores the ConsentChange (who,
    when, old -> new) and records "consent.changed" in the audit log.

    Refuses when ACTOR is neither the item's author nor, for interview notes and workshop
    outputs, a facilitator recording it for them; when nothing would change; or when the
    governance group does not exist.
    """
    from app.consent import ConsentScope

    if not _may_change_consent(actor, item):
        raise OperationRefused(_("Only the person who gave this feedback (or, for interviews "
                                 "and workshops, their facilitator) may change its consent."))
    old_scope = ConsentScope.from_item(item)
    if not old_scope.analysis and new_scope.analysis and actor.id != item.author_id:
        raise OperationRefused(_("Consent was withdrawn: only the person who gave this "
                                 "feedback may give it again."))
    if new_scope == old_scope:
        raise OperationRefused(_("The consent is already set that way: nothing to change."))
    _check_group_exists(new_scope)
    now = utcnow()
    new_scope.apply_to(item)
    item.consent_version = (item.consent_version or 1) + 1
    item.updated_at = now
    change = ConsentChange(
        item_id=item.id, version=item.consent_version, changed_by_id=actor.id, changed_at=now,
        old_scope=old_scope.to_json(), new_scope=new_scope.to_json(), reason=reason or "",
    )
    Session.add(change)
    Session.flush()
    record_event(actor, "consent.changed", target=item, ip=ip, detail={
        "version": item.consent_version, "old": old_scope.to_dict(),
        "new": new_scope.to_dict(), "reason": reason or "",
    })
    return change


def withdraw_consent(actor: User | None, item: FeedbackItem, *, reason: str = "",
                     ip: str = "") -> ConsentChange:
    """Withdraw consent: not analysed, never quoted, never published, from now on.

    Refuses like `update_consent`, and when consent is already withdrawn.
    """
    from app.consent import ConsentScope

    return update_consent(actor, item, ConsentScope.withdrawn(item.governed_by_id),
                          reason=reason, ip=ip)
