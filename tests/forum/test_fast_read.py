"""A plain read of an open space's thread answered before the reader is loaded through the ORM
(app/auth/cached_reads.py, forums/fast_read.py): it serves exactly the page the view kept, with
this response's token and nonce, and any change to the thread, the person, the space or the
session is seen on the very next request (nothing tells the caches: they must notice)."""
from __future__ import annotations

import re
import time
from datetime import timedelta

import pytest
from sqlalchemy import delete, select, update

from app.auth import user_cache
from app.db import Session, utcnow
from app.models import Consultation, User, UserRole
from forums import notify, operations
from forums.models import ForumPost, ForumSpace, ForumThread

NONCE = re.compile(r'<script[^>]*nonce="([^"]+)"')
TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


@pytest.fixture(autouse=True)
def _empty_user_cache():
    user_cache.forget()
    yield
    user_cache.forget()


@pytest.fixture
def answered(app):
    """The pages the early answer served (None for each request it left to the view)."""
    served: list[str | None] = []
    reads = app.extensions["korero_cached_reads"]
    original = reads["forums.thread"]

    def spy(person, view_args):
        page = original(person, view_args)
        served.append(page)
        return page

    reads["forums.thread"] = spy
    yield served
    reads["forums.thread"] = original


def _change(statement) -> None:
    """Change the database behind the caches' back, as another process would."""
    Session.execute(statement)
    Session.commit()
    Session.remove()


def _read(client, thread_id: int, expect: int = 200) -> str:
    answer = client.get(f"/forums/threads/{thread_id}")
    assert answer.status_code == expect, answer.status_code
    return answer.get_data(as_text=True)


def _thread(forum, space=None, title="Fast") -> ForumThread:
    thread = operations.create_thread(forum.outsider, space or forum.open, title=title,
                                      body="The opening words")
    Session.commit()
    return thread


def _strip(page: str) -> str:
    return TOKEN.sub("TOKEN", re.sub(r'nonce="[^"]+"', 'nonce=""', page))


def test_a_second_read_is_answered_early_with_the_page_the_view_serves(
        forum, client, auth, answered):
    thread = _thread(forum)
    auth.login(forum.iwi_member)
    _read(client, thread.id)  # the first read writes the read marker: the view
    by_view = _read(client, thread.id)  # the view keeps the whole page
    early = client.get(f"/forums/threads/{thread.id}")
    assert answered[-1] is not None
    assert _strip(early.get_data(as_text=True)) == _strip(by_view)
    assert early.headers["Cache-Control"] == "no-store"
    nonce = NONCE.search(early.get_data(as_text=True)).group(1)
    assert f"'nonce-{nonce}'" in early.headers["Content-Security-Policy"]
    again = client.get(f"/forums/threads/{thread.id}")
    assert answered[-1] is not None
    assert NONCE.search(again.get_data(as_text=True)).group(1) != nonce
    # The token in the early page is this session's and is accepted.
    token = TOKEN.findall(early.get_data(as_text=True))[-1]
    posted = client.post(f"/forums/threads/{thread.id}", data={
        "csrf_token": token, "body": "Sent from the early page", "identity": "named",
        "send": "1"})
    assert posted.status_code == 302


def test_an_edit_a_hide_and_a_new_reply_show_on_the_next_request(
        forum, client, auth, answered):
    thread = _thread(forum)
    post = Session.scalars(select(ForumPost).where(ForumPost.thread_id == thread.id)).one()
    auth.login(forum.iwi_member)
    _read(client, thread.id)
    _read(client, thread.id)
    assert "The opening words" in _read(client, thread.id) and answered[-1] is not None
    operations.edit_post(forum.outsider, Session.get(ForumPost, post.id), body="Edited words",
                         revision=post.revision)
    Session.commit()
    assert "Edited words" in _read(client, thread.id)
    reply = operations.reply(forum.pasifika_member, Session.get(ForumThread, thread.id),
                             body="A new reply")
    Session.commit()
    answered.clear()
    assert "A new reply" in _read(client, thread.id)
    assert answered == [None]  # unread: the view marks it read
    from forums.moderation import hide_post

    hide_post(forum.analyst, Session.get(ForumPost, reply.id), reason="Off topic")
    Session.commit()
    assert "A new reply" not in _read(client, thread.id)


@pytest.mark.parametrize("change", ["disabled", "signed_out_everywhere", "deleted"])
def test_a_person_refused_since_is_refused_on_the_next_request(
        forum, client, auth, answered, change):
    thread = _thread(forum)
    reader = forum.iwi_member
    auth.login(reader)
    for _ in range(3):
        _read(client, thread.id)
    assert answered[-1] is not None
    values = {"disabled": {"is_enabled": False},
              "signed_out_everywhere": {"session_version": User.session_version + 1}}
    if change == "deleted":
        _change(delete(UserRole).where(UserRole.user_id == reader.id))
        _change(update(User).where(User.id == reader.id).values(is_enabled=False))
    else:
        _change(update(User).where(User.id == reader.id).values(**values[change]))
    answer = client.get(f"/forums/threads/{thread.id}")
    assert answer.status_code == 302 and "/account/login" in answer.headers["Location"]


MODERATOR_TOOLS = 'value="lock"'


def test_a_role_lost_or_a_new_name_shows_at_once(forum, client, auth, answered):
    thread = _thread(forum)
    reader = forum.analyst  # moderates open spaces
    auth.login(reader)
    for _ in range(3):
        page = _read(client, thread.id)
    assert answered[-1] is not None and MODERATOR_TOOLS in page
    _change(update(User).where(User.id == reader.id).values(display_name="Renamed Reader"))
    assert "Renamed Reader" in _read(client, thread.id)
    _change(update(UserRole).where(UserRole.user_id == reader.id).values(role="participant"))
    assert MODERATOR_TOOLS not in _read(client, thread.id)
    assert MODERATOR_TOOLS not in _read(client, thread.id) and answered[-1] is not None


def test_a_staff_role_gained_sends_to_two_factor_set_up_first(forum, client, auth, answered):
    thread = _thread(forum)
    reader = forum.iwi_member
    auth.login(reader)
    for _ in range(3):
        _read(client, thread.id)
    assert answered[-1] is not None
    Session.add(UserRole(user_id=reader.id, role="facilitator"))
    Session.commit()
    Session.remove()
    answered.clear()
    for _ in range(2):  # reloaded by the view, then the cached copy: never answered early
        answer = client.get(f"/forums/threads/{thread.id}")
        assert answer.status_code == 302 and "two-factor" in answer.headers["Location"]
    assert answered == []


def test_a_caucus_thread_is_never_answered_early_and_non_members_get_404(
        forum, client, auth, answered):
    thread = _thread(forum, forum.named, title="Named members only")
    auth.login(forum.outsider)  # a named member
    for _ in range(3):
        assert "Named members only" in _read(client, thread.id)
    assert answered and all(page is None for page in answered)
    auth.login(forum.iwi_member)
    _read(client, thread.id, expect=404)
    _read(client, thread.id, expect=404)
    # Leaving the caucus counts at once.
    from forums.models import ForumSpaceMember

    _change(delete(ForumSpaceMember).where(ForumSpaceMember.user_id == forum.outsider.id))
    auth.login(forum.outsider)
    _read(client, thread.id, expect=404)


def test_an_open_space_made_a_caucus_is_closed_to_non_members_at_once(
        forum, client, auth, answered):
    thread = _thread(forum)
    auth.login(forum.iwi_member)
    for _ in range(3):
        _read(client, thread.id)
    assert answered[-1] is not None
    _change(update(ForumSpace).where(ForumSpace.id == forum.open.id).values(
        kind="caucus", audience="members"))
    _read(client, thread.id, expect=404)


def test_a_closed_consultation_shows_read_only_at_once(forum, client, auth, answered):
    thread = _thread(forum)
    auth.login(forum.iwi_member)
    for _ in range(3):
        page = _read(client, thread.id)
    assert answered[-1] is not None and 'name="body"' in page
    _change(update(Consultation).where(Consultation.id == forum.consultation.id).values(
        closes_at=utcnow() - timedelta(minutes=1)))
    assert 'name="body"' not in _read(client, thread.id)


def test_an_unread_notification_is_counted_by_the_view(forum, client, auth, answered):
    thread, other = _thread(forum), _thread(forum, title="Other")
    notify.set_following(forum.iwi_member, True, thread=other)
    Session.commit()
    auth.login(forum.iwi_member)
    for _ in range(3):
        _read(client, thread.id)
    assert answered[-1] is not None
    operations.reply(forum.outsider, Session.get(ForumThread, other.id), body="Ping")
    Session.commit()
    answered.clear()
    assert "1 unread notifications" in _read(client, thread.id)
    assert answered == [None]


def test_an_idle_or_too_long_session_is_signed_out_not_answered(
        forum, client, auth, answered, app):
    thread = _thread(forum)
    auth.login(forum.iwi_member)
    for _ in range(3):
        _read(client, thread.id)
    assert answered[-1] is not None
    idle = app.config["IDLE_TIMEOUT"].total_seconds()
    with client.session_transaction() as sess:
        sess["last_active"] = time.time() - idle - 5
    answer = client.get(f"/forums/threads/{thread.id}")
    assert answer.status_code == 302 and "/account/login" in answer.headers["Location"]
    auth.login(forum.iwi_member)
    _read(client, thread.id)
    lifetime = app.config.get("SESSION_LIFETIME", app.config["PERMANENT_SESSION_LIFETIME"])
    with client.session_transaction() as sess:
        sess["signed_in_at"] = time.time() - lifetime.total_seconds() - 5
    answer = client.get(f"/forums/threads/{thread.id}")
    assert answer.status_code == 302 and "/account/login" in answer.headers["Location"]


def test_flashed_messages_and_query_strings_go_to_the_view(forum, client, auth, answered):
    thread = _thread(forum)
    auth.login(forum.iwi_member)
    for _ in range(3):
        _read(client, thread.id)
    answered.clear()
    with client.session_transaction() as sess:
        sess["_flashes"] = [("info", "A message for you")]
    assert "A message for you" in _read(client, thread.id)
    client.get(f"/forums/threads/{thread.id}?quote=1")
    assert answered == []


def test_the_kept_page_loses_its_indentation_but_not_preformatted_text(
        forum, client, auth, answered):
    thread = operations.create_thread(
        forum.outsider, forum.open, title="Code",
        body="Run this:\n\n    def shown():\n        return 'indented'\n")
    Session.commit()
    auth.login(forum.iwi_member)
    for _ in range(3):
        page = _read(client, thread.id)
    assert answered[-1] is not None
    assert "def shown():\n    return" in page  # the code block keeps its indentation
    outside = re.sub(r"<(pre|textarea|script|style)\b.*?</\1>", "", page, flags=re.DOTALL)
    assert re.search(r"\n[ \t]+\S", outside) is None


def test_cutting_indentation_keeps_what_a_browser_would_show():
    from forums.page import _without_indentation

    html = ('<div>\n    <p>a\n\n      b</p>\n<textarea>\n  typed\n</textarea>\n'
            '<PRE>\n  x\n</PRE>\n\u00a0kept\n  <script>\n  let a = 1;\n</script>\n')
    assert _without_indentation(html) == (
        '<div>\n<p>a\nb</p>\n<textarea>\n  typed\n</textarea>\n<PRE>\n  x\n</PRE>\n'
        '\u00a0kept\n<script>\n  let a = 1;\n</script>\n')
