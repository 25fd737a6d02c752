"""Test fixtures: a real database (SQLite file, or PostgreSQL from TEST_DATABASE_URL), one
transaction per test rolled back at the end, callable factories, a login helper and a real
SMTP server.
"""
from __future__ import annotations

import email
import email.policy
import os
import time
from dataclasses import dataclass, field
from datetime import timedelta

import pytest
from hypothesis import HealthCheck, settings
from sqlalchemy import create_engine, text

from app import create_app
from app.auth.passwords import hasher_for
from app.config import TestConfig
from app.db import Session, utcnow
from app.extensions import limiter
from app.mail import wait_for_background_mail
from app.migrate import upgrade
from app.models import Consultation, Membership, Organisation, User, UserRole
from tests.worker_support import free_port

DEFAULT_PASSWORD = "correct horse battery staple"

# Property tests check what holds, not how fast: on a busy 2-core machine running the suite on
# two workers an example can take longer than hypothesis's default 200 ms, which would fail a
# correct property. Every example still runs.
settings.register_profile("korero", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("korero")


def _reset_database(url: str) -> None:
    """Start each test run from an empty database, then migrate it to head."""
    if url.startswith("postgresql"):
        engine = create_engine(url)
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
        engine.dispose()
    elif url.startswith("sqlite:///"):
        path = url.removeprefix("sqlite:///")
        for suffix in ("", "-wal", "-shm"):
            if os.path.exists(path + suffix):
                os.remove(path + suffix)
    upgrade(url)


def _database_of_this_worker(url: str) -> str:
    """Under pytest-xdist each worker needs its own PostgreSQL database (SQLite files are
    already per worker, in each worker's own temporary folder): `test` becomes `test_gw0`,
    `test_gw1`, ..., created beside it on first use."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not worker or not url.startswith("postgresql"):
        return url
    server, _, name = url.rpartition("/")
    own_name = f"{name}_{worker}"
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        exists = conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :name"),
                              {"name": own_name}).scalar()
        if not exists:
            conn.execute(text(f'CREATE DATABASE "{own_name}"'))
    engine.dispose()
    return f"{server}/{own_name}"


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> str:
    url = os.environ.get("TEST_DATABASE_URL") or (
        f"sqlite:///{tmp_path_factory.mktemp('db') / 'korero-test.sqlite3'}"
    )
    url = _database_of_this_worker(url)
    _reset_database(url)
    return url


@pytest.fixture(scope="session")
def app(database_url, tmp_path_factory):
    os.environ["KORERO_INSTANCE_PATH"] = str(tmp_path_factory.mktemp("instance"))
    config = TestConfig(database_url)
    config.MAIL_OUTBOX = str(tmp_path_factory.mktemp("outbox"))
    return create_app(config)


@pytest.fixture(autouse=True)
def db_session(app):
    """Every test runs inside one outer transaction that is rolled back afterwards.

    Views still call Session.commit(); with create_savepoint those commits release savepoints
    inside the outer transaction, so nothing a test does survives it.
    """
    engine = app.extensions["korero_engine"]
    connection = engine.connect()
    outer = connection.begin()
    Session.remove()
    Session.configure(bind=connection, join_transaction_mode="create_savepoint")
    limiter.reset()
    try:
        yield Session
    finally:
        Session.remove()
        outer.rollback()
        connection.close()
        Session.configure(bind=engine)


@pytest.fixture
def client(app):
    return app.test_client()


# ---------------------------------------------------------------- factories


def _hashed(app, password: str) -> str:
    # Under TestConfig's ARGON2_* settings: argon2id at its cheapest, microseconds a hash. (No
    # app context: leaving one ends the test's Session, detaching what the test made.)
    return hasher_for(app.config).hash(password)


@pytest.fixture
def make_org(db_session):
    counter = iter(range(1, 10_000))

    def factory(name: str | None = None, stakeholder_group: str = "ngo") -> Organisation:
        org = Organisation(name=name or f"Organisation {next(counter)}",
                           stakeholder_group=stakeholder_group)
        Session.add(org)
        Session.commit()  # releases a savepoint: survives the next request's Session.remove()
        return org

    return factory


@pytest.fixture
def make_user(app, db_session):
    counter = iter(range(1, 10_000))

    def factory(*roles: str, email: str | None = None, password: str = DEFAULT_PASSWORD,
                org: Organisation | None = None, is_demo: bool = False,
                with_two_factor: bool | None = None, is_enabled: bool = True) -> User:
        roles = roles or ("participant",)
        n = next(counter)
        user = User(
            email=email or f"{'-'.join(roles)}{n}@example.test",
            display_name=f"{roles[0].title()} {n}",
            password_hash=_hashed(app, password),
            is_demo=is_demo,
            is_enabled=is_enabled,
        )
        user.role_rows = [UserRole(role=r) for r in roles]
        if org is not None:
            user.memberships = [Membership(organisation=org)]
        # Staff must have two-factor set up to reach anything; give it to them by default.
        if with_two_factor is None:
            with_two_factor = user.must_use_two_factor
        if with_two_factor:
            import pyotp

            user.totp_secret = pyotp.random_base32()
            user.totp_enabled_at = utcnow()
        Session.add(user)
        Session.commit()  # releases a savepoint: survives the next request's Session.remove()
        return user

    return factory


@pytest.fixture
def make_consultation(db_session):
    counter = iter(range(1, 10_000))

    def factory(title: str = "Data protection and use policy", status: str = "open",
                opens_in_days: int = -1, closes_in_days: int = 30, summary: str = "") -> Consultation:
        from app.sanitize import markdown_to_html

        now = utcnow()
        consultation = Consultation(
            slug=f"consultation-{next(counter)}", title=title, summary=summary,
            summary_html=markdown_to_html(summary), status=status,
            opens_at=now + timedelta(days=opens_in_days),
            closes_at=now + timedelta(days=closes_in_days),
        )
        Session.add(consultation)
        Session.commit()  # releases a savepoint: survives the next request's Session.remove()
        return consultation

    return factory


# ---------------------------------------------------------------- an app with a sample package


@pytest.fixture
def sample_app(database_url):
    """A separate app with the sample package; the shared Session goes back to the test's
    transaction afterwards (create_app binds it to the new app's engine)."""
    saved_bind = dict(Session.session_factory.kw)
    config = TestConfig(database_url)
    config.EXTRA_PACKAGES = ["sample_package:register"]
    app = create_app(config)
    Session.remove()
    Session.configure(**saved_bind)
    import sample_package

    sample_package.CALLS.clear()
    yield app
    app.extensions["korero_engine"].dispose()



# ---------------------------------------------------------------- signing in


class AuthActions:
    """`auth.login(user)` signs the test client in as USER without the login form (tests of
    the login form itself use `auth.login_with_form`)."""

    def __init__(self, client):
        self._client = client

    def login(self, user: User) -> User:
        # Commit (= release this test's savepoint): a request context's teardown calls
        # Session.remove(), which would otherwise roll back whatever the test only flushed.
        Session.commit()
        with self._client.session_transaction() as sess:
            sess.clear()
            sess["_user_id"] = user.get_id()
            sess["_fresh"] = True
            sess["last_active"] = time.time()
        return user

    def login_with_form(self, email: str, password: str = DEFAULT_PASSWORD, **extra):
        page = self._client.get("/account/login")
        assert page.status_code == 200
        return self._client.post(
            "/account/login",
            data={"email": email, "password": password,
                  "csrf_token": csrf_token_from(page.get_data(as_text=True)), **extra},
        )

    def logout(self):
        page = self._client.get("/account")
        return self._client.post("/account/logout",
                                 data={"csrf_token": csrf_token_from(page.get_data(as_text=True))})


@pytest.fixture
def auth(client):
    return AuthActions(client)


def csrf_token_from(html: str) -> str:
    """The CSRF token from the first form on a rendered page."""
    import re

    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)
    assert match, "no csrf_token on the page"
    return match.group(1)


@pytest.fixture
def csrf_token():
    return csrf_token_from


# ---------------------------------------------------------------- a real SMTP server


@dataclass
class Mailbox:
    messages: list = field(default_factory=list)

    async def handle_DATA(self, server, session, envelope):  # aiosmtpd handler hook
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.messages.append(message)
        return "250 Message accepted for delivery"

    def delivered(self, timeout: float = 5.0) -> list:
        """Every message received once the emails sent in the background have been delivered:
        their threads are joined (app.mail tracks them), nothing is polled. Use it to check
        that no (further) email was sent."""
        assert wait_for_background_mail(timeout), f"an email was still being sent after {timeout} s"
        return self.messages

    def wait_for(self, count: int = 1, timeout: float = 5.0) -> list:
        """The messages received, once at least COUNT have arrived. Background emails are
        joined; only mail from somewhere app.mail does not track (another process) is polled
        for, until TIMEOUT."""
        deadline = time.monotonic() + timeout
        self.delivered(timeout)
        while len(self.messages) < count and time.monotonic() < deadline:
            time.sleep(0.02)
        return self.messages

    @staticmethod
    def body_of(message) -> str:
        part = message.get_body(preferencelist=("plain", "html"))
        return part.get_content() if part else ""


@pytest.fixture
def smtp_server(app):
    """A real local SMTP server; the app sends mail to it for the duration of the test."""
    from aiosmtpd.controller import Controller

    mailbox = Mailbox()
    port = free_port()
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    saved = {k: app.config[k] for k in ("MAIL_SERVER", "MAIL_PORT")}
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port)
    try:
        yield mailbox
    finally:
        app.config.update(saved)
        controller.stop()


# ---------------------------------------------------------------- governance groups


@pytest.fixture
def make_group(db_session):
    """make_group(name=None, kind="iwi"): a governance group (no kaitiaki)."""
    from itertools import count

    from app.governance.models import GovernanceGroup

    names = count(1)

    def factory(name=None, kind="iwi"):
        group = GovernanceGroup(name=name or f"Governance group {next(names)}", kind=kind)
        Session.add(group)
        Session.flush()
        return group

    return factory


@pytest.fixture
def governed_group(make_group, make_user):
    """make_group() with one kaitiaki of its own."""

    def factory(kind="iwi"):
        group = make_group(kind=kind)
        group.kaitiaki.append(make_user("kaitiaki"))
        Session.flush()
        return group

    return factory
