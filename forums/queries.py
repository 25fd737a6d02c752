"""Reading the forum. Every list is limited to the spaces the reader may see; nothing here
writes except `mark_thread_read`, the reader's own unread marker (see views.thread)."""
from __future__ import annotations

import functools
from datetime import UTC

from sqlalchemy import and_, bindparam, exists, func, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import aliased, defaultload, selectinload

from app.db import Session, utcnow
from app.models import Consultation
from forums.models import (
    ForumFeedKey,
    ForumFlag,
    ForumFollow,
    ForumPost,
    ForumPostRevision,
    ForumPreference,
    ForumRead,
    ForumSpace,
    ForumThread,
)
from forums.notify import mark_read
from forums.search import highlight, search_posts

# A post's author is shown by name only: their roles and organisations stay unloaded.
_AUTHOR_ONLY = defaultload(ForumPost.author).lazyload("*")


def list_spaces(consultation: Consultation | None, user) -> list[ForumSpace]:
    """The spaces of CONSULTATION that USER may enter: open spaces first, then caucuses."""
    if consultation is None:
        return []
    spaces = Session.scalars(select(ForumSpace).where(
        ForumSpace.consultation_id == consultation.id)
        .order_by(ForumSpace.kind.desc(), ForumSpace.title, ForumSpace.id)).unique().all()
    return [space for space in spaces if space.can_view(user)]


def visible_space_ids(consultation: Consultation | None, user) -> list[int]:
    return [space.id for space in list_spaces(consultation, user)]


def threads_stmt(space: ForumSpace):
    """Threads of SPACE, pinned first, then by last activity."""
    return (select(ForumThread).where(ForumThread.space_id == space.id)
            .order_by(ForumThread.is_pinned.desc(), ForumThread.last_activity_at.desc(),
                      ForumThread.id.desc()))


def unread_thread_ids(user, thread_ids: list[int]) -> set[int]:
    """Which of THREAD_IDS have activity USER has not read (one query)."""
    if not thread_ids:
        return set()
    rows = Session.execute(
        select(ForumThread.id).outerjoin(ForumRead, and_(ForumRead.thread_id == ForumThread.id,
                                                         ForumRead.user_id == user.id))
        .where(ForumThread.id.in_(thread_ids),
               (ForumRead.read_at.is_(None)) | (ForumRead.read_at < ForumThread.last_activity_at))
    ).scalars().all()
    return set(rows)


def thread_posts(thread: ForumThread) -> list[ForumPost]:
    """Every post of THREAD in order, authors loaded (one query), and their files (one
    more)."""
    return list(Session.scalars(select(ForumPost).where(ForumPost.thread_id == thread.id)
                                .order_by(ForumPost.created_at, ForumPost.id)
                                .options(_AUTHOR_ONLY, selectinload(ForumPost.attachments)))
                .unique())


@functools.cache
def _thread_for_reader_stmt():
    """Built once: the thread (its space joined, as always), plus what the thread page needs
    to know about the reader and the consultation. A caucus's member list is loaded only when
    asked for (an open space never asks)."""
    user_id, thread_id = bindparam("user_id"), bindparam("thread_id")
    read_at = (select(ForumRead.read_at)
               .where(ForumRead.user_id == user_id, ForumRead.thread_id == thread_id)
               .scalar_subquery())
    following = exists().where(ForumFollow.user_id == user_id,
                               ForumFollow.thread_id == thread_id,
                               ForumFollow.space_id.is_(None))
    has_preference = exists().where(ForumPreference.user_id == user_id)
    feed_salt = select(ForumFeedKey.salt).where(ForumFeedKey.user_id == user_id) \
        .scalar_subquery()
    space = aliased(ForumSpace)
    return (select(ForumThread, read_at.label("read_at"), following.label("following"),
                   has_preference.label("has_preference"), feed_salt.label("feed_salt"),
                   Consultation.status,
                   Consultation.opens_at, Consultation.closes_at)
            .join(space, space.id == ForumThread.space_id)
            .join(Consultation, Consultation.id == space.consultation_id)
            .where(ForumThread.id == thread_id)
            .options(defaultload(ForumThread.space).lazyload(ForumSpace.member_rows)))


def thread_for_reader(thread_id: int, user) -> tuple[ForumThread | None, dict]:
    """THREAD_ID's thread and, in the same query, USER's view of it: whether they follow it,
    have a consent default, have read it up to its last activity, their feed key's salt (None
    when their feeds are off), and whether the consultation is open (else the forum is
    read-only). (None, {}) when there is no such
    thread; the caller still checks that USER may see it."""
    row = Session.execute(_thread_for_reader_stmt(),
                          {"user_id": user.id, "thread_id": thread_id}).unique().one_or_none()
    if row is None:
        return None, {}
    thread = row[0]
    now = utcnow()
    read = row.read_at
    if read is not None and read.tzinfo is None:  # a subquery's value may come back naive
        read = read.replace(tzinfo=UTC)
    return thread, {"following": bool(row.following), "ask_consent": not row.has_preference,
                    "is_open": row.status == "open" and row.opens_at <= now < row.closes_at,
                    "unread": read is None or read < thread.last_activity_at,
                    "feed_salt": row.feed_salt}


def mark_thread_read(user, thread: ForumThread) -> None:
    """Record that USER has read THREAD up to now, and mark its notifications read, then
    commit. The caller asks only when there is something new (`thread_for_reader`'s
    "unread"), so reading a thread again writes nothing.

    The write runs in a transaction of its own that begins with it: a GET's transaction is a
    plain deferred one that has already read, and on SQLite such a transaction cannot wait
    for the write lock (if another worker committed since it read, SQLite refuses at once
    with "database is locked"); a transaction whose first statement writes waits its turn.
    An upsert, so two first reads at once (two tabs) cannot both insert."""
    Session.commit()  # end the reading transaction (it changed nothing)
    now = utcnow()
    dialect = Session.get_bind().dialect.name
    insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
    statement = insert(ForumRead).values(user_id=user.id, thread_id=thread.id, read_at=now)
    Session.execute(statement.on_conflict_do_update(
        index_elements=[ForumRead.user_id, ForumRead.thread_id],
        set_={"read_at": statement.excluded.read_at}))
    mark_read(user, thread_id=thread.id)
    Session.commit()


def revisions_of(post: ForumPost) -> list[ForumPostRevision]:
    return list(Session.scalars(select(ForumPostRevision).where(
        ForumPostRevision.post_id == post.id).order_by(ForumPostRevision.id.desc())))


def moderation_queue(consultation: Consultation | None, user) -> dict:
    """Posts waiting for approval and posts with open flags, in the spaces USER moderates."""
    if consultation is None:
        return {"pending": [], "flagged": []}
    space_ids = [s.id for s in list_spaces(consultation, user) if s.can_moderate(user)]
    if not space_ids:
        return {"pending": [], "flagged": []}
    pending = Session.scalars(
        select(ForumPost).join(ForumThread, ForumThread.id == ForumPost.thread_id)
        .where(ForumThread.space_id.in_(space_ids), ForumPost.status == "pending")
        .order_by(ForumPost.created_at)).unique().all()
    flags = Session.scalars(
        select(ForumFlag).join(ForumPost, ForumPost.id == ForumFlag.post_id)
        .join(ForumThread, ForumThread.id == ForumPost.thread_id)
        .where(ForumThread.space_id.in_(space_ids), ForumFlag.resolved_at.is_(None))
        .order_by(ForumFlag.created_at)).unique().all()
    flagged: dict[int, dict] = {}
    for flag in flags:
        entry = flagged.setdefault(flag.post_id, {"post": flag.post, "reasons": []})
        entry["reasons"].append(flag.reason)
    return {"pending": list(pending), "flagged": list(flagged.values())}


def queue_size(consultation: Consultation | None, user) -> int:
    queue = moderation_queue(consultation, user)
    return len(queue["pending"]) + len(queue["flagged"])


def search(consultation: Consultation | None, user, query: str, *, page: int = 1,
           per_page: int = 20) -> tuple[list[dict], int]:
    """Ranked hits for QUERY in the spaces USER may see, each with a highlighted excerpt."""
    space_ids = visible_space_ids(consultation, user)
    hits, total = search_posts(query, space_ids, limit=per_page,
                               offset=(page - 1) * per_page)
    if not hits:
        return [], total
    posts = {post.id: post for post in Session.scalars(
        select(ForumPost).where(ForumPost.id.in_([hit.post_id for hit in hits]))
        .options(_AUTHOR_ONLY)).unique()}
    from app.sanitize import plain_text

    results = []
    for hit in hits:
        post = posts.get(hit.post_id)
        if post is None or not post.can_view(user):
            continue
        results.append({"post": post, "title": highlight(post.thread.title, query, width=200),
                        "excerpt": highlight(plain_text(post.body_html), query),
                        "who": post.shown_name(user)})
    return results, total


def count_posts_by(user) -> int:
    return Session.scalar(select(func.count()).select_from(ForumPost)
                          .where(ForumPost.author_id == user.id)) or 0
