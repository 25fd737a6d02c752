"""The yardstick for the intake benchmark: a bare Flask app whose one endpoint does a raw
sqlite3 insert of 1 + 5 rows (a submission and five answers) in one transaction, served by the
same gunicorn as Kōrero. No sessions, no CSRF, no ORM, no templates: the floor of the work."""
from __future__ import annotations

import os
import sqlite3
import threading
import time

from flask import Flask, redirect, request

ANSWER_KEYS = ("answer-q2", "answer-q3", "answer-q7", "answer-q8", "answer-q9")
SCHEMA = """
CREATE TABLE IF NOT EXISTS submission (id INTEGER PRIMARY KEY, idempotency_key TEXT UNIQUE,
    name TEXT, email TEXT, submitted_at REAL);
CREATE TABLE IF NOT EXISTS answer (id INTEGER PRIMARY KEY, submission_id INTEGER, question_key
    TEXT, text TEXT);
"""


def connect(path: str) -> sqlite3.Connection:
    connection = sqlite3.connect(path, timeout=10, isolation_level=None)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=NORMAL")
    return connection


def create_app() -> Flask:
    app = Flask(__name__)
    path = os.environ["BENCH_RAW_DB"]
    with connect(path) as setup:
        setup.executescript(SCHEMA)
    local = threading.local()

    @app.post("/submit")
    def submit():
        form = request.form
        connection = getattr(local, "connection", None) or connect(path)
        local.connection = connection
        connection.execute("BEGIN IMMEDIATE")
        cursor = connection.execute(
            "INSERT INTO submission (idempotency_key, name, email, submitted_at) "
            "VALUES (?, ?, ?, ?)", (form.get("idempotency_key"), form.get("guest_name"),
                                    form.get("guest_email"), time.time()))
        submission_id = cursor.lastrowid
        connection.executemany(
            "INSERT INTO answer (submission_id, question_key, text) VALUES (?, ?, ?)",
            [(submission_id, key, form.get(key, "")) for key in ANSWER_KEYS])
        connection.execute("COMMIT")
        return redirect(f"/r/{submission_id}", 303)

    @app.get("/")
    def up():
        return "up"

    return app
