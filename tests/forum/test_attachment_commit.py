"""Attachment files follow the database's unit of work (app/uploads.py): a file written in a
transaction that fails to commit is deleted, and a removed post's file is deleted only once the
commit succeeds. The failures are real: a unique-constraint violation at commit."""
from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app import uploads
from app.db import Session
from forums import attachments, operations
from forums.models import ForumAttachment, ForumPost

from .test_attachments import PDF, PNG


def _stored_files() -> set[str]:
    return {path.name for path in uploads.folder(attachments.FOLDER).iterdir()}


def _clash_at_commit(existing: ForumAttachment) -> None:
    """Stage a row that breaks forum_attachment's unique stored_name: the commit fails."""
    Session.add(ForumAttachment(post_id=existing.post_id, stored_name=existing.stored_name,
                                filename="clash.pdf", mimetype="application/pdf", size=1))


def _thread_with_file(forum):
    thread = operations.create_thread(forum.outsider, forum.open, title="Files", body="Opening",
                                      files=[attachments.Upload("first.pdf", PDF)])
    Session.commit()
    post = Session.scalars(select(ForumPost).where(ForumPost.thread_id == thread.id)).one()
    return thread, post, post.attachments[0]


def test_files_written_before_a_failed_commit_are_deleted(forum):
    thread, _post, first = _thread_with_file(forum)
    before = _stored_files()
    assert first.stored_name in before
    operations.reply(forum.outsider, thread, body="Two more",
                     files=[attachments.Upload("a.pdf", PDF), attachments.Upload("b.png", PNG)])
    assert len(_stored_files()) == len(before) + 2  # on disk before the commit
    _clash_at_commit(first)
    with pytest.raises(IntegrityError):
        Session.commit()
    Session.rollback()
    assert _stored_files() == before
    assert Session.scalars(select(ForumAttachment)).all() == [first]


def test_files_of_a_session_closed_without_committing_are_deleted(forum):
    """What the request teardown does after a view raised: close the session, no commit."""
    thread, _post, _first = _thread_with_file(forum)
    before = _stored_files()
    operations.reply(forum.outsider, thread, body="More", files=[attachments.Upload("c.pdf",
                                                                                    PDF)])
    assert len(_stored_files()) == len(before) + 1
    Session.remove()
    assert _stored_files() == before


def test_committed_files_stay_and_a_rolled_back_savepoint_drops_only_its_own(forum):
    thread, _post, first = _thread_with_file(forum)
    before = _stored_files()  # the instance folder may hold other tests' files
    kept = operations.reply(forum.outsider, thread, body="Kept",
                            files=[attachments.Upload("kept.pdf", PDF)])
    savepoint = Session.begin_nested()
    operations.reply(forum.outsider, thread, body="Dropped",
                     files=[attachments.Upload("dropped.pdf", PDF)])
    savepoint.rollback()
    released = Session.begin_nested()
    operations.reply(forum.outsider, thread, body="Released",
                     files=[attachments.Upload("released.pdf", PDF)])
    released.commit()
    Session.commit()
    rows = Session.scalars(select(ForumAttachment)).all()
    assert sorted(row.filename for row in rows) == ["first.pdf", "kept.pdf", "released.pdf"]
    assert _stored_files() - before == {row.stored_name for row in rows} - {first.stored_name}
    assert kept.attachments[0].stored_name in _stored_files()


def test_a_deleted_posts_files_stay_until_the_delete_commits(forum):
    _thread, post, first = _thread_with_file(forum)
    _other_thread, _other, other = _thread_with_file(forum)
    operations.delete_post(forum.outsider, Session.get(ForumPost, post.id))
    _clash_at_commit(other)
    with pytest.raises(IntegrityError):
        Session.commit()
    Session.rollback()
    # The delete failed: the row still names the file, and the file is still there.
    assert Session.get(ForumAttachment, first.id) is not None
    assert first.stored_name in _stored_files()
    operations.delete_post(forum.outsider, Session.get(ForumPost, post.id))
    assert first.stored_name in _stored_files()  # not before the commit
    Session.commit()
    assert first.stored_name not in _stored_files()
    assert other.stored_name in _stored_files()


def test_a_removed_file_stays_until_the_removal_commits(forum):
    _thread, _post, first = _thread_with_file(forum)
    _thread2, _post2, other = _thread_with_file(forum)
    attachments.remove_attachment(forum.outsider, Session.get(ForumAttachment, first.id))
    _clash_at_commit(other)
    with pytest.raises(IntegrityError):
        Session.commit()
    Session.rollback()
    assert Session.get(ForumAttachment, first.id) is not None
    assert first.stored_name in _stored_files()
    attachments.remove_attachment(forum.outsider, Session.get(ForumAttachment, first.id))
    Session.commit()
    assert first.stored_name not in _stored_files()
