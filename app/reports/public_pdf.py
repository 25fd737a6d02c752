"""The public "what we heard" PDF, rendered once per build and kept in the instance folder.

WeasyPrint takes seconds of CPU for a report, and the page is open to anyone: rendering it per
request would let a few anonymous clients keep every worker busy. So the file is keyed by what
decides its content (the report, its build number, the published sections): a rebuild or a
re-publish changes the key, so a stale file is never served, and the report's older files are
removed when a new one is written. Writes go to a temporary file renamed into place (a reader
never sees half a file), under a per-key lock so a burst of first requests renders once.
"""
from __future__ import annotations

import fcntl
import hashlib
import json
from pathlib import Path

from flask import current_app

from app.reports.export_files import write_atomically
from app.reports.exports import export_content


def folder() -> Path:
    path = Path(current_app.instance_path) / "report-public"
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    return path


def cache_key(report, build) -> str:
    sections = hashlib.sha256(json.dumps(sorted(report.sections)).encode()).hexdigest()[:16]
    return f"heard-{int(report.id)}-{int(build.number)}-{sections}"


def cached_pdf(report, build) -> Path:
    """The path of the PDF of BUILD with REPORT's published sections, rendering it first
    when this build and these sections have none yet."""
    key = cache_key(report, build)
    target = folder() / f"{key}.pdf"
    if target.is_file():
        return target
    with open(folder() / f"{key}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # another request may be rendering it: wait
        if not target.is_file():
            body, _exporter = export_content(report, build, "pdf", sections=report.sections)
            write_atomically(target, body)
            _remove_others(report, keep=key)
    return target


def _remove_others(report, keep: str) -> None:
    """The report's files of older builds or other sections (and their locks)."""
    for path in folder().glob(f"heard-{int(report.id)}-*"):
        if path.stem != keep and path.suffix in (".pdf", ".lock"):
            path.unlink(missing_ok=True)
