"""Signed checkpoints of the audit log's head, kept outside the database.

The chain proves that no row before the newest was changed or removed, but nothing in the table
can prove the newest rows were not simply deleted. So after each commit that sealed events, the
id and seal of the newest one are appended as a signed line to a file in the instance folder
(AUDIT_CHECKPOINT_FILE), and `audit-checkpoint` (run from cron) writes one to the application
log as well. `audit-verify` then checks that every checkpointed row is still there, unchanged.

A line is signed with the current audit key, so someone who can write to the database but not
read the key cannot forge one; lines append (O_APPEND), so workers in several processes share
one file safely.
"""
from __future__ import annotations

import json
import logging
import os
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import event as sa_event
from sqlalchemy import select
from sqlalchemy.orm import Session as OrmSession

from app.privacy.seal import SETTINGS, Keyring, canonical_json

_HEAD = "korero.audit_head"
log = logging.getLogger("korero.audit")


def note_sealed_head(session, event_id: int, seal: str) -> None:
    """Remember the newest event SESSION sealed; it is checkpointed once the commit lands."""
    session.info[_HEAD] = (event_id, seal)


def write_checkpoint(path: Path, event_id: int, seal: str, keyring: Keyring) -> dict:
    """Append one signed checkpoint line naming EVENT_ID and its SEAL as a head of the log."""
    line = {"event_id": event_id, "seal": seal, "key_id": keyring.current_id,
            "written_at": datetime.now(UTC).isoformat(timespec="seconds")}
    line["mac"] = keyring.mac(canonical_json(line))
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    try:
        os.write(fd, (canonical_json(line) + "\n").encode("utf-8"))
    finally:
        os.close(fd)
    return line


@sa_event.listens_for(OrmSession, "after_commit")
def _checkpoint_after_commit(session) -> None:
    head = session.info.pop(_HEAD, None)
    if head is None or not SETTINGS.checkpoint_on_commit or SETTINGS.keyring is None:
        return
    try:
        write_checkpoint(SETTINGS.checkpoint_path, *head, SETTINGS.keyring)
    except OSError:
        # The event is committed; a missing checkpoint only narrows what verify can prove.
        log.exception("could not write the audit checkpoint to %s", SETTINGS.checkpoint_path)


@sa_event.listens_for(OrmSession, "after_rollback")
def _forget_after_rollback(session) -> None:
    session.info.pop(_HEAD, None)


@dataclass
class CheckpointProblem:
    line: int
    message: str


def _read(path: Path) -> Iterator[tuple[int, dict | None]]:
    with path.open(encoding="utf-8") as handle:
        for number, text in enumerate(handle, start=1):
            if not text.strip():
                continue
            try:
                yield number, json.loads(text)
            except ValueError:
                yield number, None


def check_checkpoints(session, path: Path, keyring: Keyring) -> tuple[int, list[str]]:
    """Compare the log with every checkpoint in PATH. Returns (checkpoints read, problems),
    each problem naming what is missing or changed. Reads one row per checkpoint."""
    from app.privacy.models import AuditEvent

    if not path.exists():
        return 0, []
    newest = session.scalar(select(AuditEvent.id).order_by(AuditEvent.id.desc()).limit(1)) or 0
    problems: list[str] = []
    beyond: tuple[int, str] | None = None
    count = 0
    for number, line in _read(path):
        count += 1
        if line is None or not {"event_id", "seal", "key_id", "mac"} <= set(line):
            problems.append(f"checkpoint line {number} of {path} is not a checkpoint")
            continue
        signed = {key: value for key, value in line.items() if key != "mac"}
        if keyring.key(line["key_id"]) is None:
            problems.append(f"checkpoint line {number} is signed with key {line['key_id']!r}, "
                            "which this server does not hold")
            continue
        if keyring.mac(canonical_json(signed), line["key_id"]) != line["mac"]:
            problems.append(f"checkpoint line {number} has a bad signature (it was forged or "
                            "edited)")
            continue
        event_id = int(line["event_id"])
        if event_id > newest:
            if beyond is None or event_id > beyond[0]:
                beyond = (event_id, line["written_at"])
            continue
        seal = session.scalar(select(AuditEvent.hash).where(AuditEvent.id == event_id))
        if seal is None:
            problems.append(f"event {event_id} is missing: the checkpoint written "
                            f"{line['written_at']} saw it in the log")
        elif seal != line["seal"]:
            problems.append(f"event {event_id} was replaced: its seal differs from the one "
                            f"checkpointed {line['written_at']}")
    if beyond is not None:
        problems.insert(0, f"the newest events were deleted: the checkpoint written {beyond[1]} "
                        f"saw event {beyond[0]}, but the log ends at event {newest}; events "
                        f"{newest + 1} to {beyond[0]} are missing")
    return count, _dedupe(problems)


def _dedupe(problems: list[str]) -> list[str]:
    return list(dict.fromkeys(problems))
