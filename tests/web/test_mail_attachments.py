"""Email attachments through a real SMTP server: files arrive byte for byte under non-ASCII
names, and a calendar invitation arrives the way calendar clients expect (RFC 6047 iMIP)."""
from __future__ import annotations

import pytest

from app.mail import Attachment, build_message, send_email, send_email_later

PDF = b"%PDF-1.4\n" + bytes(range(256)) * 40 + b"\n%%EOF\n"  # every byte value, binary-safe

INVITE = (
    "BEGIN:VCALENDAR\r\n"
    "PRODID:-//Korero//Workshops//EN\r\n"
    "VERSION:2.0\r\n"
    "METHOD:REQUEST\r\n"
    "BEGIN:VEVENT\r\n"
    "UID:workshop-17@korero.test\r\n"
    "DTSTAMP:20261128T090000Z\r\n"
    "DTSTART:20270109T040000Z\r\n"
    "DTEND:20270109T060000Z\r\n"
    "SUMMARY:Wānanga: data sovereignty and the Treaty – Ōtautahi session with a long title\r\n"
    "ORGANIZER;CN=Kōrero:mailto:no-reply@korero.localhost\r\n"
    "ATTENDEE;PARTSTAT=NEEDS-ACTION;RSVP=TRUE:mailto:hine@example.org\r\n"
    "END:VEVENT\r\n"
    "END:VCALENDAR\r\n"
).encode()


def _parts(message):
    return [(part.get_content_type(), part) for part in message.walk()]


def test_a_pdf_with_a_non_ascii_name_arrives_intact(app, smtp_server):
    with app.app_context():
        send_email("hine@example.org", "Your receipt", "Kia ora, your receipt is attached.",
                   "<p>Kia ora</p>", attachments=[
                       Attachment("Pānui – receipt №7.pdf", PDF, "application/pdf")])
    [message] = smtp_server.wait_for(1)
    assert message.get_content_type() == "multipart/mixed"
    [attachment] = list(message.iter_attachments())
    assert attachment.get_content_type() == "application/pdf"
    assert attachment.get_filename() == "Pānui – receipt №7.pdf"
    assert attachment.get_content_disposition() == "attachment"
    assert attachment.get_content() == PDF
    # The message itself is still readable as text and HTML.
    assert message.get_body(("plain",)).get_content().strip() == \
        "Kia ora, your receipt is attached."
    assert "<p>Kia ora</p>" in message.get_body(("html",)).get_content()


def test_a_calendar_invitation_is_an_alternative_and_a_file(app, smtp_server):
    with app.app_context():
        send_email("hine@example.org", "Invitation: wānanga", "You are invited.",
                   "<p>You are invited.</p>", attachments=[
                       Attachment("wānanga.ics", INVITE, "text/calendar; method=REQUEST"),
                       Attachment("agenda.pdf", PDF, "application/pdf")])
    [message] = smtp_server.wait_for(1)
    types = [content_type for content_type, _ in _parts(message)]
    assert types == ["multipart/mixed", "multipart/alternative", "text/plain", "text/html",
                     "text/calendar", "application/ics", "application/pdf"]
    calendar = dict(_parts(message))["text/calendar"]
    # RFC 6047 2.4: the method parameter names the calendar's METHOD; charset is given.
    assert calendar.get_param("method") == "REQUEST"
    assert calendar.get_content_charset() == "utf-8"
    assert calendar.get_content_disposition() is None  # inline: read by the calendar client
    assert calendar.get_payload(decode=True) == INVITE  # CRLFs and macrons byte for byte
    ics_file = dict(_parts(message))["application/ics"]
    assert ics_file.get_filename() == "wānanga.ics"
    assert ics_file.get_payload(decode=True) == INVITE
    assert dict(_parts(message))["application/pdf"].get_content() == PDF


def test_a_calendar_invitation_without_html_still_nests_properly(app):
    message = build_message("a@example.org", "Invite", "Text only", sender="k@example.org",
                            attachments=[Attachment("i.ics", INVITE,
                                                    "text/calendar; method=REQUEST")])
    assert [c for c, _ in _parts(message)] == [
        "multipart/mixed", "multipart/alternative", "text/plain", "text/calendar",
        "application/ics"]


def test_the_method_must_match_the_calendar(app):
    with pytest.raises(ValueError, match="METHOD"):
        build_message("a@example.org", "Invite", "x", sender="k@example.org",
                      attachments=[Attachment("i.ics", INVITE,
                                              "text/calendar; method=CANCEL")])


def test_attachments_go_with_mail_sent_later(app, smtp_server):
    with app.app_context():
        send_email_later("hine@example.org", "Later", "Body",
                         attachments=[Attachment("data.csv", b"a,b\r\n1,2\r\n", "text/csv")])
    [message] = smtp_server.wait_for(1)
    [attachment] = list(message.iter_attachments())
    assert attachment.get_filename() == "data.csv"
    assert attachment.get_payload(decode=True) == b"a,b\r\n1,2\r\n"


@pytest.mark.parametrize("given, kept", [
    ("../../etc/passwd", "passwd"),
    ("C:\\Users\\x\\report.pdf", "report.pdf"),
    ("bad\r\nBcc: victim@example.org.pdf", "badBcc: victim@example.org.pdf"),
])
def test_filenames_lose_folders_and_control_characters(given, kept):
    assert Attachment(given, b"x").filename == kept


@pytest.mark.parametrize("name", ["", "   ", "folder/", "\x00"])
def test_an_unusable_filename_is_refused(name):
    with pytest.raises(ValueError):
        Attachment(name, b"x")


def test_content_must_be_bytes():
    with pytest.raises(TypeError):
        Attachment("a.txt", "text")  # type: ignore[arg-type]
