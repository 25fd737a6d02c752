"""Database engine, the scoped Session and the declarative Base.

SQLite is the embedded default and runs in WAL mode with a busy timeout and foreign keys on;
PostgreSQL is used through DATABASE_URL. The same models and queries run on both.
"""
from __future__ import annotations

import functools
import os
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime

from flask import Flask, current_app, has_request_context, render_template, request, url_for
from sqlalchemy import DateTime, MetaData, create_engine, event
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.orm import DeclarativeBase, scoped_session, sessionmaker
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

SQLITE_BUSY_TIMEOUT_MS = 10_000


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def utcnow() -> datetime:
    """Timezone-aware now in UTC: every *_at column stores UTC."""
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator):
    """A timestamp stored in UTC and always read back timezone-aware (SQLite drops the zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value


Session = scoped_session(sessionmaker(expire_on_commit=False))


def make_engine(url: str) -> Engine:
    """An engine for URL; SQLite gets WAL, a busy timeout, foreign keys and real savepoints."""
    if url.startswith("sqlite"):
        create_private_file(sqlite_path(url))
        engine = create_engine(url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000})
        _configure_sqlite(engine)
        return engine
    return create_engine(url, pool_pre_ping=True)


def sqlite_path(url: str) -> str | None:
    """The file of a SQLite URL; None for an in-memory database."""
    path = make_url(url).database
    return None if not path or path == ":memory:" or path.startswith("file:") else path


def create_private_file(path: str | None) -> None:
    """Create the database file readable and writable by its owner only (0600) before SQLite
    does (it would follow the umask, often world-readable); its -wal and -shm files take the
    same permissions from it. An existing file is left as it is."""
    if not path:
        return
    folder = os.path.dirname(os.path.abspath(path))
    os.makedirs(folder, mode=0o700, exist_ok=True)
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except FileExistsError:
        pass


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):  # pragma: no cover - exercised on connect
        # Let SQLAlchemy, not the sqlite3 module, decide when transactions begin, so that
        # SAVEPOINT works (the test suite's rolled-back transactions rely on it).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection):
        connection.exec_driver_sql(_sqlite_begin_statement())


SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


# Sec-Fetch-Site values of a request another site started. SameSite=Lax cookies ride along on
# top-level navigation, so without this check any site could make a signed-in person's browser
# open an audited page and write "record.viewed" or "export.created" in their name.
CROSS_SITE = frozenset({"cross-site", "same-site"})


def writes_on_get(view):
    """Mark a GET view that writes (an audited view of a sensitive record or an export).

    On SQLite such a request, like every POST, takes the write lock when its transaction
    begins. A transaction that reads first and writes later cannot wait for the lock: if another
    worker committed in between, SQLite refuses at once ("database is locked"). Taking the lock
    up front makes it wait its turn (busy_timeout) instead. A test fails on any GET view that
    writes without this mark.

    A request another site started (Sec-Fetch-Site cross-site or same-site) neither writes nor
    sees the page: it gets a page with a link to open it from here, which is then recorded.
    Browsers that send no Sec-Fetch-Site (and scripts) are served as before.
    """
    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        if request.headers.get("Sec-Fetch-Site", "").lower() in CROSS_SITE:
            # Built from the endpoint, never from the raw path ("//elsewhere" would leave).
            url = url_for(request.endpoint, **(request.view_args or {}),
                          **request.args.to_dict(flat=True))
            return render_template("errors/cross_site.html", url=url), 200
        return view(*args, **kwargs)

    wrapper.korero_writes_on_get = True
    return wrapper


_WRITING = ContextVar("korero_writing_transaction", default=False)


@contextmanager
def writing_transactions() -> Iterator[None]:
    """Outside a request (a job, a command): the transactions begun within take SQLite's write
    lock when they begin (BEGIN IMMEDIATE), waiting their turn for it (busy_timeout).

    For work that reads and then writes while others write all the time (the intake sweeper
    on deadline day): a deferred transaction that has read cannot wait for the lock, and
    SQLite refuses its first write at once ("database is locked") whenever another connection
    committed after its first read, which under a steady stream of submits is nearly always.
    Keep such transactions short: the web's writers wait while they run."""
    token = _WRITING.set(True)
    try:
        yield
    finally:
        _WRITING.reset(token)


def _sqlite_begin_statement() -> str:
    """BEGIN IMMEDIATE for the first transaction of a request that will write (views commit
    once, so that is the one that writes), and within writing_transactions(); a plain
    deferred BEGIN otherwise: for reads, so readers never queue behind writers; for what
    follows the commit (an export streaming its rows must not hold the write lock); and
    outside requests (the CLI, the test suite)."""
    if not has_request_context():
        return "BEGIN IMMEDIATE" if _WRITING.get() else "BEGIN"
    # Kept on the request itself (not flask.g, which belongs to the app context and can
    # outlive one request when contexts are nested).
    if request.environ.get("korero.began_write"):
        return "BEGIN"
    view = current_app.view_functions.get(request.endpoint or "")
    if request.method in SAFE_METHODS and not getattr(view, "korero_writes_on_get", False):
        return "BEGIN"
    request.environ["korero.began_write"] = True
    return "BEGIN IMMEDIATE"


def init_app(app: Flask) -> Engine:
    """Bind the Session to the configured database and remove it after every request."""
    engine = make_engine(app.config["DATABASE_URL"])
    Session.configure(bind=engine)
    app.extensions["korero_engine"] = engine

    @app.teardown_appcontext
    def _remove_session(_exc):
        Session.remove()

    return engine


def is_postgres(engine_or_session) -> bool:
    bind = getattr(engine_or_session, "bind", engine_or_session)
    if hasattr(engine_or_session, "get_bind"):
        bind = engine_or_session.get_bind()
    return bind.dialect.name == "postgresql"


_driver_sql: dict[tuple, tuple] = {}
_plain_reads: ContextVar[tuple | None] = ContextVar("korero_plain_reads", default=None)


@contextmanager
def plain_read_transaction():
    """A transaction for a few `driver_rows` reads on a pool connection of its own, outside
    the ORM session: for a request answered from caches (app/auth/cached_reads.py), where
    the session's transaction (its begin, its events, its close) cost more than the reads.
    One transaction, so the reads see one snapshot; the pool rolls it back on return. When
    the Session is bound to a connection rather than an engine (the test suite's rolled-back
    transaction), is already in use, or someone listens for the engine's SQL, the reads run
    in the session's transaction as they would without this block."""
    bind = Session.session_factory.kw.get("bind")
    if (not isinstance(bind, Engine) or Session.registry.has()
            or bind.dispatch.before_cursor_execute):
        yield
        return
    raw = bind.raw_connection()
    try:
        if bind.dialect.name == "sqlite":  # the sqlite3 module leaves BEGIN to us (_on_connect)
            cursor = raw.cursor()
            cursor.execute("BEGIN")
            cursor.close()
        token = _plain_reads.set((raw, bind.dialect))
        try:
            yield
        finally:
            _plain_reads.reset(token)
    finally:
        raw.close()


def driver_rows(stmt, params: dict) -> list[tuple]:
    """STMT's rows as the driver returns them (values untyped: SQLite's timestamps are text),
    run on the driver's own cursor, in the session's transaction (or a
    `plain_read_transaction`'s). For a statement run on every request of a page:
    SQLAlchemy's execute would rebuild its cache key and a result object each time. STMT
    must be built once (its SQL is compiled once per dialect and kept with it); PARAMS name
    its bindparams. Whoever listens for the session's SQL still sees it."""
    plain = _plain_reads.get()
    if plain is None:
        connection = Session.connection()
        dbapi, dialect = connection.connection, connection.dialect
        listeners = connection.dispatch.before_cursor_execute
    else:
        (dbapi, dialect), connection, listeners = plain, None, ()
    key = (id(stmt), dialect.name)
    found = _driver_sql.get(key)
    if found is None:
        compiled = stmt.compile(dialect=dialect)
        names = tuple(compiled.positiontup) if compiled.positional else None
        found = _driver_sql[key] = (str(compiled), names, dict(compiled.params), stmt)
    sql, names, defaults, _stmt = found
    values = {**defaults, **params}
    args = tuple(values[name] for name in names) if names is not None else values
    cursor = dbapi.cursor()
    try:
        for listener in listeners:
            listener(connection, cursor, sql, args, None, False)
        cursor.execute(sql, args)
        return cursor.fetchall()
    finally:
        cursor.close()


def stored_instant(value) -> datetime | None:
    """A UTCDateTime column's value as the driver returns it (SQLite's text, PostgreSQL's
    datetime) made what the column type gives: a timezone-aware datetime."""
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


def plain_rows(stmt) -> list[tuple]:
    """STMT's rows as the driver returns them (tuples, values untyped: no timezone-aware
    datetimes, no JSON decoding), in the session's transaction. For reading hundreds of
    thousands of rows of ids and text, where SQLAlchemy's result rows cost more than the
    reading. STMT's parameters are rendered inline: numbers and ids only, never user text."""
    connection = Session.connection()
    sql = str(stmt.compile(dialect=connection.dialect, compile_kwargs={"literal_binds": True}))
    cursor = connection.connection.cursor()
    try:
        cursor.execute(sql)
        return cursor.fetchall()
    finally:
        cursor.close()
