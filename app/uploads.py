"""Uploaded files the features keep: telling a file's type by its content, storing it under the
instance folder with a random name, and sending it back safely.

A type is decided by the file's first bytes, never by its name or the browser's Content-Type
(either can say anything). Files live outside static, in a folder of the instance folder, and
are served only through a view that checks who may see them; the name a person gave is kept
only as a label, and reaches a response header only through `content_disposition`.

Files follow the database's unit of work. A file is written before its row is committed, so
`store` remembers it against the session's transaction and deletes it if that transaction ends
without committing (a rollback, an error, the session closed): no file is left that no row
names. `remove_after_commit` deletes a file only once the commit that deletes its row has
succeeded: a failed commit leaves the row and its file both. A savepoint's files pass to its
parent when it is released and are dropped with it when it is rolled back.
"""
from __future__ import annotations

import secrets
import unicodedata
from pathlib import Path
from urllib.parse import quote

from flask import Response, current_app, has_app_context
from flask_babel import gettext as _
from sqlalchemy import event

from app.db import Session
from app.errors import OperationRefused

# (first bytes, content type, suffix): PDF, PNG and JPEG.
SIGNATURES = (
    (b"%PDF-", "application/pdf", ".pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png", ".png"),
    (b"\xff\xd8\xff", "image/jpeg", ".jpg"),
)
IMAGE_TYPES = frozenset({"image/png", "image/jpeg"})
MAX_LABEL = 120
_INFO_KEY = "korero.uploads"  # Session.info: {transaction: {"written": [...], "doomed": [...]}}


def sniff(content: bytes) -> tuple[str, str] | None:
    """(content type, suffix) of CONTENT when it is a PDF, PNG or JPEG; None otherwise."""
    for signature, mimetype, suffix in SIGNATURES:
        if content.startswith(signature):
            return mimetype, suffix
    return None


def check_document(content: bytes, *, field: str, message: str | None = None) -> tuple[str, str]:
    """(content type, suffix) of a PDF, PNG or JPEG; refuses anything else, on FIELD."""
    found = sniff(content)
    if found is None:
        raise OperationRefused(message or _("Choose a PDF, PNG or JPEG file."), field=field)
    return found


def folder(name: str) -> Path:
    """The instance folder's NAME folder, made if missing (the app's instance folder; the
    configured one outside an app)."""
    from app.config import instance_path

    base = current_app.config["INSTANCE_PATH"] if has_app_context() else instance_path()
    path = Path(base) / name
    path.mkdir(parents=True, exist_ok=True)
    return path


def store(folder_name: str, content: bytes, suffix: str = "") -> str:
    """Write CONTENT under a new random name in FOLDER_NAME; the name. The file is deleted
    again unless the session's current transaction commits."""
    name = secrets.token_hex(16) + suffix
    path = folder(folder_name) / name
    _pending()["written"].append(path)
    path.write_bytes(content)
    return name


def remove_after_commit(folder_name: str, stored_name: str) -> None:
    """Delete the stored file once the session's current transaction commits (never if it
    rolls back: its row is still there and still names it)."""
    _pending()["doomed"].append(folder(folder_name) / stored_name)


def _pending() -> dict[str, list[Path]]:
    """The files written and to delete in the session's current transaction (the savepoint
    when one is open)."""
    session = Session()
    if session.get_transaction() is None:
        session.begin()
    transaction = session.get_nested_transaction() or session.get_transaction()
    return session.info.setdefault(_INFO_KEY, {}).setdefault(
        transaction, {"written": [], "doomed": []})


@event.listens_for(Session, "after_commit")
def _after_commit(session) -> None:
    # Called while the committed transaction is still the session's current one.
    pending = session.info.get(_INFO_KEY)
    if not pending:
        return
    transaction = session.get_nested_transaction() or session.get_transaction()
    files = pending.pop(transaction, None)
    if files is None:
        return
    if transaction.nested:  # a released savepoint: its files now ride on its parent
        parent = pending.setdefault(transaction.parent, {"written": [], "doomed": []})
        parent["written"] += files["written"]
        parent["doomed"] += files["doomed"]
        return
    for path in files["doomed"]:
        path.unlink(missing_ok=True)


@event.listens_for(Session, "after_transaction_end")
def _after_transaction_end(session, transaction) -> None:
    # Whatever is still recorded against an ending transaction was never committed.
    files = session.info.get(_INFO_KEY, {}).pop(transaction, None)
    for path in (files or {}).get("written", ()):
        path.unlink(missing_ok=True)


def label(filename: str | None, default: str = "file") -> str:
    """The name a person gave a file, fit to show as a label: no folders, no control
    characters, at most MAX_LABEL characters (templates still escape it)."""
    name = (filename or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C").strip()
    return name[:MAX_LABEL] or default


def content_disposition(filename: str, *, inline: bool = False) -> str:
    """A Content-Disposition header naming FILENAME: an ASCII fallback with nothing that could
    end the quoted string, and the real name RFC 5987 encoded."""
    fallback = "".join(ch if ch.isascii() and (ch.isalnum() or ch in " ._-") else "_"
                       for ch in filename).strip() or "file"
    kind = "inline" if inline else "attachment"
    return f"{kind}; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


def file_response(content: bytes, mimetype: str, filename: str) -> Response:
    """CONTENT sent as MIMETYPE: images shown in the browser, anything else (a PDF) downloaded;
    never sniffed as another type (app/security.py's strict CSP also applies), never cached."""
    response = Response(content, mimetype=mimetype)
    response.headers["Content-Disposition"] = content_disposition(
        filename, inline=mimetype in IMAGE_TYPES)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    return response
