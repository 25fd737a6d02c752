"""Settings come from the environment; the secret key is generated once, never hard-coded;
Redis takes over rate-limit storage when REDIS_URL is set; /healthz tells the truth."""
from __future__ import annotations

import logging
import os
import stat
import uuid

import pytest
import redis

from app import create_app
from app.config import Config, TestConfig, load_secret_key

REDIS_TEST_URL = "redis://127.0.0.1:6379/13"


@pytest.fixture(autouse=True)
def restore_rate_limiter(app):
    """create_app() re-points the one global Limiter at the new app's storage; put the test
    session's storage back afterwards so other tests keep their in-memory limits."""
    from app.extensions import limiter

    saved = (limiter._storage, limiter._limiter)
    yield
    limiter._storage, limiter._limiter = saved


def test_secret_key_is_generated_once_into_instance(tmp_path, monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    first = load_secret_key(tmp_path)
    second = load_secret_key(tmp_path)
    assert first == second
    assert len(first) >= 40
    mode = stat.S_IMODE(os.stat(tmp_path / "secret_key").st_mode)
    assert mode == 0o600


def test_secret_key_from_environment_wins(tmp_path, monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "from-the-environment")
    assert load_secret_key(tmp_path) == "from-the-environment"
    assert not (tmp_path / "secret_key").exists()


def test_settings_are_read_from_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("KORERO_INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg://someone@db.example/korero")
    monkeypatch.setenv("REDIS_URL", "redis://cache.example:6379/2")
    monkeypatch.setenv("BASE_URL", "https://korero.example.nz/")
    monkeypatch.setenv("IDLE_TIMEOUT_MINUTES", "15")
    config = Config()
    assert config.DATABASE_URL == "postgresql+psycopg://someone@db.example/korero"
    assert config.RATELIMIT_STORAGE_URI == "redis://cache.example:6379/2"
    assert config.BASE_URL == "https://korero.example.nz"
    assert config.SESSION_COOKIE_SECURE is True
    assert config.IDLE_TIMEOUT.total_seconds() == 15 * 60


def test_default_database_is_sqlite_under_instance(tmp_path, monkeypatch):
    monkeypatch.setenv("KORERO_INSTANCE_PATH", str(tmp_path))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.delenv("REDIS_URL", raising=False)
    config = Config()
    assert config.DATABASE_URL == f"sqlite:///{tmp_path / 'korero.sqlite3'}"
    assert config.RATELIMIT_STORAGE_URI == "memory://"


def test_sqlite_runs_in_wal_mode_with_foreign_keys(app, db_session):
    from sqlalchemy import text

    if not app.config["DATABASE_URL"].startswith("sqlite"):
        pytest.skip("SQLite pragmas")
    assert db_session.execute(text("PRAGMA journal_mode")).scalar() == "wal"
    assert db_session.execute(text("PRAGMA foreign_keys")).scalar() == 1
    assert db_session.execute(text("PRAGMA busy_timeout")).scalar() >= 5000


def test_instance_config_file_overrides(tmp_path, monkeypatch, database_url):
    monkeypatch.setenv("KORERO_INSTANCE_PATH", str(tmp_path))
    (tmp_path / "config.py").write_text('BASE_URL = "https://from-instance-config.example"\n')
    app = create_app(TestConfig(database_url))
    assert app.config["BASE_URL"] == "https://from-instance-config.example"


def test_healthz_reports_an_unreachable_database(tmp_path, monkeypatch):
    monkeypatch.setenv("KORERO_INSTANCE_PATH", str(tmp_path))
    # Nothing listens on port 1: the connection is refused at once.
    broken = create_app(TestConfig("postgresql+psycopg://postgres@127.0.0.1:1/none"))
    response = broken.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.json["status"] == "error"
    assert response.json["database"].startswith("unreachable")


@pytest.fixture
def redis_client():
    client = redis.Redis.from_url(REDIS_TEST_URL)
    try:
        client.ping()
    except redis.exceptions.ConnectionError:
        pytest.skip("Redis is not running on 127.0.0.1:6379")
    client.flushdb()
    yield client
    client.flushdb()


def test_rate_limits_are_stored_in_redis_when_configured(tmp_path, monkeypatch, database_url,
                                                         redis_client):
    """Two app instances (two gunicorn workers, or two hosts) share one Redis-backed count."""
    monkeypatch.setenv("KORERO_INSTANCE_PATH", str(tmp_path))
    from flask import Flask

    from app.extensions import limiter

    config = TestConfig(database_url)
    config.RATELIMIT_STORAGE_URI = REDIS_TEST_URL
    app = create_app(config)
    assert "redis" in type(limiter.storage).__name__.lower()

    bucket = f"test-{uuid.uuid4().hex}"
    with app.test_request_context():
        for _ in range(3):
            assert limiter.limiter.hit(_limit("3/minute"), bucket)
        assert not limiter.limiter.hit(_limit("3/minute"), bucket)
    assert any(bucket.encode() in key for key in redis_client.keys("*"))
    assert isinstance(app, Flask)
    redis_client.flushdb()


def _limit(text: str):
    from limits import parse

    return parse(text)


@pytest.mark.parametrize("trusted, expected", [("0", "127.0.0.1"), ("1", "203.0.113.9")])
def test_forwarded_for_is_believed_only_behind_trusted_proxies(tmp_path, monkeypatch,
                                                               database_url, trusted, expected):
    """With no trusted proxy, a client cannot pick the address its rate limits count by."""
    monkeypatch.setenv("KORERO_INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("TRUSTED_PROXIES", trusted)
    from app.extensions import client_address

    app = create_app(TestConfig(database_url))
    seen = {}

    @app.before_request
    def _note_address():
        seen["address"] = client_address()

    app.test_client().get("/healthz", headers={"X-Forwarded-For": "203.0.113.9"},
                          environ_base={"REMOTE_ADDR": "127.0.0.1"})
    assert seen["address"] == expected


@pytest.mark.parametrize("env, redis_url, warned", [
    ("production", "", True),
    ("production", "redis://127.0.0.1:6379/13", False),
    ("development", "", False),
])
def test_production_without_redis_warns_about_per_worker_limits(tmp_path, monkeypatch, caplog,
                                                                database_url, env, redis_url,
                                                                warned):
    monkeypatch.setenv("KORERO_INSTANCE_PATH", str(tmp_path))
    config = TestConfig(database_url)
    config.KORERO_ENV = env
    config.RATELIMIT_STORAGE_URI = redis_url or "memory://"
    with caplog.at_level(logging.WARNING, logger="korero"):
        create_app(config)
    assert ("REDIS_URL is not set" in caplog.text) is warned


@pytest.mark.parametrize("time_cost, memory_cost, warned", [(1, 8, True), (2, 19456, False)])
def test_production_with_a_cheap_password_hash_warns(tmp_path, monkeypatch, caplog,
                                                     database_url, time_cost, memory_cost,
                                                     warned):
    monkeypatch.setenv("KORERO_INSTANCE_PATH", str(tmp_path))
    config = TestConfig(database_url)
    config.KORERO_ENV = "production"
    config.ARGON2_TIME_COST, config.ARGON2_MEMORY_COST = time_cost, memory_cost
    with caplog.at_level(logging.WARNING, logger="korero"):
        create_app(config)
    assert ("below OWASP's recommended argon2id cost" in caplog.text) is warned
