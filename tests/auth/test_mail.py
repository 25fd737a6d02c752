"""app.mail: real SMTP delivery, UTF-8 throughout, and the development outbox."""
from __future__ import annotations

import logging
import smtplib
import socket

import pytest
from conftest import Mailbox

from app.mail import absolute_url, send_email, send_email_later, wait_for_background_mail


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
    assert smtp_server.delivered() == []


def test_ssl_mode_speaks_tls_from_the_first_byte(app, smtp_server, monkeypatch):
    monkeypatch.setitem(app.config, "MAIL_USE_SSL", True)
    with app.app_context(), pytest.raises(OSError):  # ssl.SSLError: the server is plain
        send_email("hine@example.org", "Secret", "Not in clear text")
    assert smtp_server.delivered() == []


def test_background_mail_is_joined_not_polled(app, smtp_server):
    with app.app_context():
        thread = send_email_later("hine@example.org", "Later", "Sent from a thread")
    assert wait_for_background_mail(5.0) and not thread.is_alive()
    [message] = smtp_server.messages  # already there: nothing to wait for
    assert message["Subject"] == "Later"


def test_waiting_for_background_mail_gives_up_after_its_timeout(app, monkeypatch, caplog):
    # A server that accepts the connection and never greets: the send hangs until it closes.
    with socket.create_server(("127.0.0.1", 0)) as silent:
        monkeypatch.setitem(app.config, "MAIL_SERVER", "127.0.0.1")
        monkeypatch.setitem(app.config, "MAIL_PORT", silent.getsockname()[1])
        with app.app_context():
            thread = send_email_later("hine@example.org", "Stuck", "Never greeted")
        connection, _ = silent.accept()
        assert wait_for_background_mail(0.2) is False and thread.is_alive()
        connection.close()
    with caplog.at_level(logging.ERROR, logger="korero.mail"):
        assert wait_for_background_mail(5.0) is True
    assert not thread.is_alive()
    assert "Could not send email to hine@example.org" in caplog.text
