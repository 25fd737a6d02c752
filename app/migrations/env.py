"""Alembic environment. Run through `flask --app app db-upgrade` (or `alembic` with the
alembic.ini at the project root); the database URL comes from the app's settings."""
from __future__ import annotations

from alembic import context

from app import _load_models
from app.db import Base, make_engine
from app.packages import import_package_models

config = context.config
_load_models()
import_package_models()  # each feature package's tables, so autogenerate sees them
target_metadata = Base.metadata


def _url() -> str:
    url = config.attributes.get("database_url") or config.get_main_option("sqlalchemy.url")
    if not url:
        from app.config import Config

        url = Config().DATABASE_URL
    return url


def run_migrations_offline() -> None:
    context.configure(url=_url(), target_metadata=target_metadata, literal_binds=True,
                      render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = make_engine(_url())
    with engine.connect() as connection:
        _run(connection)
    engine.dispose()


def _run(connection) -> None:
    # Batch mode lets ALTER TABLE work on SQLite by copying the table. Copying means dropping
    # the old table, and with foreign keys on SQLite first deletes its rows, cascading into
    # every table that references it (consent_change would lose its history). So foreign keys
    # are off while migrating, as SQLite's own procedure for table changes says; a migration
    # that rebuilds a table checks them (PRAGMA foreign_key_check) before it commits.
    sqlite = connection.dialect.name == "sqlite" and not connection.in_transaction()
    if sqlite:
        _sqlite_pragma(connection, "PRAGMA foreign_keys=OFF")
    try:
        context.configure(connection=connection, target_metadata=target_metadata,
                          render_as_batch=True, compare_type=True)
        with context.begin_transaction():
            context.run_migrations()
        if sqlite and connection.in_transaction():
            connection.commit()
    finally:
        if sqlite:
            if connection.in_transaction():  # only after a failure: keep none of it
                connection.rollback()
            _sqlite_pragma(connection, "PRAGMA foreign_keys=ON")


def _sqlite_pragma(connection, statement: str) -> None:
    # On the DBAPI connection itself: through SQLAlchemy the statement would open a transaction
    # first (app.db's "begin" hook), and SQLite ignores this pragma inside a transaction.
    connection.connection.dbapi_connection.execute(statement)


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
