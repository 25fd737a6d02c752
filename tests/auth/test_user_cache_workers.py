"""The user cache across processes: a server process (a worker, as gunicorn runs several) keeps
a signed-in person cached; another process removes a role and then disables the account; the
worker's very next request counts each change. The data is committed for real (the worker
cannot see a test's rolled-back transaction) and removed afterwards."""
from __future__ import annotations

import http.client
import os
import time

import pytest
from sqlalchemy import delete, insert, update

from app.db import make_engine
from app.models import User, UserRole
from tests.worker_support import serving

SERVE = """
import sys
from sqlalchemy import event
from werkzeug.serving import make_server
from app import create_app
from app.config import TestConfig

app = create_app(TestConfig(sys.argv[1]))
engine = app.extensions["korero_engine"]
counted = [0]

@event.listens_for(engine, "before_cursor_execute")
def count(*_args):
    counted[0] += 1

def start_counting():
    counted[0] = 0

app.before_request_funcs.setdefault(None, []).insert(0, start_counting)  # before sign-in

@app.after_request
def report(response):  # how many statements this request ran: shows the cache at work
    response.headers["X-Statements"] = str(counted[0])
    return response

make_server("127.0.0.1", int(sys.argv[2]), app).serve_forever()
"""


def _get(port: int, path: str, cookie: str = "") -> http.client.HTTPResponse:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("GET", path, headers={"Cookie": cookie} if cookie else {})
    response = conn.getresponse()
    response.read()
    conn.close()
    return response


@pytest.fixture
def worker(database_url):
    with serving(SERVE, database_url) as port:
        yield port


@pytest.fixture
def committed_admin(database_url):
    """A committed demo-style admin (no second factor to set up), deleted afterwards."""
    engine = make_engine(database_url)
    email = f"cache-worker-{os.getpid()}-{time.monotonic_ns()}@example.test"
    with engine.begin() as conn:
        user_id = conn.execute(insert(User).values(
            email=email, display_name="Worker Cache", password_hash=None, is_enabled=True,
            is_demo=True, session_version=1).returning(User.id)).scalar_one()
        conn.execute(insert(UserRole), [{"user_id": user_id, "role": role}
                                        for role in ("participant", "admin")])
    try:
        yield engine, user_id
    finally:
        with engine.begin() as conn:
            conn.execute(delete(User).where(User.id == user_id))
        engine.dispose()


def _cookie(app, user_id: int) -> str:
    serializer = app.session_interface.get_signing_serializer(app)
    value = serializer.dumps({"_user_id": f"{user_id}:1", "_fresh": True,
                              "last_active": time.time(), "signed_in_at": time.time()})
    return f"{app.config.get('SESSION_COOKIE_NAME', 'session')}={value}"


def test_another_process_removing_a_role_or_disabling_counts_in_the_worker_at_once(
        app, worker, committed_admin):
    engine, user_id = committed_admin
    cookie = _cookie(app, user_id)
    first = _get(worker, "/admin/", cookie)
    assert first.status == 200
    cached = _get(worker, "/admin/", cookie)
    assert cached.status == 200
    # The second request loaded the person from the worker's cache: fewer statements.
    assert int(cached.headers["X-Statements"]) < int(first.headers["X-Statements"])

    with engine.begin() as conn:  # this process, not the worker
        conn.execute(delete(UserRole).where(UserRole.user_id == user_id,
                                            UserRole.role == "admin"))
    assert _get(worker, "/admin/", cookie).status in (403, 404)
    assert _get(worker, "/account/", cookie).status == 200  # still signed in, as a participant

    with engine.begin() as conn:
        conn.execute(update(User).where(User.id == user_id).values(is_enabled=False))
    refused = _get(worker, "/account/", cookie)
    assert refused.status == 302 and "/account/login" in refused.headers["Location"]
