"""A search matching more posts than forums.search.CANDIDATES ranks the newest of them and says
so, instead of claiming an exact count."""
from __future__ import annotations

from app.db import Session
from forums import operations, search


def test_a_search_matching_more_than_the_candidates_says_so(forum, client, auth, monkeypatch):
    monkeypatch.setattr(search, "CANDIDATES", 3)
    monkeypatch.setattr("forums.views_more.CANDIDATES", 3)
    thread = operations.create_thread(forum.outsider, forum.open, title="Tikanga", body="kōrero")
    for n in range(4):
        operations.reply(forum.outsider, thread, body=f"More kōrero number {n}")
    Session.commit()
    auth.login(forum.iwi_member)
    page = client.get("/forums/search?q=korero").get_data(as_text=True)
    assert "3 or more posts found" in page and "<mark>kōrero</mark>" in page
    page = client.get("/forums/search?q=tikanga").get_data(as_text=True)
    assert "1 post found" in page
