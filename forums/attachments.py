"""Files attached to forum posts: PDF, PNG and JPEG, told by their content (app/uploads.py), a
few per post, each under a size limit. Kept under the instance folder with random names and
served only through `views_files.attachment`, which asks the attachment's `can_view`.

Like the other operations, these take the actor, add and flush, and never commit; files are
written only once every check has passed, and removed with their rows. app/uploads.py ties the
files to the commit: a file written is deleted again if the transaction rolls back, and a
removed row's file is deleted only once the commit succeeds.
"""
from __future__ import annotations

import os
from dataclasses import dataclass

from flask import current_app, has_app_context
from flask_babel import gettext as _
from sqlalchemy import select

from app import uploads
from app.db import Session
from app.errors import OperationRefused
from app.privacy.audit import record_event
from forums.models import ForumAttachment, ForumPost

FOLDER = "forum-attachments"
FIELD = "attachments"
DEFAULT_MAX_MB = 5
DEFAULT_MAX_FILES = 3


@dataclass(frozen=True)
class Upload:
    """A file as it came in: the name its sender gave and its bytes."""

    filename: str
    content: bytes


def _setting(name: str, default: int) -> int:
    value = current_app.config.get(name) if has_app_context() else None
    return int(value or os.environ.get(name, default))


def max_bytes() -> int:
    """FORUM_MAX_ATTACHMENT_MB (setting or environment), default 5."""
    return _setting("FORUM_MAX_ATTACHMENT_MB", DEFAULT_MAX_MB) * 1024 * 1024


def max_files() -> int:
    """FORUM_MAX_ATTACHMENTS per post (setting or environment), default 3."""
    return _setting("FORUM_MAX_ATTACHMENTS", DEFAULT_MAX_FILES)


def check_uploads(files: list[Upload], *, already: int = 0) -> list[tuple[Upload, str, str]]:
    """Each of FILES with its (content type, suffix). Refuses, naming the file, too many files
    for one post (counting ALREADY attached), an empty or too large file, and any file that is
    not a PDF, PNG or JPEG whatever its name says."""
    if already + len(files) > max_files():
        raise OperationRefused(_("A post can have at most %(count)d files. Choose fewer.",
                                 count=max_files()), field=FIELD)
    checked = []
    for upload in files:
        name = uploads.label(upload.filename)
        if not upload.content:
            raise OperationRefused(_("“%(name)s” is empty. Choose the file again.", name=name),
                                   field=FIELD)
        if len(upload.content) > max_bytes():
            raise OperationRefused(_(
                "“%(name)s” is %(size)s MB: files can be at most %(limit)d MB. Make it smaller "
                "(or attach a link to it instead).", name=name,
                size=f"{len(upload.content) / 1024 / 1024:.1f}",
                limit=max_bytes() // (1024 * 1024)), field=FIELD)
        found = uploads.sniff(upload.content)
        if found is None:
            raise OperationRefused(_("“%(name)s” is not a PDF, PNG or JPEG file (whatever its "
                                     "name says). Attach one of those.", name=name), field=FIELD)
        checked.append((upload, *found))
    return checked


def attach(actor, post: ForumPost, checked: list[tuple[Upload, str, str]], *,
           ip: str = "") -> list[ForumAttachment]:
    """Store files that `check_uploads` passed and attach them to POST (its author only)."""
    if not post.is_author(actor):
        raise OperationRefused(_("Only the author may attach files to this post."))
    added = []
    for upload, mimetype, suffix in checked:
        stored = uploads.store(FOLDER, upload.content, suffix)
        attachment = ForumAttachment(post_id=post.id, stored_name=stored, mimetype=mimetype,
                                     filename=uploads.label(upload.filename),
                                     size=len(upload.content))
        Session.add(attachment)
        added.append(attachment)
    if added:
        Session.flush()
        Session.expire(post, ["attachments"])
        record_event(actor, "forums.files_attached", target=post, ip=ip,
                     detail={"count": len(added)})
    return added


def add_to_post(actor, post: ForumPost, files: list[Upload], *,
                ip: str = "") -> list[ForumAttachment]:
    """The author attaches more FILES to a post they may edit. Refuses as `check_uploads` and
    a post they cannot edit."""
    if not post.can_edit(actor):
        raise OperationRefused(_("Only the author may attach files to this post."))
    checked = check_uploads(files, already=len(post.attachments))
    added = attach(actor, post, checked, ip=ip)
    _touch(post)
    return added


def remove_attachment(actor, attachment: ForumAttachment, *, ip: str = "") -> None:
    """The post's author removes one file (its row, and the file itself once that commits)."""
    post = attachment.post
    if not attachment.can_edit(actor):
        raise OperationRefused(_("Only the author of the post may remove its files."))
    uploads.remove_after_commit(FOLDER, attachment.stored_name)
    Session.delete(attachment)
    Session.flush()
    Session.expire(post, ["attachments"])
    _touch(post)
    record_event(actor, "forums.file_removed", target=post, ip=ip)


def remove_files(post: ForumPost) -> int:
    """Delete every file of POST and its rows (a deleted or erased post keeps none; the files
go once the commit succeeds); how many."""
    found = list(Session.scalars(select(ForumAttachment).where(
        ForumAttachment.post_id == post.id)))
    for attachment in found:
        uploads.remove_after_commit(FOLDER, attachment.stored_name)
        Session.delete(attachment)
    if found:
        Session.flush()
        Session.expire(post, ["attachments"])
    return len(found)


def read(attachment: ForumAttachment) -> bytes | None:
    path = uploads.folder(FOLDER) / attachment.stored_name
    return path.read_bytes() if path.is_file() else None


def _touch(post: ForumPost) -> None:
    from forums.operations import touch_thread

    touch_thread(post.thread)
