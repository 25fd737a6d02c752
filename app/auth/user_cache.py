"""The signed-in person for each request, from a per-process cache checked by one light query.

Loading a `User` through the ORM costs three queries (the user, then selectin loads of roles
and of memberships with their organisations) and building the objects: about a quarter of a
cached forum page's CPU time. Here each request runs ONE query instead: every column of the
person's `user` row, role rows, membership rows and organisations, joined, as the database
stores them (no type processing, so no decryption). Those rows are the cache key: when they
equal the rows the cached copy was built from, the cached copy is exactly what the database
holds, and a session-bound copy of it is made without any SQL (`Session.merge(load=False)`).

So nothing needs invalidating for correctness, in this process or any other: a role removed,
an organisation left or renamed, an account disabled, a password changed or every session
ended (`session_version` bumped) changes those rows, and the very next request of that person,
in every worker, misses the cache and loads them afresh. The cache is only ever a copy of what
the light query has just read.
"""
from __future__ import annotations

import functools
import threading
from collections import OrderedDict

from sqlalchemy import String, bindparam, inspect, select, type_coerce
from sqlalchemy.orm import make_transient_to_detached
from sqlalchemy.orm.attributes import set_committed_value

from app.db import Session, driver_rows
from app.models import Membership, Organisation, User, UserRole

MAX_ENTRIES = 2048

_entries: OrderedDict[int, tuple[tuple, User]] = OrderedDict()
_lock = threading.Lock()


@functools.cache
def _rows_stmt():
    """Built once: every stored column of a person and of what `User` loads with them."""
    user, role = User.__table__, UserRole.__table__
    membership, organisation = Membership.__table__, Organisation.__table__
    columns = [*user.c, *role.c, *membership.c, *organisation.c]
    # Raw values: equal rows mean equal data, and comparing them costs no decryption.
    raw = [type_coerce(column, String).label(f"c{n}") for n, column in enumerate(columns)]
    joined = (user.outerjoin(role, role.c.user_id == user.c.id)
              .outerjoin(membership, membership.c.user_id == user.c.id)
              .outerjoin(organisation, organisation.c.id == membership.c.organisation_id))
    return (select(*raw).select_from(joined).where(user.c.id == bindparam("user_id"))
            .order_by(role.c.role, membership.c.id))


def _stored_rows(user_id: int) -> tuple:
    # On the driver's own cursor with SQL compiled once (app.db.driver_rows): SQLAlchemy's
    # execute would rebuild the statement's cache key (a walk over some forty labelled
    # columns) and a result object on every request for rows that are compared, not read.
    # In the session's transaction (the same snapshot as the rest of the request), or the
    # plain-read transaction of a page answered from caches. The values are raw either way.
    return tuple(tuple(row) for row in driver_rows(_rows_stmt(), {"user_id": user_id}))


def load(user_id: int) -> User | None:
    """The person USER_ID bound to this request's session, or None if there is no such row.
    One query when the cached copy is current (the usual case), a few more when it is not."""
    rows = _stored_rows(user_id)
    if not rows:
        return None
    with _lock:
        entry = _entries.get(user_id)
        if entry is not None:
            _entries.move_to_end(user_id)
    if entry is not None and entry[0] == rows and not _any_in_session(entry[1]):
        return Session.merge(entry[1], load=False)
    return _load_and_keep(user_id, rows)


def current_copy(user_id: int) -> User | None:
    """The process's cached copy of USER_ID when it is exactly what the database holds now
    (the same light query as `load`), else None: nothing is loaded or kept here. The copy is
    shared by every request of this process and bound to no session: for reading only (its
    columns, roles and organisations are loaded), never to change or to add to a session.
    app/web/cached_reads.py reads it to answer a cached page without binding the person."""
    rows = _stored_rows(user_id)
    with _lock:
        entry = _entries.get(user_id)
    return entry[1] if rows and entry is not None and entry[0] == rows else None


def _any_in_session(user: User) -> bool:
    """Whether this session already holds the person or one of their organisations: then the
    session's objects are used as they are (a merge would write over what it holds)."""
    held = Session.identity_map
    if not held:  # the usual case: the person is the request's first read
        return False
    return (Session.identity_key(User, user.id) in held
            or any(Session.identity_key(Organisation, m.organisation_id) in held
                   for m in user.memberships))


def _load_and_keep(user_id: int, rows: tuple) -> User | None:
    user = Session.get(User, user_id)
    if user is None:
        return None
    for membership in user.memberships:
        _ = membership.organisation
    # Keep a copy only if nothing changed while loading: then it matches ROWS exactly.
    if _stored_rows(user_id) == rows:
        with _lock:
            _entries[user_id] = (rows, _detached_copy(user))
            _entries.move_to_end(user_id)
            while len(_entries) > MAX_ENTRIES:
                _entries.popitem(last=False)
    return user


def _copy(obj, **relations):
    """A detached copy of OBJ's columns (and RELATIONS), set without events: no backref
    touches another object, so no partial collection is ever cached (an organisation's
    `memberships` stays unloaded)."""
    mapper = inspect(obj).mapper
    clone = mapper.class_manager.new_instance()
    for attr in mapper.column_attrs:
        set_committed_value(clone, attr.key, getattr(obj, attr.key))
    for key, value in relations.items():
        set_committed_value(clone, key, value)
    make_transient_to_detached(clone)
    return clone


def _detached_copy(user: User) -> User:
    organisations: dict[int, Organisation] = {}
    memberships = []
    for membership in user.memberships:
        org = membership.organisation
        if org.id not in organisations:
            organisations[org.id] = _copy(org)
        memberships.append(_copy(membership, organisation=organisations[org.id]))
    clone = _copy(user, memberships=memberships)
    set_committed_value(clone, "role_rows", [_copy(row, user=clone) for row in user.role_rows])
    for membership in memberships:
        set_committed_value(membership, "user", clone)
    return clone


def forget(user_id: int | None = None) -> None:
    """Drop one person's cached copy, or every one (tests; frees memory early)."""
    with _lock:
        if user_id is None:
            _entries.clear()
        else:
            _entries.pop(user_id, None)
