"""Safe defaults (issue 15): TOTP secrets encrypted at rest, private files created owner-only,
and production start-up (and /healthz) warning about weakening settings."""
from __future__ import annotations

import logging
import os
import stat

import pyotp
import pytest
from sqlalchemy import create_engine, text

from app import create_app
from app.config import TestConfig, load_secret_key
from app.db import Session, make_engine
from app.encryption import PREFIX, encrypt_stored_totp_secrets
from app.mail import build_message, deliver
from app.migrate import upgrade
from app.models import User


def _stored_secret(user_id: int) -> str:
    return Session.execute(text('SELECT totp_secret FROM "user" WHERE id = :id'),
                           {"id": user_id}).scalar_one()


def test_totp_secrets_are_stored_encrypted_and_read_back_plain(make_user):
    user = make_user("admin")  # staff have two-factor on
    secret = user.totp_secret
    stored = _stored_secret(user.id)
    assert stored.startswith(PREFIX) and secret not in stored
    Session.expire_all()
    assert Session.get(User, user.id).totp_secret == secret


def test_plaintext_secrets_from_before_are_encrypted(make_user):
    user = make_user("admin")
    plain = pyotp.random_base32()
    Session.execute(text('UPDATE "user" SET totp_secret = :s WHERE id = :id'),
                    {"s": plain, "id": user.id})
    assert encrypt_stored_totp_secrets(Session.connection()) == 1
    assert _stored_secret(user.id).startswith(PREFIX)
    Session.expire_all()
    assert Session.get(User, user.id).totp_secret == plain


def test_migration_0007_encrypts_existing_secrets(tmp_path):
    url = f"sqlite:///{tmp_path / 'old.sqlite3'}"
    upgrade(url, "0005")
    plain = pyotp.random_base32()
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text(
            'INSERT INTO "user" (email, display_name, is_enabled, is_demo, session_version, '
            "totp_secret, created_at) VALUES ('a@example.org', 'A', 1, 0, 1, :s, "
            "'2026-01-01 00:00:00')"), {"s": plain})
    upgrade(url)
    with engine.connect() as conn:
        stored = conn.execute(text('SELECT totp_secret FROM "user"')).scalar_one()
    engine.dispose()
    assert stored.startswith(PREFIX) and plain not in stored


def _mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def test_private_files_are_created_owner_only(tmp_path, app):
    old_umask = os.umask(0o022)  # the usual umask: world-readable unless asked otherwise
    try:
        database = tmp_path / "data" / "korero.sqlite3"
        engine = make_engine(f"sqlite:///{database}")
        with engine.connect() as conn:
            conn.execute(text("CREATE TABLE t (x INTEGER)"))
        engine.dispose()
        assert _mode(database) == 0o600

        instance = tmp_path / "instance"
        saved = os.environ.pop("SECRET_KEY", None)
        try:
            load_secret_key(instance)
        finally:
            if saved is not None:
                os.environ["SECRET_KEY"] = saved
        assert _mode(instance) == 0o700 and _mode(instance / "secret_key") == 0o600

        outbox = tmp_path / "outbox"
        with app.app_context():
            message = build_message("a@example.org", "Hello", "Body",
                                    sender=app.config["MAIL_FROM"])
        deliver(message, {**app.config, "MAIL_SERVER": "", "MAIL_OUTBOX": str(outbox)})
        [written] = list(outbox.iterdir())
        assert _mode(outbox) == 0o700 and _mode(written) == 0o600
    finally:
        os.umask(old_umask)


@pytest.mark.parametrize("settings, expected", [
    ({"BASE_URL": "http://korero.example"}, {"base_url_not_https"}),
    ({"SECRET_KEY_GENERATED": True}, {"secret_key_generated"}),
    ({"RATELIMIT_STORAGE_URI": "memory://"}, {"redis_missing"}),
    ({}, set()),
])
def test_production_warns_at_start_up_and_on_healthz(tmp_path, monkeypatch, caplog,
                                                     database_url, settings, expected):
    monkeypatch.setenv("KORERO_INSTANCE_PATH", str(tmp_path))
    config = TestConfig(database_url)
    config.KORERO_ENV = "production"
    config.BASE_URL = "https://korero.example"
    config.SECRET_KEY_GENERATED = False
    config.RATELIMIT_STORAGE_URI = "redis://127.0.0.1:6379/13"
    config.ARGON2_TIME_COST, config.ARGON2_MEMORY_COST = 2, 19456
    for name, value in settings.items():
        setattr(config, name, value)
    saved_bind = dict(Session.session_factory.kw)
    with caplog.at_level(logging.WARNING, logger="korero"):
        app = create_app(config)
    try:
        assert bool(caplog.records) is bool(expected)
        response = app.test_client().get("/healthz", base_url="https://korero.example")
        assert set(response.get_json()["warnings"]) == expected
    finally:
        app.extensions["korero_engine"].dispose()
        Session.remove()
        Session.configure(**saved_bind)
