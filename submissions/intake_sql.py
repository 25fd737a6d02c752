"""The submit's two inserts on the driver's cursor, their SQL compiled once per dialect.

Executing the two Core statements through SQLAlchemy cost about as much CPU as everything
else the store does: each execute builds an execution context, a cache key, its parameters
and a result object. Here the SQL and each column's bind processor (the very ones SQLAlchemy
uses: JSON, the UTC timestamps) are worked out once per dialect, and the statements run on the
driver's cursor of the session's own connection, in its transaction (the same BEGIN IMMEDIATE,
the same commit, the same rollback in tests). Whoever listens for SQL (statement logs, the
tests' statement counts) still sees them, and a driver error is raised as SQLAlchemy raises it
(IntegrityError for a key stored twice, OperationalError for a busy database), so the callers
handle them as before.
"""
from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import Table, insert
from sqlalchemy import exc as sa_exc

from submissions.models import Submission, SubmissionAnswer

SUBMISSION_COLUMNS = ("reference", "idempotency_key", "form_id", "version_id", "guest_name",
                      "guest_email", "consent", "submitted_at", "updated_at", "submitter_role",
                      "is_authorised", "source_hash")
ANSWER_COLUMNS = ("submission_id", "question_key", "value", "text")


@dataclass(frozen=True)
class CompiledInsert:
    sql: str
    names: tuple[str, ...]  # the parameters, in the order a positional driver takes them
    positional: bool
    processors: dict[str, Callable]  # column -> the type's bind processor, where it has one

    def parameters(self, values: dict):
        """VALUES as the driver takes them: processed, as a tuple or a dict."""
        processed = {}
        for name in self.names:
            processor = self.processors.get(name)
            processed[name] = values[name] if processor is None else processor(values[name])
        return tuple(processed[name] for name in self.names) if self.positional else processed


def _compile(table: Table, columns: tuple[str, ...], dialect, *, returning: bool,
             many: bool) -> CompiledInsert:
    statement = insert(table).returning(table.c.id) if returning else insert(table)
    compiled = statement.compile(dialect=dialect, column_keys=list(columns),
                                 for_executemany=many)
    names = tuple(compiled.positiontup if compiled.positional else compiled.binds)
    unknown = set(names) - set(columns)
    if unknown:  # a column gained a default the statement would need: compile it in
        raise RuntimeError(f"intake insert into {table.name} needs {sorted(unknown)}")
    processors = {}
    for name in names:
        processor = table.c[name].type.dialect_impl(dialect).bind_processor(dialect)
        if processor is not None:
            processors[name] = processor
    return CompiledInsert(str(compiled), names, bool(compiled.positional), processors)


@functools.cache
def compiled_inserts(dialect) -> tuple[CompiledInsert, CompiledInsert]:
    """(the submission's insert, returning its id; the answers' insert, for executemany)."""
    return (_compile(Submission.__table__, SUBMISSION_COLUMNS, dialect, returning=True,
                     many=False),
            _compile(SubmissionAnswer.__table__, ANSWER_COLUMNS, dialect, returning=False,
                     many=True))


def insert_submission(connection, submission: dict, answers: list[dict]) -> int:
    """Insert SUBMISSION and its ANSWERS (each without its submission_id) on CONNECTION (a
    SQLAlchemy Connection in a transaction); the id of the new submission."""
    dialect = connection.dialect
    insert_one, insert_many = compiled_inserts(dialect)
    cursor = connection.connection.cursor()
    try:
        submission_id = _execute(connection, cursor, insert_one,
                                 insert_one.parameters(submission), many=False)
        if answers:
            rows = [insert_many.parameters({**answer, "submission_id": submission_id})
                    for answer in answers]
            _execute(connection, cursor, insert_many, rows, many=True)
    finally:
        cursor.close()
    return submission_id


def _execute(connection, cursor, compiled: CompiledInsert, parameters, *, many: bool):
    for listener in connection.dispatch.before_cursor_execute:
        listener(connection, cursor, compiled.sql, parameters, None, many)
    dbapi = connection.dialect.loaded_dbapi
    try:
        if many:
            cursor.executemany(compiled.sql, parameters)
            return None
        cursor.execute(compiled.sql, parameters)
        return cursor.fetchone()[0]
    except dbapi.Error as error:
        raise sa_exc.DBAPIError.instance(compiled.sql, parameters, error, dbapi.Error,
                                         dialect=connection.dialect) from error
