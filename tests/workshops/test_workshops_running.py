"""Running a workshop: creating and publishing, the roster and its exports, check-in,
outputs into the corpus, and reminders."""
from __future__ import annotations

import csv
import io
from datetime import timedelta

import openpyxl
from sqlalchemy import func, select

from app.corpus.models import FeedbackItem
from app.corpus.scope import ConsentScope
from app.db import Session, utcnow
from app.privacy.audit import AuditEvent
from workshops import operations as ops
from workshops.jobs import send_reminders
from workshops.models import Booking, Workshop, WorkshopFacilitator

# Fixtures shared by the workshops tests (see workshops_fixtures.py for why not conftest.py).
pytest_plugins = ("workshops_fixtures",)


def _audit_count(action):
    return Session.scalar(select(func.count(AuditEvent.id)).where(AuditEvent.action == action))


def test_a_facilitator_creates_and_publishes_a_workshop(client, auth, post_form, make_user,
                                                        consultation):
    auth.login(make_user("facilitator"))
    response = post_form("/workshops/new", {
        "title": "Fono in Porirua", "description": "Talk with us.", "format": "in_person",
        "region": "Wellington", "venue_address": "Te Rauparaha Arena", "meeting_link": "",
        "starts_at": "2031-03-03T10:00", "ends_at": "2031-03-03T12:00",
        "booking_deadline_at": "2031-03-02T17:00", "capacity": "20", "languages": ["en", "sm"],
        "accessibility": "Step-free.", "audience": "everyone"})
    assert response.status_code == 302, response.get_data(as_text=True)
    workshop = Session.scalar(select(Workshop).where(Workshop.title == "Fono in Porirua"))
    assert workshop.status == "draft" and workshop.language_codes == ["en", "sm"]
    # 10am NZDT (UTC+13) on 3 March 2031 is 9pm UTC the day before
    assert workshop.starts_at.hour == 21
    page = client.get(f"/workshops/{workshop.id}").get_data(as_text=True)
    assert post_form(f"/workshops/{workshop.id}/publish",
                     page=f"/workshops/{workshop.id}").status_code == 302
    Session.expire_all()
    assert Session.get(Workshop, workshop.id).status == "published"
    assert "Te Rauparaha Arena" in page


def test_an_online_workshop_needs_a_link_and_the_message_says_so(client, auth, post_form,
                                                                 make_user, consultation):
    auth.login(make_user("facilitator"))
    response = post_form("/workshops/new", {
        "title": "Online", "format": "online", "starts_at": "2031-03-03T10:00",
        "ends_at": "2031-03-03T12:00", "booking_deadline_at": "2031-03-02T17:00",
        "capacity": "20", "languages": ["en"], "audience": "everyone"})
    assert response.status_code == 200
    assert "needs a meeting link" in response.get_data(as_text=True)


def test_drafts_are_hidden_from_participants(client, auth, make_workshop, make_user):
    draft = make_workshop(status="draft", title="Secret draft")
    auth.login(make_user())
    assert client.get(f"/workshops/{draft.id}").status_code == 404
    assert "Secret draft" not in client.get("/workshops/").get_data(as_text=True)


def test_the_roster_and_access_needs_are_for_facilitators_only(client, auth, make_workshop,
                                                               make_user):
    workshop = make_workshop()
    person = make_user()
    ops.book_place(person, workshop, access_needs="Sign language interpreter")
    Session.commit()
    for role in ("participant", "analyst", "advisory", "kaitiaki"):
        auth.login(make_user(role))
        assert client.get(f"/workshops/{workshop.id}/roster").status_code == 403, role
        assert "interpreter" not in client.get(f"/workshops/{workshop.id}").get_data(as_text=True)
    auth.login(make_user("facilitator"))  # not one of this workshop's facilitators
    assert client.get(f"/workshops/{workshop.id}/roster").status_code == 404
    runner = make_user("facilitator")
    Session.add(WorkshopFacilitator(workshop_id=workshop.id, user_id=runner.id))
    Session.commit()
    auth.login(runner)
    assert "Sign language interpreter" in client.get(
        f"/workshops/{workshop.id}/roster").get_data(as_text=True)


def test_check_in_one_tap_each(client, auth, post_form, make_workshop, make_user):
    runner = make_user("facilitator")
    workshop = make_workshop(run_by=[runner])
    booking = ops.book_place(make_user(), workshop)[0]
    Session.commit()
    auth.login(runner)
    roster = f"/workshops/{workshop.id}/roster"
    post_form(f"/workshops/bookings/{booking.id}/attendance", {"attendance": "attended"}, roster)
    Session.expire_all()
    assert Session.get(Booking, booking.id).attendance == "attended"
    post_form(f"/workshops/bookings/{booking.id}/attendance", {"attendance": "no_show"}, roster)
    Session.expire_all()
    assert Session.get(Booking, booking.id).attendance == "no_show"


def test_roster_exports_escape_formulas_and_are_audited(client, auth, make_workshop, make_user):
    runner = make_user("facilitator")
    workshop = make_workshop(run_by=[runner])
    ops.book_place(make_user(), workshop, access_needs="=HYPERLINK(\"http://evil\")",
                   dietary_needs="+1 vegan")
    Session.commit()
    auth.login(runner)
    before = _audit_count("workshops.roster_exported")
    response = client.get(f"/workshops/{workshop.id}/roster.csv")
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0][0] == "Name"
    assert rows[1][5] == "'=HYPERLINK(\"http://evil\")" and rows[1][6] == "'+1 vegan"
    response = client.get(f"/workshops/{workshop.id}/roster.xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(response.data)).active
    values = [cell.value for cell in sheet[2]]
    assert "'=HYPERLINK(\"http://evil\")" in values
    assert all(cell.data_type != "f" for cell in sheet[2])
    Session.expire_all()
    assert _audit_count("workshops.roster_exported") == before + 2


def test_outputs_become_feedback_attributed_to_the_workshop(client, auth, post_form,
                                                             make_workshop, make_user, make_group):
    runner = make_user("facilitator")
    workshop = make_workshop(run_by=[runner])
    group = make_group()
    Session.commit()
    auth.login(runner)
    response = post_form(f"/workshops/{workshop.id}/outputs", {
        "text": "Whānau want to see their own data.", "analysis": "yes", "quote": "anonymous",
        "publish": "working_group", "governed_by_id": str(group.id)})
    assert response.status_code == 302
    item = Session.scalar(select(FeedbackItem).where(FeedbackItem.source == "workshop_output")
                          .order_by(FeedbackItem.id.desc()))
    assert item.text == "Whānau want to see their own data."
    assert item.author_id is None and item.governed_by_id == group.id
    assert (item.consent_quote, item.consent_publish) == ("anonymous", "working_group")
    page = client.get(f"/workshops/{workshop.id}/outputs").get_data(as_text=True)
    assert "Whānau want to see their own data." in page


def test_reminders_are_sent_once(app, make_workshop, make_user, smtp_server):
    soon = make_workshop(days=1, booking_deadline_at=utcnow() + timedelta(hours=2))
    later = make_workshop(days=5)
    person = make_user()
    ops.book_place(person, soon)
    ops.book_place(make_user(), later)
    Session.commit()
    with app.test_request_context():
        assert send_reminders() == 1
        assert send_reminders() == 0
    [message] = smtp_server.wait_for(1)
    assert message["To"] == person.email and "Reminder" in message["Subject"]


def test_send_reminders_command(app, make_workshop, make_user, smtp_server):
    ops.book_place(make_user(), make_workshop(days=1, booking_deadline_at=utcnow() + timedelta(hours=2)))
    Session.commit()
    result = app.test_cli_runner().invoke(args=["workshops", "send-reminders"])
    assert result.exit_code == 0 and "Sent 1 reminder" in result.output


def test_a_facilitator_withdraws_an_output_with_a_reason(client, auth, post_form, make_workshop,
                                                          make_user):
    from app.corpus.visibility import countable_items
    from workshops.models import WorkshopOutput

    facilitator, colleague = make_user("facilitator"), make_user("facilitator")
    workshop = make_workshop(run_by=[facilitator, colleague])
    auth.login(facilitator)
    post_form(f"/workshops/{workshop.id}/outputs", {
        "text": "Take this one out later.", "analysis": "yes", "quote": "anonymous",
        "publish": "working_group", "governed_by_id": ""})
    output = Session.scalar(select(WorkshopOutput).order_by(WorkshopOutput.id.desc()))
    url = f"/workshops/outputs/{output.id}/withdraw"
    outputs_page = client.get(f"/workshops/{workshop.id}/outputs").get_data(as_text=True)
    assert url in outputs_page
    # No reason: refused, nothing changes.
    response = post_form(url, {"reason": "  "})
    assert response.status_code == 200 and "Why is this key point withdrawn" in \
        response.get_data(as_text=True)
    item = Session.get(FeedbackItem, output.feedback_item_id)
    assert item.consent_analysis is True
    # A co-facilitator may not withdraw what a colleague recorded (the corpus refuses).
    auth.login(colleague)
    response = post_form(url, {"reason": "Not mine."})
    assert response.status_code == 200
    Session.expire_all()
    assert Session.get(FeedbackItem, output.feedback_item_id).consent_analysis is True
    auth.login(facilitator)
    response = post_form(url, {"reason": "The group asked for it to be taken out."})
    assert response.status_code == 302
    Session.expire_all()
    item = Session.get(FeedbackItem, output.feedback_item_id)
    assert (item.consent_analysis, item.consent_quote, item.consent_publish) == (
        False, "none", "none")
    assert item.id not in set(Session.scalars(countable_items(workshop.consultation_id)
                                              .with_only_columns(FeedbackItem.id)))
    event = Session.scalar(select(AuditEvent).where(
        AuditEvent.action == "workshops.output_withdrawn",
        AuditEvent.target_id == str(output.id)))
    assert event is not None and event.actor_id == facilitator.id
    assert "The group asked" in event.detail
    assert "Withdrawn" in client.get(f"/workshops/{workshop.id}/outputs").get_data(as_text=True)
    # Withdrawing twice is refused with a message, not an error.
    page = post_form(url, {"reason": "again"}).get_data(as_text=True)
    assert "already withdrawn" in page


def test_participants_cannot_withdraw_an_output(client, auth, make_workshop, make_user):
    facilitator = make_user("facilitator")
    workshop = make_workshop(run_by=[facilitator])
    output = ops.record_output(facilitator, workshop, text="A point.",
                               consent=ConsentScope(analysis=True, quote="none", publish="none"))
    Session.commit()
    auth.login(make_user())
    assert client.get(f"/workshops/outputs/{output.id}/withdraw").status_code in (403, 404)


def test_the_list_filters_by_region_format_audience_date_and_places_left(
        client, make_workshop, make_user):
    make_workshop(title="Hui Otago", region="Otago", format="in_person", days=3)
    online = make_workshop(title="Fono online", region="Online", format="online", days=20)
    full = make_workshop(title="Talanoa full", region="Auckland", capacity=1, days=5)
    make_workshop(title="Hui for iwi", region="Waikato", audience="iwi_maori", days=8)
    ops.book_place(make_user(), full)
    Session.commit()

    def titles(query: str) -> set[str]:
        html = client.get("/workshops/?" + query).get_data(as_text=True)
        return {t for t in ("Hui Otago", "Fono online", "Talanoa full", "Hui for iwi")
                if t in html}

    assert titles("") == {"Hui Otago", "Fono online", "Talanoa full", "Hui for iwi"}
    assert titles("region=Otago") == {"Hui Otago"}
    assert titles("format=online") == {"Fono online"}
    assert titles("audience=iwi_maori") == {"Hui for iwi"}
    assert titles("places=1") == {"Hui Otago", "Fono online", "Hui for iwi"}
    later = online.starts_at.date() - timedelta(days=1)
    assert titles(f"from={later.isoformat()}") == {"Fono online"}
    page = client.get("/workshops/?from=not-a-date").get_data(as_text=True)
    assert "YYYY-MM-DD" in page  # says what to fix, and still lists
    month = online.starts_at.astimezone(online.zone).strftime("%Y-%m")
    assert "Fono online" in client.get(f"/workshops/month?month={month}").get_data(
        as_text=True)
