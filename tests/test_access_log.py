"""The access log never shows an invitation, password-reset or registration token: Kōrero served by gunicorn
exactly as `make run` serves it (gunicorn.conf.py), real requests, the real log file read back."""
from __future__ import annotations

import os
import re
import secrets
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from app.logging_setup import contains_secret, redact_secrets
from app.migrate import upgrade

ROOT = Path(__file__).resolve().parent.parent


def _token() -> str:
    # The shape of an itsdangerous token: letters, digits, - _ and dots.
    return f"{secrets.token_urlsafe(16)}.{secrets.token_urlsafe(6)}.{secrets.token_urlsafe(20)}"


def _wait_for(predicate, seconds: float, what: str):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = predicate()
        if found:
            return found
        time.sleep(0.05)
    pytest.fail(f"timed out waiting for {what}")


def _get(url: str, headers: dict | None = None) -> int:
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


@pytest.fixture
def gunicorn_server(tmp_path):
    """gunicorn with gunicorn.conf.py on a free port and a fresh SQLite file:
    (base url, access log path, error log path)."""
    database_url = f"sqlite:///{tmp_path / 'korero.sqlite3'}"
    upgrade(database_url)
    access_log, error_log = tmp_path / "access.log", tmp_path / "error.log"
    env = {key: value for key, value in os.environ.items()
           if key not in {"REDIS_URL", "MAIL_SERVER", "TEST_DATABASE_URL", "TRUSTED_PROXIES"}}
    env.update(DATABASE_URL=database_url, KORERO_INSTANCE_PATH=str(tmp_path),
               SECRET_KEY="access-log-test-" + secrets.token_hex(8), LOG_LEVEL="INFO")
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "--workers", "1",
         "--bind", "127.0.0.1:0", "--access-logfile", str(access_log),
         "--error-logfile", str(error_log), "app:create_app()"],
        cwd=ROOT, env=env, start_new_session=True,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        def listening():
            if process.poll() is not None:
                pytest.fail("gunicorn exited:\n" + (error_log.read_text() if error_log.exists()
                                                     else "(no error log)"))
            text = error_log.read_text() if error_log.exists() else ""
            match = re.search(r"Listening at: http://127\.0\.0\.1:(\d+)", text)
            return match and match.group(1)

        port = _wait_for(listening, 30, "gunicorn to listen")
        base_url = f"http://127.0.0.1:{port}"
        _wait_for(lambda: _get(f"{base_url}/healthz") == 200, 30, "the app to answer /healthz")
        yield base_url, access_log, error_log
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


def test_tokens_never_reach_the_access_log(gunicorn_server):
    base_url, access_log, error_log = gunicorn_server
    invitation, reset, in_next, encoded = _token(), _token(), _token(), _token()
    registration = _token()
    _get(f"{base_url}/account/invitation/{invitation}")
    # The page's stylesheet: gunicorn's default format prints its Referer, the page's address.
    assert _get(f"{base_url}/static/css/korero.css",
                {"Referer": f"{base_url}/account/invitation/{invitation}"}) == 200
    _get(f"{base_url}/account/reset-password/{reset}")
    _get(f"{base_url}/static/css/korero.css",
         {"Referer": f"{base_url}/account/reset-password/{reset}"})
    # Signing in first sends people to /account/login?next=<the invitation's path>.
    _get(f"{base_url}/account/login?next=%2Faccount%2Finvitation%2F{in_next}")
    _get(f"{base_url}/account/%69nvitation/{encoded}")
    _get(f"{base_url}/account/register/{registration}")
    _get(f"{base_url}/static/css/korero.css",
         {"Referer": f"{base_url}/account/register/{registration}"})
    _get(f"{base_url}/healthz?marker=done")

    log = _wait_for(lambda: "marker=done" in access_log.read_text() and access_log.read_text(),
                    10, "the access log to be written")
    for token in (invitation, reset, in_next, encoded, registration):
        assert token not in log, log
        assert token not in error_log.read_text()
    lines = log.splitlines()
    assert any('"GET /account/invitation/[redacted] HTTP/1.1" 404' in line for line in lines), log
    assert any('"GET /account/reset-password/[redacted] HTTP/1.1"' in line for line in lines), log
    assert sum(f'"{base_url}/account/invitation/[redacted]"' in line for line in lines) == 1, log
    assert sum(f'"{base_url}/account/reset-password/[redacted]"' in line
               for line in lines) == 1, log
    assert any("next=/account/invitation/[redacted]" in line for line in lines), log
    # Registration is closed on a fresh site, so the link answers 404; still redacted.
    assert any('"GET /account/register/[redacted] HTTP/1.1" 404' in line for line in lines), log
    assert sum(f'"{base_url}/account/register/[redacted]"' in line for line in lines) == 1, log
    # Everything else is logged as it was.
    assert any('"GET /healthz?marker=done HTTP/1.1" 200' in line for line in lines), log


def test_make_run_serves_with_the_redacting_config():
    makefile = (ROOT / "Makefile").read_text()
    recipe = makefile.split("\nrun:", 1)[1].split("\n\n", 1)[0]
    [command] = [line for line in recipe.splitlines() if "gunicorn " in line]
    assert "-c gunicorn.conf.py" in command


@pytest.mark.parametrize("text, expected", [
    ("GET /account/invitation/abc.DEF-1_2 HTTP/1.1",
     "GET /account/invitation/[redacted] HTTP/1.1"),
    ("https://consult.example.nz/account/reset-password/abc?x=1",
     "https://consult.example.nz/account/reset-password/[redacted]?x=1"),
    ("/account/login?next=%2Faccount%2Finvitation%2Fabc",
     "/account/login?next=/account/invitation/[redacted]"),
    ("/account/login?next=%252Faccount%252Freset-password%252Fabc",
     "/account/login?next=/account/reset-password/[redacted]"),
    ("GET //account//invitation/abc HTTP/1.1", "GET //account//invitation/[redacted] HTTP/1.1"),
    ("GET /account/register/eyJlbWFpbCI6ImEifQ.aBc.dEf HTTP/1.1",
     "GET /account/register/[redacted] HTTP/1.1"),
    ("https://consult.example.nz/account/register/abc",
     "https://consult.example.nz/account/register/[redacted]"),
    ("/account/login?next=%2Faccount%2Fregister%2Fabc",
     "/account/login?next=/account/register/[redacted]"),
    ("GET /account/register HTTP/1.1", "GET /account/register HTTP/1.1"),
    ("POST /account/register?x=1 HTTP/1.1", "POST /account/register?x=1 HTTP/1.1"),
    ("GET /account/invitations HTTP/1.1", "GET /account/invitations HTTP/1.1"),
    ("GET /admin/invitations?page=2%2F3 HTTP/1.1", "GET /admin/invitations?page=2%2F3 HTTP/1.1"),
    ("-", "-"),
    (None, None),
    (200, 200),
])
def test_redact_secrets(text, expected):
    assert redact_secrets(text) == expected
    if isinstance(text, str):
        assert contains_secret(text) == (text != expected)
