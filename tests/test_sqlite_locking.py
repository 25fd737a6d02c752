"""SQLite under concurrent writers: a request that will write takes the write lock when its
transaction begins, so it waits its turn instead of failing with "database is locked".

These tests use a SQLite file and engine of their own (whatever database the suite runs on):
the behaviour is SQLite's."""
from __future__ import annotations

import threading

from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from app.db import _sqlite_begin_statement, make_engine


def test_begin_statement_follows_the_request(app):
    with app.test_request_context("/", method="GET"):
        assert _sqlite_begin_statement() == "BEGIN"
    with app.test_request_context("/account/login", method="POST"):
        assert _sqlite_begin_statement() == "BEGIN IMMEDIATE"
        # Only the first transaction: what follows the view's one commit only reads.
        assert _sqlite_begin_statement() == "BEGIN"
    with app.test_request_context("/oversight/audit", method="GET"):  # marked writes_on_get
        assert _sqlite_begin_statement() == "BEGIN IMMEDIATE"
    with app.app_context():  # the CLI and the test suite
        assert _sqlite_begin_statement() == "BEGIN"


def _read_then_write_while_another_commits(app, tmp_path, method: str):
    """Connection A reads, connection B then writes and commits, then A writes. Returns the
    error A met, if any."""
    engine = make_engine(f"sqlite:///{tmp_path / 'locking.sqlite3'}")
    with engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE counter (n INTEGER)")
        conn.exec_driver_sql("INSERT INTO counter VALUES (0)")
    a_has_read, b_finished = threading.Event(), threading.Event()
    errors: dict[str, Exception] = {}

    def writer_b():
        a_has_read.wait(5)
        try:
            with engine.begin() as conn:  # waits (busy_timeout) while A holds the lock
                conn.exec_driver_sql("UPDATE counter SET n = n + 1")
        except OperationalError as error:
            errors["b"] = error
        b_finished.set()

    other = threading.Thread(target=writer_b)
    other.start()
    try:
        with (app.test_request_context("/account/login", method=method),
              engine.connect() as conn, conn.begin()):
            n = conn.execute(text("SELECT n FROM counter")).scalar()
            a_has_read.set()
            b_finished.wait(0.5)  # give B the chance to commit in between, if it can
            conn.execute(text("UPDATE counter SET n = :n"), {"n": n + 10})
    except OperationalError as error:
        errors["a"] = error
    other.join(15)
    engine.dispose()
    return errors


def test_a_writing_request_waits_for_the_lock_instead_of_failing(app, tmp_path):
    assert _read_then_write_while_another_commits(app, tmp_path, "POST") == {}


def test_without_the_early_lock_sqlite_refuses_the_late_write(app, tmp_path):
    """The failure the early lock prevents (this is why a GET that writes must be marked)."""
    errors = _read_then_write_while_another_commits(app, tmp_path, "GET")
    assert "a" in errors and "database is locked" in str(errors["a"])
