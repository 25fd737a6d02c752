"""Following threads and spaces, in-app notifications, and emails about replies (straight away
or in a daily digest), each with a signed one-click unsubscribe link (RFC 8058).

A notification is made only for someone who may see the post now (`ForumPost.can_view`), so a
caucus post never reaches a non-member's list or inbox, even if they once followed something.
"""
from __future__ import annotations

import functools
import logging
import smtplib

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import bindparam, select

from app.db import Session, utcnow
from app.mail import absolute_url, build_message, deliver
from app.models import User
from app.web.emails import render_email
from forums.models import ForumFollow, ForumNotification, ForumPost, ForumPreference

log = logging.getLogger("korero.forums")
_SALT = "forums.unsubscribe"


# ---------------------------------------------------------------- following


def _follow_rows(user: User, thread_id: int | None, space_id: int | None):
    return select(ForumFollow).where(
        ForumFollow.user_id == user.id,
        ForumFollow.thread_id.is_(None) if thread_id is None
        else ForumFollow.thread_id == thread_id,
        ForumFollow.space_id.is_(None) if space_id is None
        else ForumFollow.space_id == space_id)


def is_following(user: User, *, thread_id: int | None = None,
                 space_id: int | None = None) -> bool:
    return Session.scalars(_follow_rows(user, thread_id, space_id)).first() is not None


def set_following(actor: User, following: bool, *, thread=None, space=None) -> None:
    """Follow or stop following a thread or a space (idempotent)."""
    thread_id = thread.id if thread is not None else None
    space_id = space.id if space is not None else None
    existing = Session.scalars(_follow_rows(actor, thread_id, space_id)).all()
    if following and not existing:
        Session.add(ForumFollow(user_id=actor.id, thread_id=thread_id, space_id=space_id))
    elif not following:
        for row in existing:
            Session.delete(row)
    Session.flush()


# ---------------------------------------------------------------- notifications


def notify_new_post(post: ForumPost) -> list[ForumNotification]:
    """Notify the followers of POST's thread and space (and the author of the post it answers)
    who may see it; the author gets nothing. A pending post notifies no one until approved."""
    if post.status != "published":
        return []
    thread = post.thread
    rows = Session.scalars(select(ForumFollow.user_id).where(
        (ForumFollow.thread_id == thread.id) | (ForumFollow.space_id == thread.space_id))).all()
    wanted = set(rows)
    if post.reply_to_id is not None:
        answered = Session.get(ForumPost, post.reply_to_id)
        if answered is not None and answered.author_id is not None:
            wanted.add(answered.author_id)
    wanted.discard(post.author_id)
    made = []
    for user_id in sorted(wanted):
        user = Session.get(User, user_id)
        if user is None or not user.is_enabled or not post.can_view(user):
            continue
        exists = Session.scalar(select(ForumNotification.id).where(
            ForumNotification.user_id == user_id, ForumNotification.post_id == post.id))
        if exists is None:
            note = ForumNotification(user_id=user_id, post_id=post.id)
            Session.add(note)
            made.append(note)
    Session.flush()
    return made


def visible_notifications(user: User, *, unread_only: bool = False, limit: int = 50):
    """USER's notifications for posts they may still see, newest first."""
    stmt = (select(ForumNotification).where(ForumNotification.user_id == user.id)
            .order_by(ForumNotification.created_at.desc(), ForumNotification.id.desc()))
    if unread_only:
        stmt = stmt.where(ForumNotification.read_at.is_(None))
    return [note for note in Session.scalars(stmt.limit(limit)).unique()
            if note.post.can_view(user)]


def unread_count(user: User) -> int:
    return len(visible_notifications(user, unread_only=True, limit=500))


BADGE_CAP = 99


def badge_count(user: User) -> int:
    """The unread count on the navigation's Forum link, asked on every page: one query that
    finds nothing in the usual case, and never more than BADGE_CAP notifications loaded (each
    still checked against what USER may see, so a caucus they left counts no more)."""
    if Session.execute(_any_unread_stmt(), {"user_id": user.id}).first() is None:
        return 0
    return len(visible_notifications(user, unread_only=True, limit=BADGE_CAP))


@functools.cache
def _any_unread_stmt():
    """Built once (the badge asks on every page): whether USER_ID has any unread at all."""
    table = ForumNotification.__table__
    return (select(table.c.id).where(table.c.user_id == bindparam("user_id"),
                                     table.c.read_at.is_(None)).limit(1))


def mark_read(user: User, *, thread_id: int | None = None) -> None:
    """Mark USER's notifications read (those of one thread when THREAD_ID is given)."""
    now = utcnow()
    for note in visible_notifications(user, unread_only=True, limit=500):
        if thread_id is None or note.post.thread_id == thread_id:
            note.read_at = now
    Session.flush()


# ---------------------------------------------------------------- emails


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=_SALT)


def unsubscribe_token(user: User) -> str:
    return _serializer().dumps({"u": user.id})


def user_for_unsubscribe_token(token: str) -> User | None:
    try:
        data = _serializer().loads(token)
    except BadSignature:
        return None
    return Session.get(User, data.get("u")) if isinstance(data, dict) else None


def unsubscribe(user: User) -> None:
    """Stop every forum email to USER (their notifications stay in the forum)."""
    pref = Session.get(ForumPreference, user.id) or ForumPreference(user_id=user.id)
    pref.email_mode = "none"
    pref.updated_at = utcnow()
    Session.add(pref)
    Session.flush()


def _email_mode(user: User) -> str:
    pref = Session.get(ForumPreference, user.id)
    return pref.email_mode if pref is not None else "immediate"


def _send(user: User, template: str, notes: list[ForumNotification], subject: str) -> None:
    token = unsubscribe_token(user)
    unsubscribe_url = absolute_url("forums.unsubscribe", token=token)
    items = [{"thread": note.post.thread.title, "who": note.post.shown_name(user),
              "text": note.post.body, "url": absolute_url(
                  "forums.thread", thread_id=note.post.thread_id) + f"#post-{note.post_id}"}
             for note in notes]
    rendered = render_email(template, person=user, items=items, unsubscribe_url=unsubscribe_url)
    config = current_app.config
    message = build_message(user.email, rendered.subject or subject, rendered.text,
                            rendered.html, sender=config["MAIL_FROM"])
    message["List-Unsubscribe"] = f"<{unsubscribe_url}>"
    message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    deliver(message, dict(config))


def send_due_emails(*, digest: bool) -> int:
    """Email every notification not yet emailed to people who chose that mode (immediate, or
    the daily digest when DIGEST), once each: a notification is stamped emailed_at as soon as
    its message is handed over, so running this twice sends nothing the second time. Posts the
    person may no longer see are stamped and skipped. The caller commits."""
    mode = "daily" if digest else "immediate"
    pending = Session.scalars(select(ForumNotification).where(
        ForumNotification.emailed_at.is_(None), ForumNotification.read_at.is_(None))
        .order_by(ForumNotification.user_id, ForumNotification.id)).unique().all()
    by_user: dict[int, list[ForumNotification]] = {}
    for note in pending:
        by_user.setdefault(note.user_id, []).append(note)
    sent = 0
    for user_id, notes in by_user.items():
        user = Session.get(User, user_id)
        if user is None or _email_mode(user) != mode:
            continue
        now = utcnow()
        visible = [note for note in notes if note.post.can_view(user)
                   and note.post.status == "published"]
        for note in notes:
            note.emailed_at = now
        if not visible or not user.is_enabled:
            continue
        try:
            if digest:
                _send(user, "forums_digest", visible, "Your forum digest")
                sent += 1
            else:
                for note in visible:
                    _send(user, "forums_reply", [note], "A new reply on the forum")
                    sent += 1
        except (smtplib.SMTPException, OSError):
            log.exception("Could not send forum email to user %s", user_id)
            for note in notes:
                note.emailed_at = None
        Session.flush()
    return sent
