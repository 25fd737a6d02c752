"""The early answer of a thread page in a real server process, its Session bound to the engine
as in production: there the reads run on a pool connection of their own, outside the ORM
session (app.db.plain_read_transaction), which the rest of the suite (one rolled-back
transaction per test) never takes. Another process edits the thread and then disables the
reader; the worker's very next request shows each change. The data is committed for real and
removed afterwards."""
from __future__ import annotations

import http.client
import os
import time
from datetime import timedelta

import pytest
from sqlalchemy import delete, insert, update

from app.db import make_engine, utcnow
from app.models import Consultation, User, UserRole
from forums.models import ForumPost, ForumSpace, ForumThread
from tests.auth.test_user_cache_workers import _cookie
from tests.worker_support import serving

ORM_MARK = "X-ORM-Session"


@pytest.fixture
def committed_thread(database_url):
    """A committed open consultation with an open space, a thread of one post and a
    participant; all deleted afterwards."""
    engine = make_engine(database_url)
    tag = f"{os.getpid()}-{time.monotonic_ns()}"
    now = utcnow()
    with engine.begin() as conn:
        consultation_id = conn.execute(insert(Consultation).values(
            slug=f"fast-{tag}", title="Fast read", status="open",
            opens_at=now - timedelta(days=1), closes_at=now + timedelta(days=30))
            .returning(Consultation.id)).scalar_one()
        user_id = conn.execute(insert(User).values(
            email=f"fast-read-{tag}@example.test", display_name="Fast Reader",
            password_hash=None, is_enabled=True, session_version=1)
            .returning(User.id)).scalar_one()
        conn.execute(insert(UserRole).values(user_id=user_id, role="participant"))
        space_id = conn.execute(insert(ForumSpace).values(
            consultation_id=consultation_id, title="Open", kind="open")
            .returning(ForumSpace.id)).scalar_one()
        thread_id = conn.execute(insert(ForumThread).values(
            space_id=space_id, title="Worker thread", author_id=user_id)
            .returning(ForumThread.id)).scalar_one()
        post_id = conn.execute(insert(ForumPost).values(
            thread_id=thread_id, author_id=user_id, body="First words",
            body_html="<p>First words</p>").returning(ForumPost.id)).scalar_one()
    try:
        yield engine, user_id, thread_id, post_id
    finally:
        with engine.begin() as conn:
            conn.execute(delete(User).where(User.id == user_id))
            conn.execute(delete(Consultation).where(Consultation.id == consultation_id))
        engine.dispose()


SERVE = """
import sys
from werkzeug.serving import make_server
from app import create_app
from app.config import TestConfig
from app.db import Session

app = create_app(TestConfig(sys.argv[1]))

@app.after_request
def orm_session_used(response):  # whether this request touched the ORM session at all
    response.headers["X-ORM-Session"] = "1" if Session.registry.has() else "0"
    return response

make_server("127.0.0.1", int(sys.argv[2]), app).serve_forever()
"""


@pytest.fixture
def worker(database_url):
    """A server process for the test database, without any listener on the engine's SQL (a
    listener sends the reads back through the session, on purpose)."""
    with serving(SERVE, database_url) as port:
        yield port


def _fetch(port: int, path: str, cookie: str = "") -> tuple[int, dict, str]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("GET", path, headers={"Cookie": cookie} if cookie else {})
    response = conn.getresponse()
    text = response.read().decode()
    conn.close()
    return response.status, dict(response.headers), text


def test_a_worker_answers_early_outside_the_orm_and_sees_each_change_at_once(
        app, worker, committed_thread):
    engine, user_id, thread_id, post_id = committed_thread
    cookie = _cookie(app, user_id)
    path = f"/forums/threads/{thread_id}"
    status, headers, _text = _fetch(worker, path, cookie)  # writes the read marker
    assert status == 200 and headers[ORM_MARK] == "1"
    assert _fetch(worker, path, cookie)[0] == 200  # the view keeps the whole page
    status, headers, text = _fetch(worker, path, cookie)
    assert status == 200 and headers[ORM_MARK] == "0" and "First words" in text
    assert headers["Cache-Control"] == "no-store"

    with engine.begin() as conn:  # this process, not the worker
        conn.execute(update(ForumPost).where(ForumPost.id == post_id).values(
            body="Second words", body_html="<p>Second words</p>"))
        conn.execute(update(ForumThread).where(ForumThread.id == thread_id).values(
            version=ForumThread.version + 1))
    status, headers, text = _fetch(worker, path, cookie)
    assert status == 200 and "Second words" in text and "First words" not in text
    status, headers, text = _fetch(worker, path, cookie)
    assert status == 200 and headers[ORM_MARK] == "0" and "Second words" in text

    with engine.begin() as conn:
        conn.execute(update(User).where(User.id == user_id).values(is_enabled=False))
    status, headers, _text = _fetch(worker, path, cookie)
    assert status == 302 and "/account/login" in headers["Location"]
