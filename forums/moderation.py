"""Moderating the forum: flags, hiding and unhiding (approving) posts, dismissing flags, locking
and pinning threads. Like forums/operations.py, every function takes its actor, checks they
moderate the space, changes and flushes (never commits) and writes the audit log.
"""
from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import select

from app.db import Session, utcnow
from app.errors import OperationRefused
from app.models import User
from app.privacy.audit import record_event
from forums.models import ForumFlag, ForumPost, ForumSpace, ForumThread
from forums.operations import MAX_REASON, check_text, opening_post_id, touch_thread
from forums.search import index_post, unindex_post


def _check_moderator(actor: User, space: ForumSpace) -> None:
    if not space.can_moderate(actor):
        raise OperationRefused(_("Only the moderators of this space may do that."))


def flag_post(actor: User, post: ForumPost, *, reason: str, ip: str = "") -> ForumFlag:
    """Ask the moderators to look at a post, saying why."""
    if not post.can_view(actor) or post.status != "published":
        raise OperationRefused(_("That post cannot be flagged."))
    reason = check_text(reason, field="reason", limit=MAX_REASON, what=_("reason"))
    flag = ForumFlag(post_id=post.id, flagged_by_id=actor.id, reason=reason)
    Session.add(flag)
    Session.flush()
    record_event(actor, "forums.post_flagged", target=post, ip=ip)
    return flag


def _resolve_flags(actor: User, post: ForumPost) -> None:
    for flag in Session.scalars(select(ForumFlag).where(ForumFlag.post_id == post.id,
                                                        ForumFlag.resolved_at.is_(None))):
        flag.resolved_at = utcnow()
        flag.resolved_by_id = actor.id


def hide_post(actor: User, post: ForumPost, *, reason: str, ip: str = "") -> None:
    """Hide a post from everyone but its author and the moderators, with a reason the author
    sees. Resolves its flags."""
    _check_moderator(actor, post.thread.space)
    reason = check_text(reason, field="reason", limit=MAX_REASON, what=_("reason"))
    if post.status not in ("published", "pending"):
        raise OperationRefused(_("Only a published or waiting post can be hidden."))
    if post.status == "published" and post.id != opening_post_id(post.thread):
        post.thread.reply_count = max(0, post.thread.reply_count - 1)
    post.status = "hidden"
    post.moderation_reason = reason
    unindex_post(post.id)
    _resolve_flags(actor, post)
    touch_thread(post.thread)
    record_event(actor, "forums.post_hidden", target=post, ip=ip, detail={"reason": reason})


def unhide_post(actor: User, post: ForumPost, *, reason: str = "", ip: str = "") -> None:
    """Show a hidden post again (or approve a waiting one)."""
    _check_moderator(actor, post.thread.space)
    if post.status not in ("hidden", "pending"):
        raise OperationRefused(_("That post is not hidden or waiting."))
    action = "forums.post_approved" if post.status == "pending" else "forums.post_unhidden"
    post.status = "published"
    post.moderation_reason = (reason or "").strip()[:MAX_REASON]
    if post.id != opening_post_id(post.thread):
        post.thread.reply_count += 1
    post.thread.last_activity_at = max(post.thread.last_activity_at, post.created_at)
    index_post(post.id, post.search_text)
    _resolve_flags(actor, post)
    touch_thread(post.thread)
    record_event(actor, action, target=post, ip=ip, detail={"reason": post.moderation_reason})
    if action == "forums.post_approved":
        from forums.notify import notify_new_post

        notify_new_post(post)


def dismiss_flags(actor: User, post: ForumPost, *, ip: str = "") -> None:
    """Leave a flagged post as it is and clear it from the queue."""
    _check_moderator(actor, post.thread.space)
    _resolve_flags(actor, post)
    Session.flush()
    record_event(actor, "forums.flags_dismissed", target=post, ip=ip)


def set_thread_state(actor: User, thread: ForumThread, *, locked: bool | None = None,
                     pinned: bool | None = None, ip: str = "") -> None:
    """Lock or unlock, pin or unpin a thread."""
    _check_moderator(actor, thread.space)
    if locked is not None:
        thread.is_locked = locked
        record_event(actor, "forums.thread_locked" if locked else "forums.thread_unlocked",
                     target=thread, ip=ip)
    if pinned is not None:
        thread.is_pinned = pinned
        record_event(actor, "forums.thread_pinned" if pinned else "forums.thread_unpinned",
                     target=thread, ip=ip)
    touch_thread(thread)
