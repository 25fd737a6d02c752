"""Fixtures for the audit log tests: events with chosen fields, and sessions of their own."""
from __future__ import annotations

import threading

import pytest
from audit_support import audit_log_writable
from sqlalchemy import delete
from sqlalchemy.orm import sessionmaker

from app.db import Session, make_engine
from app.privacy.audit import record_event
from app.privacy.models import AuditEvent, AuditPersonal


@pytest.fixture
def add_events(db_session):
    """add_events(n, action=..., actor_email=..., **fields) -> the recorded AuditEvents."""

    def factory(n: int = 1, action: str = "login.success", **kwargs):
        return [record_event(kwargs.pop("actor", None), action, **kwargs) for _ in range(n)]

    return factory


class OwnSessions:
    """Sessions on an engine of their own, outside the test's rolled-back transaction: what
    they write is committed for real, so every row added is deleted again afterwards.

    The app's code uses the scoped `Session`, which on the test's thread is bound to the test's
    transaction; so these sessions live on other threads, each thread's scoped Session set to
    a new session on this engine.
    """

    def __init__(self, url: str):
        self.engine = make_engine(url)
        self.factory = sessionmaker(bind=self.engine, expire_on_commit=False)
        self.added_ids: set[int] = set()
        self._lock = threading.Lock()

    def in_this_thread(self, fn, *args, **kwargs):
        """Run FN in one transaction of a new session, made this thread's scoped Session.
        Never call it on the test's own thread: that Session belongs to the test."""
        assert threading.current_thread() is not threading.main_thread()
        session = self.factory()
        Session.registry.set(session)
        try:
            value = fn(*args, **kwargs)
            session.commit()
            return value
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()
            Session.registry.clear()

    def run(self, fn, *args, **kwargs):
        """FN(*ARGS) in its own transaction, on a fresh thread; returns its result."""
        result, failure = {}, []

        def target():
            try:
                result["value"] = self.in_this_thread(fn, *args, **kwargs)
            except Exception as error:  # noqa: BLE001 - re-raised on the calling thread
                failure.append(error)

        thread = threading.Thread(target=target)
        thread.start()
        thread.join()
        if failure:
            raise failure[0]
        return result.get("value")

    def record(self, action: str, **kwargs) -> int:
        """Append one event in its own transaction (call from a thread `run` started)."""
        event = record_event(None, action, **kwargs)
        with self._lock:
            self.added_ids.add(event.id)
        return event.id

    def cleanup(self):
        if self.added_ids:
            with self.engine.begin() as conn, audit_log_writable(conn):
                conn.execute(delete(AuditPersonal)
                             .where(AuditPersonal.event_id.in_(self.added_ids)))
                conn.execute(delete(AuditEvent).where(AuditEvent.id.in_(self.added_ids)))
        self.engine.dispose()


@pytest.fixture
def own_sessions(app):
    sessions = OwnSessions(app.config["DATABASE_URL"])
    try:
        yield sessions
    finally:
        sessions.cleanup()
