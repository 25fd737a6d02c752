"""Forum: reading and posting. Moderation, spaces, preferences, notifications and search are in
forums/views_more.py, on the same blueprint. Every object loaded from the URL goes through
`object_or_404` (its model's can_view), so a caucus non-member gets 404 for all of it."""
from __future__ import annotations

import functools

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.db import Session
from app.errors import OperationRefused
from app.extensions import limiter
from app.models import STAKEHOLDER_GROUPS, Consultation
from app.permissions import object_or_404
from app.queries import get_current_consultation
from app.sanitize import markdown_to_html
from app.web.pagination import paginate
from app.web.refusals import attempt, show_refusal
from app.web.requests import client_ip, requested_page
from forums import attachments, feeds, notify, operations, queries
from forums.forms import AttachForm, ButtonForm, EditPostForm, PostForm
from forums.models import ForumPost, ForumSpace, ForumThread
from forums.page import cached_content, cached_page, complete_view, render_content, with_token

bp = Blueprint("forums", __name__)

POST_LIMIT = "20 per minute;200 per day"
THREADS_PER_PAGE = 25


def user_key() -> str:
    return f"forum-user:{current_user.get_id() if current_user.is_authenticated else 'none'}"


def _space(space_id: int) -> ForumSpace:
    return object_or_404(Session.get(ForumSpace, space_id), "view", current_user)


def _thread(thread_id: int) -> ForumThread:
    return object_or_404(Session.get(ForumThread, thread_id), "view", current_user)


def _post(post_id: int) -> ForumPost:
    return object_or_404(Session.get(ForumPost, post_id), "view", current_user)


def _is_open(space: ForumSpace) -> bool:
    consultation = Session.get(Consultation, space.consultation_id)
    return consultation is not None and consultation.is_open()


def _post_form(space: ForumSpace, *, with_title: bool) -> PostForm:
    form = PostForm()
    form.identity.choices = [("named", _("With my name: %(name)s",
                                         name=current_user.display_name))] + [
        (f"group:{key}", _("As “a member of %(group)s”: other participants do not see my "
                           "name, the moderators do", group=STAKEHOLDER_GROUPS[key]))
        for key in operations.group_choices(current_user)]
    from forums.views_files import limits_hint

    form.attachments.description = limits_hint()
    if not with_title:
        del form.title
    if space.governance_group_id is None:
        del form.governed
    return form


def _submit_post(form: PostForm, space: ForumSpace, *, thread: ForumThread | None):
    """Call the operation for a valid post form; the new post's URL, or None if refused."""
    identity, _sep, group_key = form.identity.data.partition(":")
    asked = operations.default_scope(current_user) is None
    scope = form.scope() if asked else None
    governed = bool(form.governed.data) if "governed" in form else False
    from forums.views_files import uploads_of

    files = uploads_of(form.attachments)
    try:
        if asked:
            operations.set_preference(current_user, scope=scope)
        if thread is None:
            created = operations.create_thread(
                current_user, space, title=form.title.data, body=form.body.data,
                identity=identity, group_key=group_key or None, scope=scope,
                governed=governed, files=files, ip=client_ip())
            post_id, thread_id = None, created.id
        else:
            answered = None
            if form.reply_to.data and form.reply_to.data.isdigit():
                answered = Session.get(ForumPost, int(form.reply_to.data))
                if answered is None:
                    raise OperationRefused(_("The post you are answering is not in this "
                                             "thread."))
            created = operations.reply(current_user, thread, body=form.body.data,
                                       identity=identity, group_key=group_key or None,
                                       scope=scope, governed=governed, reply_to=answered,
                                       files=files, ip=client_ip())
            post_id, thread_id = created.id, thread.id
    except OperationRefused as error:
        show_refusal(form, error)
        return None
    notify.set_following(current_user, True, thread=Session.get(ForumThread, thread_id))
    Session.commit()
    from forums.jobs import send_emails_soon

    send_emails_soon()
    pending = Session.get(ForumPost, post_id) if post_id else None
    if pending is not None and pending.status == "pending":
        flash(_("Your post waits for a moderator's approval. Only you and the moderators "
                "can see it until then."), "info")
    else:
        flash(_("Your post is published."), "success")
    anchor = f"#post-{post_id}" if post_id else ""
    return url_for("forums.thread", thread_id=thread_id) + anchor


@bp.get("/")
def index():
    """The forum landing page: the spaces of the current consultation you may enter."""
    consultation = get_current_consultation()
    spaces = queries.list_spaces(consultation, current_user)
    return render_template("forums/index.html", consultation=consultation, spaces=spaces)


@bp.get("/spaces/<int:space_id>")
def space(space_id: int):
    """A space's threads, pinned first then by last activity, with unread markers."""
    found = _space(space_id)
    page = paginate(queries.threads_stmt(found), requested_page(), THREADS_PER_PAGE)
    unread = queries.unread_thread_ids(current_user, [t.id for t in page.items])
    secret = feeds.feed_secret(current_user)
    return render_template(
        "forums/space.html", space=found, page=page, unread=unread, is_open=_is_open(found),
        following=notify.is_following(current_user, space_id=found.id), form=ButtonForm(),
        feed_url=feeds.address("forums.space_feed", token=secret, space_id=found.id)
        if secret else None)


@bp.route("/spaces/<int:space_id>/new", methods=["GET", "POST"])
@limiter.limit(POST_LIMIT, key_func=user_key, methods=["POST"])
def new_thread(space_id: int):
    """Start a thread: title, message, how your name shows, and (the first time) consent."""
    found = _space(space_id)
    form = _post_form(found, with_title=True)
    asked = operations.default_scope(current_user) is None
    preview = None
    if form.validate_on_submit():
        if "preview" in request.form:
            preview = markdown_to_html(form.body.data or "")
        else:
            target = _submit_post(form, found, thread=None)
            if target:
                return redirect(target)
    return render_template("forums/new_thread.html", space=found, form=form, preview=preview,
                           ask_consent=asked, is_open=_is_open(found))


@bp.route("/threads/<int:thread_id>", methods=["GET", "POST"])
@limiter.limit(POST_LIMIT, key_func=user_key, methods=["POST"])
def thread(thread_id: int):
    """A thread and its replies, with the reply form (and its preview). Reading it marks the
    thread and its notifications read for you: the one thing a forum GET writes, and only when
    there is something new. A plain GET is served from forums/page.py's cache."""
    # The person, not the proxy: the page's helpers read them a few dozen times, and each
    # read through current_user is three context lookups.
    reader = current_user._get_current_object()
    found, view = queries.thread_for_reader(thread_id, reader)
    found = object_or_404(found, "view", reader)
    space = found.space
    complete_view(view, found.id, reader, is_moderator=space.can_moderate(reader))
    if request.method == "GET" and view["unread"]:
        queries.mark_thread_read(reader, found)  # first: the layout shows what is left
    if request.method == "GET" and not request.args:
        build_form = functools.partial(_post_form, space, with_title=False)
        page = cached_page(found, space, reader, view, build_form)
        if page is not None:
            return page
        content = cached_content(found, space, reader, view, build_form)
    else:
        form = _post_form(space, with_title=False)
        preview = None
        if form.validate_on_submit():
            if "preview" in request.form:
                preview = markdown_to_html(form.body.data or "")
            else:
                target = _submit_post(form, space, thread=found)
                if target:
                    return redirect(target)
        elif request.args.get("quote", type=int):
            _quote_into(form, found, request.args.get("quote", type=int))
        content = with_token(render_content(found, space, reader, view, form=form,
                                            preview=preview))
    return render_template("forums/thread.html", thread=found, content=content,
                           feed_url=view["feed_url"])


def _quote_into(form: PostForm, thread: ForumThread, post_id: int) -> None:
    quoted = Session.get(ForumPost, post_id)
    if quoted is not None and quoted.thread_id == thread.id and quoted.can_view(current_user) \
            and quoted.status == "published":
        form.reply_to.data = str(quoted.id)
        form.body.data = "\n".join("> " + line for line in quoted.body.splitlines()) + "\n\n"


@bp.route("/posts/<int:post_id>/edit", methods=["GET", "POST"])
@limiter.limit(POST_LIMIT, key_func=user_key, methods=["POST"])
def edit_post(post_id: int):
    """The author edits a post (the earlier wording is kept in its history)."""
    post = object_or_404(Session.get(ForumPost, post_id), "edit", current_user)
    is_opening = post.id == min(p.id for p in queries.thread_posts(post.thread))
    form = EditPostForm(obj=None if request.method == "POST" else post)
    if request.method == "GET":
        form.revision.data = post.revision
        form.title.data = post.thread.title
    if not is_opening:
        del form.title
    preview = None
    if form.validate_on_submit():
        if "preview" in request.form:
            preview = markdown_to_html(form.body.data or "")
        else:
            with attempt(form) as done:
                operations.edit_post(current_user, post, body=form.body.data,
                                     revision=form.revision.data or 0,
                                     title=form.title.data if is_opening else None,
                                     ip=client_ip())
            if done:
                flash(_("Your post is saved."), "success")
                return redirect(url_for("forums.thread", thread_id=post.thread_id)
                                + f"#post-{post.id}")
    from forums.views_files import limits_hint

    attach_form = AttachForm()
    attach_form.attachments.description = limits_hint()
    return render_template("forums/edit_post.html", post=post, form=form, preview=preview,
                           attach_form=attach_form, button=ButtonForm(),
                           max_files=attachments.max_files())


@bp.post("/posts/<int:post_id>/delete")
def delete_post(post_id: int):
    """The author deletes a post: a placeholder stays and its consent is withdrawn."""
    post = object_or_404(Session.get(ForumPost, post_id), "edit", current_user)
    if ButtonForm().validate_on_submit():
        with attempt(None) as done:
            operations.delete_post(current_user, post, ip=client_ip())
        if done:
            flash(_("Your post is deleted, and your consent for it withdrawn."), "success")
    return redirect(url_for("forums.thread", thread_id=post.thread_id))


from forums import views_more  # noqa: F401  (the rest of the routes, same blueprint)
