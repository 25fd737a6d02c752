"""Script payloads typed into every workshop and interview field come out as text on every
page, export and email that shows them."""
from __future__ import annotations

import csv
import io

from app.corpus.scope import ConsentScope
from app.db import Session, utcnow
from workshops import interview_operations as iops
from workshops import operations as ops
from workshops.models import WorkshopFacilitator

# Fixtures shared by the workshops tests (see workshops_fixtures.py for why not conftest.py).
pytest_plugins = ("workshops_fixtures",)

PAYLOAD = '"><script>alert(1)</script><img src=x onerror=alert(2)>'
RAW_MARKERS = ("<script>alert(1)", "<img src=x onerror")


def _assert_escaped(html: str, where: str) -> None:
    for marker in RAW_MARKERS:
        assert marker not in html, where
    assert "&lt;script&gt;alert(1)" in html, where


def test_payloads_in_workshop_fields_are_escaped_everywhere(client, auth, make_workshop,
                                                            make_user, smtp_server):
    workshop = make_workshop(title="Hui " + PAYLOAD, description=PAYLOAD, region=PAYLOAD,
                             venue_address=PAYLOAD, accessibility=PAYLOAD,
                             meeting_link="https://meet.example.test/?q=" + PAYLOAD)
    person = make_user()
    _, notices = ops.book_place(person, workshop, access_needs=PAYLOAD,
                                      dietary_needs=PAYLOAD)
    facilitator = make_user("facilitator")
    workshop.facilitator_links.append(WorkshopFacilitator(user_id=facilitator.id))
    ops.record_output(facilitator, workshop, text=PAYLOAD,
                      consent=ConsentScope(analysis=True, quote="none", publish="none"))
    Session.commit()
    with client.application.test_request_context():
        from workshops.notifications import send_notices

        send_notices(notices)
    auth.login(person)
    for url in ("/workshops/", "/workshops/month?month=" + workshop.starts_at.strftime("%Y-%m"),
                f"/workshops/{workshop.id}", f"/workshops/{workshop.id}/book",
                "/workshops/mine"):
        _assert_escaped(client.get(url).get_data(as_text=True), url)
    auth.login(facilitator)
    for url in (f"/workshops/{workshop.id}/roster", f"/workshops/{workshop.id}/outputs",
                f"/workshops/{workshop.id}/edit"):
        _assert_escaped(client.get(url).get_data(as_text=True), url)
    rows = list(csv.reader(io.StringIO(client.get(
        f"/workshops/{workshop.id}/roster.csv").get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[1][5] == PAYLOAD  # text in a CSV cell is data, and it starts with no formula
    [message] = smtp_server.wait_for(1)
    assert message.get_body(("html",)) is None  # plain-text email: nothing is interpreted
    assert PAYLOAD in message["Subject"] or "Hui" in message["Subject"]


def test_payloads_in_interview_fields_are_escaped(client, auth, make_user, consultation):
    facilitator, person = make_user("facilitator"), make_user()
    interview = iops.schedule_interview(facilitator, consultation, scheduled_at=utcnow(),
                                        interviewee=person, organisation=PAYLOAD,
                                        contact=PAYLOAD)
    iops.record_consent(facilitator, interview, ConsentScope(analysis=True, quote="none",
                                                             publish="none"),
                        method="verbal", given_at=utcnow())
    iops.save_note(facilitator, interview, questions=PAYLOAD, key_points=[PAYLOAD])
    iops.request_correction(person, interview, PAYLOAD)
    other = iops.schedule_interview(facilitator, consultation, scheduled_at=utcnow(),
                                    name=PAYLOAD)
    Session.commit()
    for user in (facilitator, person):
        auth.login(user)
        url = f"/workshops/interviews/{interview.id}"
        _assert_escaped(client.get(url).get_data(as_text=True), url)
    auth.login(facilitator)
    for url in ("/workshops/interviews/", f"/workshops/interviews/{interview.id}/note",
                f"/workshops/interviews/{other.id}"):
        _assert_escaped(client.get(url).get_data(as_text=True), url)
