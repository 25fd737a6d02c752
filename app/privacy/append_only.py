"""Database triggers that make the audit log append-only for the application's own connection.

The seals show tampering after the fact; these triggers refuse it at the time: a row may be
inserted, and sealed once (its `hash` set while still empty, which `record_event` does in the
same transaction as the insert), but never changed after sealing, replaced, nor deleted. Its
erasable personal details (audit_personal) may only be erased: contents emptied, keys kept.

Someone who owns the database can get past triggers (drop them; on PostgreSQL, `SET
session_replication_role = replica`); without the audit key they cannot re-seal what they
changed, and `audit-verify` shows it.

Version 1 is what migration 0002 installed; version 2 (migration 0006) adds the refusal of
SQLite's `INSERT OR REPLACE` (which deletes the old row without firing DELETE triggers, since
recursive triggers are off) and guards audit_personal. Change them only through a new migration.
"""
from __future__ import annotations

REFUSAL = "audit_event is append-only"
CURRENT_VERSION = 2

_SQLITE_V1 = (
    f"""CREATE TRIGGER audit_event_no_update BEFORE UPDATE ON audit_event
        WHEN OLD.hash <> ''
        BEGIN SELECT RAISE(ABORT, '{REFUSAL}'); END""",
    f"""CREATE TRIGGER audit_event_no_delete BEFORE DELETE ON audit_event
        BEGIN SELECT RAISE(ABORT, '{REFUSAL}'); END""",
)
_SQLITE_V2 = _SQLITE_V1 + (
    f"""CREATE TRIGGER audit_event_no_replace BEFORE INSERT ON audit_event
        WHEN EXISTS (SELECT 1 FROM audit_event WHERE id = NEW.id)
        BEGIN SELECT RAISE(ABORT, '{REFUSAL}'); END""",
    f"""CREATE TRIGGER audit_personal_no_delete BEFORE DELETE ON audit_personal
        BEGIN SELECT RAISE(ABORT, '{REFUSAL}'); END""",
    f"""CREATE TRIGGER audit_personal_no_replace BEFORE INSERT ON audit_personal
        WHEN EXISTS (SELECT 1 FROM audit_personal
                     WHERE id = NEW.id OR (event_id = NEW.event_id AND role = NEW.role))
        BEGIN SELECT RAISE(ABORT, '{REFUSAL}'); END""",
    f"""CREATE TRIGGER audit_personal_erase_only BEFORE UPDATE ON audit_personal
        WHEN OLD.erased_at IS NOT NULL OR NEW.erased_at IS NULL OR NEW.data IS NOT NULL
          OR NEW.salt IS NOT NULL OR NEW.email <> '' OR NEW.id <> OLD.id
          OR NEW.event_id <> OLD.event_id OR NEW.role <> OLD.role
          OR NEW.person_id IS NOT OLD.person_id
        BEGIN SELECT RAISE(ABORT, '{REFUSAL}'); END""",
)
_SQLITE_REMOVE = (
    "DROP TRIGGER IF EXISTS audit_event_no_update",
    "DROP TRIGGER IF EXISTS audit_event_no_delete",
    "DROP TRIGGER IF EXISTS audit_event_no_replace",
    "DROP TRIGGER IF EXISTS audit_personal_no_delete",
    "DROP TRIGGER IF EXISTS audit_personal_no_replace",
    "DROP TRIGGER IF EXISTS audit_personal_erase_only",
)

_POSTGRES_V1 = (
    f"""CREATE OR REPLACE FUNCTION audit_event_refuse_change() RETURNS trigger
        LANGUAGE plpgsql AS $$
        BEGIN RAISE EXCEPTION '{REFUSAL}' USING ERRCODE = 'insufficient_privilege'; END $$""",
    # INSERT ... ON CONFLICT DO UPDATE fires this too, so it cannot replace a sealed row.
    """CREATE TRIGGER audit_event_no_update BEFORE UPDATE ON audit_event
        FOR EACH ROW WHEN (OLD.hash <> '') EXECUTE FUNCTION audit_event_refuse_change()""",
    """CREATE TRIGGER audit_event_no_delete BEFORE DELETE ON audit_event
        FOR EACH ROW EXECUTE FUNCTION audit_event_refuse_change()""",
    """CREATE TRIGGER audit_event_no_truncate BEFORE TRUNCATE ON audit_event
        FOR EACH STATEMENT EXECUTE FUNCTION audit_event_refuse_change()""",
)
_POSTGRES_V2 = _POSTGRES_V1 + (
    f"""CREATE OR REPLACE FUNCTION audit_personal_erase_only() RETURNS trigger
        LANGUAGE plpgsql AS $$
        BEGIN
          IF OLD.erased_at IS NOT NULL OR NEW.erased_at IS NULL OR NEW.data IS NOT NULL
             OR NEW.salt IS NOT NULL OR NEW.email <> '' OR NEW.id <> OLD.id
             OR NEW.event_id <> OLD.event_id OR NEW.role <> OLD.role
             OR NEW.person_id IS DISTINCT FROM OLD.person_id THEN
            RAISE EXCEPTION '{REFUSAL}' USING ERRCODE = 'insufficient_privilege';
          END IF;
          RETURN NEW;
        END $$""",
    """CREATE TRIGGER audit_personal_erase_only BEFORE UPDATE ON audit_personal
        FOR EACH ROW EXECUTE FUNCTION audit_personal_erase_only()""",
    """CREATE TRIGGER audit_personal_no_delete BEFORE DELETE ON audit_personal
        FOR EACH ROW EXECUTE FUNCTION audit_event_refuse_change()""",
    """CREATE TRIGGER audit_personal_no_truncate BEFORE TRUNCATE ON audit_personal
        FOR EACH STATEMENT EXECUTE FUNCTION audit_event_refuse_change()""",
)
_POSTGRES_REMOVE_V1 = (
    "DROP TRIGGER IF EXISTS audit_event_no_update ON audit_event",
    "DROP TRIGGER IF EXISTS audit_event_no_delete ON audit_event",
    "DROP TRIGGER IF EXISTS audit_event_no_truncate ON audit_event",
    "DROP FUNCTION IF EXISTS audit_event_refuse_change()",
)
_POSTGRES_REMOVE_V2 = (
    "DROP TRIGGER IF EXISTS audit_personal_erase_only ON audit_personal",
    "DROP TRIGGER IF EXISTS audit_personal_no_delete ON audit_personal",
    "DROP TRIGGER IF EXISTS audit_personal_no_truncate ON audit_personal",
    "DROP FUNCTION IF EXISTS audit_personal_erase_only()",
) + _POSTGRES_REMOVE_V1


def install_statements(dialect: str, version: int = CURRENT_VERSION) -> tuple[str, ...]:
    if dialect == "postgresql":
        return _POSTGRES_V2 if version >= 2 else _POSTGRES_V1
    return _SQLITE_V2 if version >= 2 else _SQLITE_V1


def remove_statements(dialect: str, version: int = CURRENT_VERSION) -> tuple[str, ...]:
    if dialect == "postgresql":
        return _POSTGRES_REMOVE_V2 if version >= 2 else _POSTGRES_REMOVE_V1
    return _SQLITE_REMOVE if version >= 2 else _SQLITE_REMOVE[:2]
