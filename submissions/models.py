"""Submission forms (versioned), drafts, submissions and their answers.

A form has versions; a version has an ordered list of questions (a "section" is a question of
kind `section`: a heading, never answered). Once a version has submissions it is frozen: an
edit copies it into a new version (submissions.operations.forms), so every submission keeps the
questions it answered. Drafts live on the server with a version number that every save must
name (two tabs or colleagues never silently overwrite each other). A submission is written in
one short transaction (the row, its answers, its idempotency key); turning its answers into
FeedbackItems and emailing the receipt is a job.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db import Base, UTCDateTime, utcnow
from app.models import Consultation, Organisation, User

QUESTION_KINDS = ("section", "short_text", "long_text", "single_choice", "multiple_choice",
                  "agreement", "yes_no", "ranking")
TEXT_KINDS = frozenset({"short_text", "long_text"})
CHOICE_KINDS = frozenset({"single_choice", "multiple_choice", "ranking"})
AGREEMENT_CHOICES = ("strongly_agree", "agree", "neutral", "disagree", "strongly_disagree",
                     "dont_know")
YES_NO_CHOICES = ("yes", "no")
FORM_STATUSES = ("draft", "published", "closed")


def _is_signed_in(user) -> bool:
    return bool(getattr(user, "is_authenticated", False))


def _is_member(user, organisation_id: int | None) -> bool:
    return (organisation_id is not None and _is_signed_in(user)
            and any(m.organisation_id == organisation_id for m in user.memberships))


class SubmissionForm(Base):
    """A consultation's submission form; what people answer is its current published version."""

    __tablename__ = "submission_form"

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(
        ForeignKey("consultation.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    intro: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(20), default="draft")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    consultation: Mapped[Consultation] = relationship(lazy="joined")
    versions: Mapped[list[FormVersion]] = relationship(
        back_populates="form", order_by="FormVersion.number", cascade="all, delete-orphan")

    @property
    def current_version(self) -> FormVersion:
        return self.versions[-1]

    @property
    def is_published(self) -> bool:
        return self.status == "published"

    @property
    def allows_guests(self) -> bool:
        """People without an account may submit: a setting of the consultation (every form of
        it), see submissions.guest_models.SubmissionSettings."""
        from submissions.guest_settings import consultation_allows_guests

        return consultation_allows_guests(self.consultation_id)

    def is_open(self, now: datetime | None = None) -> bool:
        """Taking submissions and edits: published, and the consultation open."""
        return self.is_published and self.consultation.is_open(now)

    def can_view(self, user) -> bool:
        """Published forms are public; analysts see every form."""
        return self.is_published or (_is_signed_in(user) and user.has_role("analyst"))

    def can_edit(self, user) -> bool:
        return _is_signed_in(user) and user.has_role("analyst")


class FormVersion(Base):
    __tablename__ = "submission_form_version"
    __table_args__ = (UniqueConstraint("form_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    form_id: Mapped[int] = mapped_column(
        ForeignKey("submission_form.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    form: Mapped[SubmissionForm] = relationship(back_populates="versions")
    questions: Mapped[list[Question]] = relationship(
        back_populates="version", order_by="Question.position", cascade="all, delete-orphan")

    @property
    def answerable(self) -> list[Question]:
        return [q for q in self.questions if q.kind != "section"]


class Question(Base):
    __tablename__ = "submission_question"
    __table_args__ = (UniqueConstraint("version_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(
        ForeignKey("submission_form_version.id", ondelete="CASCADE"), index=True)
    # Stable across versions: answers, FeedbackItem.question_key and conditions name it.
    key: Mapped[str] = mapped_column(String(40))
    position: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(20))
    prompt: Mapped[str] = mapped_column(Text)
    help_text: Mapped[str] = mapped_column(Text, default="")
    is_required: Mapped[bool] = mapped_column(Boolean, default=False)
    max_chars: Mapped[int | None] = mapped_column(Integer)
    choices: Mapped[list] = mapped_column(JSON, default=list)  # option labels, for choice kinds
    # Conditional display: shown only when the answer to SHOW_IF_KEY is SHOW_IF_VALUE.
    show_if_key: Mapped[str | None] = mapped_column(String(40))
    show_if_value: Mapped[str | None] = mapped_column(String(200))

    version: Mapped[FormVersion] = relationship(back_populates="questions")

    @property
    def options(self) -> list[tuple[str, str]]:
        """(value, label) pairs the person chooses from; values are what answers store."""
        from submissions.labels import option_labels

        return option_labels(self)


class Draft(Base):
    """Answers being written, by one person or by members of one organisation."""

    __tablename__ = "submission_draft"

    id: Mapped[int] = mapped_column(primary_key=True)
    form_id: Mapped[int] = mapped_column(
        ForeignKey("submission_form.id", ondelete="CASCADE"), index=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("submission_form_version.id"))
    owner_id: Mapped[int | None] = mapped_column(
        ForeignKey("user.id", ondelete="CASCADE"), index=True)
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE"), index=True)
    guest_name: Mapped[str] = mapped_column(String(120), default="")
    guest_email: Mapped[str] = mapped_column(String(254), default="")
    answers: Mapped[dict] = mapped_column(JSON, default=dict)
    consent: Mapped[dict] = mapped_column(JSON, default=dict)
    submitter_role: Mapped[str] = mapped_column(String(200), default="")
    is_authorised: Mapped[bool] = mapped_column(Boolean, default=False)
    version: Mapped[int] = mapped_column(Integer, default=1)
    # The key of the one submission this draft makes: a repeated submit finds it.
    submit_key: Mapped[str] = mapped_column(String(40), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))

    form: Mapped[SubmissionForm] = relationship(lazy="joined")
    form_version: Mapped[FormVersion] = relationship()
    owner: Mapped[User | None] = relationship(foreign_keys=[owner_id])
    organisation: Mapped[Organisation | None] = relationship()
    changes: Mapped[list[DraftChange]] = relationship(
        order_by="DraftChange.id.desc()", cascade="all, delete-orphan")
    attachments: Mapped[list[Attachment]] = relationship(
        back_populates="draft", order_by="Attachment.id", cascade="all, delete-orphan")

    @property
    def is_guest(self) -> bool:
        return self.owner_id is None and self.organisation_id is None

    def can_edit(self, user) -> bool:
        """Its owner; for an organisation draft, every member of the organisation. Guest
        drafts are reached through the guest's own session (views.guest_may)."""
        if self.organisation_id is not None:
            return _is_member(user, self.organisation_id)
        return _is_signed_in(user) and user.id == self.owner_id

    can_view = can_edit


class DraftChange(Base):
    """Who saved which answers of a draft, and when (shown on organisation drafts)."""

    __tablename__ = "submission_draft_change"

    id: Mapped[int] = mapped_column(primary_key=True)
    draft_id: Mapped[int] = mapped_column(
        ForeignKey("submission_draft.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    version: Mapped[int] = mapped_column(Integer)
    changed_keys: Mapped[list] = mapped_column(JSON, default=list)
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User | None] = relationship()


class Submission(Base):
    __tablename__ = "submission"

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(20), unique=True)
    idempotency_key: Mapped[str] = mapped_column(String(40), unique=True)
    form_id: Mapped[int] = mapped_column(
        ForeignKey("submission_form.id", ondelete="CASCADE"), index=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("submission_form_version.id"))
    draft_id: Mapped[int | None] = mapped_column(
        ForeignKey("submission_draft.id", ondelete="SET NULL"), unique=True)
    submitted_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user.id", ondelete="SET NULL"), index=True)
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisation.id", ondelete="SET NULL"), index=True)
    submitter_role: Mapped[str] = mapped_column(String(200), default="")
    is_authorised: Mapped[bool] = mapped_column(Boolean, default=False)
    guest_name: Mapped[str] = mapped_column(String(120), default="")
    guest_email: Mapped[str] = mapped_column(String(254), default="")
    email_confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    consent: Mapped[dict] = mapped_column(JSON, default=dict)
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Set when an analyst has redacted it and it may appear on the public page (when its
    # consent says public); cleared when the submitter changes it, so it is reviewed again.
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    # Set by the job that turns the answers into FeedbackItems (None: not done yet). Indexed:
    # the intake sweeper (submissions.intake) picks up the unrecorded ones in batches.
    recorded_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    # When the receipt email went out (None: the sweeper still owes it).
    receipt_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # A keyed hash of the address it came from (never the address): screening flags many
    # submissions from one address in a short time (submissions.screening).
    source_hash: Mapped[str | None] = mapped_column(String(24))

    form: Mapped[SubmissionForm] = relationship(lazy="joined")
    form_version: Mapped[FormVersion] = relationship()
    draft: Mapped[Draft | None] = relationship()
    submitted_by: Mapped[User | None] = relationship()
    organisation: Mapped[Organisation | None] = relationship()
    answers: Mapped[list[SubmissionAnswer]] = relationship(
        back_populates="submission", cascade="all, delete-orphan",
        order_by="SubmissionAnswer.id")
    redactions: Mapped[list[Redaction]] = relationship(
        cascade="all, delete-orphan", order_by="Redaction.id")

    @property
    def may_be_public(self) -> bool:
        """Its consent allows publishing, and it is not withdrawn."""
        return (self.withdrawn_at is None and (self.consent or {}).get("publish") == "public"
                and bool((self.consent or {}).get("analysis")))

    @property
    def is_public(self) -> bool:
        return self.may_be_public and self.published_at is not None

    @property
    def is_guest(self) -> bool:
        return self.submitted_by_id is None

    @property
    def is_confirmed(self) -> bool:
        return not self.is_guest or self.email_confirmed_at is not None

    @property
    def submitter_name(self) -> str:
        if self.submitted_by is not None:
            return self.submitted_by.display_name
        return self.guest_name

    def can_view(self, user) -> bool:
        """The person who submitted it; for an organisation's, its members; analysts. Guest
        submissions are reached through the guest's own session (views.guest_may)."""
        if not _is_signed_in(user):
            return False
        if user.id == self.submitted_by_id or _is_member(user, self.organisation_id):
            return True
        return user.has_role("analyst")

    def can_edit(self, user) -> bool:
        return _is_signed_in(user) and (user.id == self.submitted_by_id
                                        or _is_member(user, self.organisation_id))


class SubmissionAnswer(Base):
    """One answer: TEXT for the corpus, VALUE (a choice, a list, a ranking) for charts."""

    __tablename__ = "submission_answer"
    __table_args__ = (UniqueConstraint("submission_id", "question_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(
        ForeignKey("submission.id", ondelete="CASCADE"), index=True)
    question_key: Mapped[str] = mapped_column(String(40))
    text: Mapped[str] = mapped_column(Text, default="")
    value: Mapped[object | None] = mapped_column(JSON)

    submission: Mapped[Submission] = relationship(back_populates="answers")


class Attachment(Base):
    """A file added to a draft (PDF, DOCX, ODT, TXT), stored outside static under a random
    name; its text becomes a FeedbackItem when the submission is recorded."""

    __tablename__ = "submission_attachment"

    id: Mapped[int] = mapped_column(primary_key=True)
    draft_id: Mapped[int] = mapped_column(
        ForeignKey("submission_draft.id", ondelete="CASCADE"), index=True)
    stored_name: Mapped[str] = mapped_column(String(64), unique=True)
    filename: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(10))  # pdf, docx, odt, txt: checked by content
    size: Mapped[int] = mapped_column(Integer)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    draft: Mapped[Draft] = relationship(back_populates="attachments")


class Redaction(Base):
    """A passage of an answer hidden from the published page, with the analyst's reason. The
    original stays on the answer (for the secretariat); the public page never shows it."""

    __tablename__ = "submission_redaction"

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(
        ForeignKey("submission.id", ondelete="CASCADE"), index=True)
    question_key: Mapped[str] = mapped_column(String(40))
    passage: Mapped[str] = mapped_column(Text)
    reason: Mapped[str] = mapped_column(String(500))
    redacted_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    redacted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    redacted_by: Mapped[User | None] = relationship()
