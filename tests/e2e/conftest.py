"""Browser tests: Kōrero served from a real server thread against a real, migrated and seeded
SQLite file, driven by Playwright in Debian's Chromium.

No browser installed: the tests are skipped with the reason, unless KORERO_REQUIRE_BROWSER=1
(CI), which turns that into a failure. `playwright install` is never needed (nor possible here):
CHROMIUM_PATH, or `chromium` on the PATH, is used.
"""
from __future__ import annotations

import os
import shutil
import threading
from dataclasses import dataclass

import pytest
from werkzeug.serving import make_server

from app import create_app
from app.config import TestConfig
from app.db import Session
from app.migrate import upgrade

DEMO_DOMAIN = "demo.korero.nz"
DEMO_PASSWORD = "korero-demo-2026"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


def demo_email(local_part: str) -> str:
    return f"{local_part}@{DEMO_DOMAIN}"


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/e2e/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    path = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium")
    if not path:
        reason = ("Chromium is not installed: `apt-get install -y chromium`, or set "
                  "CHROMIUM_PATH to a Chromium binary")
        if os.environ.get("KORERO_REQUIRE_BROWSER") == "1":
            pytest.fail(f"KORERO_REQUIRE_BROWSER=1 but {reason}")
        pytest.skip(reason)
    return {**browser_type_launch_args, "executable_path": path, "args": CHROMIUM_ARGS}


@dataclass
class LiveServer:
    url: str
    app: object
    engine: object


@pytest.fixture(scope="session")
def live_server(tmp_path_factory):
    """The app on 127.0.0.1:<free port>, on a fresh SQLite file seeded with the demo."""
    instance = tmp_path_factory.mktemp("e2e-instance")
    database_url = f"sqlite:///{instance / 'korero-e2e.sqlite3'}"
    upgrade(database_url)
    saved_env = os.environ.get("KORERO_INSTANCE_PATH")
    os.environ["KORERO_INSTANCE_PATH"] = str(instance)
    try:
        config = TestConfig(database_url)
    finally:
        if saved_env is None:
            os.environ.pop("KORERO_INSTANCE_PATH", None)
        else:
            os.environ["KORERO_INSTANCE_PATH"] = saved_env
    # Every journey signs in from 127.0.0.1: raise the per-address limits, for this app only
    # (RATELIMIT_ENABLED=False would switch off the one shared limiter for every app in the
    # process, and with it the rate-limit tests that run after these).
    from app.auth.views.helpers import LIMITS

    for name in LIMITS:
        setattr(config, name, "1000/minute")
    config.DEMO_PASSWORD = DEMO_PASSWORD
    config.MAIL_OUTBOX = str(instance / "outbox")
    app = create_app(config)
    engine = app.extensions["korero_engine"]

    from app.seed import seed_demo

    with app.app_context():
        seed_demo(Session(), password=DEMO_PASSWORD)
        Session.commit()
        Session.remove()

    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="korero-e2e", daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.server_port}"
    app.config["BASE_URL"] = url
    try:
        yield LiveServer(url=url, app=app, engine=engine)
    finally:
        server.shutdown()
        thread.join(timeout=10)
        engine.dispose()


@pytest.fixture(autouse=True)
def db_session(live_server):
    """Replaces the suite's rolled-back transaction: the browser talks to a real server whose
    requests commit for real. The shared Session is (re)bound to the live server's engine, in
    case tests that ran before rebound it."""
    Session.remove()
    Session.configure(bind=live_server.engine)  # an engine: no outer transaction to join
    yield Session
    Session.remove()


@pytest.fixture(scope="session")
def base_url(live_server):
    return live_server.url


@pytest.fixture
def sign_in(page):
    """sign_in("admin") signs the browser in as that demo account through the login form."""

    def do(local_part: str, password: str = DEMO_PASSWORD):
        # Start from no session at all: leave the current page first, so that no request still
        # in flight from it can set the previous person's session cookie again afterwards.
        page.goto("about:blank")
        page.context.clear_cookies()
        page.goto("/account/login")
        page.get_by_label("Email address").fill(demo_email(local_part))
        page.get_by_label("Password", exact=True).fill(password)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_load_state("load")
        return page

    return do
