"""What the forum gives the core through its registration: demo data, "your tasks" entries,
personal-data export and erasure, and the objects its URLs name for the test walks."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, select

from app.corpus.scope import ConsentScope
from app.db import Session
from app.packages import Task
from app.privacy.audit import record_event
from app.queries import get_current_consultation
from forums import attachments, operations
from forums.models import (
    ForumFeedKey,
    ForumFlag,
    ForumFollow,
    ForumNotification,
    ForumPost,
    ForumPostRevision,
    ForumPreference,
    ForumRead,
    ForumSpace,
)
from forums.search import unindex_post

WALK_PDF = b"%PDF-1.4\n% the route walk's attachment\n%%EOF\n"
DEMO_SCOPE = ConsentScope(analysis=True, quote="anonymous", publish="working_group")


def tasks(person) -> list[Task]:
    from forums.notify import unread_count
    from forums.queries import queue_size

    found = [Task(_l("Unread forum notifications"), unread_count(person),
                  "/forums/notifications")]
    if person.has_role("analyst", "facilitator", "kaitiaki"):
        found.append(Task(_l("Forum posts waiting for moderation"),
                          queue_size(get_current_consultation(), person),
                          "/forums/moderation"))
    return found


def export_personal_data(person) -> dict:
    posts = Session.scalars(select(ForumPost).where(ForumPost.author_id == person.id)
                            .order_by(ForumPost.id)).unique().all()
    pref = Session.get(ForumPreference, person.id)
    return {
        "posts": [{"id": p.id, "thread": p.thread.title, "text": p.body, "status": p.status,
                   "shown_as": p.identity, "written_at": p.created_at.isoformat(),
                   "edited_at": p.edited_at.isoformat() if p.edited_at else None,
                   "files": [{"name": a.filename, "type": a.mimetype, "bytes": a.size,
                              "attached_at": a.created_at.isoformat()}
                             for a in p.attachments]}
                  for p in posts],
        "feeds_on": Session.get(ForumFeedKey, person.id) is not None,
        "preferences": None if pref is None else {
            "consent_analysis": pref.consent_analysis, "consent_quote": pref.consent_quote,
            "consent_publish": pref.consent_publish, "email_mode": pref.email_mode},
        "following": len(Session.scalars(select(ForumFollow.id).where(
            ForumFollow.user_id == person.id)).all()),
    }


def erase_personal_data(actor, person) -> None:
    """Remove PERSON's words from the forum: each post becomes a deleted placeholder with no
    text, no history and no attached files; their follows, notifications, read markers, flags,
    preferences and feed key go. (The corpus items are the corpus's to erase.)"""
    posts = Session.scalars(select(ForumPost).where(ForumPost.author_id == person.id)).unique()
    for post in posts:
        post.body = post.body_html = post.search_text = ""
        post.status = "deleted"
        unindex_post(post.id)
        attachments.remove_files(post)
        Session.execute(delete(ForumPostRevision).where(ForumPostRevision.post_id == post.id))
        post.thread.version += 1
    for model in (ForumFollow, ForumNotification, ForumRead, ForumFeedKey):
        Session.execute(delete(model).where(model.user_id == person.id))
    Session.execute(delete(ForumFlag).where(ForumFlag.flagged_by_id == person.id))
    Session.execute(delete(ForumPreference).where(ForumPreference.user_id == person.id))
    Session.flush()
    record_event(actor, "forums.erased", target=person)


def route_objects(context) -> dict:
    """A caucus naming the walk's owner as a member and moderator, with their thread and
    post (with a file attached) in it (so the owner reaches every object route, and nobody
    else does)."""
    operations.set_preference(context.owner, scope=DEMO_SCOPE)
    space = operations.create_space(context.owner, context.consultation, title="Walk caucus",
                                     kind="caucus", audience="members",
                                     moderators=[context.owner])
    thread = operations.create_thread(context.owner, space, title="Walk thread",
                                      body="Participant one's caucus words.")
    post = Session.scalars(select(ForumPost).where(ForumPost.thread_id == thread.id)).first()
    checked = attachments.check_uploads([attachments.Upload("walk.pdf", WALK_PDF)])
    attachment = attachments.attach(context.owner, post, checked)[0]
    return {"space": space, "thread": thread, "post": post, "forum_attachment": attachment}


def seed_demo(context) -> None:
    from forums.demo import seed_forum

    existing = Session.scalar(select(ForumSpace.id).where(
        ForumSpace.consultation_id == context.consultation.id))
    if existing is not None:
        context.report.note(False, "forum spaces, threads and posts")
        return
    seed_forum(context)
    context.report.note(True, "forum: an open space, an iwi caucus and a Pasifika caucus with "
                              "threads, replies and a flagged post")
