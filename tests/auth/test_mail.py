"""app.mail: real SMTP delivery, UTF-8 throughout, and the development outbox."""
from __future__ import annotations

import logging
import smtplib

import pytest
from conftest import Mailbox

from app.mail import absolute_url, send_email


def test_email_goes_over_smtp_with_macrons_intact(app, smtp_server):
    with app.app_context():
        send_email("hine@example.org", "Kia ora: your Kōrero invitation",
                   "Tēnā koe, Hine.\nNgā mihi.", "<p>Tēnā koe, <b>Hine</b>.</p>")
    [message] = smtp_server.wait_for(1)
    assert message["Subject"] == "Kia ora: your Kōrero invitation"
    assert message["To"] == "hine@example.org"
    assert "Kōrero" in str(message["From"])
    assert message["Message-ID"] and message["Date"]
    assert Mailbox.body_of(message).splitlines() == ["Tēnā koe, Hine.", "Ngā mihi."]
    html = message.get_body(preferencelist=("html",))
    assert html.get_content_charset() == "utf-8"
    assert "<b>Hine</b>" in html.get_content()


def test_several_recipients(app, smtp_server):
    with app.app_context():
        send_email(["a@example.org", "b@example.org"], "Hello", "Body")
    [message] = smtp_server.wait_for(1)
    assert message["To"] == "a@example.org, b@example.org"


def test_without_a_mail_server_messages_go_to_the_outbox(app, outbox, caplog):
    with app.app_context(), caplog.at_level(logging.INFO, logger="korero.mail"):
        send_email("hine@example.org", "Whakamātautau", "Kei te pēhea koe?")
    [path] = list(outbox.path.glob("*.eml"))
    assert str(path) in caplog.text
    [message] = outbox.messages()
    assert message["Subject"] == "Whakamātautau"
    assert Mailbox.body_of(message).strip() == "Kei te pēhea koe?"


def test_links_use_base_url_even_inside_a_request_from_another_host(app):
    with app.test_request_context("/", base_url="http://evil.example"):
        link = absolute_url("auth.reset_password", token="abc")
    assert link == app.config["BASE_URL"] + "/account/reset-password/abc"


def test_required_starttls_is_never_skipped(app, smtp_server, monkeypatch):
    # The test server offers no STARTTLS: with MAIL_USE_TLS the message must not go in clear.
    monkeypatch.setitem(app.config, "MAIL_USE_TLS", True)
    with app.app_context(), pytest.raises(smtplib.SMTPNotSupportedError):
        send_email("hine@example.org", "Secret", "Not in clear text")
    assert smtp_server.wait_for(1, timeout=0.3) == []


def test_ssl_mode_speaks_tls_from_the_first_byte(app, smtp_server, monkeypatch):
    monkeypatch.setitem(app.config, "MAIL_USE_SSL", True)
    with app.app_context(), pytest.raises(OSError):  # ssl.SSLError: the server is plain
        send_email("hine@example.org", "Secret", "Not in clear text")
    assert smtp_server.wait_for(1, timeout=0.3) == []
