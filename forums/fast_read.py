"""A plain read of a thread in an open space, answered from the whole-page cache before the
reader is loaded through the ORM.

app/auth/cached_reads.py calls `answer` for a GET of forums.thread without a query string once
the session, the person (the user cache's current copy), the access matrix and two-factor
set-up have passed the checks every signed-in request makes. Here, one query on the driver's
cursor reads what the thread page's cache key holds (the thread's version, its space, the
consultation's dates, the reader's read marker, follow, consent default, feed key and whether
any notification is unread), and the page `forums.page.cached_page` kept under that key is
served, with this request's CSRF token and CSP nonce.

Anything else goes the usual way (`answer` returns None): a caucus thread (its membership and
moderators are checked by the models), a thread the reader has not read up to its last
activity (the view writes the read marker), unread notifications (the view counts the badge
with each one's visibility checked), no such thread, or a page not kept yet. The key is built
by the same function as cached_page's, from the same values: so the page served here is the
page the view would serve, and any change to the thread (its version), the reader (their
rows in the user cache) or the consultation misses it.
"""
from __future__ import annotations

import functools
from collections.abc import Mapping

from sqlalchemy import bindparam, exists, select

from app.db import driver_rows, stored_instant, utcnow
from app.models import Consultation
from forums.models import (
    ForumFeedKey,
    ForumFollow,
    ForumNotification,
    ForumPreference,
    ForumRead,
    ForumSpace,
    ForumThread,
    moderates_open_spaces,
)
from forums.page import complete_view, kept_page

# The navigation's Forum link, whose badge counts unread notifications: none when answered here.
FORUM_NAV = "forums.index"


@functools.cache
def _state_stmt():
    """Built once: the thread page's cache key, as stored, for one reader and thread."""
    thread, space = ForumThread.__table__, ForumSpace.__table__
    consultation = Consultation.__table__
    user_id, thread_id = bindparam("user_id"), bindparam("thread_id")
    read, follow = ForumRead.__table__, ForumFollow.__table__
    preference, feed_key = ForumPreference.__table__, ForumFeedKey.__table__
    note = ForumNotification.__table__
    read_at = select(read.c.read_at).where(read.c.user_id == user_id,
                                           read.c.thread_id == thread_id).scalar_subquery()
    following = exists().where(follow.c.user_id == user_id, follow.c.thread_id == thread_id,
                               follow.c.space_id.is_(None))
    has_preference = exists().where(preference.c.user_id == user_id)
    feed_salt = select(feed_key.c.salt).where(feed_key.c.user_id == user_id).scalar_subquery()
    any_unread = exists().where(note.c.user_id == user_id, note.c.read_at.is_(None))
    return (select(thread.c.version, thread.c.created_at, thread.c.last_activity_at,
                   space.c.kind, space.c.title, space.c.governance_group_id,
                   consultation.c.status, consultation.c.opens_at, consultation.c.closes_at,
                   read_at, following, has_preference, feed_salt, any_unread)
            .select_from(thread.join(space, space.c.id == thread.c.space_id)
                         .join(consultation, consultation.c.id == space.c.consultation_id))
            .where(thread.c.id == thread_id))


def answer(reader, view_args: Mapping) -> str | None:
    """The kept thread page for READER (a checked, read-only person), or None."""
    thread_id = view_args.get("thread_id")
    rows = driver_rows(_state_stmt(), {"user_id": reader.id, "thread_id": thread_id})
    if not rows:
        return None
    (version, created_at, last_activity_at, kind, space_title, governance_group_id, status,
     opens_at, closes_at, read_at, following, has_preference, feed_salt, any_unread) = rows[0]
    if kind != "open" or any_unread:
        return None
    read_at = stored_instant(read_at)
    if read_at is None or read_at < stored_instant(last_activity_at):
        return None
    now = utcnow()
    view = {"following": bool(following), "ask_consent": not has_preference,
            "is_open": (status == "open"
                        and stored_instant(opens_at) <= now < stored_instant(closes_at)),
            "feed_salt": feed_salt}
    # An open space: every signed-in person may read it (ForumSpace.can_view), and its
    # moderators are the staff moderating roles (ForumSpace.can_moderate).
    complete_view(view, thread_id, reader, is_moderator=moderates_open_spaces(reader))
    return kept_page(thread_id, stored_instant(created_at), version, space_title,
                     governance_group_id is None, reader, view, counted={FORUM_NAV: 0})
