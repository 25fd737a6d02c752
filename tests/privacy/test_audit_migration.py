"""Migration 0006 on a log written under the old unkeyed chain: re-sealed under the key (personal
details moved out) when the old chain verifies; left exactly as it was when it does not."""
from __future__ import annotations

import json
import threading
from datetime import UTC, datetime
from types import SimpleNamespace

import pytest
from sqlalchemy import text
from sqlalchemy.orm import sessionmaker

from app.db import Session, make_engine
from app.migrate import upgrade
from app.privacy.seal import legacy_digest, load_keyring
from app.privacy.verify import verify_chain


def _legacy_rows(engine, *, break_at: int | None = None) -> None:
    prev = ""
    with engine.begin() as conn:
        for i in range(1, 5):
            row = SimpleNamespace(
                id=i, actor_id=None, actor_email=f"p{i}@example.test", action="user.renamed",
                target_type="user", target_id="7",
                detail=json.dumps({"email": "t@example.test", "new": "B", "old": "A"},
                                  sort_keys=True, separators=(",", ":")),
                ip_address="192.0.2.1", occurred_at=datetime(2026, 11, 1, i, tzinfo=UTC))
            row.prev_hash = prev
            row.hash = legacy_digest(row, prev)
            if i == break_at:
                row.detail = '{"edited":true}'  # tampered with before the upgrade
            conn.execute(text(
                "INSERT INTO audit_event (id, occurred_at, actor_id, actor_email, action, "
                "target_type, target_id, detail, ip_address, prev_hash, hash) VALUES (:id, "
                ":occurred_at, :actor_id, :actor_email, :action, :target_type, :target_id, "
                ":detail, :ip_address, :prev_hash, :hash)"),
                {**vars(row), "occurred_at": row.occurred_at.replace(tzinfo=None)})
            prev = row.hash


def _verify(engine, keys):
    """verify_chain on ENGINE, in a thread of its own (this thread's Session is the test's)."""
    result = {}

    def target():
        Session.registry.set(sessionmaker(bind=engine)())
        try:
            result["report"] = verify_chain(keys=keys)
        finally:
            Session.registry().close()
            Session.registry.clear()

    thread = threading.Thread(target=target)
    thread.start()
    thread.join()
    return result["report"]


@pytest.fixture
def old_database(tmp_path, monkeypatch):
    monkeypatch.setenv("KORERO_INSTANCE_PATH", str(tmp_path))
    monkeypatch.delenv("AUDIT_KEY", raising=False)
    url = f"sqlite:///{tmp_path / 'old.sqlite3'}"
    upgrade(url, "0005")
    engine = make_engine(url)
    yield url, engine
    engine.dispose()


def test_an_intact_old_chain_is_resealed_under_the_key(old_database, tmp_path):
    url, engine = old_database
    _legacy_rows(engine)
    upgrade(url, "head")
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT scheme, key_id, actor_email, ip_address, detail "
                                 "FROM audit_event ORDER BY id")).all()
        moved = conn.execute(text("SELECT role, person_id, email FROM audit_personal "
                                  "WHERE event_id = 1 ORDER BY role")).all()
    keys = load_keyring(tmp_path, environ={})
    assert {(r.scheme, r.key_id, r.actor_email, r.ip_address) for r in rows} == {
        (2, keys.current_id, "", "")}
    assert "example.test" not in rows[0].detail and "A" not in rows[0].detail
    assert [tuple(m) for m in moved] == [("actor", None, "p1@example.test"),
                                         ("subject", 7, "t@example.test")]
    assert _verify(engine, keys).is_intact


def test_a_broken_old_chain_is_kept_as_evidence(old_database, tmp_path):
    url, engine = old_database
    _legacy_rows(engine, break_at=3)
    upgrade(url, "head")
    with engine.connect() as conn:
        schemes = conn.execute(text("SELECT DISTINCT scheme FROM audit_event")).scalars().all()
        assert conn.execute(text("SELECT count(*) FROM audit_personal")).scalar() == 0
    assert schemes == [1]
    report = _verify(engine, load_keyring(tmp_path, environ={}))
    assert report.first_bad_id == 3 and "changed" in report.problem
