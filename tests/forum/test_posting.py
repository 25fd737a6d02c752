"""Starting threads, replying, previews, editing with history, deleting, posting identity,
consent and the corpus, and bad input."""
from __future__ import annotations

from sqlalchemy import select

from app.corpus.models import FeedbackItem
from app.db import Session
from forums import moderation, operations
from forums.models import ForumPost, ForumPostRevision, ForumPreference, ForumThread


def _thread(forum, space=None, author=None, title="Data sovereignty", body="Kia ora *koutou*"):
    thread = operations.create_thread(author or forum.iwi_member, space or forum.open,
                                      title=title, body=body)
    Session.commit()
    return thread


def _posts(thread):
    return list(Session.scalars(select(ForumPost).where(ForumPost.thread_id == thread.id)
                                .order_by(ForumPost.id)).unique())


def test_a_participant_starts_a_thread_and_it_becomes_feedback(forum, client, post_as):
    response = post_as(forum.outsider, f"/forums/spaces/{forum.open.id}/new",
                       title="Never collect immigration status",
                       body="Whānau **stop coming** <script>alert(1)</script>",
                       identity="named", send="1")
    assert response.status_code == 302
    thread = Session.scalars(select(ForumThread).where(
        ForumThread.title == "Never collect immigration status")).one()
    post = _posts(thread)[0]
    assert "<strong>stop coming</strong>" in post.body_html and "<script" not in post.body_html
    item = Session.get(FeedbackItem, post.feedback_item_id)
    assert item.source == "forum_post" and item.author_id == forum.outsider.id
    assert "Never collect immigration status" in item.text and item.consent_quote == "anonymous"
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "<strong>stop coming</strong>" in page and "<script>alert" not in page


def test_preview_shows_the_rendered_post_and_saves_nothing(forum, client, post_as):
    before = Session.scalar(select(ForumThread.id).order_by(ForumThread.id.desc()))
    response = post_as(forum.outsider, f"/forums/spaces/{forum.open.id}/new", title="T",
                       body="*emphasis*", identity="named", preview="1")
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "<em>emphasis</em>" in html
    assert "Preview: this is how your post will look" in html
    assert Session.scalar(select(ForumThread.id).order_by(ForumThread.id.desc())) == before


def test_the_first_post_asks_for_consent_in_plain_words_and_keeps_it(forum, client, auth,
                                                                     make_user, post_as):
    newcomer = make_user("participant")
    auth.login(newcomer)
    page = client.get(f"/forums/spaces/{forum.open.id}/new").get_data(as_text=True)
    assert "Before your first post: how may your words be used?" in page
    response = post_as(newcomer, f"/forums/spaces/{forum.open.id}/new", title="Hello",
                       body="First words", identity="named", consent_analysis="yes",
                       consent_quote="none", consent_publish="none", send="1")
    assert response.status_code == 302
    assert Session.get(ForumPreference, newcomer.id).consent_quote == "none"
    post = Session.scalars(select(ForumPost).where(ForumPost.author_id == newcomer.id)).one()
    assert Session.get(FeedbackItem, post.feedback_item_id).consent_quote == "none"
    page = client.get(f"/forums/spaces/{forum.open.id}/new").get_data(as_text=True)
    assert "Before your first post" not in page


def test_a_reply_quotes_and_shows_whom_it_answers(forum, client, auth, post_as):
    thread = _thread(forum)
    opening = _posts(thread)[0]
    auth.login(forum.outsider)
    form = client.get(f"/forums/threads/{thread.id}?quote={opening.id}").get_data(as_text=True)
    assert "&gt; Kia ora *koutou*" in form
    response = post_as(forum.outsider, f"/forums/threads/{thread.id}",
                       body="> Kia ora\n\nAgreed", reply_to=str(opening.id), identity="named",
                       send="1")
    assert response.status_code == 302
    reply = _posts(thread)[1]
    assert reply.reply_to_id == opening.id
    page = client.get(f"/forums/threads/{thread.id}").get_data(as_text=True)
    assert f'In reply to <a href="#post-{opening.id}">{forum.iwi_member.display_name}' in page
    assert Session.get(ForumThread, thread.id).reply_count == 1


def test_a_pseudonymous_post_hides_the_name_from_participants_not_moderators(
        forum, client, auth, post_as):
    thread = _thread(forum)
    post_as(forum.iwi_member, f"/forums/threads/{thread.id}", body="Speaking for us",
            identity="group:iwi_maori", send="1")
    auth.login(forum.outsider)
    page = client.get(f"/forums/threads/{thread.id}").get_data(as_text=True)
    assert "A member of Iwi / hapū / Māori organisation" in page
    assert page.count(forum.iwi_member.display_name) == 1  # the opening post, by name only
    auth.login(forum.analyst)
    page = client.get(f"/forums/threads/{thread.id}").get_data(as_text=True)
    assert f"A member of Iwi / hapū / Māori organisation ({forum.iwi_member.display_name})" \
        in page


def test_one_cannot_post_as_a_group_one_is_not_in(forum, post_as):
    thread = _thread(forum)
    response = post_as(forum.outsider, f"/forums/threads/{thread.id}", body="Pretending",
                       identity="group:iwi_maori", send="1")
    assert response.status_code == 200 and len(_posts(thread)) == 1


def test_edit_keeps_history_updates_the_corpus_and_refuses_stale_edits(forum, client, auth,
                                                                      post_as):
    thread = _thread(forum)
    post = _posts(thread)[0]
    response = post_as(forum.iwi_member, f"/forums/posts/{post.id}/edit", title="New title",
                       body="Second wording", revision="1", send="1")
    assert response.status_code == 302
    Session.expire_all()
    post = Session.get(ForumPost, post.id)
    assert post.body == "Second wording" and post.revision == 2
    assert post.thread.title == "New title"
    assert Session.get(FeedbackItem, post.feedback_item_id).text.endswith("Second wording")
    revisions = Session.scalars(select(ForumPostRevision).where(
        ForumPostRevision.post_id == post.id)).all()
    assert [r.body for r in revisions] == ["Kia ora *koutou*"]
    stale = post_as(forum.iwi_member, f"/forums/posts/{post.id}/edit", body="Third wording",
                    revision="1", send="1")
    html = stale.get_data(as_text=True)
    assert stale.status_code == 200 and "changed after you opened it" in html
    assert "Third wording" in html  # what was typed is kept
    Session.expire_all()
    assert Session.get(ForumPost, post.id).body == "Second wording"
    history = client.get(f"/forums/posts/{post.id}/history")
    assert history.status_code == 200 and "Kia ora" in history.get_data(as_text=True)
    auth.login(forum.outsider)
    assert client.get(f"/forums/posts/{post.id}/history").status_code == 404
    auth.login(forum.analyst)
    assert client.get(f"/forums/posts/{post.id}/history").status_code == 200


def test_delete_leaves_a_placeholder_and_withdraws_consent(forum, client, post_as):
    thread = _thread(forum)
    reply = operations.reply(forum.outsider, thread, body="Words I regret")
    Session.commit()
    response = post_as(forum.outsider, f"/forums/posts/{reply.id}/delete")
    assert response.status_code == 302
    page = client.get(f"/forums/threads/{thread.id}").get_data(as_text=True)
    assert "This post was deleted by its author." in page and "Words I regret" not in page
    item = Session.get(FeedbackItem, Session.get(ForumPost, reply.id).feedback_item_id)
    assert item.consent_analysis is False and item.consent_publish == "none"


def test_another_participant_may_not_edit_or_delete(forum, client, post_as):
    thread = _thread(forum)
    post = _posts(thread)[0]
    assert post_as(forum.outsider, f"/forums/posts/{post.id}/edit", body="Hijack",
                   revision="1").status_code == 404
    assert post_as(forum.outsider, f"/forums/posts/{post.id}/delete").status_code == 404
    Session.expire_all()
    assert Session.get(ForumPost, post.id).body == "Kia ora *koutou*"


def test_bad_input_says_what_to_fix_and_keeps_what_was_typed(forum, post_as):
    empty = post_as(forum.outsider, f"/forums/spaces/{forum.open.id}/new",
                    title="A title kept", body="   ", identity="named", send="1")
    html = empty.get_data(as_text=True)
    assert empty.status_code == 200 and "Write the message before sending." in html
    assert 'value="A title kept"' in html
    long_body = "x" * 20_001
    too_long = post_as(forum.outsider, f"/forums/spaces/{forum.open.id}/new", title="T",
                       body=long_body, identity="named", send="1")
    assert "shorten it to 20000 or fewer" in too_long.get_data(as_text=True)
    assert not Session.scalars(select(ForumThread).where(ForumThread.title == "T")).all()


def test_a_locked_thread_refuses_replies_but_keeps_the_text(forum, post_as):
    thread = _thread(forum)
    moderation.set_thread_state(forum.analyst, thread, locked=True)
    Session.commit()
    response = post_as(forum.outsider, f"/forums/threads/{thread.id}", body="Too late",
                       identity="named", send="1")
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "This thread is locked" in html
    assert len(_posts(thread)) == 1


def test_a_closed_consultation_makes_the_forum_read_only(forum, client, auth, post_as):
    thread = _thread(forum)
    forum.consultation.status = "closed"
    Session.commit()
    auth.login(forum.outsider)
    page = client.get(f"/forums/threads/{thread.id}").get_data(as_text=True)
    assert "The consultation is closed: the forum is read-only." in page
    response = post_as(forum.outsider, f"/forums/threads/{thread.id}", body="Still here?",
                       identity="named", send="1")
    assert "read-only" in response.get_data(as_text=True) and len(_posts(thread)) == 1


def test_the_author_changes_one_posts_consent(forum, client, post_as):
    thread = _thread(forum, space=forum.iwi)
    post = _posts(thread)[0]
    response = post_as(forum.iwi_member, f"/forums/posts/{post.id}/consent",
                       consent_analysis="yes", consent_quote="none", consent_publish="none")
    assert response.status_code == 302
    assert Session.get(FeedbackItem, post.feedback_item_id).consent_quote == "none"


def test_a_caucus_post_can_be_governed_by_its_group(forum, post_as):
    response = post_as(forum.iwi_member, f"/forums/spaces/{forum.iwi.id}/new", title="Ours",
                       body="Governed words", identity="named", governed="y", send="1")
    assert response.status_code == 302
    post = Session.scalars(select(ForumPost).where(ForumPost.body == "Governed words")).one()
    assert Session.get(FeedbackItem, post.feedback_item_id).governed_by_id == \
        forum.iwi.governance_group_id
