"""The audit log page (/oversight/audit) and its CSV export: who may see them, filters, paging,
formula escaping, and that every view and export is itself recorded."""
from __future__ import annotations

import csv
import io
import json
import re
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from audit_support import audit_log_writable
from sqlalchemy import select

from app.db import Session
from app.privacy.models import AuditEvent

PAGE = "/oversight/audit"
EXPORT = "/oversight/audit/export.csv"


@pytest.fixture
def overseer(make_user, auth):
    return auth.login(make_user("advisory", email="overseer@example.test"))


def _rows(html: str) -> list[str]:
    """The events listed on the page, as HTML."""
    return re.findall(r'<li class="audit-event"[^>]*>(.*?)</li>', html, flags=re.DOTALL)


def _recorded(action: str) -> list[AuditEvent]:
    return list(Session.scalars(select(AuditEvent).where(AuditEvent.action == action)
                                .order_by(AuditEvent.id)))


@pytest.mark.parametrize("role, allowed", [
    ("admin", True), ("advisory", True), ("participant", False), ("facilitator", False),
    ("analyst", False), ("kaitiaki", False),
])
def test_only_admin_and_advisory_reach_the_log_and_its_export(client, auth, make_user, role,
                                                              allowed):
    auth.login(make_user(role))
    for url in (PAGE, EXPORT):
        response = client.get(url)
        assert response.status_code == (200 if allowed else 403), url
    if not allowed:
        assert _recorded("audit.viewed") == [] and _recorded("export.created") == []


def test_anonymous_is_sent_to_sign_in(client):
    for url in (PAGE, EXPORT):
        response = client.get(url)
        assert response.status_code == 302 and "/account/login" in response.location


def test_page_lists_newest_first_and_records_the_view(client, overseer, add_events):
    add_events(action="login.success", actor_email="first@example.test", ip="192.0.2.10")
    add_events(action="user.roles_changed", actor_email="second@example.test",
               target_type="user", target_id=42, detail={"old": [], "new": ["analyst"]})

    html = client.get(PAGE).get_data(as_text=True)

    rows = _rows(html)
    assert "second@example.test" in rows[0] and "first@example.test" in rows[1]
    assert "192.0.2.10" in rows[1]
    assert "person #42" in rows[0] and "<dt>Roles</dt><dd>none → Analyst (secretariat)</dd>" \
        in rows[0]
    [viewed] = _recorded("audit.viewed")
    assert viewed.actor_id == overseer.id
    assert json.loads(viewed.detail) == {"filters": {}}
    # The next view shows the first one.
    assert "viewed the audit log" in _rows(client.get(PAGE).get_data(as_text=True))[0]


def test_filters_by_action_actor_and_target(client, overseer, add_events):
    add_events(2, action="login.failure", actor_email="Mallory@Example.test")
    add_events(action="login.failure", actor_email="someone_else@example.test")
    add_events(action="login.success", actor_email="mallory@example.test")
    add_events(action="consent.changed", actor_email="kaimahi@example.test",
               target_type="feedback_item", target_id=5)

    def rows(**query):
        return _rows(client.get(PAGE, query_string=query).get_data(as_text=True))

    assert len(rows(action="login.failure")) == 3
    assert len(rows(action="login.failure", actor="mallory@")) == 2  # ignores case
    assert len(rows(actor="MALLORY")) == 3
    assert rows(actor="%") == []  # a literal %, not a wildcard
    assert len(rows(actor="e_e")) == 1  # a literal _, not "any one character"
    [row] = rows(target_type="feedback_item")
    assert "kaimahi@example.test" in row
    viewed = _recorded("audit.viewed")[-1]
    assert json.loads(viewed.detail) == {"filters": {"target_type": "feedback_item"}}


def test_date_filters_are_whole_local_days(app, client, overseer, add_events):
    zone = ZoneInfo(app.config["BABEL_DEFAULT_TIMEZONE"])
    day = date(2026, 3, 2)
    # Half an hour into the local day, which is still the day before in UTC in New Zealand.
    [early] = add_events(action="logout", actor_email="early@example.test")
    [late] = add_events(action="logout", actor_email="late@example.test")
    [next_day] = add_events(action="logout", actor_email="next@example.test")
    with audit_log_writable(Session):  # back-dating: only a database owner could do this
        early.occurred_at = datetime.combine(day, time(0, 30), tzinfo=zone)
        late.occurred_at = datetime.combine(day, time(23, 59), tzinfo=zone)
        next_day.occurred_at = datetime.combine(day + timedelta(days=1), time(0, 0),
                                                tzinfo=zone)
        Session.flush()

    def emails(**query):
        html = client.get(PAGE, query_string={"action": "logout", **query}).get_data(
            as_text=True)
        return [re.search(r"(\w+)@example.test", row).group(1) for row in _rows(html)]

    assert emails(date_from="2026-03-02", date_to="2026-03-02") == ["late", "early"]
    assert emails(date_from="2026-03-03") == ["next"]
    assert emails(date_to="2026-03-01") == []


def test_bad_filters_show_what_to_fix_and_keep_the_input(client, overseer, add_events):
    add_events(action="logout", actor_email="someone@example.test")
    response = client.get(PAGE, query_string={"date_from": "2026-03-05",
                                              "date_to": "2026-03-01", "actor": "someone"})
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "The end date must be on or after the start date." in html
    assert 'value="someone"' in html and _rows(html) == []
    assert _recorded("audit.viewed") == []


def test_paging_by_keyset_covers_every_event_once(client, overseer, add_events):
    events = add_events(120, action="login.success", actor_email="pager@example.test")
    ids = set()
    url, pages = f"{PAGE}?action=login.success", 0
    while url:
        html = client.get(url).get_data(as_text=True)
        found = [int(i) for i in re.findall(r'data-event-id="(\d+)"', html)]
        assert len(found) == (50 if pages < 2 else 20) and not ids & set(found)
        ids.update(found)
        pages += 1
        older = re.search(r'href="([^"]+)" rel="next"', html)
        url = older.group(1).replace("&amp;", "&") if older else None
    assert pages == 3
    assert ids == {e.id for e in events}
    # Back from the oldest page: "Newer events" gives the page before it.
    html = client.get(f"{PAGE}?action=login.success&before={events[20].id}").get_data(
        as_text=True)
    newer = re.search(r'href="([^"]+)" rel="prev"', html).group(1).replace("&amp;", "&")
    found = [int(i) for i in re.findall(r'data-event-id="(\d+)"',
                                        client.get(newer).get_data(as_text=True))]
    assert found == [e.id for e in reversed(events[20:70])]


def test_export_is_filtered_escaped_and_recorded(client, overseer, add_events):
    add_events(action="login.failure", actor_email="=HYPERLINK(\"http://evil.example\")",
               ip="198.51.100.7", detail={"reason": "bad password"})
    add_events(action="login.failure", actor_email="@SUM(1+1)")
    add_events(action="logout", actor_email="not-in-export@example.test")

    response = client.get(EXPORT, query_string={"action": "login.failure"})

    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"].startswith("attachment; filename=")
    body = response.get_data(as_text=True)
    rows = list(csv.DictReader(io.StringIO(body.removeprefix("\ufeff"))))
    assert [r["actor_email"] for r in rows] == ["'@SUM(1+1)",
                                                "'=HYPERLINK(\"http://evil.example\")"]
    assert rows[1]["ip_address"] == "198.51.100.7"
    assert json.loads(rows[1]["detail"]) == {"reason": "bad password"}
    assert "not-in-export" not in body
    [export] = _recorded("export.created")
    assert export.actor_id == overseer.id
    assert json.loads(export.detail) == {"export": "audit_log",
                                         "filters": {"action": "login.failure"}}


def test_export_with_bad_filters_exports_nothing(client, overseer):
    response = client.get(EXPORT, query_string={"date_from": "not a date"})
    assert response.status_code == 400
    assert "Not a valid date" in response.get_data(as_text=True)
    assert _recorded("export.created") == []
