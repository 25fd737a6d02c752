"""Fixtures for the account tests: posting forms, TOTP codes, audit rows and the outbox."""
from __future__ import annotations

import email
import email.policy
import time
from pathlib import Path

import pyotp
import pytest
from sqlalchemy import select

from app.db import Session
from app.models import SiteSetting
from app.privacy.models import AuditEvent


@pytest.fixture
def post_form(client, csrf_token):
    """post_form(url, data): load the page (or PAGE_URL) for its CSRF token, then post DATA.

    Extra keyword arguments (headers, environ_base, follow_redirects) go to the POST."""

    def post(url: str, data: dict | None = None, *, page_url: str | None = None,
             on=None, **kwargs):
        browser = on or client
        page = browser.get(page_url or url)
        token = csrf_token(page.get_data(as_text=True))
        return browser.post(url, data={**(data or {}), "csrf_token": token}, **kwargs)

    return post


@pytest.fixture
def totp_code():
    """totp_code(user_or_secret, steps=0): the code for now (+STEPS time steps)."""

    def code(user_or_secret, steps: int = 0) -> str:
        secret = getattr(user_or_secret, "totp_secret", user_or_secret)
        totp = pyotp.TOTP(secret)
        return totp.generate_otp(int(time.time() // totp.interval) + steps)

    return code


@pytest.fixture
def audit_events():
    """audit_events(action): the audit rows with ACTION, oldest first."""

    def events(action: str) -> list[AuditEvent]:
        Session.expire_all()
        return list(Session.scalars(select(AuditEvent).where(AuditEvent.action == action)
                                    .order_by(AuditEvent.id)))

    return events


@pytest.fixture
def outbox(app, tmp_path, monkeypatch):
    """The development outbox (no MAIL_SERVER): a fresh folder; .messages() parses it."""
    folder = tmp_path / "outbox"
    monkeypatch.setitem(app.config, "MAIL_OUTBOX", str(folder))
    monkeypatch.setitem(app.config, "MAIL_SERVER", "")

    class Outbox:
        path = folder

        @staticmethod
        def messages() -> list:
            if not folder.exists():
                return []
            return [email.message_from_bytes(p.read_bytes(), policy=email.policy.default)
                    for p in sorted(Path(folder).glob("*.eml"))]

    return Outbox()


@pytest.fixture
def open_registration(db_session):
    Session.merge(SiteSetting(key="self_registration_open", value="yes"))
    Session.commit()


@pytest.fixture
def app_context(app):
    """For calling operations directly, outside a request (as the CLI does)."""
    with app.app_context():
        yield
