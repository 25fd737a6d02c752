"""Sending email: over SMTP when MAIL_SERVER is set, otherwise into an outbox folder.

In development (no MAIL_SERVER) every message is written to MAIL_OUTBOX (instance/outbox/ by
default) as a .eml file that any mail client opens, and the path is logged.

Attachments (app.mail.Attachment) are sent as files, except a calendar invitation
(mimetype "text/calendar; method=..."), which follows iMIP (RFC 6047) the way Google Calendar
and Outlook send one, so every calendar client offers Accept/Decline:

    multipart/mixed
      multipart/alternative
        text/plain                                    the message
        text/html                                     (when given)
        text/calendar; method=REQUEST; charset=utf-8  the invitation, read by calendar clients
      application/ics; name=invite.ics               the same file, for clients that only
                                                      offer attachments
"""
from __future__ import annotations

import logging
import os
import secrets
import smtplib
import ssl
import threading
import time
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid, parseaddr
from pathlib import Path

from flask import current_app

from app.db import Session, utcnow

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


@dataclass(frozen=True)
class Attachment:
    """A file to send with an email. FILENAME may hold any letters (it is sent RFC 2231
    encoded); folders and control characters are dropped from it. MIMETYPE may carry
    parameters: "text/calendar; method=REQUEST" makes a calendar invitation (see above)."""

    filename: str
    content: bytes
    mimetype: str = "application/octet-stream"

    def __post_init__(self) -> None:
        if not isinstance(self.content, bytes):
            raise TypeError("Attachment content must be bytes")
        # Only the last path part, without control characters (they could break the header).
        name = self.filename.replace("\\", "/").rpartition("/")[2]
        name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C").strip()
        if not name or name in {".", ".."}:
            raise ValueError(f"unusable attachment filename {self.filename!r}")
        object.__setattr__(self, "filename", name)

    @property
    def content_type(self) -> tuple[str, str]:
        maintype, _, subtype = self.mimetype.split(";")[0].strip().lower().partition("/")
        if not maintype or not subtype:
            raise ValueError(f"not a MIME type: {self.mimetype!r}")
        return maintype, subtype

    @property
    def params(self) -> dict[str, str]:
        """The MIME type's parameters, names lower-cased: {"method": "REQUEST"}."""
        found = {}
        for part in self.mimetype.split(";")[1:]:
            name, _, value = part.partition("=")
            if name.strip():
                found[name.strip().lower()] = value.strip().strip('"')
        return found

    @property
    def is_calendar_invitation(self) -> bool:
        return self.content_type == ("text", "calendar") and "method" in self.params


def _calendar_method(attachment: Attachment) -> str:
    """The iMIP method, checked against the file: RFC 6047 section 2.4 requires the
    Content-Type's method to be the METHOD property of the iCalendar object."""
    method = attachment.params["method"].upper()
    text = attachment.content.decode("utf-8")
    declared = {line.partition(":")[2].strip().upper() for line in text.splitlines()
                if line.upper().startswith("METHOD:")}
    if declared != {method}:
        raise ValueError(f"{attachment.filename}: the Content-Type says method={method} but "
                         f"the calendar's METHOD is {', '.join(sorted(declared)) or 'missing'}")
    return method


def _attach(message: EmailMessage, attachments: Sequence[Attachment]) -> None:
    # Every alternative goes in before the first file: EmailMessage turns the message into
    # multipart/mixed on the first add_attachment, after which alternatives cannot be added.
    for attachment in attachments:
        if attachment.is_calendar_invitation:
            method = _calendar_method(attachment)
            # base64 keeps the file byte for byte (iCalendar lines end in CRLF and may be
            # longer than email allows): quoted-printable or 8bit would rewrite them.
            message.add_alternative(attachment.content, maintype="text", subtype="calendar",
                                    cte="base64", params={"method": method,
                                                          "charset": "utf-8"})
    for attachment in attachments:
        if attachment.is_calendar_invitation:
            message.add_attachment(attachment.content, maintype="application", subtype="ics",
                                   filename=attachment.filename)
            continue
        maintype, subtype = attachment.content_type
        params = {k: v for k, v in attachment.params.items() if k != "name"}
        message.add_attachment(attachment.content, maintype=maintype, subtype=subtype,
                               filename=attachment.filename, params=params or None)


def build_message(to: str | Iterable[str], subject: str, text_body: str,
                  html_body: str | None = None, *, sender: str,
                  attachments: Sequence[Attachment] = ()) -> EmailMessage:
    """A UTF-8 message with a plain-text body, an HTML alternative when given, and
    ATTACHMENTS (a calendar invitation as an alternative as well as a file)."""
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
    _attach(message, attachments)
    return message


def send_email(to: str | Iterable[str], subject: str, text_body: str,
               html_body: str | None = None, *,
               attachments: Sequence[Attachment] = ()) -> EmailMessage:
    """Send one message now. Raises smtplib.SMTPException or OSError when delivery fails."""
    config = current_app.config
    message = build_message(to, subject, text_body, html_body, sender=config["MAIL_FROM"],
                            attachments=attachments)
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
                     html_body: str | None = None, *,
                     attachments: Sequence[Attachment] = ()) -> threading.Thread:
    """Send in a background thread, so the response does not wait for the mail server.

    Used where the time a page takes must not reveal whether an email was sent (password
    reset). Failures are logged, never shown.
    """
    config = dict(current_app.config)
    message = build_message(to, subject, text_body, html_body, sender=config["MAIL_FROM"],
                            attachments=attachments)

    def _run() -> None:
        try:
            deliver(message, config)
        except (smtplib.SMTPException, OSError):
            log.exception("Could not send email to %s", message["To"])
        finally:
            with _in_flight_lock:
                _in_flight.discard(threading.current_thread())

    return _start_tracked(_run, name="korero-mail")


def run_in_background(fn, *args, **kwargs) -> threading.Thread:
    """Run FN(*ARGS, **KWARGS) in a background thread inside this app's context, with its own
    database session (removed afterwards), and return at once. Errors are logged, never shown.

    For work whose duration must not show in a page's response time (a password reset, which
    looks the account up, stores a token and sends an email only when the account exists):
    the request does the same small thing whatever the input, and the rest happens here.
    wait_for_background_mail joins these threads too.
    """
    app = current_app._get_current_object()

    def _run() -> None:
        try:
            with app.app_context():
                try:
                    fn(*args, **kwargs)
                except Exception:
                    Session.rollback()
                    log.exception("Background work %s failed", getattr(fn, "__name__", fn))
                finally:
                    Session.remove()
        finally:
            with _in_flight_lock:
                _in_flight.discard(threading.current_thread())

    thread = _start_tracked(_run, name="korero-background")
    if app.config.get("BACKGROUND_WORK_JOINED"):
        # The test suite: the work still runs in its own thread, with its own session, but
        # the request waits for it, since every test shares one database connection.
        thread.join()
    return thread


def _start_tracked(target, *, name: str) -> threading.Thread:
    thread = threading.Thread(target=target, name=name, daemon=True)
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
    and all work run_in_background started has finished,
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
    # Owner-only: the messages hold sign-in, reset and invitation links.
    outbox.mkdir(mode=0o700, parents=True, exist_ok=True)
    # Sorts by time in a folder listing; the random part keeps names unique.
    name = f"{utcnow():%Y%m%d-%H%M%S}-{secrets.token_hex(4)}.eml"
    path = outbox / name
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(bytes(message))
    return path
