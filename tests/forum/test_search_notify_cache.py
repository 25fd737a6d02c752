"""Search (macrons, ranking, highlighting, caucus), notifications and emails (immediate,
digest, twice, unsubscribe), and the thread page cache and its query count."""
from __future__ import annotations

from sqlalchemy import event, select

from app.db import Session
from forums import moderation, notify, operations
from forums.models import ForumPost, ForumPreference, ForumThread
from forums.queries import search


def test_search_ignores_case_and_macrons_ranks_and_highlights(forum):
    operations.create_thread(forum.outsider, forum.open, title="Whānau data",
                             body="Māori data sovereignty matters to whānau.")
    operations.create_thread(forum.outsider, forum.open, title="Other",
                             body="Providers mention maori once.")
    operations.create_thread(forum.iwi_member, forum.iwi, title="Caucus Māori",
                             body="Māori caucus words")
    Session.commit()
    results, total = search(forum.consultation, forum.outsider, "MAORI whanau")
    assert total == 1 and "<mark>Māori</mark>" in str(results[0]["excerpt"])
    results, total = search(forum.consultation, forum.outsider, "maori")
    assert total == 2 and all("Caucus" not in str(r["title"]) for r in results)
    results, total = search(forum.consultation, forum.iwi_member, "maori")
    assert total == 3


def test_search_escapes_what_it_highlights(forum):
    operations.create_thread(forum.outsider, forum.open, title="<img src=x onerror=alert(1)>",
                             body="findme <b>bold</b>")
    Session.commit()
    results, _total = search(forum.consultation, forum.outsider, "findme")
    assert "<img" not in str(results[0]["title"]) and "&lt;img" in str(results[0]["title"])


def test_follow_notify_email_once_and_unsubscribe(forum, app, client, auth, post_as,
                                                  smtp_server):
    thread = operations.create_thread(forum.outsider, forum.open, title="Followed", body="a")
    Session.commit()
    post_as(forum.iwi_member, f"/forums/threads/{thread.id}/follow", follow="1")
    operations.reply(forum.outsider, Session.get(ForumThread, thread.id), body="News for you")
    Session.commit()
    auth.login(forum.iwi_member)
    page = client.get("/forums/notifications").get_data(as_text=True)
    assert "1 unread" in page and "Followed" in page
    runner = app.test_cli_runner()
    assert "Sent 1" in runner.invoke(args=["forums", "send-reply-emails"]).output
    assert "Sent 0" in runner.invoke(args=["forums", "send-reply-emails"]).output
    message = smtp_server.delivered()[0]
    assert message["To"] == forum.iwi_member.email
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    url = message["List-Unsubscribe"].strip("<>")
    assert "News for you" in smtp_server.body_of(message)
    path = url[url.index("/forums/"):]
    assert client.post("/forums/unsubscribe/not-a-token").status_code == 400
    anonymous = app.test_client()
    assert anonymous.post(path).status_code == 200
    assert Session.get(ForumPreference, forum.iwi_member.id).email_mode == "none"


def test_the_daily_digest_gathers_replies_and_is_safe_to_run_twice(forum, app, smtp_server):
    operations.set_preference(forum.iwi_member, email_mode="daily")
    thread = operations.create_thread(forum.outsider, forum.open, title="Digest me", body="a")
    notify.set_following(forum.iwi_member, True, thread=thread)
    operations.reply(forum.outsider, thread, body="First reply")
    operations.reply(forum.analyst, thread, body="Second reply")
    Session.commit()
    runner = app.test_cli_runner()
    assert "Sent 0" in runner.invoke(args=["forums", "send-reply-emails"]).output
    assert "Sent 1 digest" in runner.invoke(args=["forums", "send-digests"]).output
    assert "Sent 0 digest" in runner.invoke(args=["forums", "send-digests"]).output
    messages = smtp_server.delivered()
    assert len(messages) == 1
    body = smtp_server.body_of(messages[0])
    assert "First reply" in body and "Second reply" in body


def _count_queries(app, fn):
    engine = app.extensions["korero_engine"]
    seen = []

    def before(conn, cursor, statement, *args):
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", before)
    try:
        fn()
    finally:
        event.remove(engine, "before_cursor_execute", before)
    return len(seen)


def test_the_thread_page_takes_a_fixed_number_of_queries(forum, app, client, auth):
    thread = operations.create_thread(forum.outsider, forum.open, title="Long", body="first")
    Session.commit()
    counts = []
    for total in (5, 50):
        while Session.scalar(select(ForumThread.reply_count).where(
                ForumThread.id == thread.id)) < total:
            operations.reply(forum.outsider, Session.get(ForumThread, thread.id), body="more")
        Session.commit()
        auth.login(forum.iwi_member)
        client.get(f"/forums/threads/{thread.id}")  # marks read: not counted
        counts.append(_count_queries(app, lambda: client.get(f"/forums/threads/{thread.id}")))
    assert counts[0] == counts[1] and counts[1] <= 14, counts


def test_an_edit_a_hide_and_a_withdrawal_show_at_once_despite_the_cache(forum, client, auth):
    thread = operations.create_thread(forum.outsider, forum.open, title="Cached", body="Old")
    post = operations.reply(forum.outsider, thread, body="Reply words")
    Session.commit()
    auth.login(forum.iwi_member)
    assert "Reply words" in client.get(f"/forums/threads/{thread.id}").get_data(as_text=True)
    post = Session.get(ForumPost, post.id)
    operations.edit_post(forum.outsider, post, body="Edited words", revision=1)
    Session.commit()
    page = client.get(f"/forums/threads/{thread.id}").get_data(as_text=True)
    assert "Edited words" in page and "Reply words" not in page
    moderation.hide_post(forum.analyst, Session.get(ForumPost, post.id), reason="r")
    Session.commit()
    assert "Edited words" not in client.get(f"/forums/threads/{thread.id}").get_data(
        as_text=True)
    opening = Session.scalars(select(ForumPost).where(ForumPost.thread_id == thread.id)
                              .order_by(ForumPost.id)).first()
    operations.delete_post(forum.outsider, opening)
    Session.commit()
    page = client.get(f"/forums/threads/{thread.id}").get_data(as_text=True)
    assert "This post was deleted by its author." in page and ">Old<" not in page
