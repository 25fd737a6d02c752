"""The thread page's cache (forums/page.py): a page served from the cache carries the reader's
own CSRF token, never a placeholder or another session's; a second read writes nothing; the
first reads of two sessions at once cannot both insert the read marker."""
from __future__ import annotations

import re

from sqlalchemy import event, select

from app.db import Session
from forums import operations
from forums.models import ForumPost, ForumRead
from forums.page import CSRF_PLACEHOLDER, NONCE_PLACEHOLDER

TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def test_a_cached_page_carries_each_readers_own_token_and_it_works(forum, client, auth, app):
    thread = operations.create_thread(forum.outsider, forum.open, title="Tokens", body="One")
    Session.commit()
    pages = {}
    for reader in (forum.iwi_member, forum.pasifika_member):
        auth.login(reader)
        client.get(f"/forums/threads/{thread.id}")  # the first read fills the cache
        pages[reader.id] = client.get(f"/forums/threads/{thread.id}").get_data(as_text=True)
        assert CSRF_PLACEHOLDER not in pages[reader.id]
        tokens = set(TOKEN.findall(pages[reader.id]))
        assert tokens and CSRF_PLACEHOLDER not in "".join(tokens)
    first, second = (set(TOKEN.findall(page)) for page in pages.values())
    assert not first & second, "a cached page carried another session's CSRF token"
    # The token in the cached reply form is accepted.
    token = TOKEN.findall(pages[forum.pasifika_member.id])[-1]
    answer = client.post(f"/forums/threads/{thread.id}", data={
        "csrf_token": token, "body": "Posted with the cached page's token", "identity": "named",
        "send": "1"})
    assert answer.status_code == 302
    assert Session.scalar(select(ForumPost.id).where(
        ForumPost.body == "Posted with the cached page's token")) is not None


def test_reading_a_thread_again_writes_nothing(forum, client, auth, app):
    thread = operations.create_thread(forum.outsider, forum.open, title="Quiet", body="One")
    Session.commit()
    auth.login(forum.iwi_member)
    client.get(f"/forums/threads/{thread.id}")
    assert Session.get(ForumRead, (forum.iwi_member.id, thread.id)) is not None
    writes = []

    def before(conn, cursor, statement, *args):
        if statement.lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE")):
            writes.append(statement)

    engine = app.extensions["korero_engine"]
    event.listen(engine, "before_cursor_execute", before)
    try:
        assert client.get(f"/forums/threads/{thread.id}").status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", before)
    assert writes == []


def test_the_read_marker_is_an_upsert(forum):
    from forums.queries import mark_thread_read

    thread = operations.create_thread(forum.outsider, forum.open, title="Twice", body="One")
    Session.commit()
    mark_thread_read(forum.iwi_member, thread)
    mark_thread_read(forum.iwi_member, thread)  # a second tab: no duplicate key
    assert len(Session.scalars(select(ForumRead).where(
        ForumRead.thread_id == thread.id)).all()) == 1


NONCE = re.compile(r'<script[^>]*nonce="([^"]+)"')


def test_a_whole_cached_page_carries_this_responses_own_nonce(forum, client, auth):
    thread = operations.create_thread(forum.outsider, forum.open, title="Nonces", body="One")
    Session.commit()
    auth.login(forum.iwi_member)
    client.get(f"/forums/threads/{thread.id}")
    nonces = []
    for _ in range(2):  # both from the whole-page cache
        response = client.get(f"/forums/threads/{thread.id}")
        html = response.get_data(as_text=True)
        assert NONCE_PLACEHOLDER not in html and CSRF_PLACEHOLDER not in html
        [nonce] = NONCE.findall(html)
        assert f"'nonce-{nonce}'" in response.headers["Content-Security-Policy"]
        nonces.append(nonce)
    assert nonces[0] != nonces[1], "a cached page repeated a nonce"


def test_the_layout_of_a_cached_page_follows_the_readers_roles_at_once(forum, client, auth,
                                                                        make_user):
    from app.models import UserRole

    reader = make_user("participant", is_demo=True)  # a demo admin needs no second factor
    thread = operations.create_thread(forum.outsider, forum.open, title="Layout", body="One")
    Session.commit()
    auth.login(reader)
    client.get(f"/forums/threads/{thread.id}")
    assert "Administration" not in client.get(f"/forums/threads/{thread.id}").get_data(
        as_text=True)
    Session.add(UserRole(user_id=reader.id, role="admin"))
    Session.commit()
    page = client.get(f"/forums/threads/{thread.id}").get_data(as_text=True)
    assert "Administration" in page


def test_a_flashed_message_shows_on_a_cached_thread_page(forum, client, auth, post_as):
    thread = operations.create_thread(forum.outsider, forum.open, title="Flash", body="One")
    Session.commit()
    auth.login(forum.iwi_member)
    client.get(f"/forums/threads/{thread.id}")
    client.get(f"/forums/threads/{thread.id}")  # cached, layout included
    answer = post_as(forum.iwi_member, f"/forums/threads/{thread.id}",
                     body="A reply that flashes", identity="named", send="1")
    assert answer.status_code == 302
    page = client.get(f"/forums/threads/{thread.id}").get_data(as_text=True)
    assert "Your post is published." in page and "A reply that flashes" in page
    assert "Your post is published." not in client.get(
        f"/forums/threads/{thread.id}").get_data(as_text=True)
