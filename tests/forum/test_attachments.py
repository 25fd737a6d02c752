"""Files attached to forum posts: attaching while posting, who may download them (every role,
members and non-members, hidden, waiting and deleted posts), bad files, removing one, the
personal-data export and erasure, and hostile file names."""
from __future__ import annotations

import io

import pytest
from sqlalchemy import select

from app import uploads
from app.db import Session
from app.packages import erase_personal_data, export_personal_data
from forums import attachments, moderation, operations
from forums.models import ForumAttachment, ForumPost, ForumThread

from .test_caucus_and_moderation import EVERYONE, MEMBERS

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 40
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 40
# Who moderates each fixture space (conftest: the iwi caucus names the facilitator and its
# kaitiaki; open spaces are moderated by analysts and facilitators).
SPACE_MODERATORS = {"open": {"analyst", "facilitator"}, "iwi": {"facilitator", "kaitiaki"},
                    "pasifika": set(), "named": set()}
READERS = {**MEMBERS, "open": tuple(EVERYONE)}


def _files(*pairs):
    return [(io.BytesIO(content), name) for name, content in pairs]


def _stored(attachment: ForumAttachment):
    return uploads.folder(attachments.FOLDER) / attachment.stored_name


def _reply_with_file(forum, space_name, name="minutes.pdf", content=PDF):
    space = getattr(forum, space_name)
    author = getattr(forum, READERS[space_name][0])
    thread = operations.create_thread(author, space, title="With files", body="Opening")
    post = operations.reply(author, thread, body="See the file",
                            files=[attachments.Upload(name, content)])
    Session.commit()
    return author, post, post.attachments[0]


def test_a_participant_attaches_files_when_posting_and_readers_download_them(
        forum, client, post_as):
    thread = operations.create_thread(forum.outsider, forum.open, title="Files", body="Hi")
    Session.commit()
    response = post_as(forum.iwi_member, f"/forums/threads/{thread.id}", body="Two files",
                       identity="named", send="1",
                       attachments=_files(("Hui minutes.pdf", PDF), ("map.png", PNG)))
    assert response.status_code == 302
    post = Session.scalars(select(ForumPost).where(ForumPost.thread_id == thread.id)
                           .order_by(ForumPost.id.desc())).first()
    assert [(a.filename, a.mimetype, a.size) for a in post.attachments] == [
        ("Hui minutes.pdf", "application/pdf", len(PDF)), ("map.png", "image/png", len(PNG))]
    assert all(_stored(a).read_bytes() in (PDF, PNG) for a in post.attachments)
    # Stored outside static, under a random name that is not the one given.
    assert all("minutes" not in a.stored_name and "static" not in str(_stored(a))
               for a in post.attachments)
    page = client.get(f"/forums/threads/{thread.id}").get_data(as_text=True)
    assert "Hui minutes.pdf" in page and "map.png" in page and "PNG image" in page
    pdf, png = post.attachments
    auth_page = client.get(f"/forums/attachments/{pdf.id}")
    assert auth_page.status_code == 200 and auth_page.data == PDF
    assert auth_page.headers["Content-Type"] == "application/pdf"
    assert auth_page.headers["Content-Disposition"].startswith("attachment;")
    assert auth_page.headers["X-Content-Type-Options"] == "nosniff"
    image = client.get(f"/forums/attachments/{png.id}")
    assert image.headers["Content-Type"] == "image/png"
    assert image.headers["Content-Disposition"].startswith("inline;")


@pytest.mark.parametrize("space_name", ["open", "iwi", "pasifika", "named"])
def test_only_those_who_may_read_the_post_get_its_files(space_name, forum, client, auth):
    author_key = READERS[space_name][0]
    author, post, attachment = _reply_with_file(forum, space_name)
    url = f"/forums/attachments/{attachment.id}"
    for who in EVERYONE:
        auth.login(getattr(forum, who))
        status = client.get(url).status_code
        assert status == (200 if who in READERS[space_name] else 404), (who, status)
    auth.logout()
    response = client.get(url)
    assert response.status_code == 302 and response.data != PDF  # the anonymous: sign in
    # A hidden post's files: its author and the space's moderators only.
    moderator = next(iter(SPACE_MODERATORS[space_name]), None)
    if moderator is not None:
        moderation.hide_post(getattr(forum, moderator), Session.get(ForumPost, post.id),
                             reason="Off topic")
        Session.commit()
        for who in READERS[space_name]:
            auth.login(getattr(forum, who))
            allowed = who == author_key or who in SPACE_MODERATORS[space_name]
            assert (client.get(url).status_code == 200) == allowed, who
        moderation.unhide_post(getattr(forum, moderator), Session.get(ForumPost, post.id),
                               reason="Fine")
        Session.commit()
    # Deleting the post removes its files: nobody gets them, and they are gone from disk.
    path = _stored(attachment)
    operations.delete_post(author, Session.get(ForumPost, post.id))
    Session.commit()
    assert not path.exists()
    assert Session.scalars(select(ForumAttachment).where(
        ForumAttachment.post_id == post.id)).all() == []
    for who in (author_key, *SPACE_MODERATORS[space_name]):
        auth.login(getattr(forum, who))
        assert client.get(url).status_code == 404


def test_a_waiting_posts_files_reach_only_its_author_and_the_moderators(forum, client, auth):
    operations.update_space_settings(forum.analyst, forum.open, is_premoderated=True,
                                     staff_may_enter=False)
    _author, post, attachment = _reply_with_file(forum, "open")
    assert post.status == "pending"
    for who in EVERYONE:
        auth.login(getattr(forum, who))
        allowed = who in ("iwi_member", "analyst", "facilitator")
        assert (client.get(f"/forums/attachments/{attachment.id}").status_code == 200) \
            == allowed, who


@pytest.mark.parametrize("files, complaint", [
    ([("notes.pdf", b"<html><script>alert(1)</script></html>")],
     "is not a PDF, PNG or JPEG file"),
    ([("photo.jpg", b"GIF89a" + b"\x00" * 20)], "is not a PDF, PNG or JPEG file"),
    ([("empty.pdf", b"")], "is empty"),
    ([("a.pdf", PDF), ("b.pdf", PDF), ("c.png", PNG), ("d.jpg", JPEG)], "at most 3 files"),
])
def test_bad_files_are_refused_with_a_clear_message_keeping_the_text(
        files, complaint, forum, post_as):
    thread = operations.create_thread(forum.outsider, forum.open, title="Bad", body="Hi")
    Session.commit()
    before = Session.scalars(select(ForumPost.id)).all()
    response = post_as(forum.iwi_member, f"/forums/threads/{thread.id}",
                       body="My carefully typed reply", identity="named", send="1",
                       attachments=_files(*files))
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert complaint in page.replace("&#34;", '"')
    assert "My carefully typed reply" in page
    assert Session.scalars(select(ForumPost.id)).all() == before
    assert Session.scalars(select(ForumAttachment)).all() == []


def test_a_file_over_the_size_setting_is_refused(forum, app, post_as):
    app.config["FORUM_MAX_ATTACHMENT_MB"] = 1
    try:
        response = post_as(forum.iwi_member, f"/forums/spaces/{forum.open.id}/new",
                           title="A big file", body="Typed words", identity="named", send="1",
                           attachments=_files(("big.pdf", PDF + b"0" * (1024 * 1024))))
    finally:
        app.config.pop("FORUM_MAX_ATTACHMENT_MB")
    page = response.get_data(as_text=True)
    assert "files can be at most 1 MB" in page and "Typed words" in page and "A big file" in page
    assert Session.scalars(select(ForumThread).where(ForumThread.title == "A big file")).all() \
        == []


def test_the_author_removes_a_file_and_nobody_else_can(forum, client, auth, post_as):
    author, post, attachment = _reply_with_file(forum, "open")
    path = _stored(attachment)
    response = post_as(forum.pasifika_member,
                       f"/forums/attachments/{attachment.id}/remove")
    assert response.status_code == 404 and path.exists()
    response = post_as(forum.analyst, f"/forums/attachments/{attachment.id}/remove")
    assert response.status_code == 404 and path.exists()
    page = client.get(f"/forums/posts/{post.id}/edit")
    assert page.status_code == 404
    auth.login(author)
    page = client.get(f"/forums/posts/{post.id}/edit").get_data(as_text=True)
    assert "minutes.pdf" in page and "Remove" in page
    response = post_as(author, f"/forums/attachments/{attachment.id}/remove")
    assert response.status_code == 302
    assert not path.exists() and Session.get(ForumAttachment, attachment.id) is None
    # And attaches another from the edit page; a bad one is refused, saying why.
    response = post_as(author, f"/forums/posts/{post.id}/attachments",
                       attachments=_files(("plan.jpg", JPEG)))
    assert response.status_code == 302
    assert [a.filename for a in Session.get(ForumPost, post.id).attachments] == ["plan.jpg"]
    post_as(author, f"/forums/posts/{post.id}/attachments",
            attachments=_files(("evil.png", b"MZ\x90\x00")))
    page = client.get(f"/forums/posts/{post.id}/edit").get_data(as_text=True)
    assert "“evil.png” is not a PDF, PNG or JPEG file" in page


def test_export_lists_a_persons_files_and_erasure_removes_them(forum, app):
    author, _post, attachment = _reply_with_file(forum, "pasifika", name="Talanoa notes.pdf")
    path = _stored(attachment)
    exported = export_personal_data(app, author)["forums"]
    files = [f for p in exported["posts"] for f in p["files"]]
    assert files == [{"name": "Talanoa notes.pdf", "type": "application/pdf",
                      "bytes": len(PDF), "attached_at": attachment.created_at.isoformat()}]
    erase_personal_data(app, forum.admin, author)
    Session.commit()
    assert not path.exists()
    assert Session.scalars(select(ForumAttachment)).all() == []


# Names a multipart body can carry (a double quote or a line break cannot be sent by the test
# client: those are checked on content_disposition itself below).
PAYLOAD_NAMES = [
    '<script>alert(1)</script>.pdf',
    "'><img src=x onerror=alert(1)>.pdf",
    "x'onmouseover='alert(1)'.png",
    '<svg/onload=alert(1)>.jpg',
    '../../../etc/passwd.pdf',
    'javascript:alert(1).pdf',
    'Kōrero <b>ō</b> & "ngā".pdf',
]


def test_hostile_file_names_are_only_ever_text(forum, client, post_as):
    thread = operations.create_thread(forum.outsider, forum.open, title="Names", body="Hi")
    Session.commit()
    for index in range(0, len(PAYLOAD_NAMES), 3):
        names = PAYLOAD_NAMES[index:index + 3]
        response = post_as(forum.iwi_member, f"/forums/threads/{thread.id}", body="Files",
                           identity="named", send="1",
                           attachments=_files(*[(name, PDF) for name in names]))
        assert response.status_code == 302
    page = client.get(f"/forums/threads/{thread.id}").get_data(as_text=True)
    assert "<script>alert" not in page and "<img src=x" not in page and "<svg" not in page
    assert "&lt;img src=x onerror=alert(1)&gt;.pdf" in page
    found = Session.scalars(select(ForumAttachment).order_by(ForumAttachment.id)).all()
    assert "passwd.pdf" in [a.filename for a in found]  # no folders kept
    for attachment in found:
        headers = client.get(f"/forums/attachments/{attachment.id}").headers
        disposition = headers["Content-Disposition"]
        assert "\r" not in disposition and "\n" not in disposition
        fallback = disposition.split('filename="', 1)[1].split('"', 1)[0]
        assert all(ch.isalnum() or ch in " ._-" for ch in fallback), disposition
        assert "Set-Cookie" not in headers


@pytest.mark.parametrize("name", ['evil"; filename="other.html', "line\r\nSet-Cookie: a=b.pdf",
                                  'a\\b";x=.pdf', "Māori ō.pdf"])
def test_a_download_header_carries_any_name_as_one_quoted_value(name):
    label = uploads.label(name)
    assert "\r" not in label and "\n" not in label
    disposition = uploads.content_disposition(label)
    kind, fallback, encoded = disposition.split("; ")
    assert kind == "attachment" and fallback.count('"') == 2 and '"' not in encoded
    assert encoded.startswith("filename*=UTF-8''") and all(
        ch.isalnum() or ch in "%._-'*=" for ch in encoded), encoded