"""The unread notification count on the navigation's Forum link: shown on every page, cleared
by reading the thread (the cached thread page included), and never counting a post in a caucus
the reader may not enter."""
from __future__ import annotations

import re

from sqlalchemy import select

from app.db import Session
from forums import notify, operations
from forums.models import ForumNotification

BADGE = re.compile(r'<span class="nav-badge"><span aria-hidden="true">(\d+)</span>'
                   r'<span class="visually-hidden">(\d+) unread notifications</span>')


def _badge(client, path="/forums/") -> int:
    found = BADGE.search(client.get(path).get_data(as_text=True))
    return int(found.group(1)) if found else 0


def test_the_navigation_counts_unread_notifications_until_the_thread_is_read(
        forum, client, auth):
    thread = operations.create_thread(forum.outsider, forum.open, title="Badge", body="a")
    notify.set_following(forum.iwi_member, True, thread=thread)
    Session.commit()
    auth.login(forum.iwi_member)
    client.get(f"/forums/threads/{thread.id}")
    assert _badge(client, f"/forums/threads/{thread.id}") == 0  # the cached page too
    operations.reply(forum.outsider, thread, body="One")
    operations.reply(forum.outsider, thread, body="Two")
    Session.commit()
    assert _badge(client) == 2 and _badge(client, "/account/") == 2
    page = client.get(f"/forums/threads/{thread.id}").get_data(as_text=True)
    assert "Two" in page and BADGE.search(page) is None  # read: the count is gone at once
    assert _badge(client) == 0


def test_the_badge_never_counts_a_post_the_reader_may_not_see(forum, client, auth):
    thread = operations.create_thread(forum.iwi_member, forum.iwi, title="Caucus", body="a")
    post = operations.reply(forum.iwi_member, thread, body="Caucus words")
    # A notification row for someone outside the caucus (as if they had been removed from it).
    Session.add(ForumNotification(user_id=forum.outsider.id, post_id=post.id))
    Session.commit()
    assert Session.scalar(select(ForumNotification.id).where(
        ForumNotification.user_id == forum.outsider.id)) is not None
    auth.login(forum.outsider)
    assert _badge(client) == 0
