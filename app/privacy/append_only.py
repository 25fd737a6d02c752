"""Database triggers that make the audit log append-only for the application's own connection.

The hash chain shows tampering after the fact; these triggers refuse it at the time: a row may
be inserted, and sealed once (its `hash` set while still empty, which `record_event` does in
the same transaction as the insert), but never changed after sealing nor deleted. Someone who
owns the database can drop the triggers, and `audit-verify` then still shows what they did.

Migration 0002 installs these. Change them only through a new migration.
"""
from __future__ import annotations

REFUSAL = "audit_event is append-only"

_SQLITE_INSTALL = (
    f"""CREATE TRIGGER audit_event_no_update BEFORE UPDATE ON audit_event
        WHEN OLD.hash <> ''
        BEGIN SELECT RAISE(ABORT, '{REFUSAL}'); END""",
    f"""CREATE TRIGGER audit_event_no_delete BEFORE DELETE ON audit_event
        BEGIN SELECT RAISE(ABORT, '{REFUSAL}'); END""",
)
_SQLITE_REMOVE = (
    "DROP TRIGGER IF EXISTS audit_event_no_update",
    "DROP TRIGGER IF EXISTS audit_event_no_delete",
)

_POSTGRES_INSTALL = (
    f"""CREATE OR REPLACE FUNCTION audit_event_refuse_change() RETURNS trigger
        LANGUAGE plpgsql AS $$
        BEGIN RAISE EXCEPTION '{REFUSAL}' USING ERRCODE = 'insufficient_privilege'; END $$""",
    """CREATE TRIGGER audit_event_no_update BEFORE UPDATE ON audit_event
        FOR EACH ROW WHEN (OLD.hash <> '') EXECUTE FUNCTION audit_event_refuse_change()""",
    """CREATE TRIGGER audit_event_no_delete BEFORE DELETE ON audit_event
        FOR EACH ROW EXECUTE FUNCTION audit_event_refuse_change()""",
    """CREATE TRIGGER audit_event_no_truncate BEFORE TRUNCATE ON audit_event
        FOR EACH STATEMENT EXECUTE FUNCTION audit_event_refuse_change()""",
)
_POSTGRES_REMOVE = (
    "DROP TRIGGER IF EXISTS audit_event_no_update ON audit_event",
    "DROP TRIGGER IF EXISTS audit_event_no_delete ON audit_event",
    "DROP TRIGGER IF EXISTS audit_event_no_truncate ON audit_event",
    "DROP FUNCTION IF EXISTS audit_event_refuse_change()",
)


def install_statements(dialect: str) -> tuple[str, ...]:
    return _POSTGRES_INSTALL if dialect == "postgresql" else _SQLITE_INSTALL


def remove_statements(dialect: str) -> tuple[str, ...]:
    return _POSTGRES_REMOVE if dialect == "postgresql" else _SQLITE_REMOVE
