"""The audit log's hash chain: intact after many appends, broken by any edit or deletion, and
still one chain when events come from separate connections, in turn or at the same time."""
from __future__ import annotations

import itertools
import threading

import pytest
from audit_support import audit_log_writable
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from app.db import Session
from app.privacy.audit import record_event, verify_chain
from app.privacy.models import AuditEvent, AuditPersonal
from app.privacy.seal import keyed_seal, keyring


def test_chain_is_intact_after_many_appends(add_events, make_user):
    admin = make_user("admin")
    events = add_events(60, action="login.success", actor=admin, ip="192.0.2.1")
    events += add_events(60, action="consent.changed", target_type="feedback_item",
                         target_id=7, detail={"new": {"quote": "none"}, "note": "tē reo"})
    # Every row links to the one before it.
    assert all(b.prev_hash == a.hash for a, b in itertools.pairwise(events))
    batches = []
    report = verify_chain(batch_size=7, progress=batches.append)
    assert report.is_intact, report
    assert report.checked >= 120 and sum(batches) == report.checked


def test_editing_a_row_is_detected_at_that_row(add_events):
    events = add_events(10)
    victim = events[4]
    with audit_log_writable(Session):
        Session.execute(text("UPDATE audit_event SET detail = :d WHERE id = :id"),
                        {"d": '{"covered":"up"}', "id": victim.id})
    report = verify_chain(batch_size=3)
    assert report.first_bad_id == victim.id
    assert "changed" in report.problem
    assert report.checked == sum(1 for e in events if e.id < victim.id) + _rows_before(events)


def test_deleting_a_middle_row_is_detected_at_the_next_row(add_events):
    events = add_events(10)
    with audit_log_writable(Session):
        Session.execute(text("DELETE FROM audit_event WHERE id = :id"), {"id": events[4].id})
    report = verify_chain()
    assert report.first_bad_id == events[5].id
    assert "link" in report.problem


def test_resealing_an_edited_row_still_breaks_the_next_link(add_events):
    """Even someone holding the key, who edits a row and re-seals it, cannot fix the rows
    after it without rewriting them all (which the triggers and checkpoints stand in the way
    of)."""
    events = add_events(6)
    victim = events[2]
    with audit_log_writable(Session):
        Session.execute(text("UPDATE audit_event SET target_id = '99' WHERE id = :id"),
                        {"id": victim.id})
        row = Session.execute(select(AuditEvent.__table__)
                              .where(AuditEvent.id == victim.id)).one()
        Session.execute(text("UPDATE audit_event SET hash = :h WHERE id = :id"),
                        {"h": keyed_seal(row, row.prev_hash, keyring()), "id": victim.id})
    assert verify_chain().first_bad_id == events[3].id


def _rows_before(events) -> int:
    """Rows older than this test's own (none, normally: every test is rolled back)."""
    return Session.scalar(select(text("count(*)")).select_from(AuditEvent.__table__)
                          .where(AuditEvent.id < events[0].id))


def test_separate_connections_in_turn_extend_one_chain(own_sessions):
    first = own_sessions.run(lambda: [own_sessions.record("login.success",
                                                          actor_email="one@example.test")
                                      for _ in range(3)])
    second = own_sessions.run(lambda: [own_sessions.record("login.failure",
                                                           actor_email="two@example.test")
                                       for _ in range(3)])
    hashes = own_sessions.run(lambda: {
        e.id: (e.prev_hash, e.hash) for e in Session.scalars(
            select(AuditEvent).where(AuditEvent.id.in_(first + second)))})
    # The second connection's first event links to the first connection's last one.
    assert hashes[second[0]][0] == hashes[first[-1]][1]
    report = own_sessions.run(verify_chain)
    assert report.is_intact, report


def test_concurrent_appends_from_two_connections_serialise(own_sessions):
    """Two threads, each with its own connection, append at the same time. Without the
    append lock both would chain onto the same previous row and verification would fail."""
    per_thread = 25
    start = threading.Barrier(2)
    failures = []

    def worker(name):
        try:
            start.wait(timeout=10)
            for i in range(per_thread):
                own_sessions.in_this_thread(own_sessions.record, "login.success",
                                            actor_email=f"{name}@example.test",
                                            detail={"n": i})
        except Exception as error:  # noqa: BLE001 - asserted on the test's thread
            failures.append(error)

    threads = [threading.Thread(target=worker, args=(name,)) for name in ("tui", "kea")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not failures, failures
    assert len(own_sessions.added_ids) == 2 * per_thread
    report = own_sessions.run(verify_chain)
    assert report.is_intact, report


# ---------------------------------------------------------------- append-only in the database


def _refused(statement: str, **params) -> bool:
    """Whether the database refuses STATEMENT; the savepoint keeps the test's transaction."""
    try:
        with Session.begin_nested():
            Session.execute(text(statement), params)
    except DBAPIError as error:
        assert "append-only" in str(error)
        return True
    return False


def test_the_database_refuses_to_change_or_delete_a_recorded_event(add_events):
    [event] = add_events(1)
    assert _refused("UPDATE audit_event SET actor_email = 'x@example.org' WHERE id = :id",
                    id=event.id)
    assert _refused("UPDATE audit_event SET hash = '' WHERE id = :id", id=event.id)
    assert _refused("DELETE FROM audit_event WHERE id = :id", id=event.id)
    Session.expire_all()
    assert Session.get(AuditEvent, event.id).hash == event.hash
    assert verify_chain().is_intact


def test_postgres_refuses_to_truncate_the_log(add_events):
    if Session.get_bind().dialect.name != "postgresql":
        pytest.skip("TRUNCATE is PostgreSQL's")
    add_events(1)
    assert _refused("TRUNCATE audit_event")


def test_deleting_an_account_keeps_its_events_and_the_chain(add_events, make_user):
    """The log outlives the account: the actor's id and email stay, and nothing is rehashed."""
    person = make_user("participant", email="leaving@example.test")
    [event] = add_events(1, actor=person)
    Session.delete(person)
    Session.flush()
    Session.expire_all()
    kept = Session.get(AuditEvent, event.id)
    details = Session.scalar(select(AuditPersonal).where(AuditPersonal.event_id == event.id))
    assert (kept.actor_id, details.email) == (event.actor_id, "leaving@example.test")
    assert verify_chain().is_intact


def test_an_unregistered_action_is_refused_and_nothing_is_recorded():
    """Every action needs a label on the audit log page, so record_event knows them all."""
    before = Session.scalar(select(text("count(*)")).select_from(AuditEvent.__table__))
    with pytest.raises(ValueError, match="unknown audit action 'typo.viewd'"):
        record_event(None, "typo.viewd")
    assert Session.scalar(select(text("count(*)")).select_from(AuditEvent.__table__)) == before
