"""Sending email: over SMTP when MAIL_SERVER is set, otherwise into an outbox folder.

In development (no MAIL_SERVER) every message is written to MAIL_OUTBOX (instance/outbox/ by
default) as a .eml file that any mail client opens, and the path is logged.
"""
from __future__ import annotations

import logging
import secrets
import smtplib
import ssl
import threading
import time
from collections.abc import Iterable
from email.message import EmailMessage
from email.utils import formatdate, make_msgid, parseaddr
from pathlib import Path

from flask import current_app

from app.db import utcnow

log = logging.getLogger("korero.mail")

SMTP_TIMEOUT_SECONDS = 20

# Threads of send_email_later still delivering, so wait_for_background_mail can join them.
_in_flight: set[threading.Thread] = set()
_in_flight_lock = threading.Lock()


def absolute_url(endpoint: str, **values) -> str:
    """An absolute link for an email, built from BASE_URL and never from the request's Host
    header (which whoever asked for the email controls)."""
    base = current_app.config["BASE_URL"].rstrip("/")
    # Only the path is used; binding needs a host name, which is thrown away.
    adapter = current_app.url_map.bind("localhost")
    return base + adapter.build(endpoint, values)


def build_message(to: str | Iterable[str], subject: str, text_body: str,
                  html_body: str | None = None, *, sender: str) -> EmailMessage:
    """A UTF-8 message with a plain-text body and, when given, an HTML alternative."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to if isinstance(to, str) else ", ".join(to)
    message["Subject"] = subject
    message["Date"] = formatdate(localtime=False)
    domain = parseaddr(sender)[1].rpartition("@")[2] or "korero.localhost"
    message["Message-ID"] = make_msgid(domain=domain)
    message.set_content(text_body, charset="utf-8")
    if html_body is not None:
        message.add_alternative(html_body, subtype="html", charset="utf-8")
    return message


def send_email(to: str | Iterable[str], subject: str, text_body: str,
               html_body: str | None = None) -> EmailMessage:
    """Send one message now. Raises smtplib.SMTPException or OSError when delivery fails."""
    config = current_app.config
    message = build_message(to, subject, text_body, html_body, sender=config["MAIL_FROM"])
    deliver(message, dict(config))
    return message


def deliver(message: EmailMessage, config: dict) -> None:
    """Hand MESSAGE to the SMTP server in CONFIG, or write it to the outbox folder."""
    if not config.get("MAIL_SERVER"):
        path = _write_to_outbox(message, Path(config["MAIL_OUTBOX"]))
        log.info("Email to %s written to %s (no MAIL_SERVER set)", message["To"], path)
        return
    server, port = config["MAIL_SERVER"], int(config["MAIL_PORT"])
    context = ssl.create_default_context()
    if config.get("MAIL_USE_SSL"):
        smtp: smtplib.SMTP = smtplib.SMTP_SSL(server, port, timeout=SMTP_TIMEOUT_SECONDS,
                                              context=context)
    else:
        smtp = smtplib.SMTP(server, port, timeout=SMTP_TIMEOUT_SECONDS)
    with smtp:
        if config.get("MAIL_USE_TLS") and not config.get("MAIL_USE_SSL"):
            smtp.starttls(context=context)
        if config.get("MAIL_USERNAME"):
            smtp.login(config["MAIL_USERNAME"], config.get("MAIL_PASSWORD", ""))
        smtp.send_message(message)
    log.info("Email to %s sent through %s:%s", message["To"], server, port)


def send_email_later(to: str | Iterable[str], subject: str, text_body: str,
                     html_body: str | None = None) -> threading.Thread:
    """Send in a background thread, so the response does not wait for the mail server.

    Used where the time a page takes must not reveal whether an email was sent (password
    reset). Failures are logged, never shown.
    """
    config = dict(current_app.config)
    message = build_message(to, subject, text_body, html_body, sender=config["MAIL_FROM"])

    def _run() -> None:
        try:
            deliver(message, config)
        except (smtplib.SMTPException, OSError):
            log.exception("Could not send email to %s", message["To"])
        finally:
            with _in_flight_lock:
                _in_flight.discard(threading.current_thread())

    thread = threading.Thread(target=_run, name="korero-mail", daemon=True)
    with _in_flight_lock:
        _in_flight.add(thread)
    try:
        thread.start()
    except RuntimeError:  # no thread could be started: do not leave it to be waited for
        with _in_flight_lock:
            _in_flight.discard(thread)
        raise
    return thread


def wait_for_background_mail(timeout: float | None = None) -> bool:
    """Wait until every email send_email_later started has been delivered (or has failed),
    at most TIMEOUT seconds (None: as long as it takes). True when none is still going.

    For tests, which join the threads instead of polling for the message, and for anything
    that must not stop while an email is half sent. The request that started the email never
    waits: that is what keeps its response time equal whether or not it sent one.
    """
    deadline = None if timeout is None else time.monotonic() + timeout
    while True:
        with _in_flight_lock:
            pending = list(_in_flight)
        if not pending:
            return True
        for thread in pending:  # then look again: an email may have started meanwhile
            remaining = None if deadline is None else max(0.0, deadline - time.monotonic())
            thread.join(remaining)
            if thread.is_alive():
                return False


def _write_to_outbox(message: EmailMessage, outbox: Path) -> Path:
    outbox.mkdir(parents=True, exist_ok=True)
    # Sorts by time in a folder listing; the random part keeps names unique.
    name = f"{utcnow():%Y%m%d-%H%M%S}-{secrets.token_hex(4)}.eml"
    path = outbox / name
    path.write_bytes(bytes(message))
    return path
