"""Export files built by a job: written under the instance folder (never static), named by
the job that made them, and removed after a day.

The job row is the record of a file: its params name the report, build and format, its
created_by is the person it belongs to, and its result names the file. So no table of its own."""
from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path

from flask import current_app

KEEP_SECONDS = 24 * 60 * 60
JOB_FORMATS = ("xlsx", "docx", "pdf")  # slow to make: built by a job, then downloaded


def folder() -> Path:
    path = Path(current_app.instance_path) / "report-exports"
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    return path


def path_for(job_id: int, extension: str) -> Path:
    return folder() / f"job-{int(job_id)}.{extension}"


def write_file(job_id: int, extension: str, body: bytes) -> Path:
    """Write BODY atomically: a download never sees half a file."""
    target = path_for(job_id, extension)
    write_atomically(target, body)
    return target


def write_atomically(target: Path, body: bytes) -> None:
    """Write BODY to a temporary file beside TARGET, then rename it into place: a reader
    sees the whole file or none of it, and a failed write leaves nothing behind."""
    handle, temporary = tempfile.mkstemp(dir=target.parent, suffix=".part")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(body)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def remove_old_files(now: float | None = None, keep_seconds: int = KEEP_SECONDS) -> int:
    """Delete export files (and left-over partial files) older than KEEP_SECONDS."""
    cutoff = (time.time() if now is None else now) - keep_seconds
    removed = 0
    for path in folder().iterdir():
        if path.is_file() and path.stat().st_mtime < cutoff:
            path.unlink(missing_ok=True)
            removed += 1
    return removed
