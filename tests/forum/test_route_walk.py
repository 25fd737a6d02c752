"""Every forum URL rule that names a space, thread, post or attached file (feeds too, at each
person's own secret address), walked for each caucus by every kind of person: non-members get
404 for every method (nothing is revealed, nothing changes); members reach what their part in
the caucus allows (authors their own posts' pages, moderators the moderation routes)."""
from __future__ import annotations

import pytest
from flask import url_for

from app.db import Session
from forums import attachments, feeds, operations
from forums.models import ForumAttachment

from .test_attachments import PDF
from .test_caucus_and_moderation import EVERYONE, MEMBERS

AUTHOR_ONLY = {"forums.edit_post", "forums.delete_post", "forums.post_consent",
               "forums.post_history", "forums.add_attachments", "forums.remove_attachment"}
MODERATOR_ONLY = {"forums.moderate_post", "forums.moderate_thread", "forums.space_settings"}
# Who moderates each fixture caucus (forum fixture: the iwi caucus names the facilitator and
# its governance group's kaitiaki; the others name nobody).
MODERATORS = {"iwi": {"facilitator", "kaitiaki"}, "pasifika": set(), "named": set()}


def _object_rules(app):
    return sorted((rule for rule in app.url_map.iter_rules()
                   if rule.endpoint.startswith("forums.")
                   and rule.arguments & {"space_id", "thread_id", "post_id",
                                         "forum_attachment_id"}),
                  key=lambda rule: rule.rule)


def _urls(app, space, thread, post, attachment, token):
    values = {"space_id": space.id, "thread_id": thread.id, "post_id": post.id,
              "forum_attachment_id": attachment.id, "token": token}
    with app.test_request_context():
        return [(rule.endpoint, url_for(rule.endpoint, **{a: values[a] for a in rule.arguments}),
                 sorted(rule.methods - {"HEAD", "OPTIONS"})) for rule in _object_rules(app)]


def test_the_walk_covers_every_object_route(app):
    endpoints = {rule.endpoint for rule in _object_rules(app)}
    assert endpoints >= AUTHOR_ONLY | MODERATOR_ONLY | {
        "forums.thread", "forums.space", "forums.flag_post", "forums.attachment",
        "forums.space_feed", "forums.thread_feed"}


@pytest.mark.parametrize("space_name", sorted(MEMBERS))
def test_every_object_route_is_404_to_non_members_and_open_to_members(
        space_name, app, forum, client, auth, csrf_token):
    space = getattr(forum, space_name)
    author_key = MEMBERS[space_name][0]
    author = getattr(forum, author_key)
    thread = operations.create_thread(author, space, title="Walked", body="Walk words")
    post = operations.reply(author, thread, body="A walked reply")
    operations.edit_post(author, post, body="A walked reply, edited", revision=1)
    attachment = attachments.add_to_post(author, post, [attachments.Upload("w.pdf", PDF)])[0]
    with app.app_context():  # the secret is derived from the app's SECRET_KEY
        tokens = {who: feeds.issue_key(getattr(forum, who)) for who in EVERYONE}
        Session.commit()  # before the context's end removes the session
    for who in EVERYONE:
        member = who in MEMBERS[space_name]
        urls = _urls(app, space, thread, post, attachment, tokens[who])
        auth.login(getattr(forum, who))
        token = csrf_token(client.get("/forums/preferences").get_data(as_text=True))
        for endpoint, url, methods in urls:
            if member:
                if "GET" not in methods:
                    continue  # members' POSTs (hide, delete ...) are tested where they matter
                status = client.get(url).status_code
                allowed = ((endpoint not in AUTHOR_ONLY or who == author_key)
                           and (endpoint not in MODERATOR_ONLY
                                or who in MODERATORS[space_name]))
                if endpoint == "forums.post_history" and who in MODERATORS[space_name]:
                    allowed = True
                assert (status != 404) == allowed, (who, url, status)
                continue
            for method in methods:
                response = (client.get(url) if method == "GET" else
                            client.post(url, data={"csrf_token": token, "action": "hide",
                                                   "reason": "r", "follow": "1",
                                                   "body": "intrude", "send": "1"}))
                assert response.status_code == 404, (who, method, url, response.status_code)
    # Nothing a non-member sent changed anything.
    assert Session.get(type(post), post.id).status == "published"
    assert Session.get(ForumAttachment, attachment.id) is not None
