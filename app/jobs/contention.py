"""Telling a lost race for the database from a real failure, for the job runner and the
worker's periodic checks."""
from __future__ import annotations

# SQLSTATEs of PostgreSQL's "try the transaction again": serialization failure, deadlock.
_RETRYABLE_SQLSTATES = frozenset({"40001", "40P01"})


def lost_a_race(error: BaseException) -> bool:
    """Whether ERROR (or what caused it) says the database was busy rather than that the job
    is wrong: SQLite's "database is locked" (another writer committed between this
    transaction's first read and its first write, which SQLite refuses at once, whatever the
    busy timeout), or PostgreSQL's serialization failure or deadlock. Trying again works."""
    seen = set()
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        if "database is locked" in str(error).lower():
            return True
        if getattr(error, "sqlstate", None) in _RETRYABLE_SQLSTATES:
            return True
        error = getattr(error, "orig", None) or error.__cause__ or error.__context__
    return False
