"""The feedback_item table after migration 0004: sources are free text (the registry checks
them), the consent columns are still constrained, and the SQLite rebuild kept every row."""
from __future__ import annotations

import sqlite3

import pytest
from alembic import command
from sqlalchemy import insert
from sqlalchemy.exc import IntegrityError

from app.corpus.models import FeedbackItem
from app.db import Session, utcnow
from app.migrate import alembic_config, upgrade


def _row(consultation, **overrides):
    now = utcnow()
    return {"consultation_id": consultation.id, "source": "forum_post", "source_id": "s-1",
            "text": "Words.", "created_at": now, "updated_at": now, "consent_analysis": True,
            "consent_quote": "none", "consent_publish": "none", "consent_version": 1,
            **overrides}


def test_the_database_takes_any_source_but_still_checks_consent(make_consultation):
    consultation = make_consultation()
    with Session.begin_nested():  # no CHECK on source any more: the registry decides
        Session.execute(insert(FeedbackItem).values(**_row(consultation, source="new_kind")))
    for column, value in (("consent_quote", "loudly"), ("consent_publish", "everyone"),
                          ("stakeholder_group", "martians")):
        with pytest.raises(IntegrityError), Session.begin_nested():
            Session.execute(insert(FeedbackItem).values(
                **_row(consultation, source_id=f"bad-{column}", **{column: value})))


def test_sqlite_upgrade_to_0004_keeps_items_and_their_consent_history(tmp_path):
    path = tmp_path / "before-0004.sqlite3"
    url = f"sqlite:///{path}"
    upgrade(url, "0003")
    with sqlite3.connect(path) as db:
        db.execute("PRAGMA foreign_keys=ON")
        db.execute("INSERT INTO consultation (id, slug, title, summary, summary_html, opens_at, "
                   "closes_at, status, created_at) VALUES (1, 'c', 'C', '', '', '2026-01-01', "
                   "'2027-01-01', 'open', '2026-01-01')")
        db.execute("INSERT INTO feedback_item (id, consultation_id, source, source_id, text, "
                   "created_at, updated_at, consent_analysis, consent_quote, consent_publish, "
                   "consent_version) VALUES (1, 1, 'forum_post', 'p-1', 'Kept.', '2026-01-01', "
                   "'2026-01-01', 1, 'anonymous', 'public', 2)")
        db.executemany("INSERT INTO consent_change (item_id, version, changed_at, old_scope, "
                       "new_scope, reason) VALUES (1, ?, '2026-01-01', '{}', '{}', '')",
                       [(1,), (2,)])
    db.close()

    upgrade(url)

    with sqlite3.connect(path) as db:
        # Rebuilding feedback_item with foreign keys on would have cascaded into this table.
        assert db.execute("SELECT count(*) FROM consent_change").fetchone() == (2,)
        assert db.execute("SELECT text, recorded_by_id FROM feedback_item").fetchall() == [
            ("Kept.", None)]
        table_sql = db.execute("SELECT sql FROM sqlite_master WHERE name = 'feedback_item'"
                               ).fetchone()[0]
        assert "source_known" not in table_sql
        assert "ck_feedback_item_quote_known" in table_sql
        assert "fk_feedback_item_recorded_by_id_user" in table_sql
    db.close()

    command.downgrade(alembic_config(url), "0003")  # and back, with the CHECK restored
    with sqlite3.connect(path) as db:
        assert db.execute("SELECT count(*) FROM consent_change").fetchone() == (2,)
        with pytest.raises(sqlite3.IntegrityError):
            db.execute("UPDATE feedback_item SET source = 'new_kind'")
    db.close()
