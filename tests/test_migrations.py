"""The migrations build exactly the schema the models declare, on SQLite and PostgreSQL."""
from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from app.db import Base


def test_migrated_database_matches_the_models(app, db_session):
    # The test database was built by running every migration (tests/conftest.py).
    connection = db_session.connection()
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    differences = compare_metadata(context, Base.metadata)
    assert differences == [], "models and migrations disagree; add a migration:\n" + "\n".join(
        map(str, differences))
