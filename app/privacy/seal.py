"""The audit log's keys and seals: HMAC-SHA256 with a key the database never holds.

A plain hash chain proves nothing against whoever can write to the database: they change a row
and recompute every later hash. Each row is therefore sealed with an HMAC under a key kept
outside the database (the AUDIT_KEY setting, or a key file in the instance folder), and carries
the id of the key that sealed it, so keys can be rotated while older rows still verify.

Seal schemes are numbered per row. Scheme 1 is the original unkeyed SHA-256 chain (rows written
before migration 0006 whose chain did not verify stay in it, untouched, as evidence); scheme 2
is the keyed seal below. Never change what a scheme covers: add a scheme instead.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

LEGACY_SCHEME = 1
KEYED_SCHEME = 2
KEY_FILE_NAME = "audit_keys.json"
MIN_KEY_LENGTH = 32  # characters of AUDIT_KEY


class AuditKeyError(RuntimeError):
    """The audit keys are missing or unusable; the message says what to fix."""


def canonical_json(data: Any) -> str:
    return json.dumps(data or {}, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                      default=str)


@dataclass(frozen=True)
class Keyring:
    """Every key rows may be sealed with; new seals use CURRENT_ID."""

    current_id: str
    keys: Mapping[str, bytes]
    source: str  # "environment" or the key file's path, for messages

    def key(self, key_id: str) -> bytes | None:
        return self.keys.get(key_id)

    def mac(self, payload: str, key_id: str | None = None) -> str:
        key = self.keys[key_id or self.current_id]
        return hmac.new(key, payload.encode("utf-8"), hashlib.sha256).hexdigest()


def _parse_old_keys(text: str) -> dict[str, bytes]:
    keys = {}
    for part in filter(None, (p.strip() for p in text.split(","))):
        key_id, sep, secret = part.partition(":")
        if not sep or not key_id or not secret:
            raise AuditKeyError("AUDIT_OLD_KEYS must look like 'id:secret,id:secret'.")
        keys[key_id.strip()] = secret.strip().encode("utf-8")
    return keys


def key_file_path(instance: Path, environ: Mapping[str, str] | None = None) -> Path:
    environ = os.environ if environ is None else environ
    return Path(environ.get("AUDIT_KEY_FILE") or instance / KEY_FILE_NAME)


def load_keyring(instance: Path, environ: Mapping[str, str] | None = None, *,
                 create: bool = True) -> Keyring:
    """The keyring from AUDIT_KEY (+ AUDIT_KEY_ID, AUDIT_OLD_KEYS), else from the key file,
    which is created with one new key (owner-only permissions) when CREATE and missing."""
    environ = os.environ if environ is None else environ
    secret = environ.get("AUDIT_KEY", "")
    if secret:
        if len(secret) < MIN_KEY_LENGTH:
            raise AuditKeyError(f"AUDIT_KEY must be at least {MIN_KEY_LENGTH} characters; "
                                "make one with: python -c 'import secrets; "
                                "print(secrets.token_urlsafe(48))'")
        key_id = environ.get("AUDIT_KEY_ID", "env-1").strip() or "env-1"
        keys = _parse_old_keys(environ.get("AUDIT_OLD_KEYS", ""))
        keys[key_id] = secret.encode("utf-8")
        return Keyring(key_id, keys, "environment")
    path = key_file_path(instance, environ)
    if not path.exists():
        if not create:
            raise AuditKeyError(f"There is no audit key: set AUDIT_KEY or restore {path}.")
        _write_key_file(path, _new_key_file())
    try:
        stored = json.loads(path.read_text(encoding="utf-8"))
        keys = {key_id: bytes.fromhex(value) for key_id, value in stored["keys"].items()}
        return Keyring(stored["current"], keys, str(path))
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise AuditKeyError(f"The audit key file {path} is unreadable ({error}); restore it "
                            "from a backup.") from None


def _new_key_id() -> str:
    return f"k{datetime.now(UTC):%Y%m%d%H%M%S}-{secrets.token_hex(2)}"


def _new_key_file(stored: dict | None = None) -> dict:
    stored = stored or {"keys": {}}
    key_id = _new_key_id()
    stored["keys"][key_id] = secrets.token_hex(32)
    stored["current"] = key_id
    return stored


def _write_key_file(path: Path, stored: dict) -> None:
    """Write atomically (a temporary file renamed over the old one), owner-only."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump(stored, handle, indent=1)
    os.replace(temporary, path)


def rotate_key(instance: Path, environ: Mapping[str, str] | None = None) -> str:
    """Add a new key to the key file and make it the one new rows are sealed with; older keys
    stay, so rows they sealed still verify. Returns the new key id. Refused when the key comes
    from AUDIT_KEY (rotate there: move the old one into AUDIT_OLD_KEYS)."""
    environ = os.environ if environ is None else environ
    if environ.get("AUDIT_KEY"):
        raise AuditKeyError("The audit key comes from AUDIT_KEY: to rotate it, add the current "
                            "one to AUDIT_OLD_KEYS as 'id:secret', then set a new AUDIT_KEY "
                            "and AUDIT_KEY_ID.")
    path = key_file_path(instance, environ)
    stored = json.loads(path.read_text(encoding="utf-8")) if path.exists() else None
    stored = _new_key_file(stored)
    _write_key_file(path, stored)
    return stored["current"]


# ---------------------------------------------------------------- what a seal covers

SEALED_FIELDS = ("id", "actor_id", "actor_email", "action", "target_type", "target_id",
                 "detail", "ip_address")


def sealed_values(event):
    """An AuditEvent's sealed columns under their column names (as plain rows have them)."""
    from types import SimpleNamespace

    table = type(event).__table__
    return SimpleNamespace(**{
        column.name: getattr(event, attribute.key)
        for attribute in type(event).__mapper__.column_attrs
        for column in attribute.columns if column.table is table})


def _fields(row, prev_hash: str) -> dict:
    fields = {name: getattr(row, name) for name in SEALED_FIELDS}
    # PostgreSQL hands times back in the connection's zone: seal them in UTC, always.
    fields["occurred_at"] = row.occurred_at.astimezone(UTC).isoformat()
    fields["prev_hash"] = prev_hash
    return fields


def legacy_digest(row, prev_hash: str) -> str:
    """Scheme 1: unkeyed SHA-256 (rows from before migration 0006 only)."""
    payload = canonical_json(_fields(row, prev_hash))
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def keyed_seal(row, prev_hash: str, keyring: Keyring) -> str | None:
    """Scheme 2: HMAC over the row, its personal-detail digests, key id and scheme. None when
    the keyring lacks the row's key."""
    if keyring.key(row.key_id) is None:
        return None
    fields = _fields(row, prev_hash)
    fields.update(personal_seals=row.personal_seals, key_id=row.key_id, scheme=row.scheme)
    return keyring.mac(canonical_json(fields), row.key_id)


def personal_digest(salt: str, data: str) -> str:
    """The digest of one erasable side row. The random salt (erased with the data) means the
    digest left behind cannot be used to confirm a guess at an erased address."""
    return hashlib.sha256(f"{salt}\n{data}".encode()).hexdigest()


# ---------------------------------------------------------------- the process's settings


@dataclass
class SealSettings:
    keyring: Keyring | None = None
    checkpoint_path: Path | None = None
    checkpoint_on_commit: bool = True


SETTINGS = SealSettings()


def configure(config: Mapping[str, Any]) -> None:
    """Load the keys and checkpoint settings for this process (create_app calls this; record_event
    runs in threads and jobs without an app context, so they are kept here)."""
    instance = Path(config["INSTANCE_PATH"])
    SETTINGS.keyring = load_keyring(instance)
    SETTINGS.checkpoint_path = Path(config.get("AUDIT_CHECKPOINT_FILE")
                                    or instance / "audit_checkpoints.jsonl")
    SETTINGS.checkpoint_on_commit = bool(config.get("AUDIT_CHECKPOINT_ON_COMMIT", True))


def keyring() -> Keyring:
    if SETTINGS.keyring is None:
        raise AuditKeyError("The audit keys are not loaded: build the app with create_app().")
    return SETTINGS.keyring
