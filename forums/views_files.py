"""Forum: attached files and Atom feeds. Same blueprint as forums/views.py.

Files are served only here, after their post's visibility (`ForumAttachment.can_view`); feeds
at each person's secret address, with what that person may see now (forums/feeds.py)."""
from __future__ import annotations

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app import uploads
from app.db import Session
from app.extensions import limiter
from app.permissions import object_or_404
from app.queries import get_current_consultation
from app.web.refusals import attempt
from app.web.requests import client_ip
from forums import attachments, feeds
from forums.forms import AttachForm, ButtonForm
from forums.models import ForumAttachment, ForumPost, ForumSpace, ForumThread
from forums.queries import list_spaces
from forums.views import POST_LIMIT, bp, user_key

FEED_LIMIT = "60 per minute"


def uploads_of(field) -> list[attachments.Upload]:
    """The files a MultipleFileField received (a browser sends one empty part when none is
    chosen: left out)."""
    return [attachments.Upload(item.filename or "", item.read())
            for item in (field.data or []) if item is not None and item.filename]


def limits_hint() -> str:
    return _("PDF, PNG or JPEG; up to %(count)d files of at most %(size)d MB each. After a "
             "preview or an error, choose the files again.", count=attachments.max_files(),
             size=attachments.max_bytes() // (1024 * 1024))


@bp.get("/attachments/<int:forum_attachment_id>")
def attachment(forum_attachment_id: int):
    """A file attached to a post, for whoever may read the post (404 for anyone else)."""
    found = object_or_404(Session.get(ForumAttachment, forum_attachment_id), "view",
                          current_user)
    content = attachments.read(found)
    if content is None:
        abort(404)
    return uploads.file_response(content, found.mimetype, found.filename)


@bp.post("/posts/<int:post_id>/attachments")
@limiter.limit(POST_LIMIT, key_func=user_key)
def add_attachments(post_id: int):
    """The author attaches more files to their post (from its edit page)."""
    post = object_or_404(Session.get(ForumPost, post_id), "edit", current_user)
    form = AttachForm()
    if form.validate_on_submit():
        with attempt(None) as done:
            added = attachments.add_to_post(current_user, post, uploads_of(form.attachments),
                                            ip=client_ip())
        if done:
            flash(_("%(count)d file(s) attached.", count=len(added)) if added
                  else _("Choose a file to attach."), "success" if added else "error")
    return redirect(url_for("forums.edit_post", post_id=post_id, _anchor="attachments"))


@bp.post("/attachments/<int:forum_attachment_id>/remove")
def remove_attachment(forum_attachment_id: int):
    """The post's author removes one of its files."""
    found = object_or_404(Session.get(ForumAttachment, forum_attachment_id), "edit",
                          current_user)
    post_id = found.post_id
    if ButtonForm().validate_on_submit():
        with attempt(None) as done:
            attachments.remove_attachment(current_user, found, ip=client_ip())
        if done:
            flash(_("The file is removed."), "success")
    return redirect(url_for("forums.edit_post", post_id=post_id, _anchor="attachments"))


def _feed_response(body: str) -> Response:
    response = Response(body, mimetype="application/atom+xml")
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.get("/feeds/<token>/spaces/<int:space_id>.atom")
@limiter.limit(FEED_LIMIT)
def space_feed(token: str, space_id: int):
    """A space's new threads as an Atom feed, at its reader's secret address."""
    owner = feeds.feed_owner(token)
    space = Session.get(ForumSpace, space_id)
    if owner is None or space is None or not space.can_view(owner):
        abort(404)
    return _feed_response(feeds.render_feed(
        feed_id=f"tag:{feeds.authority()},2026:forum-space-{space.id}",
        title=_("New threads in %(space)s", space=space.title),
        page=url_for("forums.space", space_id=space.id),
        self_url=url_for("forums.space_feed", token=token, space_id=space.id),
        posts=feeds.space_entries(space)))


@bp.get("/feeds/<token>/threads/<int:thread_id>.atom")
@limiter.limit(FEED_LIMIT)
def thread_feed(token: str, thread_id: int):
    """A thread's posts as an Atom feed, at its reader's secret address."""
    owner = feeds.feed_owner(token)
    thread = Session.get(ForumThread, thread_id)
    if owner is None or thread is None or not thread.can_view(owner):
        abort(404)
    return _feed_response(feeds.render_feed(
        feed_id=f"tag:{feeds.authority()},2026:forum-thread-{thread.id}",
        title=thread.title, page=url_for("forums.thread", thread_id=thread.id),
        self_url=url_for("forums.thread_feed", token=token, thread_id=thread.id),
        posts=feeds.thread_entries(thread), reply_titles=True))


@bp.route("/feeds", methods=["GET", "POST"])
def feed_settings():
    """Turn your forum feeds on, give them new addresses, or turn them off."""
    form = ButtonForm()
    if form.validate_on_submit():
        if request.form.get("action") == "revoke":
            feeds.revoke_key(current_user)
            Session.commit()
            flash(_("Your forum feeds are turned off: their addresses no longer work."),
                  "success")
        else:
            feeds.issue_key(current_user)
            Session.commit()
            flash(_("Your forum feeds have new addresses: the old ones no longer work."),
                  "success")
        return redirect(url_for("forums.feed_settings"))
    secret = feeds.feed_secret(current_user)
    spaces = list_spaces(get_current_consultation(), current_user) if secret else []
    return render_template("forums/feeds.html", form=form, secret=secret, spaces=spaces,
                           feed_address=feeds.address)
