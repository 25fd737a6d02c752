"""Writing the forum: spaces, threads, posts and consent (moderation is in forums/moderation.py).
Every function takes its actor, adds and flushes, never commits (the view, CLI command or job
commits once), and refuses with OperationRefused saying what to fix. Every post is feedback: it is recorded in the corpus
under its author's consent (app.corpus.operations), updated on edit and withdrawn on delete.
"""
from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import func, select

from app.corpus.models import FeedbackItem
from app.corpus.operations import record_feedback, update_consent, update_feedback, withdraw_consent
from app.corpus.scope import ConsentScope
from app.db import Session, utcnow
from app.errors import OperationRefused
from app.models import STAKEHOLDER_GROUPS, Consultation, User
from app.privacy.audit import record_event
from app.sanitize import markdown_to_html, plain_text
from forums import attachments, cache
from forums.models import (
    ForumPost,
    ForumPostRevision,
    ForumPreference,
    ForumSpace,
    ForumSpaceMember,
    ForumThread,
)
from forums.search import fold, index_post, unindex_post

MAX_TITLE = 200
MAX_BODY = 20_000
MAX_REASON = 1_000


# ---------------------------------------------------------------- checks


def check_open(consultation: Consultation) -> None:
    if not consultation.is_open():
        raise OperationRefused(_("The consultation is closed, so the forum is read-only: "
                                 "nothing can be posted or changed."))


def check_text(value: str, *, field: str, limit: int, what: str) -> str:
    value = (value or "").strip()
    if not value:
        raise OperationRefused(_("Write the %(what)s before sending.", what=what), field=field)
    if len(value) > limit:
        raise OperationRefused(_("The %(what)s is %(length)d characters long: shorten it to "
                                 "%(limit)d or fewer.", what=what, length=len(value),
                                 limit=limit), field=field)
    return value


def _check_may_post(actor: User, space: ForumSpace) -> None:
    if not space.can_view(actor):
        raise OperationRefused(_("You are not a member of this space, so you cannot post "
                                 "in it."))
    check_open(Session.get(Consultation, space.consultation_id))


def group_choices(actor: User) -> list[str]:
    """The stakeholder groups ACTOR may post "as a member of" (those of their organisations)."""
    return sorted({m.organisation.stakeholder_group for m in actor.memberships})


def _organisation_for(actor: User, identity: str, group_key: str | None):
    organisations = sorted(actor.organisations, key=lambda o: o.id)
    if identity == "group":
        organisations = [o for o in organisations if o.stakeholder_group == group_key]
    return organisations[0] if organisations else None


def _search_text(post: ForumPost, title: str = "") -> str:
    return fold(" ".join([title, plain_text(post.body_html)]))


# ---------------------------------------------------------------- preferences and consent


def get_or_create_preference(user: User) -> ForumPreference:
    pref = Session.get(ForumPreference, user.id)
    if pref is None:
        pref = ForumPreference(user_id=user.id)
        Session.add(pref)
        Session.flush()
    return pref


def set_preference(actor: User, *, scope: ConsentScope | None = None,
                   email_mode: str | None = None) -> ForumPreference:
    """Change ACTOR's own consent default (for posts written from now on) or email choice."""
    pref = get_or_create_preference(actor)
    if scope is not None:
        pref.consent_analysis = scope.analysis
        pref.consent_quote = scope.quote
        pref.consent_publish = scope.publish
    if email_mode is not None:
        if email_mode not in ("immediate", "daily", "none"):
            raise OperationRefused(_("Choose how you want emails about replies."),
                                   field="email_mode")
        pref.email_mode = email_mode
    pref.updated_at = utcnow()
    Session.flush()
    return pref


def default_scope(user: User) -> ConsentScope | None:
    """ACTOR's consent default, or None when they have never chosen one."""
    pref = Session.get(ForumPreference, user.id)
    if pref is None:
        return None
    return ConsentScope(analysis=bool(pref.consent_analysis), quote=pref.consent_quote,
                        publish=pref.consent_publish)


def change_post_consent(actor: User, post: ForumPost, scope: ConsentScope, *,
                        ip: str = "") -> None:
    """The author changes one post's consent (governance stays as it was)."""
    if not post.is_author(actor) or post.feedback_item_id is None:
        raise OperationRefused(_("Only the author of a post may change its consent."))
    item = Session.get(FeedbackItem, post.feedback_item_id)
    scope = ConsentScope(scope.analysis, scope.quote, scope.publish, item.governed_by_id)
    update_consent(actor, item, scope, reason="changed on the forum", ip=ip)
    record_event(actor, "forums.consent_changed", target=post, ip=ip)


# ---------------------------------------------------------------- spaces


def create_space(actor: User, consultation: Consultation, *, title: str, description: str = "",
                 kind: str = "open", audience: str | None = None,
                 stakeholder_group: str | None = None, governance_group=None,
                 members: list[User] = (), moderators: list[User] = (),
                 staff_may_enter: bool = False, is_premoderated: bool = False) -> ForumSpace:
    """Open a space in CONSULTATION. A caucus names who it is for; refuses one that names no
    one (a stakeholder-group caucus without a group, a governance caucus without a group)."""
    title = check_text(title, field="title", limit=MAX_TITLE, what=_("title"))
    if kind not in ("open", "caucus"):
        raise OperationRefused(_("Choose an open space or a caucus."), field="kind")
    if kind == "caucus":
        if audience == "stakeholder" and stakeholder_group not in STAKEHOLDER_GROUPS:
            raise OperationRefused(_("Choose the stakeholder group this caucus is for."),
                                   field="stakeholder_group")
        if audience == "governance" and governance_group is None:
            raise OperationRefused(_("Choose the governance group this caucus is for."),
                                   field="governance_group_id")
        if audience not in ("stakeholder", "governance", "members"):
            raise OperationRefused(_("Choose who this caucus is for."), field="audience")
    else:
        audience = stakeholder_group = None
    space = ForumSpace(
        consultation_id=consultation.id, title=title, description=description.strip(),
        kind=kind, audience=audience, stakeholder_group=stakeholder_group,
        governance_group_id=governance_group.id if governance_group is not None else None,
        staff_may_enter=staff_may_enter, is_premoderated=is_premoderated)
    space.member_rows = ([ForumSpaceMember(user_id=u.id, role="member") for u in members]
                         + [ForumSpaceMember(user_id=u.id, role="moderator")
                            for u in moderators if u not in members])
    Session.add(space)
    Session.flush()
    record_event(actor, "forums.space_created", target=space,
                 detail={"kind": kind, "audience": audience})
    return space


def update_space_settings(actor: User, space: ForumSpace, *, is_premoderated: bool,
                          staff_may_enter: bool) -> None:
    """A moderator switches pre-moderation, or (for a caucus) whether staff may enter."""
    if not space.can_manage(actor):
        raise OperationRefused(_("Only the moderators of this space may change its settings."))
    space.is_premoderated = is_premoderated
    if space.is_caucus:
        space.staff_may_enter = staff_may_enter
    Session.flush()
    record_event(actor, "forums.space_settings_changed", target=space, detail={
        "is_premoderated": is_premoderated, "staff_may_enter": space.staff_may_enter})


# ---------------------------------------------------------------- posting


def _new_post(actor: User, thread: ForumThread, *, body: str, identity: str,
              group_key: str | None, scope: ConsentScope | None, governed: bool,
              reply_to: ForumPost | None, title: str = "") -> ForumPost:
    space = thread.space
    body = check_text(body, field="body", limit=MAX_BODY, what=_("message"))
    if identity == "group":
        if group_key not in group_choices(actor):
            raise OperationRefused(_("You can post as a member of a stakeholder group only if "
                                     "one of your organisations is in it."), field="identity")
    elif identity != "named":
        raise OperationRefused(_("Choose how your name is shown."), field="identity")
    else:
        group_key = None
    if scope is None:
        scope = default_scope(actor)
    if scope is None:
        raise OperationRefused(_("Say how your words may be used before you post."),
                               field="consent_quote")
    if governed and space.governance_group_id is not None:
        scope = ConsentScope(scope.analysis, scope.quote, scope.publish,
                             space.governance_group_id)
    now = utcnow()
    post = ForumPost(
        thread_id=thread.id, author_id=actor.id, reply_to_id=reply_to.id if reply_to else None,
        body=body, body_html=markdown_to_html(body), identity=identity, group_key=group_key,
        status="pending" if space.is_premoderated and not space.can_moderate(actor)
        else "published", created_at=now)
    post.thread = thread
    post.author = actor
    organisation = _organisation_for(actor, identity, group_key)
    post.organisation_id = organisation.id if organisation is not None else None
    post.search_text = _search_text(post, title)
    Session.add(post)
    Session.flush()
    item = record_feedback(actor, consultation=Session.get(Consultation, space.consultation_id),
                           source="forum_post", source_id=post.id,
                           text=(title + "\n\n" if title else "") + plain_text(post.body_html),
                           author=actor, organisation=organisation, consent=scope,
                           created_at=now)
    post.feedback_item_id = item.id
    if post.status == "published":
        index_post(post.id, post.search_text)
    Session.flush()
    return post


def create_thread(actor: User, space: ForumSpace, *, title: str, body: str,
                  identity: str = "named", group_key: str | None = None,
                  scope: ConsentScope | None = None, governed: bool = False,
                  files: list[attachments.Upload] = (), ip: str = "") -> ForumThread:
    """Start a thread in SPACE with its opening post (and FILES attached to it). Refuses a space
    ACTOR is not in, a closed consultation, an empty or over-long title or message, a post with
    no consent given, and files `attachments.check_uploads` refuses."""
    _check_may_post(actor, space)
    title = check_text(title, field="title", limit=MAX_TITLE, what=_("title"))
    checked = attachments.check_uploads(list(files))
    now = utcnow()
    thread = ForumThread(space_id=space.id, title=title, author_id=actor.id, created_at=now,
                         last_activity_at=now, reply_count=0, version=1)
    thread.space = space
    Session.add(thread)
    Session.flush()
    post = _new_post(actor, thread, body=body, identity=identity, group_key=group_key,
                     scope=scope, governed=governed, reply_to=None, title=title)
    attachments.attach(actor, post, checked, ip=ip)
    record_event(actor, "forums.thread_created", target=thread, ip=ip,
                 detail={"post_id": post.id, "status": post.status})
    from forums.notify import notify_new_post

    notify_new_post(post)
    return thread


def reply(actor: User, thread: ForumThread, *, body: str, identity: str = "named",
          group_key: str | None = None, scope: ConsentScope | None = None,
          governed: bool = False, reply_to: ForumPost | None = None,
          files: list[attachments.Upload] = (), ip: str = "") -> ForumPost:
    """Reply in THREAD (to REPLY_TO when given, with FILES attached). Refuses like
    create_thread, and a locked thread (moderators may still post in one)."""
    _check_may_post(actor, thread.space)
    if thread.is_locked and not thread.space.can_moderate(actor):
        raise OperationRefused(_("This thread is locked: no new replies can be added."))
    if reply_to is not None and (reply_to.thread_id != thread.id or not reply_to.can_view(actor)):
        raise OperationRefused(_("The post you are answering is not in this thread."))
    checked = attachments.check_uploads(list(files))
    post = _new_post(actor, thread, body=body, identity=identity, group_key=group_key,
                     scope=scope, governed=governed, reply_to=reply_to)
    attachments.attach(actor, post, checked, ip=ip)
    if post.status == "published":
        thread.reply_count += 1
        thread.last_activity_at = post.created_at
    touch_thread(thread)
    record_event(actor, "forums.post_created", target=post, ip=ip,
                 detail={"thread_id": thread.id, "status": post.status})
    from forums.notify import notify_new_post

    notify_new_post(post)
    return post


def touch_thread(thread: ForumThread) -> None:
    """Something the thread page shows changed: a new page-cache key."""
    thread.version = (thread.version or 1) + 1
    Session.flush()
    cache.forget_thread(thread.id)


def opening_post_id(thread: ForumThread) -> int:
    return Session.scalar(select(func.min(ForumPost.id)).where(ForumPost.thread_id == thread.id))


def edit_post(actor: User, post: ForumPost, *, body: str, revision: int,
              title: str | None = None, ip: str = "") -> ForumPost:
    """The author rewrites a post, keeping the old wording in its history and updating the
    corpus item. Refuses anyone else, a deleted post, a closed consultation, a locked thread,
    bad text, and an edit started from an older revision than the saved one (stale)."""
    if not post.can_edit(actor):
        raise OperationRefused(_("Only the author may edit this post."))
    check_open(Session.get(Consultation, post.thread.space.consultation_id))
    if post.thread.is_locked and not post.thread.space.can_moderate(actor):
        raise OperationRefused(_("This thread is locked: its posts can no longer be edited."))
    if revision != post.revision:
        raise OperationRefused(_("This post was changed after you opened it (perhaps in "
                                 "another tab). Your text is below: copy it, reload the post "
                                 "and edit again."), field="body")
    body = check_text(body, field="body", limit=MAX_BODY, what=_("message"))
    thread = post.thread
    is_opening = post.id == opening_post_id(thread)
    if title is not None and is_opening:
        thread.title = check_text(title, field="title", limit=MAX_TITLE, what=_("title"))
    Session.add(ForumPostRevision(post_id=post.id, body=post.body, body_html=post.body_html,
                                  written_at=post.edited_at or post.created_at))
    post.body = body
    post.body_html = markdown_to_html(body)
    post.search_text = _search_text(post, thread.title if is_opening else "")
    post.revision += 1
    post.edited_at = utcnow()
    if post.feedback_item_id is not None:
        item = Session.get(FeedbackItem, post.feedback_item_id)
        text = (thread.title + "\n\n" if is_opening else "") + plain_text(post.body_html)
        organisation = next((o for o in actor.organisations if o.id == post.organisation_id),
                            None)
        update_feedback(actor, item, text=text, organisation=organisation)
    if post.status == "published":
        index_post(post.id, post.search_text)
    touch_thread(thread)
    record_event(actor, "forums.post_edited", target=post, ip=ip,
                 detail={"revision": post.revision})
    return post


def delete_post(actor: User, post: ForumPost, *, ip: str = "") -> None:
    """The author deletes a post: a placeholder stays, the text and attached files are gone from
    the forum and its consent is withdrawn in the corpus (history stays for moderators)."""
    if not post.can_edit(actor):
        raise OperationRefused(_("Only the author may delete this post."))
    check_open(Session.get(Consultation, post.thread.space.consultation_id))
    was_published = post.status == "published"
    post.status = "deleted"
    post.edited_at = utcnow()
    unindex_post(post.id)
    attachments.remove_files(post)
    if post.feedback_item_id is not None:
        item = Session.get(FeedbackItem, post.feedback_item_id)
        if item.consent_analysis or item.consent_quote != "none" or item.consent_publish != "none":
            withdraw_consent(actor, item, reason="post deleted on the forum", ip=ip)
    thread = post.thread
    if was_published and post.id != opening_post_id(thread):
        thread.reply_count = max(0, thread.reply_count - 1)
    touch_thread(thread)
    record_event(actor, "forums.post_deleted", target=post, ip=ip)
