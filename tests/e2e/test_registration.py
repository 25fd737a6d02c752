"""Self-registration in a real browser, with axe-core on each of its pages: ask for a link, find
it in the outbox, choose a password (a weak one first), arrive signed in; the link then says the
account exists. Registration is opened for this test only."""
from __future__ import annotations

import email
import email.policy
import re
import secrets
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from app.db import Session
from app.mail import wait_for_background_mail
from app.models import SiteSetting

PASSWORD = "kōwhai flowers along the riverbank"


@pytest.fixture
def open_registration():
    Session.merge(SiteSetting(key="self_registration_open", value="yes"))
    Session.commit()
    yield
    Session.merge(SiteSetting(key="self_registration_open", value="no"))
    Session.commit()


def _registration_link(outbox: Path, address: str, timeout: float = 5.0) -> str:
    """The link in the email to ADDRESS (sent in a background thread of the server, which
    runs in this process: join it)."""
    assert wait_for_background_mail(timeout), f"the email was still being sent after {timeout} s"
    for path in sorted(outbox.glob("*.eml")) if outbox.exists() else []:
        message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        if message["To"] == address:
            body = message.get_body(preferencelist=("plain",)).get_content()
            return re.search(r"https?://\S+", body).group(0)
    pytest.fail(f"no email to {address} in {outbox}")


def _assert_axe_passes(page, axe: Axe) -> None:
    violations = axe.run(page).response["violations"]
    assert not violations, [(v["id"], v["help"]) for v in violations]


@pytest.mark.usefixtures("open_registration")
def test_registering_through_the_emailed_link(page, live_server):
    axe = Axe()
    address = f"e2e-{secrets.token_hex(4)}@example.org"
    page.goto("/account/register")
    _assert_axe_passes(page, axe)
    page.get_by_label("Your name").fill("Aroha Ngata")
    page.get_by_label("Email address").fill(address)
    page.get_by_role("button", name="Email me a link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your email")
    _assert_axe_passes(page, axe)

    link = _registration_link(Path(live_server.app.config["MAIL_OUTBOX"]), address)
    assert link.startswith(live_server.url + "/account/register/")
    page.goto(link)
    expect(page.get_by_role("heading", level=1)).to_have_text("Finish creating your account")
    expect(page.get_by_label("Your name")).to_have_value("Aroha Ngata")
    _assert_axe_passes(page, axe)

    page.get_by_label("Password", exact=True).fill("short")
    page.get_by_label("Type the password again").fill("short")
    page.get_by_role("button", name="Create my account").click()
    expect(page.get_by_role("alert")).to_be_visible()
    expect(page.get_by_label("Your name")).to_have_value("Aroha Ngata")
    _assert_axe_passes(page, axe)

    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Type the password again").fill(PASSWORD)
    page.get_by_role("button", name="Create my account").click()
    expect(page.get_by_text("Your account is ready")).to_be_visible()
    expect(page.get_by_role("navigation", name="Main")
           .get_by_role("link", name="Sign in")).to_have_count(0)

    # Leave the page first, so no request still in flight from it sets the session again.
    page.goto("about:blank")
    page.context.clear_cookies()
    page.goto(link)
    expect(page.get_by_role("heading", level=1)).to_have_text("This account already exists")
    _assert_axe_passes(page, axe)
    page.goto("/account/register/not-a-real-link")
    expect(page.get_by_role("heading", level=1)).to_have_text("This link cannot be used")
    _assert_axe_passes(page, axe)
