"""Forum tables: spaces (open or caucus), threads, posts and their history, flags, follows,
notifications, read markers and each person's forum preferences.

Who may enter a space is `ForumSpace.can_view`; every object below a space asks its space, so a
caucus non-member gets 404 for the space and for everything in it.
"""
from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    func,
    literal_column,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db import Base, UTCDateTime, utcnow
from app.governance.models import GovernanceGroup
from app.models import STAKEHOLDER_GROUPS, User

SPACE_KINDS = ("open", "caucus")
# Who a caucus is for: members of organisations in one stakeholder group, the people a
# governance group covers, or a named list.
AUDIENCES = {"stakeholder": _l("Members of organisations in one stakeholder group"),
             "governance": _l("The people a governance group covers"),
             "members": _l("A named list of members")}
# The core records no list of the people a governance group covers; an iwi or hapū group covers
# members of iwi / hapū / Māori organisations, a Pasifika group members of Pasifika ones.
GOVERNANCE_COVERS = {"iwi": "iwi_maori", "hapu": "iwi_maori", "pasifika": "pasifika"}
POST_STATUSES = ("published", "pending", "hidden", "deleted")
IDENTITIES = ("named", "group")
EMAIL_MODES = {"immediate": _l("Straight away, one email per reply"),
               "daily": _l("Once a day, in a digest"),
               "none": _l("Never: I will check the forum")}
FILE_KINDS = {"application/pdf": _l("PDF"), "image/png": _l("PNG image"),
              "image/jpeg": _l("JPEG image")}
# Staff who moderate open spaces, and caucus spaces whose settings let staff in.
MODERATING_ROLES = ("analyst", "facilitator")


def _is_signed_in(user) -> bool:
    return bool(getattr(user, "is_authenticated", False))


def moderates_open_spaces(user) -> bool:
    """Who moderates every open space (ForumSpace.can_moderate's rule for them)."""
    return _is_signed_in(user) and user.has_role(*MODERATING_ROLES)


class ForumSpace(Base):
    __tablename__ = "forum_space"
    __table_args__ = (
        CheckConstraint("kind IN ('open', 'caucus')", name="kind_known"),
        CheckConstraint("audience IS NULL OR audience IN ('stakeholder', 'governance', "
                        "'members')", name="audience_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(
        ForeignKey("consultation.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    kind: Mapped[str] = mapped_column(String(20), default="open")
    audience: Mapped[str | None] = mapped_column(String(20))
    stakeholder_group: Mapped[str | None] = mapped_column(String(20))
    governance_group_id: Mapped[int | None] = mapped_column(
        ForeignKey("governance_group.id", ondelete="SET NULL"))
    staff_may_enter: Mapped[bool] = mapped_column(Boolean, default=False)
    is_premoderated: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    governance_group: Mapped[GovernanceGroup | None] = relationship(lazy="joined")
    member_rows: Mapped[list[ForumSpaceMember]] = relationship(
        back_populates="space", cascade="all, delete-orphan", lazy="selectin")

    @property
    def is_caucus(self) -> bool:
        return self.kind == "caucus"

    @property
    def audience_label(self) -> str:
        if not self.is_caucus:
            return str(_l("Every signed-in participant"))
        if self.audience == "stakeholder":
            return str(STAKEHOLDER_GROUPS.get(self.stakeholder_group or "", ""))
        if self.audience == "governance" and self.governance_group is not None:
            return self.governance_group.name
        return str(_l("Named members"))

    def _named(self, user, role: str) -> bool:
        return any(row.user_id == user.id and row.role == role for row in self.member_rows)

    def _is_kaitiaki(self, user) -> bool:
        return self.governance_group is not None and self.governance_group.is_kaitiaki(user)

    def is_member(self, user) -> bool:
        """Whether USER belongs to this caucus (its own people, not staff let in)."""
        if not _is_signed_in(user):
            return False
        if self._named(user, "member") or self._named(user, "moderator"):
            return True
        if self._is_kaitiaki(user):
            return True
        groups = {m.organisation.stakeholder_group for m in user.memberships}
        if self.audience == "stakeholder":
            return self.stakeholder_group in groups
        if self.audience == "governance" and self.governance_group is not None:
            return GOVERNANCE_COVERS.get(self.governance_group.kind) in groups
        return False

    def can_view(self, user) -> bool:
        if not _is_signed_in(user):
            return False
        if not self.is_caucus:
            return True
        if self.is_member(user):
            return True
        return self.staff_may_enter and user.has_role(*MODERATING_ROLES)

    def can_moderate(self, user) -> bool:
        """Open spaces: analysts and facilitators. A caucus: the facilitators it names, its
        kaitiaki, and analysts and facilitators only when its settings let staff in."""
        if not _is_signed_in(user):
            return False
        if not self.is_caucus:
            return moderates_open_spaces(user)
        if self._named(user, "moderator") or self._is_kaitiaki(user):
            return True
        return self.staff_may_enter and user.has_role(*MODERATING_ROLES)

    def can_manage(self, user) -> bool:
        """Change the space's settings (pre-moderation, letting staff in): its moderators. A
        caucus is its members' own room, so only the moderators it has chosen change it."""
        return self.can_moderate(user)


class ForumSpaceMember(Base):
    """A named member of a caucus, or a facilitator it names as a moderator."""

    __tablename__ = "forum_space_member"
    __table_args__ = (CheckConstraint("role IN ('member', 'moderator')", name="role_known"),)

    space_id: Mapped[int] = mapped_column(
        ForeignKey("forum_space.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"),
                                         primary_key=True)
    role: Mapped[str] = mapped_column(String(20), default="member")

    space: Mapped[ForumSpace] = relationship(back_populates="member_rows")
    # Loaded only when asked: access checks read user_id and role, and loading each member's
    # account (with its roles and organisations) made every space load a cascade of queries.
    user: Mapped[User] = relationship()


class ForumThread(Base):
    __tablename__ = "forum_thread"
    __table_args__ = (Index("ix_forum_thread_space_activity", "space_id", "is_pinned",
                            "last_activity_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    space_id: Mapped[int] = mapped_column(ForeignKey("forum_space.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(200))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    is_locked: Mapped[bool] = mapped_column(Boolean, default=False)
    is_pinned: Mapped[bool] = mapped_column(Boolean, default=False)
    reply_count: Mapped[int] = mapped_column(Integer, default=0)  # published replies
    # Bumped by every change to what the thread page shows: the page cache's key.
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_activity_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    space: Mapped[ForumSpace] = relationship(lazy="joined")

    def can_view(self, user) -> bool:
        return self.space.can_view(user)


class ForumPost(Base):
    __tablename__ = "forum_post"
    __table_args__ = (
        CheckConstraint("status IN ('published', 'pending', 'hidden', 'deleted')",
                        name="status_known"),
        CheckConstraint("identity IN ('named', 'group')", name="identity_known"),
        Index("ix_forum_post_thread_created", "thread_id", "created_at", "id"),
        # PostgreSQL's full-text index (SQLite's is the FTS5 table made by the migration).
        Index("ix_forum_post_search", func.to_tsvector(literal_column("'simple'"),
                                                       literal_column("search_text")),
              postgresql_using="gin").ddl_if(dialect="postgresql"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    thread_id: Mapped[int] = mapped_column(ForeignKey("forum_thread.id", ondelete="CASCADE"))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"),
                                                  index=True)
    reply_to_id: Mapped[int | None] = mapped_column(
        ForeignKey("forum_post.id", ondelete="SET NULL"))
    body: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)  # sanitised on write (app.sanitize)
    # The title, body and author's shown name, lower-cased and without macrons, for search.
    search_text: Mapped[str] = mapped_column(Text, default="")
    identity: Mapped[str] = mapped_column(String(20), default="named")
    group_key: Mapped[str | None] = mapped_column(String(20))  # stakeholder group when "group"
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisation.id", ondelete="SET NULL"))
    status: Mapped[str] = mapped_column(String(20), default="published")
    moderation_reason: Mapped[str] = mapped_column(Text, default="")
    feedback_item_id: Mapped[int | None] = mapped_column(
        ForeignKey("feedback_item.id", ondelete="SET NULL"))
    revision: Mapped[int] = mapped_column(Integer, default=1)  # refuses stale edits
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    edited_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    thread: Mapped[ForumThread] = relationship(lazy="joined")
    author: Mapped[User | None] = relationship(lazy="joined")
    # Loaded with the thread's posts in one query (queries.thread_posts); the rows go with the
    # post in the database, the files by operations (attachments.remove_files).
    attachments: Mapped[list[ForumAttachment]] = relationship(
        order_by="ForumAttachment.id", passive_deletes=True, back_populates="post")

    def can_view(self, user) -> bool:
        """Published posts to whoever sees the space; pending and hidden ones to their author
        and moderators too (deleted posts show as a placeholder to everyone in the space)."""
        if not self.thread.can_view(user):
            return False
        if self.status in ("published", "deleted"):
            return True
        return self.is_author(user) or self.thread.space.can_moderate(user)

    def is_author(self, user) -> bool:
        return _is_signed_in(user) and self.author_id == user.id

    def can_edit(self, user) -> bool:
        return self.can_view(user) and self.is_author(user) and self.status != "deleted"

    def shown_name(self, viewer=None) -> str:
        """The author as VIEWER sees them: a pseudonymous post names only the stakeholder
        group, except to moderators of its space."""
        name = self.author.display_name if self.author is not None else str(_l("Former member"))
        if self.identity == "group":
            group = str(_l("A member of %(group)s",
                           group=STAKEHOLDER_GROUPS.get(self.group_key or "", "")))
            if viewer is not None and self.thread.space.can_moderate(viewer):
                return f"{group} ({name})"
            return group
        return name


class ForumAttachment(Base):
    """A file attached to a post: a PDF, PNG or JPEG kept under the instance folder with a random
    name (forums/attachments.py); FILENAME is only the label its author gave it."""

    __tablename__ = "forum_attachment"

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("forum_post.id", ondelete="CASCADE"),
                                         index=True)
    stored_name: Mapped[str] = mapped_column(String(64), unique=True)
    filename: Mapped[str] = mapped_column(String(120))
    mimetype: Mapped[str] = mapped_column(String(50))
    size: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    post: Mapped[ForumPost] = relationship(back_populates="attachments")

    @property
    def kind_label(self) -> str:
        return str(FILE_KINDS.get(self.mimetype, self.mimetype))

    @property
    def size_label(self) -> str:
        if self.size < 1024 * 1024:
            return str(_l("%(size)s KB", size=max(1, round(self.size / 1024))))
        return str(_l("%(size)s MB", size=f"{self.size / 1024 / 1024:.1f}"))

    def can_view(self, user) -> bool:
        """Whoever may read its post, while the post is not deleted: a hidden or waiting post's
        files only to its author and the moderators (as the post itself)."""
        return self.post.status != "deleted" and self.post.can_view(user)

    def can_edit(self, user) -> bool:
        return self.post.can_edit(user)


class ForumFeedKey(Base):
    """A person's key to their forum feeds, which feed readers fetch with no session. The
    secret in the feed addresses is derived from SECRET_KEY and SALT (forums/feeds.py), so the
    page can show the person their addresses; the table alone gives no one a working address
    (it holds the secret's SHA-256, for looking it up, and the salt). A new salt makes every
    old address stop working; turning feeds off deletes the row."""

    __tablename__ = "forum_feed_key"

    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"),
                                         primary_key=True)
    salt: Mapped[str] = mapped_column(String(64))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User] = relationship()


class ForumPostRevision(Base):
    """An earlier wording of an edited post: seen by its author and moderators."""

    __tablename__ = "forum_post_revision"

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("forum_post.id", ondelete="CASCADE"),
                                         index=True)
    body: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    written_at: Mapped[datetime] = mapped_column(UTCDateTime)


class ForumFlag(Base):
    __tablename__ = "forum_flag"

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("forum_post.id", ondelete="CASCADE"),
                                         index=True)
    flagged_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    reason: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))

    post: Mapped[ForumPost] = relationship(lazy="joined")


class ForumFollow(Base):
    __tablename__ = "forum_follow"
    __table_args__ = (UniqueConstraint("user_id", "thread_id", "space_id", name="uq_follow"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    thread_id: Mapped[int | None] = mapped_column(
        ForeignKey("forum_thread.id", ondelete="CASCADE"), index=True)
    space_id: Mapped[int | None] = mapped_column(
        ForeignKey("forum_space.id", ondelete="CASCADE"), index=True)


class ForumNotification(Base):
    __tablename__ = "forum_notification"
    __table_args__ = (UniqueConstraint("user_id", "post_id", name="uq_notification_once"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("forum_post.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    emailed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    post: Mapped[ForumPost] = relationship(lazy="joined")


class ForumRead(Base):
    """How far a person has read a thread: its unread marker."""

    __tablename__ = "forum_read"

    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"),
                                         primary_key=True)
    thread_id: Mapped[int] = mapped_column(ForeignKey("forum_thread.id", ondelete="CASCADE"),
                                           primary_key=True)
    read_at: Mapped[datetime] = mapped_column(UTCDateTime)


class ForumPreference(Base):
    """A person's forum settings: their consent default (asked the first time they post) and
    how they get emails about replies."""

    __tablename__ = "forum_preference"
    __table_args__ = (
        CheckConstraint("email_mode IN ('immediate', 'daily', 'none')", name="email_mode_known"),
    )

    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"),
                                         primary_key=True)
    consent_analysis: Mapped[bool] = mapped_column(Boolean, default=True)
    consent_quote: Mapped[str] = mapped_column(String(20), default="anonymous")
    consent_publish: Mapped[str] = mapped_column(String(20), default="working_group")
    email_mode: Mapped[str] = mapped_column(String(20), default="immediate")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
