"""The migrations build exactly the schema the models declare, on SQLite and PostgreSQL."""
from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import text

from app.db import Base


def _sqlite_virtual_tables(connection) -> set[str]:
    """SQLite full-text indexes (CREATE VIRTUAL TABLE ... USING fts5) and the shadow tables
    SQLite keeps for them: built by migrations, with no model, so the comparison skips them."""
    if connection.dialect.name != "sqlite":
        return set()
    names = connection.execute(text(
        "SELECT name FROM sqlite_master WHERE type = 'table' "
        "AND sql LIKE 'CREATE VIRTUAL TABLE%'")).scalars().all()
    return {f"{name}{suffix}" for name in names
            for suffix in ("", "_data", "_idx", "_content", "_docsize", "_config")}


def test_migrated_database_matches_the_models(app, db_session):
    # The test database was built by running every migration (tests/conftest.py).
    connection = db_session.connection()
    virtual = _sqlite_virtual_tables(connection)
    context = MigrationContext.configure(connection, opts={
        "compare_type": True,
        "include_name": lambda name, kind, parent: not (kind == "table" and name in virtual)})
    differences = compare_metadata(context, Base.metadata)
    assert differences == [], "models and migrations disagree; add a migration:\n" + "\n".join(
        map(str, differences))


def test_the_revisions_have_exactly_one_head():
    """Two revisions written on the same parent (two packages adding a migration at once) give
    Alembic two heads: re-point the later one onto the other (README, "Migrations")."""
    from alembic.script import ScriptDirectory

    from app.migrate import alembic_config

    heads = ScriptDirectory.from_config(alembic_config("sqlite://")).get_heads()
    assert len(heads) == 1, f"more than one Alembic head: {heads}"
