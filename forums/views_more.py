"""Forum: moderation, spaces and their settings, following, notifications, preferences, search
and the one-click unsubscribe link. Same blueprint as forums/views.py."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from app.db import Session
from app.errors import OperationRefused
from app.extensions import csrf, limiter
from app.governance.models import GovernanceGroup
from app.models import STAKEHOLDER_GROUPS, User
from app.permissions import object_or_404
from app.queries import get_current_consultation
from app.web.refusals import attempt
from app.web.requests import client_ip, requested_page
from forums import moderation, notify, operations, queries
from forums.forms import (
    ButtonForm,
    ConsentForm,
    ModerateForm,
    ReasonForm,
    SettingsForm,
    SpaceForm,
)
from forums.models import ForumPost
from forums.preferences import preferences_form
from forums.search import CANDIDATES
from forums.views import _post, _space, _thread, bp, user_key

FLAG_LIMIT = "10 per minute;50 per day"


def _moderated_post(post_id: int) -> ForumPost:
    post = _post(post_id)
    if not post.thread.space.can_moderate(current_user):
        abort(404)
    return post


@bp.route("/posts/<int:post_id>/flag", methods=["GET", "POST"])
@limiter.limit(FLAG_LIMIT, key_func=user_key, methods=["POST"])
def flag_post(post_id: int):
    """Ask the moderators to look at a post, saying why."""
    post = _post(post_id)
    form = ReasonForm()
    if form.validate_on_submit():
        with attempt(form) as done:
            moderation.flag_post(current_user, post, reason=form.reason.data, ip=client_ip())
        if done:
            flash(_("Thank you: the moderators will look at this post."), "success")
            return redirect(url_for("forums.thread", thread_id=post.thread_id))
    return render_template("forums/flag.html", post=post, form=form)


@bp.post("/posts/<int:post_id>/moderate")
def moderate_post(post_id: int):
    """Hide, unhide, approve a post, or dismiss its flags."""
    post = _moderated_post(post_id)
    form = ModerateForm()
    if form.validate_on_submit():
        action, reason = form.action.data, form.reason.data or ""
        with attempt(None) as done:
            if action == "hide":
                moderation.hide_post(current_user, post, reason=reason, ip=client_ip())
            elif action in ("unhide", "approve"):
                moderation.unhide_post(current_user, post, reason=reason, ip=client_ip())
            elif action == "dismiss":
                moderation.dismiss_flags(current_user, post, ip=client_ip())
            else:
                abort(400)
        if done:
            flash(_("Done."), "success")
    return redirect(request.form.get("back") == "queue" and url_for("forums.queue")
                    or url_for("forums.thread", thread_id=post.thread_id) + f"#post-{post.id}")


@bp.post("/threads/<int:thread_id>/moderate")
def moderate_thread(thread_id: int):
    """Lock, unlock, pin or unpin a thread."""
    thread = _thread(thread_id)
    if not thread.space.can_moderate(current_user):
        abort(404)
    form = ModerateForm()
    if form.validate_on_submit():
        states = {"lock": {"locked": True}, "unlock": {"locked": False},
                  "pin": {"pinned": True}, "unpin": {"pinned": False}}
        if form.action.data not in states:
            abort(400)
        with attempt(None):
            moderation.set_thread_state(current_user, thread, **states[form.action.data],
                                        ip=client_ip())
    return redirect(url_for("forums.thread", thread_id=thread.id))


@bp.get("/posts/<int:post_id>/history")
def post_history(post_id: int):
    """Earlier wordings of a post: for its author and the moderators."""
    post = _post(post_id)
    if not (post.is_author(current_user) or post.thread.space.can_moderate(current_user)):
        abort(404)
    return render_template("forums/history.html", post=post,
                           revisions=queries.revisions_of(post))


@bp.route("/posts/<int:post_id>/consent", methods=["GET", "POST"])
def post_consent(post_id: int):
    """The author changes how one post may be used."""
    post = object_or_404(Session.get(ForumPost, post_id), "edit", current_user)
    from app.corpus.models import FeedbackItem
    from app.corpus.scope import ConsentScope

    item = Session.get(FeedbackItem, post.feedback_item_id) if post.feedback_item_id else None
    if item is None:
        abort(404)
    form = ConsentForm()
    if request.method == "GET":
        form.fill_scope(ConsentScope.from_item(item))
    if form.validate_on_submit():
        with attempt(form) as done:
            operations.change_post_consent(current_user, post, form.scope(), ip=client_ip())
        if done:
            flash(_("The consent for this post is changed."), "success")
            return redirect(url_for("forums.thread", thread_id=post.thread_id))
    return render_template("forums/consent.html", post=post, form=form, item=item)


@bp.post("/threads/<int:thread_id>/follow")
def follow_thread(thread_id: int):
    """Follow or stop following a thread."""
    thread = _thread(thread_id)
    if ButtonForm().validate_on_submit():
        notify.set_following(current_user, request.form.get("follow") == "1", thread=thread)
        Session.commit()
    return redirect(url_for("forums.thread", thread_id=thread.id))


@bp.post("/spaces/<int:space_id>/follow")
def follow_space(space_id: int):
    """Follow or stop following every new thread and reply in a space."""
    space = _space(space_id)
    if ButtonForm().validate_on_submit():
        notify.set_following(current_user, request.form.get("follow") == "1", space=space)
        Session.commit()
    return redirect(url_for("forums.space", space_id=space.id))


@bp.route("/spaces/<int:space_id>/settings", methods=["GET", "POST"])
def space_settings(space_id: int):
    """A space's moderators switch pre-moderation and, for a caucus, whether staff may enter."""
    space = _space(space_id)
    if not space.can_manage(current_user):
        abort(404)
    form = SettingsForm(obj=space)
    if form.validate_on_submit():
        with attempt(form) as done:
            operations.update_space_settings(
                current_user, space, is_premoderated=form.is_premoderated.data,
                staff_may_enter=form.staff_may_enter.data)
        if done:
            flash(_("The space's settings are saved."), "success")
            return redirect(url_for("forums.space", space_id=space.id))
    return render_template("forums/settings.html", space=space, form=form)


def _people(emails: str, form_field) -> list[User]:
    found = []
    for line in (emails or "").split():
        user = Session.scalar(select(User).where(User.email == line.strip().lower()))
        if user is None:
            raise OperationRefused(_("No one has the address %(email)s here. Check it, or "
                                     "invite them first.", email=line), field=form_field)
        found.append(user)
    return found


@bp.route("/spaces/new", methods=["GET", "POST"])
def new_space():
    """Open a space (open, or a caucus) in the current consultation."""
    consultation = get_current_consultation()
    if consultation is None:
        abort(404)
    form = SpaceForm()
    form.stakeholder_group.choices = [(k, str(v)) for k, v in STAKEHOLDER_GROUPS.items()]
    groups = Session.scalars(select(GovernanceGroup).order_by(GovernanceGroup.name)).all()
    form.governance_group_id.choices = [(0, _("None"))] + [(g.id, g.name) for g in groups]
    if form.validate_on_submit():
        with attempt(form) as done:
            created = operations.create_space(
                current_user, consultation, title=form.title.data,
                description=form.description.data or "", kind=form.kind.data,
                audience=form.audience.data, stakeholder_group=form.stakeholder_group.data,
                governance_group=Session.get(GovernanceGroup, form.governance_group_id.data)
                if form.governance_group_id.data else None,
                members=_people(form.member_emails.data, "member_emails"),
                moderators=_people(form.moderator_emails.data, "moderator_emails"),
                staff_may_enter=form.staff_may_enter.data,
                is_premoderated=form.is_premoderated.data)
        if done:
            flash(_("The space is open."), "success")
            if created.can_view(current_user):
                return redirect(url_for("forums.space", space_id=created.id))
            return redirect(url_for("forums.index"))
    return render_template("forums/new_space.html", form=form)


@bp.get("/moderation")
def queue():
    """Posts waiting for approval and flagged posts, in the spaces you moderate."""
    return render_template("forums/queue.html",
                           queue=queries.moderation_queue(get_current_consultation(),
                                                          current_user),
                           form=ModerateForm())


@bp.get("/notifications")
def notifications():
    """Your notifications about replies, newest first, with the unread count."""
    notes = notify.visible_notifications(current_user)
    return render_template("forums/notifications.html", notes=notes,
                           unread=sum(1 for n in notes if n.read_at is None), form=ButtonForm())


@bp.post("/notifications/read")
def read_notifications():
    """Mark every notification read."""
    if ButtonForm().validate_on_submit():
        notify.mark_read(current_user)
        Session.commit()
    return redirect(url_for("forums.notifications"))


@bp.route("/preferences", methods=["GET", "POST"])
def preferences():
    """Your forum consent default (for posts you write from now on) and your email choice.
    The same form is on the account page, whose copy posts here with ?next=account and comes
    back there once saved."""
    form, has_default = preferences_form(current_user, filled=request.method == "GET")
    if form.validate_on_submit():
        with attempt(form) as done:
            operations.set_preference(current_user, scope=form.scope(),
                                      email_mode=form.email_mode.data)
        if done:
            flash(_("Your forum preferences are saved."), "success")
            if request.args.get("next") == "account":
                return redirect(url_for("auth.account", _anchor="forum-preferences"))
            return redirect(url_for("forums.preferences"))
    return render_template("forums/preferences.html", form=form, has_default=has_default)


@bp.get("/search")
def search():
    """Search the posts and titles you may read."""
    query = (request.args.get("q") or "").strip()[:200]
    page = requested_page()
    results, total = queries.search(get_current_consultation(), current_user, query,
                                    page=page) if query else ([], 0)
    return render_template("forums/search.html", query=query, results=results, total=total,
                           page=page, per_page=20, capped=total >= CANDIDATES,
                           candidates=CANDIDATES)


@bp.route("/unsubscribe/<token>", methods=["GET", "POST"])
@csrf.exempt  # RFC 8058 one-click: the mail client POSTs with no session; the token is the key
def unsubscribe(token: str):
    """Stop forum emails, from the signed link in every email."""
    person = notify.user_for_unsubscribe_token(token)
    if person is None:
        return render_template("forums/unsubscribe.html", invalid=True), 400
    if request.method == "POST":
        notify.unsubscribe(person)
        Session.commit()
        return render_template("forums/unsubscribe.html", done=True)
    return render_template("forums/unsubscribe.html", token=token)


from forums import views_files  # noqa: F401  (attached files and feeds, same blueprint)
