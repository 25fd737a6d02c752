"""What someone who can write to the database (but does not hold the audit key) can no longer do
unnoticed: rewrite a row and re-seal the rest, replace a row, delete the newest rows, or quietly
wipe personal details; and that erasing a person keeps the whole log provable."""
from __future__ import annotations

import json
from types import SimpleNamespace

import pytest
from audit_support import audit_log_writable
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from app.db import Session
from app.privacy import seal as seal_module
from app.privacy.audit import record_event, verify_chain
from app.privacy.checkpoints import check_checkpoints, write_checkpoint
from app.privacy.erasure import erase_person_from_audit
from app.privacy.models import AuditEvent, AuditPersonal
from app.privacy.seal import Keyring, canonical_json, keyring, legacy_digest

# Every column of audit_event, in order, for rewriting rows wholesale.
_COLUMNS = [column.name for column in AuditEvent.__table__.columns]


def _dialect() -> str:
    return Session.get_bind().dialect.name


def _rows_from(first_id: int) -> list:
    return list(Session.execute(select(AuditEvent.__table__).where(AuditEvent.id >= first_id)
                                .order_by(AuditEvent.id)).all())


def _reseal_without_the_key(rows, prev_hash: str, change) -> list[dict]:
    """What a database writer can compute: every row from ROWS[0] on with CHANGE applied to the
    first, and every seal recomputed with the only algorithm the database itself reveals (the
    unkeyed SHA-256 chain). Before keyed seals, this made audit-verify report an intact log."""
    resealed = []
    for index, row in enumerate(rows):
        values = dict(row._mapping)
        if index == 0:
            values.update(change)
        values["prev_hash"] = prev_hash
        values["hash"] = legacy_digest(SimpleNamespace(**values), prev_hash)
        # A guess at a key would do no better: keyed_seal needs the key itself.
        prev_hash = values["hash"]
        resealed.append(values)
    return resealed


def _insert_sql(replace: bool) -> str:
    columns = ", ".join(_COLUMNS)
    params = ", ".join(f":{c}" for c in _COLUMNS)
    verb = "INSERT OR REPLACE" if replace else "INSERT"
    return f"{verb} INTO audit_event ({columns}) VALUES ({params})"


def test_a_row_rewritten_and_every_later_row_resealed_is_reported(add_events):
    """On PostgreSQL the owner gets past the triggers (session_replication_role = replica); on
    SQLite they drop them. Either way the re-sealed rows do not carry the key's seal."""
    events = add_events(6, detail={"reason": "wrong_password"})
    victim = events[2]
    rows = _rows_from(victim.id)
    forged = _reseal_without_the_key(rows, victim.prev_hash, {"detail": '{"covered":"up"}'})
    with audit_log_writable(Session):
        for values in forged:
            Session.execute(text("UPDATE audit_event SET detail = :detail, prev_hash = "
                                 ":prev_hash, hash = :hash WHERE id = :id"), values)
    report = verify_chain()
    assert report.first_bad_id == victim.id
    assert "seal" in report.problem


def test_sqlite_insert_or_replace_is_refused():
    if _dialect() != "sqlite":
        pytest.skip("INSERT OR REPLACE is SQLite's")
    [event] = [record_event(None, "logout", actor_email="kept@example.test")]
    values = dict(Session.execute(select(AuditEvent.__table__)
                                  .where(AuditEvent.id == event.id)).one()._mapping)
    values["detail"] = '{"replaced":true}'
    with pytest.raises(DBAPIError, match="append-only"), Session.begin_nested():
        Session.execute(text(_insert_sql(replace=True)), values)


def test_postgres_insert_on_conflict_update_is_refused():
    if _dialect() != "postgresql":
        pytest.skip("ON CONFLICT is PostgreSQL's spelling of a replace")
    event = record_event(None, "logout", actor_email="kept@example.test")
    values = dict(Session.execute(select(AuditEvent.__table__)
                                  .where(AuditEvent.id == event.id)).one()._mapping)
    with pytest.raises(DBAPIError, match="append-only"), Session.begin_nested():
        Session.execute(text(_insert_sql(replace=False) + " ON CONFLICT (id) DO UPDATE SET "
                             "detail = '{}', hash = EXCLUDED.hash"), values)


def test_a_replaced_row_is_reported(add_events):
    """Past the triggers, a row deleted and inserted again (what REPLACE does) with new
    contents and a recomputed chain is still caught at that row."""
    events = add_events(5)
    victim = events[1]
    forged = _reseal_without_the_key(_rows_from(victim.id), victim.prev_hash,
                                     {"action": "logout"})
    with audit_log_writable(Session):
        for values in forged:
            Session.execute(text("DELETE FROM audit_event WHERE id = :id"), values)
            Session.execute(text(_insert_sql(replace=False)), values)
    report = verify_chain()
    assert report.first_bad_id == victim.id
    assert "seal" in report.problem


# ---------------------------------------------------------------- checkpoints


@pytest.fixture
def checkpoint_file(tmp_path, monkeypatch):
    path = tmp_path / "audit_checkpoints.jsonl"
    monkeypatch.setattr(seal_module.SETTINGS, "checkpoint_path", path)
    return path


def test_deleting_the_newest_rows_is_reported_against_the_checkpoint(add_events,
                                                                    checkpoint_file):
    events = add_events(6)
    write_checkpoint(checkpoint_file, events[-1].id, events[-1].hash, keyring())
    assert check_checkpoints(Session(), checkpoint_file, keyring()) == (1, [])
    with audit_log_writable(Session):
        Session.execute(text("DELETE FROM audit_event WHERE id >= :id"), {"id": events[3].id})
    # The chain that is left is intact: only the checkpoint can tell.
    assert verify_chain().is_intact
    read, problems = check_checkpoints(Session(), checkpoint_file, keyring())
    assert read == 1
    [problem] = problems
    assert f"events {events[3].id} to {events[-1].id} are missing" in problem
    assert f"ends at event {events[2].id}" in problem


def test_audit_verify_names_the_deleted_newest_rows(app, add_events, checkpoint_file):
    events = add_events(4)
    write_checkpoint(checkpoint_file, events[-1].id, events[-1].hash, keyring())
    with audit_log_writable(Session):
        Session.execute(text("DELETE FROM audit_event WHERE id = :id"), {"id": events[-1].id})
    Session.commit()
    result = app.test_cli_runner().invoke(args=["audit-verify"])
    assert result.exit_code == 1
    assert f"events {events[-1].id} to {events[-1].id} are missing" in result.output


def test_a_forged_or_replaced_checkpoint_head_is_reported(add_events, checkpoint_file):
    events = add_events(3)
    write_checkpoint(checkpoint_file, events[1].id, "0" * 64, keyring())  # seal differs
    with checkpoint_file.open("a") as handle:  # a line written without the key
        handle.write(canonical_json({"event_id": 1, "seal": "x", "key_id": keyring().current_id,
                                     "written_at": "now", "mac": "0" * 64}) + "\n")
    _, problems = check_checkpoints(Session(), checkpoint_file, keyring())
    assert any(f"event {events[1].id} was replaced" in p for p in problems)
    assert any("bad signature" in p for p in problems)


def test_each_commit_that_seals_events_writes_a_checkpoint(own_sessions, checkpoint_file,
                                                           monkeypatch):
    monkeypatch.setattr(seal_module.SETTINGS, "checkpoint_on_commit", True)
    ids = own_sessions.run(lambda: [own_sessions.record("logout") for _ in range(3)])
    own_sessions.run(lambda: None)  # a commit that sealed nothing writes nothing
    lines = [json.loads(line) for line in checkpoint_file.read_text().splitlines()]
    assert [line["event_id"] for line in lines] == [ids[-1]]
    assert own_sessions.run(check_checkpoints, Session(), checkpoint_file, keyring()) == (1, [])


# ---------------------------------------------------------------- keys


def test_rows_sealed_with_an_older_key_verify_after_rotation(tmp_path, add_events, monkeypatch):
    ring = Keyring("old", {"old": b"o" * 32}, "test")
    monkeypatch.setattr(seal_module.SETTINGS, "keyring", ring)
    add_events(3)
    rotated = Keyring("new", {"old": b"o" * 32, "new": b"n" * 32}, "test")
    monkeypatch.setattr(seal_module.SETTINGS, "keyring", rotated)
    events = add_events(3)
    assert {e.key_id for e in events} == {"new"}
    assert verify_chain().is_intact
    report = verify_chain(keys=Keyring("new", {"new": b"n" * 32}, "test"))
    assert "which this server does not hold" in report.problem


def test_rotate_key_keeps_the_old_keys(tmp_path):
    first = seal_module.load_keyring(tmp_path, environ={})
    new_id = seal_module.rotate_key(tmp_path, environ={})
    ring = seal_module.load_keyring(tmp_path, environ={})
    assert ring.current_id == new_id != first.current_id
    assert ring.key(first.current_id) == first.key(first.current_id)
    assert (tmp_path / "audit_keys.json").stat().st_mode & 0o077 == 0
    with pytest.raises(seal_module.AuditKeyError, match="AUDIT_OLD_KEYS"):
        seal_module.rotate_key(tmp_path, environ={"AUDIT_KEY": "k" * 40})


# ---------------------------------------------------------------- personal details


def _details(event_id: int) -> dict[str, AuditPersonal]:
    Session.expire_all()
    return {row.role: row for row in Session.scalars(
        select(AuditPersonal).where(AuditPersonal.event_id == event_id))}


def test_personal_details_live_outside_the_sealed_row(make_user):
    admin = make_user("admin", email="hana@example.test")
    person = make_user("participant", email="sione@example.test")
    event = record_event(admin, "user.renamed", target=person, ip="192.0.2.5",
                         detail={"email": person.email, "old": "Sione", "new": "Sione Taufa"})
    sealed = Session.execute(select(AuditEvent.__table__)
                             .where(AuditEvent.id == event.id)).one()
    assert "example.test" not in repr(sealed) and "Sione" not in repr(sealed)
    assert "192.0.2.5" not in repr(sealed)
    details = _details(event.id)
    assert (details["actor"].person_id, details["actor"].email) == (admin.id, admin.email)
    assert json.loads(details["subject"].data) == {
        "detail": {"email": "sione@example.test", "old": "Sione", "new": "Sione Taufa"}}


def test_erasing_a_person_keeps_the_log_provable(make_user, auth, client):
    admin = make_user("admin", email="hana@example.test")
    person = make_user("participant", email="sione@example.test")
    other = make_user("participant", email="tama@example.test")
    record_event(person, "login.success", ip="203.0.113.9")
    renamed = record_event(admin, "user.renamed", target=person, ip="192.0.2.5",
                           detail={"email": person.email, "old": "Sione", "new": "S. Taufa"})
    kept = record_event(other, "login.success", ip="203.0.113.10")

    erased = erase_person_from_audit(admin, person_id=person.id, email=person.email)

    assert erased == 2
    details = _details(renamed.id)
    assert details["subject"].data is None and details["subject"].email == ""
    assert details["actor"].data is not None  # the administrator's own details stay
    assert _details(kept.id)["actor"].email == "tama@example.test"
    assert verify_chain().is_intact
    dump = repr(Session.execute(select(AuditPersonal.__table__)).all())
    assert "sione@example.test" not in dump and "203.0.113.9" not in dump
    [erasure] = Session.scalars(select(AuditEvent)
                                .where(AuditEvent.action == "audit.personal_erased"))
    assert erasure.target_id == str(person.id) and json.loads(erasure.detail) == {"rows": 2}

    auth.login(make_user("advisory"))
    html = client.get("/oversight/audit").get_data(as_text=True)
    assert "a person whose details were erased" in html
    assert "S. Taufa" not in html and "sione@example.test" not in html


def test_an_address_with_no_account_can_be_erased(make_user):
    record_event(None, "login.failure", actor_email="nobody-yet@example.test", ip="198.51.100.1")
    erased = erase_person_from_audit(make_user("admin"), person_id=None,
                                     email="Nobody-Yet@example.test")
    assert erased == 1
    assert verify_chain().is_intact


def test_erasing_oneself_records_none_of_ones_details(make_user):
    person = make_user("participant", email="leaving@example.test")
    record_event(person, "login.success", ip="203.0.113.9")
    erase_person_from_audit(person, person_id=person.id, email=person.email, ip="203.0.113.9")
    dump = repr(Session.execute(select(AuditPersonal.__table__)).all())
    assert "leaving@example.test" not in dump and "203.0.113.9" not in dump
    assert verify_chain().is_intact


def test_wiping_personal_details_without_an_erasure_is_reported(make_user):
    person = make_user("participant")
    event = record_event(person, "login.success", ip="203.0.113.9")
    with audit_log_writable(Session):
        Session.execute(text("DELETE FROM audit_personal WHERE event_id = :id"),
                        {"id": event.id})
    report = verify_chain()
    assert report.first_bad_id == event.id
    assert "without an erasure" in report.problem


def test_changed_personal_details_are_reported(make_user):
    person = make_user("participant")
    event = record_event(person, "login.success", ip="203.0.113.9")
    with audit_log_writable(Session):
        Session.execute(text("UPDATE audit_personal SET data = :d WHERE event_id = :id"),
                        {"d": '{"email":"someone-else@example.test"}', "id": event.id})
    assert verify_chain().first_bad_id == event.id


def test_the_database_allows_only_erasure_of_personal_details(make_user):
    event = record_event(make_user("participant"), "login.success", ip="203.0.113.9")

    def refused(statement: str) -> bool:
        try:
            with Session.begin_nested():
                Session.execute(text(statement), {"id": event.id})
        except DBAPIError as error:
            assert "append-only" in str(error)
            return True
        return False

    assert refused("DELETE FROM audit_personal WHERE event_id = :id")
    assert refused("UPDATE audit_personal SET email = 'x@example.test' WHERE event_id = :id")
    assert refused("UPDATE audit_personal SET person_id = 999 WHERE event_id = :id")
