"""Caucus isolation (pages, search, notifications, emails) and moderation."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from app.db import Session
from forums import notify, operations
from forums.models import ForumPost, ForumSpace

MEMBERS = {"iwi": ("iwi_member", "kaitiaki", "facilitator"),
           "pasifika": ("pasifika_member",),
           "named": ("outsider",)}
EVERYONE = ("iwi_member", "pasifika_member", "outsider", "analyst", "facilitator", "kaitiaki",
            "admin")


@pytest.mark.parametrize("space_name", sorted(MEMBERS))
def test_members_reach_a_caucus_and_everyone_else_gets_404_for_all_of_it(
        space_name, forum, client, auth, csrf_token):
    space = getattr(forum, space_name)
    author = getattr(forum, MEMBERS[space_name][0])
    thread = operations.create_thread(author, space, title="Caucus only zqxj",
                                      body="Caucus words zqxj")
    post = operations.reply(author, thread, body="A reply zqxj")
    operations.edit_post(author, post, body="Edited zqxj", revision=1)
    Session.commit()
    urls = [f"/forums/spaces/{space.id}", f"/forums/spaces/{space.id}/new",
            f"/forums/threads/{thread.id}", f"/forums/posts/{post.id}/flag",
            f"/forums/posts/{post.id}/history"]
    for who in EVERYONE:
        person = getattr(forum, who)
        auth.login(person)
        member = who in MEMBERS[space_name]
        for url in urls:
            status = client.get(url).status_code
            if url.endswith("/history") and member and who != MEMBERS[space_name][0]:
                assert status in (200, 404), (who, url)  # moderators only
                continue
            assert (status == 200) == member, (who, url, status)
            assert (status == 404) == (not member), (who, url, status)
        search = client.get("/forums/search?q=zqxj").get_data(as_text=True)
        assert ("Caucus only" in search) == member, who
        assert ("Caucus only" in client.get("/forums/").get_data(as_text=True)) is False
        listed = space.title in client.get("/forums/").get_data(as_text=True)
        assert listed == member, who
        token = csrf_token(client.get("/forums/preferences").get_data(as_text=True))
        response = client.post(f"/forums/threads/{thread.id}",
                               data={"csrf_token": token, "body": "intrude", "send": "1",
                                     "identity": "named"})
        assert (response.status_code == 404) == (not member), who


def test_staff_enter_a_caucus_only_when_its_settings_allow_and_members_are_told(
        forum, client, auth):
    auth.login(forum.analyst)
    assert client.get(f"/forums/spaces/{forum.pasifika.id}").status_code == 404
    Session.get(ForumSpace, forum.pasifika.id).staff_may_enter = True
    Session.commit()
    assert client.get(f"/forums/spaces/{forum.pasifika.id}").status_code == 200
    auth.login(forum.pasifika_member)
    page = client.get(f"/forums/spaces/{forum.pasifika.id}").get_data(as_text=True)
    assert "let analysts and facilitators enter it" in page
    auth.login(forum.admin)
    assert client.get(f"/forums/spaces/{forum.pasifika.id}").status_code == 404


def test_notifications_and_emails_never_carry_caucus_posts_to_non_members(
        forum, app, client, auth, smtp_server):
    thread = operations.create_thread(forum.iwi_member, forum.iwi, title="Ours", body="x")
    # The outsider followed it somehow (say, before the caucus changed): still nothing.
    from forums.models import ForumFollow

    Session.add(ForumFollow(user_id=forum.outsider.id, thread_id=thread.id))
    notify.set_following(forum.kaitiaki, True, thread=thread)
    operations.reply(forum.facilitator, thread, body="Caucus reply text")
    Session.commit()
    result = app.test_cli_runner().invoke(args=["forums", "send-reply-emails"])
    assert "Sent 1 reply email(s)." in result.output, result.output
    messages = smtp_server.delivered()
    assert [m["To"] for m in messages] == [forum.kaitiaki.email]
    auth.login(forum.outsider)
    assert "Ours" not in client.get("/forums/notifications").get_data(as_text=True)


def test_flag_queue_hide_with_reason_and_unhide(forum, client, auth, post_as):
    thread = operations.create_thread(forum.outsider, forum.open, title="Flag me", body="ok")
    post = operations.reply(forum.outsider, thread, body="Something rude")
    Session.commit()
    response = post_as(forum.iwi_member, f"/forums/posts/{post.id}/flag", reason="Rude")
    assert response.status_code == 302
    auth.login(forum.analyst)
    queue = client.get("/forums/moderation").get_data(as_text=True)
    assert "Something rude" in queue and "Rude" in queue
    response = post_as(forum.analyst, f"/forums/posts/{post.id}/moderate", action="hide",
                       reason="Personal attack")
    assert response.status_code == 302
    assert "Something rude" not in client.get("/forums/moderation").get_data(as_text=True)
    auth.login(forum.iwi_member)
    assert "Something rude" not in client.get(f"/forums/threads/{thread.id}").get_data(
        as_text=True)
    auth.login(forum.outsider)
    page = client.get(f"/forums/threads/{thread.id}").get_data(as_text=True)
    assert "Hidden by a moderator. Reason: Personal attack" in page
    post_as(forum.analyst, f"/forums/posts/{post.id}/moderate", action="unhide", reason="")
    auth.login(forum.iwi_member)
    assert "Something rude" in client.get(f"/forums/threads/{thread.id}").get_data(as_text=True)
    from app.privacy.models import AuditEvent

    actions = set(Session.scalars(select(AuditEvent.action).where(
        AuditEvent.action.like("forums.%"))))
    assert {"forums.post_flagged", "forums.post_hidden", "forums.post_unhidden"} <= actions


def test_participants_and_other_caucus_staff_cannot_moderate(forum, post_as):
    thread = operations.create_thread(forum.outsider, forum.open, title="T", body="ok")
    Session.commit()
    post = Session.scalars(select(ForumPost).where(ForumPost.thread_id == thread.id)).one()
    assert post_as(forum.iwi_member, f"/forums/posts/{post.id}/moderate", action="hide",
                   reason="no").status_code == 404
    caucus = operations.create_thread(forum.pasifika_member,
                                      Session.get(ForumSpace, forum.pasifika.id),
                                      title="P", body="p")
    Session.commit()
    assert post_as(forum.analyst, f"/forums/threads/{caucus.id}/moderate",
                   action="lock").status_code == 404
    Session.expire_all()
    assert Session.get(ForumPost, post.id).status == "published"


def test_premoderation_holds_posts_the_author_sees_as_pending(forum, client, auth, post_as):
    Session.get(ForumSpace, forum.open.id).is_premoderated = True
    Session.commit()
    thread = operations.create_thread(forum.analyst, forum.open, title="Held", body="mod post")
    Session.commit()
    post_as(forum.outsider, f"/forums/threads/{thread.id}", body="Waiting words",
            identity="named", send="1")
    page = client.get(f"/forums/threads/{thread.id}").get_data(as_text=True)
    assert "Waiting words" in page and "Waiting for a moderator" in page
    auth.login(forum.iwi_member)
    assert "Waiting words" not in client.get(f"/forums/threads/{thread.id}").get_data(
        as_text=True)
    auth.login(forum.analyst)
    assert "Waiting words" in client.get("/forums/moderation").get_data(as_text=True)
    pending = Session.scalars(select(ForumPost).where(ForumPost.body == "Waiting words")).one()
    post_as(forum.analyst, f"/forums/posts/{pending.id}/moderate", action="approve")
    auth.login(forum.iwi_member)
    assert "Waiting words" in client.get(f"/forums/threads/{thread.id}").get_data(as_text=True)


def test_lock_and_pin_by_a_moderator(forum, client, post_as):
    thread = operations.create_thread(forum.outsider, forum.open, title="T", body="ok")
    Session.commit()
    post_as(forum.facilitator, f"/forums/threads/{thread.id}/moderate", action="pin")
    post_as(forum.facilitator, f"/forums/threads/{thread.id}/moderate", action="lock")
    Session.expire_all()
    from forums.models import ForumThread

    found = Session.get(ForumThread, thread.id)
    assert found.is_pinned and found.is_locked
