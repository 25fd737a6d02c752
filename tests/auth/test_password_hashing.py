"""Password hashing: argon2id at OWASP's recommended cost in production, at argon2's cheapest
under TestConfig (so the suite spends no minutes hashing), and settable from the environment."""
from __future__ import annotations

from argon2 import Type, extract_parameters
from conftest import DEFAULT_PASSWORD

from app.auth.passwords import (
    OWASP_ARGON2ID_MINIMUMS,
    hash_password,
    meets_owasp_minimum,
    needs_rehash,
    verify_password,
)
from app.config import ARGON2_DEFAULTS, Config, TestConfig


def test_production_defaults_are_argon2id_at_owasp_cost(monkeypatch, tmp_path):
    monkeypatch.setenv("KORERO_INSTANCE_PATH", str(tmp_path))
    for name in ARGON2_DEFAULTS:
        monkeypatch.delenv(name, raising=False)
    config = Config()
    # Outside an app the production defaults apply; a hash records what made it.
    made = extract_parameters(hash_password(DEFAULT_PASSWORD))
    assert made.type is Type.ID
    assert (made.time_cost, made.memory_cost, made.parallelism) == (
        config.ARGON2_TIME_COST, config.ARGON2_MEMORY_COST, config.ARGON2_PARALLELISM) == (
        3, 64 * 1024, 4)
    assert meets_owasp_minimum(made.time_cost, made.memory_cost)
    assert made.salt_len >= 16 and made.hash_len >= 32


def test_owasp_minimums_are_the_cheat_sheets_table():
    assert OWASP_ARGON2ID_MINIMUMS[1] == (19 * 1024, 2)  # the cheat sheet's first choice
    assert meets_owasp_minimum(2, 19 * 1024)
    assert not meets_owasp_minimum(1, 19 * 1024)
    assert not meets_owasp_minimum(5, 7 * 1024 - 1)


def test_the_test_configuration_hashes_at_argon2s_cheapest(app):
    config = TestConfig("sqlite://")
    assert (config.ARGON2_TIME_COST, config.ARGON2_MEMORY_COST, config.ARGON2_PARALLELISM) == (
        1, 8, 1)
    with app.app_context():
        password_hash = hash_password(DEFAULT_PASSWORD)
        made = extract_parameters(password_hash)
        assert (made.type, made.time_cost, made.memory_cost, made.parallelism) == (
            Type.ID, 1, 8, 1)
        assert verify_password(password_hash, DEFAULT_PASSWORD)
        assert not verify_password(password_hash, DEFAULT_PASSWORD + "!")
        assert not needs_rehash(password_hash)
    # Under production settings the same hash is upgraded at the next sign-in.
    assert needs_rehash(password_hash)
    assert not meets_owasp_minimum(made.time_cost, made.memory_cost)


def test_the_cost_can_be_set_from_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("KORERO_INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("ARGON2_TIME_COST", "2")
    monkeypatch.setenv("ARGON2_MEMORY_COST", "19456")
    monkeypatch.setenv("ARGON2_PARALLELISM", "1")
    config = Config()
    assert (config.ARGON2_TIME_COST, config.ARGON2_MEMORY_COST, config.ARGON2_PARALLELISM) == (
        2, 19456, 1)
