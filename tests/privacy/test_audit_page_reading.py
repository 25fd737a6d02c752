"""The audit page as the advisory group reads it: sentences with linked names, labelled
details, a select list of what things were done to; the export keeps every field; and pages
that record a view do not record one for a request another site started."""
from __future__ import annotations

import csv
import io
import re

import pytest
from sqlalchemy import func, select

from app.admin.operations import update_user
from app.db import Session
from app.privacy.audit import record_event
from app.privacy.erasure import erase_person_from_audit
from app.privacy.models import AuditEvent

PAGE = "/oversight/audit"
EXPORT = "/oversight/audit/export.csv"


def _count(action: str) -> int:
    return Session.scalar(select(func.count(AuditEvent.id)).where(AuditEvent.action == action))


def _text(html: str) -> str:
    """The page's words, without tags, entities undone."""
    import html as html_module

    inline = re.sub(r"</?a\b[^>]*>", "", html)
    return re.sub(r"\s+", " ", html_module.unescape(re.sub(r"<[^>]+>", " ", inline)))


@pytest.fixture
def people(make_user):
    hana = make_user("admin", email="hana@example.test")
    hana.display_name = "Hana Walker"
    sione = make_user("analyst", email="sione@example.test")
    sione.display_name = "Sione Taufa"
    Session.commit()
    return hana, sione


def test_events_read_as_sentences_with_linked_names(client, auth, make_user, people):
    hana, sione = people
    update_user(hana, sione, display_name="Sione Taufa", roles=["analyst", "facilitator"],
                organisation_ids=[], is_enabled=True, ip="192.0.2.8")
    record_event(None, "user.created", target=sione, detail={"email": sione.email})
    Session.commit()
    auth.login(make_user("advisory"))

    html = client.get(PAGE).get_data(as_text=True)
    words = _text(html)

    assert "Hana Walker changed Sione Taufa's roles" in words
    assert ("<dt>Roles</dt><dd>Analyst (secretariat) → Analyst (secretariat), "
            "Facilitator</dd>") in html
    assert "System (command line) added Sione Taufa" in words
    assert f'href="/oversight/audit?person={hana.id}">Hana Walker</a>' in html
    events = html.split('<ol class="audit-events"', 1)[1].split("</ol>", 1)[0]
    assert "user.roles_changed" not in events and "<code>" not in events  # no action codes
    assert "{" not in events and "&#34;" not in events  # labelled values, not JSON
    # A name's link narrows the log to that person.
    narrowed = _text(client.get(PAGE, query_string={"person": hana.id}).get_data(as_text=True))
    assert "Showing events involving Hana Walker" in narrowed
    assert "System (command line) added" not in narrowed


def test_the_target_filter_is_a_select_list_of_human_names(client, auth, make_user):
    auth.login(make_user("advisory"))
    html = client.get(PAGE).get_data(as_text=True)
    select_html = re.search(r'<select[^>]*name="target_type".*?</select>', html, re.DOTALL).group(0)
    assert '<option value="user">Person</option>' in select_html
    assert '<option value="feedback_item">Feedback item</option>' in select_html
    assert "flask --app app audit-verify" in html.split("help-note", 1)[1]


def test_the_export_keeps_every_field_and_marks_erasures(client, auth, make_user, people):
    hana, sione = people
    record_event(sione, "login.success", ip="203.0.113.4", detail={"second_factor": "totp"})
    erase_person_from_audit(hana, person_id=sione.id)
    record_event(hana, "login.success", ip="203.0.113.5")
    Session.commit()
    auth.login(make_user("advisory"))
    body = client.get(EXPORT).get_data(as_text=True).removeprefix("\ufeff")
    rows = {r["action"] + r["actor_id"]: r for r in csv.DictReader(io.StringIO(body))}
    kept, erased = rows[f"login.success{hana.id}"], rows[f"login.success{sione.id}"]
    assert (kept["actor_email"], kept["ip_address"]) == ("hana@example.test", "203.0.113.5")
    assert (erased["actor_email"], erased["ip_address"]) == ("", "")
    assert erased["personal_details"] == "erased"
    assert {"scheme", "key_id", "prev_hash", "hash"} <= set(kept) and kept["hash"]


@pytest.mark.parametrize("url", [PAGE, EXPORT])
def test_a_view_another_site_started_records_nothing(client, auth, make_user, url):
    auth.login(make_user("advisory"))
    before = _count("audit.viewed") + _count("export.created")
    response = client.get(url, headers={"Sec-Fetch-Site": "cross-site"})
    assert response.status_code == 200 and response.mimetype == "text/html"
    assert "Open this page from Kōrero" in response.get_data(as_text=True)
    assert _count("audit.viewed") + _count("export.created") == before
    assert client.get(url, headers={"Sec-Fetch-Site": "same-origin"}).status_code == 200
    assert _count("audit.viewed") + _count("export.created") == before + 1


def test_a_persons_record_opened_from_another_site_is_neither_shown_nor_recorded(
        client, auth, make_user):
    admin = auth.login(make_user("admin"))
    person = make_user("participant", email="private@example.test")
    url = f"/admin/people/{person.id}"
    response = client.get(url, headers={"Sec-Fetch-Site": "cross-site"})
    assert "private@example.test" not in response.get_data(as_text=True)
    assert _count("record.viewed") == 0
    client.get(url, headers={"Sec-Fetch-Site": "same-origin"})
    viewed = Session.scalars(select(AuditEvent).where(AuditEvent.action == "record.viewed"))
    assert [(e.actor_id, e.target_id) for e in viewed] == [(admin.id, str(person.id))]
