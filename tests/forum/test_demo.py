"""The demo forum: spaces, caucus members, pinned welcomes and a waiting flag each."""
from __future__ import annotations

from sqlalchemy import select

from app.db import Session
from app.models import User
from app.seed import seed_demo
from forums.models import ForumSpace, ForumThread
from forums.queries import moderation_queue


def test_seed_demo_gives_a_living_forum_once(app):
    seed_demo(Session, password="demo password for tests")
    report = seed_demo(Session, password="demo password for tests")
    assert any("forum" in line for line in report.existing)
    spaces = {s.title: s for s in Session.scalars(select(ForumSpace)).unique()}
    assert {"Open discussion", "Iwi and Māori caucus", "Pasifika caucus"} <= set(spaces)
    people = {u.email.split("@")[0]: u for u in Session.scalars(select(User))}
    iwi, pasifika = spaces["Iwi and Māori caucus"], spaces["Pasifika caucus"]
    assert iwi.can_view(people["participant"]) and not iwi.can_view(people["participant2"])
    assert pasifika.can_view(people["participant2"]) and not pasifika.can_view(
        people["participant"])
    for space in spaces.values():
        threads = Session.scalars(select(ForumThread).where(
            ForumThread.space_id == space.id)).unique().all()
        assert any(t.is_pinned for t in threads) and len(threads) >= 2
    consultation_id = iwi.consultation_id
    from app.models import Consultation

    queue = moderation_queue(Session.get(Consultation, consultation_id), people["facilitator"])
    assert len(queue["flagged"]) >= 2
