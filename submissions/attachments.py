"""Attachments: checking a file by its content, storing it, and reading its text.

Files are stored under the instance folder (never under static) with random names; the name
people gave is kept only as a label. A type is decided by the bytes, never by the name or the
browser's Content-Type: PDF by its header, DOCX and ODT as zip files with their own entries
(and refused when they would unpack to far more than they weigh: a zip bomb), TXT as UTF-8
text with no NUL bytes.
"""
from __future__ import annotations

import io
import os
import secrets
import zipfile
from pathlib import Path

from flask import current_app, has_app_context
from flask_babel import gettext as _

from app.errors import OperationRefused

KINDS = {"pdf": "application/pdf",
         "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
         "odt": "application/vnd.oasis.opendocument.text", "txt": "text/plain"}
DEFAULT_MAX_MB = 10
MAX_UNZIPPED_BYTES = 100 * 1024 * 1024
MAX_RATIO = 100  # unpacked / packed, per entry: ordinary documents stay far below
MAX_ENTRIES = 2000
MAX_TEXT_CHARS = 200_000


def max_bytes() -> int:
    """SUBMISSIONS_MAX_ATTACHMENT_MB (setting or environment), default 10."""
    value = current_app.config.get("SUBMISSIONS_MAX_ATTACHMENT_MB") or os.environ.get(
        "SUBMISSIONS_MAX_ATTACHMENT_MB", DEFAULT_MAX_MB)
    return int(value) * 1024 * 1024


def storage_dir() -> Path:
    """instance/submission-attachments (the app's instance folder; the configured one when
    called outside an app, as the test suite's route walk does)."""
    from app.config import instance_path

    base = current_app.config["INSTANCE_PATH"] if has_app_context() else instance_path()
    folder = Path(base) / "submission-attachments"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _check_zip(content: bytes) -> zipfile.ZipFile:
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
        infos = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError):
        raise OperationRefused(_("This file is damaged or not a document we accept."),
                               field="file") from None
    total = sum(info.file_size for info in infos)
    if len(infos) > MAX_ENTRIES or total > MAX_UNZIPPED_BYTES or any(
            info.compress_size and info.file_size / info.compress_size > MAX_RATIO
            for info in infos):
        raise OperationRefused(_("This file unpacks to far more than its size, so we cannot "
                                 "accept it. Save it again as PDF and attach that."),
                               field="file")
    return archive


def detect_kind(content: bytes) -> str:
    """pdf, docx, odt or txt from CONTENT; refuses anything else (what the name claims does
    not matter)."""
    if content.startswith(b"%PDF-"):
        return "pdf"
    if content.startswith(b"PK\x03\x04"):
        archive = _check_zip(content)
        names = set(archive.namelist())
        if "word/document.xml" in names:
            return "docx"
        if "mimetype" in names and archive.read("mimetype").strip() == KINDS["odt"].encode():
            return "odt"
    elif b"\x00" not in content:
        try:
            content.decode("utf-8")
            return "txt"
        except UnicodeDecodeError:
            pass
    raise OperationRefused(_("Attach a PDF, Word (.docx), OpenDocument (.odt) or plain text "
                             "file. This file is none of those."), field="file")


def store(content: bytes) -> str:
    """Write CONTENT under a new random name; the name."""
    name = secrets.token_hex(20)
    (storage_dir() / name).write_bytes(content)
    return name


def read(stored_name: str) -> bytes:
    return (storage_dir() / stored_name).read_bytes()


def remove(stored_name: str) -> None:
    (storage_dir() / stored_name).unlink(missing_ok=True)


def extract_text(kind: str, content: bytes) -> str:
    """The text of a checked file (for the corpus); empty when it has none."""
    if kind == "txt":
        text = content.decode("utf-8")
    elif kind == "pdf":
        from pypdf import PdfReader

        reader = PdfReader(io.BytesIO(content))
        text = "\n".join(page.extract_text() or "" for page in reader.pages)
    elif kind == "docx":
        import docx

        document = docx.Document(io.BytesIO(content))
        text = "\n".join(p.text for p in document.paragraphs)
    else:
        from odf import teletype
        from odf.opendocument import load
        from odf.text import P

        document = load(io.BytesIO(content))
        text = "\n".join(teletype.extractText(p) for p in document.getElementsByType(P))
    return text.strip()[:MAX_TEXT_CHARS]
