"""Atom feeds (RFC 4287) of a space's new threads and of a thread's posts, for feed readers.

A feed reader carries no session, so each person's feeds live at addresses holding a secret of
theirs (`/forums/feeds/<secret>/...`, redacted from the logs through the package's secret path
prefix). The secret is an HMAC of SECRET_KEY and a random salt kept in `ForumFeedKey`, which
also keeps the secret's SHA-256 to look it up by: the table alone opens nothing, and the forum
pages can still show the person their own feed links. A new salt (renewing) makes every old
address stop working; turning feeds off deletes the key.

A feed shows what its owner may see right now, and no more than anyone may see on a page
outside the forum: the space must be one they may enter (else 404); only published posts
appear (never waiting, hidden or deleted ones, nor any whose author has withdrawn consent);
a pseudonymous post names only its stakeholder group, whoever reads the feed; post bodies
are the sanitised HTML stored on write. Each entry links its post's files as Atom enclosures
(their download address, type and size); the download itself still asks the signed-in
person's visibility, so a feed reader without a session cannot fetch them.
"""
from __future__ import annotations

import hashlib
import hmac
import secrets
from base64 import urlsafe_b64encode

from flask import current_app, render_template, url_for
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.corpus.models import FeedbackItem
from app.db import Session, utcnow
from app.models import User
from app.privacy.audit import record_event
from forums.models import ForumFeedKey, ForumPost, ForumSpace, ForumThread

ENTRIES = 50  # the newest, as feed readers poll and keep what they have seen


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _derive(user_id: int, salt: str) -> str:
    key = current_app.config["SECRET_KEY"].encode()
    digest = hmac.new(key, f"forum-feed:{user_id}:{salt}".encode(), hashlib.sha256).digest()
    return urlsafe_b64encode(digest).decode().rstrip("=")


def feed_secret(user) -> str | None:
    """USER's feed secret, or None when their feeds are off."""
    key = Session.get(ForumFeedKey, user.id)
    return _derive(user.id, key.salt) if key is not None else None


def secret_for_key(user_id: int, salt: str | None) -> str | None:
    return _derive(user_id, salt) if salt else None


def issue_key(actor) -> str:
    """Turn on ACTOR's feeds, or give them new addresses (the old ones stop working); the new
    secret."""
    key = Session.get(ForumFeedKey, actor.id)
    if key is None:
        key = ForumFeedKey(user_id=actor.id)
        Session.add(key)
    key.salt = secrets.token_hex(16)
    key.token_hash = _hash(_derive(actor.id, key.salt))
    key.created_at = utcnow()
    Session.flush()
    record_event(actor, "forums.feed_issued", target=actor)
    return _derive(actor.id, key.salt)


def revoke_key(actor) -> None:
    """Turn off ACTOR's feeds: every address of theirs stops working."""
    key = Session.get(ForumFeedKey, actor.id)
    if key is not None:
        Session.delete(key)
        Session.flush()
        record_event(actor, "forums.feed_revoked", target=actor)


def feed_owner(token: str) -> User | None:
    """The active person whose feed secret TOKEN is, or None."""
    if not token or len(token) > 100:
        return None
    key = Session.scalar(select(ForumFeedKey).where(ForumFeedKey.token_hash == _hash(token)))
    if key is None or key.user is None or not key.user.is_active:
        return None
    return key.user


def _shown_posts():
    """Posts anyone in the space may read outside the page: published, consent not
    withdrawn (a post with no corpus item is the author's own to show)."""
    withdrawn = select(FeedbackItem.id).where(
        FeedbackItem.consent_analysis.is_(False), FeedbackItem.consent_quote == "none",
        FeedbackItem.consent_publish == "none")
    return select(ForumPost).options(selectinload(ForumPost.attachments)).where(
        ForumPost.status == "published",
        ForumPost.feedback_item_id.is_(None) | ForumPost.feedback_item_id.not_in(withdrawn))


def space_entries(space: ForumSpace) -> list[ForumPost]:
    """The opening posts of SPACE's newest threads (a thread whose opening post is not shown
    is left out: its title is its author's words too)."""
    openings = (select(ForumThread.id, select(ForumPost.id).where(
        ForumPost.thread_id == ForumThread.id).order_by(ForumPost.id).limit(1)
        .scalar_subquery().label("first_id"))
        .where(ForumThread.space_id == space.id)
        .order_by(ForumThread.created_at.desc(), ForumThread.id.desc()).limit(ENTRIES)
        .subquery())
    return list(Session.scalars(_shown_posts().where(
        ForumPost.id.in_(select(openings.c.first_id)))
        .order_by(ForumPost.created_at.desc(), ForumPost.id.desc())).unique())


def thread_entries(thread: ForumThread) -> list[ForumPost]:
    """THREAD's newest shown posts."""
    return list(Session.scalars(_shown_posts().where(ForumPost.thread_id == thread.id)
                                .order_by(ForumPost.created_at.desc(), ForumPost.id.desc())
                                .limit(ENTRIES)).unique())


def _entry(post: ForumPost) -> dict:
    return {"id": f"tag:{authority()},2026:forum-post-{post.id}",
            "title": post.thread.title, "author": post.shown_name(None),
            "published": post.created_at, "updated": post.edited_at or post.created_at,
            "link": _absolute(url_for("forums.thread", thread_id=post.thread_id,
                                      _anchor=f"post-{post.id}")),
            "html": post.body_html,
            "enclosures": [{"href": _absolute(url_for("forums.attachment",
                                                       forum_attachment_id=attachment.id)),
                            "type": attachment.mimetype, "length": attachment.size,
                            "title": attachment.filename}
                           for attachment in post.attachments]}


def authority() -> str:
    base = current_app.config["BASE_URL"].split("://", 1)[-1]
    return base.split("/", 1)[0].split(":", 1)[0] or "korero"


def _absolute(path: str) -> str:
    return current_app.config["BASE_URL"] + path


def address(endpoint: str, **values) -> str:
    """The full address of ENDPOINT, from BASE_URL (never from the Host header of whoever
    asked): what a feed reader is given."""
    return _absolute(url_for(endpoint, **values))


def render_feed(*, feed_id: str, title: str, page: str, self_url: str,
                posts: list[ForumPost], reply_titles: bool = False) -> str:
    """The Atom document. Jinja escapes everything (the template is .xml), the post HTML
    included: Atom's type="html" content is escaped HTML."""
    entries = [_entry(post) for post in posts]
    if reply_titles:
        for entry, post in zip(entries, posts, strict=True):
            entry["title"] = f"{entry['author']}: {post.thread.title}"
    updated = max((entry["updated"] for entry in entries), default=utcnow())
    return render_template("forums/feed.xml", feed_id=feed_id, title=title,
                           page=_absolute(page), self_url=_absolute(self_url), updated=updated,
                           entries=entries)
