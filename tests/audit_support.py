"""Tampering with the audit log on purpose, as someone who owns the database could.

The log is append-only through triggers (app/privacy/append_only.py); tests that prove the hash
chain still catches tampering first step around them, the way a database owner would:
PostgreSQL's superuser switches triggers off for the transaction (no table lock, so it cannot
wait on the test's own open transaction); on SQLite the triggers are dropped and put back.
"""
from __future__ import annotations

from contextlib import contextmanager

from sqlalchemy import text

from app.privacy.append_only import install_statements, remove_statements


@contextmanager
def audit_log_writable(connection):
    """Within the current transaction of CONNECTION (a Connection or Session), let UPDATE and
    DELETE reach audit_event."""
    dialect = connection.get_bind().dialect.name if hasattr(connection, "get_bind") \
        else connection.dialect.name
    if dialect == "postgresql":
        connection.execute(text("SET LOCAL session_replication_role = replica"))
        try:
            yield
        finally:
            connection.execute(text("SET LOCAL session_replication_role = DEFAULT"))
        return
    for statement in remove_statements(dialect):
        connection.execute(text(statement))
    try:
        yield
    finally:
        for statement in install_statements(dialect):
            connection.execute(text(statement))
