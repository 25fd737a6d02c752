"""Atom feeds at each person's secret address: valid XML, what each reader may see now and no
more (caucus isolation, no waiting, hidden, deleted or withdrawn post, pseudonyms kept), the
links on the pages, turning feeds off and renewing them, and the secret kept out of logs."""
from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest
from sqlalchemy import select

from app.corpus.models import FeedbackItem
from app.corpus.operations import withdraw_consent
from app.db import Session
from app.logging_setup import redact_secrets
from app.models import STAKEHOLDER_GROUPS, User
from forums import attachments, moderation, operations
from forums.models import ForumFeedKey, ForumPost

from .test_attachments import PDF, PNG
from .test_caucus_and_moderation import EVERYONE, MEMBERS

ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture
def issue_keys(forum, client, auth, csrf_token):
    """issue_keys(): every fixture person's feed secret, as they get it: turning feeds on on
    their feeds page, which then shows their addresses. (Called once a test has made what it
    needs: the requests end the session the test's objects belong to.)"""
    return lambda: _issue(forum, client, auth, csrf_token)


def _issue(forum, client, auth, csrf_token):
    found = {}
    for who in EVERYONE:
        auth.login(getattr(forum, who))
        page = client.get("/forums/feeds").get_data(as_text=True)
        client.post("/forums/feeds", data={"csrf_token": csrf_token(page), "action": "issue"})
        page = client.get("/forums/feeds").get_data(as_text=True)
        found[who] = re.search(r"/forums/feeds/([^/<]+)/spaces/", page).group(1)
    auth.logout()
    return found


def _feed(client, url):
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    assert response.headers["Content-Type"].startswith("application/atom+xml")
    root = ET.fromstring(response.data)  # well-formed, or this raises
    assert root.tag == f"{ATOM}feed"
    for name in ("id", "title", "updated"):
        assert root.find(f"{ATOM}{name}") is not None, name
    return root


def _entries(root):
    return [{"title": e.findtext(f"{ATOM}title"),
             "author": e.findtext(f"{ATOM}author/{ATOM}name"),
             "html": e.findtext(f"{ATOM}content"),
             "link": e.find(f"{ATOM}link").get("href")}
            for e in root.findall(f"{ATOM}entry")]


def test_a_thread_feed_is_valid_atom_with_the_stored_html(forum, client, issue_keys):
    thread = operations.create_thread(forum.outsider, forum.open, title="Data sovereignty",
                                      body="**Bold** point about <script>alert(1)</script> data")
    operations.reply(forum.iwi_member, thread, body="A reply about whānau data")
    Session.commit()
    keys = issue_keys()
    root = _feed(client, f"/forums/feeds/{keys['pasifika_member']}/threads/{thread.id}.atom")
    entries = _entries(root)
    assert len(entries) == 2
    opening = entries[-1]
    assert "<strong>Bold</strong>" in opening["html"] and "<script" not in opening["html"]
    assert opening["link"].startswith("http://korero.test/forums/threads/")
    assert "whānau" in entries[0]["html"]
    assert root.find(f"{ATOM}link[@rel='self']").get("href").endswith(".atom")


@pytest.mark.parametrize("space_name", sorted(MEMBERS))
def test_a_caucus_feed_is_404_to_non_members_and_its_posts_are_in_no_one_elses_feed(
        space_name, forum, client, issue_keys):
    space = getattr(forum, space_name)
    author = getattr(forum, MEMBERS[space_name][0])
    thread = operations.create_thread(author, space, title="Caucus zqxj", body="Inside zqxj")
    operations.reply(author, thread, body="Reply zqxj")
    open_thread = operations.create_thread(forum.analyst, forum.open, title="Open",
                                           body="Open words")
    Session.commit()
    keys = issue_keys()
    for who in EVERYONE:
        member = who in MEMBERS[space_name]
        for url in (f"/forums/feeds/{keys[who]}/spaces/{space.id}.atom",
                    f"/forums/feeds/{keys[who]}/threads/{thread.id}.atom"):
            response = client.get(url)
            assert (response.status_code == 200) == member, (who, url, response.status_code)
            if member:
                assert "zqxj" in response.get_data(as_text=True)
            else:
                assert b"zqxj" not in response.data
        # The open space's feeds never carry a caucus post.
        for url in (f"/forums/feeds/{keys[who]}/spaces/{forum.open.id}.atom",
                    f"/forums/feeds/{keys[who]}/threads/{open_thread.id}.atom"):
            assert b"zqxj" not in client.get(url).data


def test_waiting_hidden_deleted_and_withdrawn_posts_never_appear(forum, client, issue_keys):
    thread = operations.create_thread(forum.outsider, forum.open, title="Mixed", body="Opening")
    hidden = operations.reply(forum.iwi_member, thread, body="Hidden words")
    deleted = operations.reply(forum.iwi_member, thread, body="Deleted words")
    withdrawn = operations.reply(forum.iwi_member, thread, body="Withdrawn words")
    operations.reply(forum.iwi_member, thread, body="Shown words")
    moderation.hide_post(forum.analyst, hidden, reason="Off topic")
    operations.delete_post(forum.iwi_member, deleted)
    withdraw_consent(forum.iwi_member, Session.get(FeedbackItem, withdrawn.feedback_item_id))
    operations.update_space_settings(forum.analyst, forum.open, is_premoderated=True,
                                     staff_may_enter=False)
    operations.reply(forum.iwi_member, thread, body="Waiting words")
    waiting_thread = operations.create_thread(forum.iwi_member, forum.open,
                                              title="Waiting thread", body="Waiting opening")
    Session.commit()
    keys = issue_keys()
    # Even the author and the space's moderators: a feed shows what anyone may read.
    for who in ("iwi_member", "analyst", "outsider"):
        body = client.get(f"/forums/feeds/{keys[who]}/threads/{thread.id}.atom").get_data(
            as_text=True)
        assert "Shown words" in body and "Opening" in body
        for words in ("Hidden words", "Deleted words", "Withdrawn words", "Waiting words"):
            assert words not in body, (who, words)
        space = client.get(f"/forums/feeds/{keys[who]}/spaces/{forum.open.id}.atom").get_data(
            as_text=True)
        assert "Mixed" in space and "Waiting thread" not in space
    assert waiting_thread.id


def test_a_pseudonymous_post_shows_only_its_group_even_to_moderators(forum, client, issue_keys):
    thread = operations.create_thread(forum.iwi_member, forum.iwi, title="Pseudonymous",
                                      body="Words", identity="group", group_key="iwi_maori")
    Session.commit()
    keys = issue_keys()
    group = f"A member of {STAKEHOLDER_GROUPS['iwi_maori']}"
    for who in ("iwi_member", "facilitator", "kaitiaki"):
        root = _feed(client, f"/forums/feeds/{keys[who]}/threads/{thread.id}.atom")
        assert [e["author"] for e in _entries(root)] == [group]
        assert forum.iwi_member.display_name not in ET.tostring(root, encoding="unicode")


def test_pages_link_to_the_readers_own_feeds(forum, client, auth, csrf_token, issue_keys):
    thread = operations.create_thread(forum.outsider, forum.open, title="Linked", body="Hi")
    Session.commit()
    keys = issue_keys()
    auth.login(forum.outsider)
    space_page = client.get(f"/forums/spaces/{forum.open.id}").get_data(as_text=True)
    expected = f"http://korero.test/forums/feeds/{keys['outsider']}/spaces/{forum.open.id}.atom"
    assert '<link rel="alternate" type="application/atom+xml"' in space_page
    assert expected in space_page
    thread_page = client.get(f"/forums/threads/{thread.id}").get_data(as_text=True)
    assert f"/forums/feeds/{keys['outsider']}/threads/{thread.id}.atom" in thread_page
    assert thread_page.count(keys["outsider"]) == 2  # <link> in the head and the visible link
    assert keys["iwi_member"] not in thread_page
    # Someone whose feeds are off is offered the feeds page instead.
    auth.login(forum.iwi_member)
    feeds_page = client.get("/forums/feeds").get_data(as_text=True)
    client.post("/forums/feeds", data={"csrf_token": csrf_token(feeds_page),
                                       "action": "revoke"})
    page = client.get(f"/forums/threads/{thread.id}").get_data(as_text=True)
    assert "/forums/feeds/" not in page.replace('href="/forums/feeds"', "")
    assert 'href="/forums/feeds"' in page


def test_turning_feeds_off_and_renewing_them_stops_the_old_addresses(
        forum, client, auth, csrf_token, issue_keys):
    keys = issue_keys()
    url = f"/forums/feeds/{keys['outsider']}/spaces/{forum.open.id}.atom"
    assert client.get(url).status_code == 200
    auth.login(forum.outsider)
    page = client.get("/forums/feeds")
    assert keys["outsider"] in page.get_data(as_text=True)
    client.post("/forums/feeds", data={"csrf_token": csrf_token(page.get_data(as_text=True)),
                                       "action": "issue"})
    assert client.get(url).status_code == 404
    page = client.get("/forums/feeds").get_data(as_text=True)
    key = Session.get(ForumFeedKey, forum.outsider.id)
    assert key is not None and keys["outsider"] not in page
    # Only the secret's hash and a salt are stored, never the secret itself.
    assert keys["outsider"] not in (key.salt, key.token_hash)
    client.post("/forums/feeds", data={"csrf_token": csrf_token(page), "action": "revoke"})
    assert Session.scalars(select(ForumFeedKey).where(
        ForumFeedKey.user_id == forum.outsider.id)).all() == []
    assert "Your feeds are off" in client.get("/forums/feeds").get_data(as_text=True)


def test_a_feed_for_a_deactivated_person_or_a_bogus_secret_is_404(forum, client, issue_keys):
    keys = issue_keys()
    Session.get(User, forum.outsider.id).is_enabled = False
    Session.commit()
    assert client.get(f"/forums/feeds/{keys['outsider']}/spaces/{forum.open.id}.atom") \
        .status_code == 404
    assert client.get(f"/forums/feeds/not-a-secret/spaces/{forum.open.id}.atom") \
        .status_code == 404


def test_the_secret_never_reaches_a_log(issue_keys):
    keys = issue_keys()
    line = f'GET /forums/feeds/{keys["outsider"]}/threads/7.atom HTTP/1.1'
    assert keys["outsider"] not in redact_secrets(line)
    assert "/forums/feeds/[redacted]/threads/7.atom" in redact_secrets(line)


def _enclosures(entry):
    return [(link.get("type"), link.get("length"), link.get("title"), link.get("href"))
            for link in entry.findall(f"{ATOM}link[@rel='enclosure']")]


def test_entries_link_their_posts_files_as_enclosures_only_for_posts_shown(
        forum, client, auth, issue_keys):
    thread = operations.create_thread(
        forum.outsider, forum.open, title="With files", body="Opening",
        files=[attachments.Upload('Hui "minutes" <1>.pdf', PDF)])
    shown = operations.reply(forum.iwi_member, thread, body="Shown words",
                             files=[attachments.Upload("map.png", PNG),
                                    attachments.Upload("notes.pdf", PDF)])
    hidden = operations.reply(forum.iwi_member, thread, body="Hidden words",
                              files=[attachments.Upload("hidden.pdf", PDF)])
    moderation.hide_post(forum.analyst, hidden, reason="Off topic")
    opening = Session.scalars(select(ForumPost).where(ForumPost.thread_id == thread.id)
                              .order_by(ForumPost.id)).first()
    expected = {post.id: [(a.mimetype, str(a.size), a.filename,
                           f"http://korero.test/forums/attachments/{a.id}")
                          for a in post.attachments] for post in (opening, shown)}
    hidden_file = f"/forums/attachments/{hidden.attachments[0].id}"
    Session.commit()
    keys = issue_keys()
    root = _feed(client, f"/forums/feeds/{keys['analyst']}/threads/{thread.id}.atom")
    entries = root.findall(f"{ATOM}entry")
    assert [_enclosures(e) for e in entries] == [expected[shown.id], expected[opening.id]]
    assert expected[shown.id][0][:3] == ("image/png", str(len(PNG)), "map.png")
    assert expected[opening.id][0][2] == 'Hui "minutes" <1>.pdf'
    # The alternate link stays the entry's first link.
    assert all(e.find(f"{ATOM}link").get("rel") == "alternate" for e in entries)
    assert hidden_file not in ET.tostring(root, encoding="unicode")
    space = _feed(client, f"/forums/feeds/{keys['outsider']}/spaces/{forum.open.id}.atom")
    assert [_enclosures(e) for e in space.findall(f"{ATOM}entry")] == [expected[opening.id]]
    # The enclosure is the ordinary download: a signed-in reader gets it, no session does not.
    href = expected[shown.id][1][3].removeprefix("http://korero.test")
    auth.login(forum.outsider)
    assert client.get(href).data == PDF
    auth.logout()
    response = client.get(href)
    assert response.status_code == 302 and response.data != PDF
