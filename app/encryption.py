"""TOTP secrets encrypted at rest.

A copy of the database (a backup, a dump handed to a contractor) must not let anyone generate
two-factor codes, so `user.totp_secret` holds the secret encrypted with Fernet (AES-128-CBC
and HMAC-SHA256, from the `cryptography` library). The key is derived with HKDF from
TOTP_ENCRYPTION_KEY when that is set, otherwise from SECRET_KEY: rotating the one in use
makes every stored secret unreadable, so people would have to set up two-factor again.

`EncryptedTotpSecret` is the column type: the ORM encrypts on write and decrypts on read, so
the rest of the code only ever sees the plaintext secret. A value without the "enc1:" prefix is
a plaintext secret stored before migration 0007, which encrypts them all
(`encrypt_stored_totp_secrets`); one still met is read as it is.
"""
from __future__ import annotations

import base64
import os

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import Flask, current_app, has_app_context
from sqlalchemy import String, text
from sqlalchemy.types import TypeDecorator

PREFIX = "enc1:"
_HKDF_INFO = b"korero.totp-secret.v1"
_EXTENSION = "korero_totp_cipher"
# The cipher of the app built last in this process, for ORM work outside an app context
# (test fixtures, scripts). Every app in one process shares its settings in practice.
_process_cipher: Fernet | None = None


class SecretUnreadable(Exception):
    """A stored TOTP secret that the configured key cannot decrypt (the key changed)."""


def cipher_for(key_material: str) -> Fernet:
    """The Fernet cipher whose key HKDF derives from KEY_MATERIAL."""
    derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=None,
                   info=_HKDF_INFO).derive(key_material.encode("utf-8"))
    return Fernet(base64.urlsafe_b64encode(derived))


def key_material(config) -> str:
    return config.get("TOTP_ENCRYPTION_KEY") or config["SECRET_KEY"]


def init_app(app: Flask) -> None:
    global _process_cipher
    cipher = cipher_for(key_material(app.config))
    app.extensions[_EXTENSION] = cipher
    _process_cipher = cipher


def _cipher() -> Fernet:
    if has_app_context() and _EXTENSION in current_app.extensions:
        return current_app.extensions[_EXTENSION]
    if _process_cipher is None:
        raise RuntimeError("No application has been created: the TOTP key is unknown.")
    return _process_cipher


def encrypt(secret: str, cipher: Fernet | None = None) -> str:
    token = (cipher or _cipher()).encrypt(secret.encode("ascii")).decode("ascii")
    return PREFIX + token


def decrypt(stored: str, cipher: Fernet | None = None) -> str:
    if not stored.startswith(PREFIX):
        return stored  # stored before migration 0007
    try:
        return (cipher or _cipher()).decrypt(stored[len(PREFIX):].encode("ascii")).decode()
    except InvalidToken as error:
        raise SecretUnreadable(
            "A two-factor secret cannot be decrypted: SECRET_KEY (or TOTP_ENCRYPTION_KEY) "
            "changed since it was stored.") from error


class EncryptedTotpSecret(TypeDecorator):
    """A TOTP secret, stored encrypted (see the module docstring)."""

    impl = String(255)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None or value.startswith(PREFIX):
            return value
        return encrypt(value)

    def process_result_value(self, value, dialect):
        return None if value is None else decrypt(value)


# ---------------------------------------------------------------- migration 0007


def _migration_cipher() -> Fernet:
    """The key as the application will read it, for a migration run outside the app."""
    from app.config import instance_path, load_secret_key

    material = os.environ.get("TOTP_ENCRYPTION_KEY") or (
        current_app.config["SECRET_KEY"] if has_app_context() else
        load_secret_key(instance_path()))
    return cipher_for(material)


def encrypt_stored_totp_secrets(connection) -> int:
    """Encrypt every plaintext secret in the user table; how many there were."""
    rows = connection.execute(text(
        "SELECT id, totp_secret FROM \"user\" WHERE totp_secret IS NOT NULL "
        "AND totp_secret NOT LIKE 'enc1:%'")).all()
    if not rows:
        return 0
    cipher = _migration_cipher()
    for user_id, secret in rows:
        connection.execute(text("UPDATE \"user\" SET totp_secret = :secret WHERE id = :id"),
                           {"secret": encrypt(secret, cipher), "id": user_id})
    return len(rows)


def decrypt_stored_totp_secrets(connection) -> int:
    """Undo `encrypt_stored_totp_secrets` (the downgrade of migration 0007)."""
    rows = connection.execute(text(
        "SELECT id, totp_secret FROM \"user\" WHERE totp_secret LIKE 'enc1:%'")).all()
    if not rows:
        return 0
    cipher = _migration_cipher()
    for user_id, secret in rows:
        connection.execute(text("UPDATE \"user\" SET totp_secret = :secret WHERE id = :id"),
                           {"secret": decrypt(secret, cipher), "id": user_id})
    return len(rows)
