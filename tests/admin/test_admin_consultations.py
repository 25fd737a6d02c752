"""Consultations: dates typed in New Zealand time and stored in UTC, slugs, Markdown summary."""
from __future__ import annotations

import json
from datetime import UTC, datetime
from html import unescape

from sqlalchemy import select

from app.admin.operations import slugify
from app.db import Session
from app.models import Consultation

from .conftest import audit_events, input_value, is_checked

FORM = {
    "title": "Data protection and use policy",
    "slug": "",
    "summary": "How providers may collect **client-level** data.\n\n<script>alert(1)</script>",
    "opens_at": "2026-07-01T09:00",   # NZ standard time, UTC+12
    "closes_at": "2026-12-01T17:00",  # NZ daylight time, UTC+13
    "status": "open",
}


def _only_consultation() -> Consultation:
    Session.expire_all()
    return Session.scalars(select(Consultation)).one()


def test_create_stores_utc_and_shows_nz_time_again(client, admin, post_form):
    response = post_form("/admin/consultations/new", FORM)
    assert response.status_code == 302
    consultation = _only_consultation()
    assert consultation.opens_at == datetime(2026, 6, 30, 21, 0, tzinfo=UTC)
    assert consultation.closes_at == datetime(2026, 12, 1, 4, 0, tzinfo=UTC)
    assert consultation.slug == "data-protection-and-use-policy"
    assert consultation.status == "open"
    assert "<strong>client-level</strong>" in consultation.summary_html
    assert "<script" not in consultation.summary_html
    assert consultation.summary == FORM["summary"]
    [event] = audit_events("consultation.created")
    assert event.actor_id == admin.id

    html = client.get(f"/admin/consultations/{consultation.id}").get_data(as_text=True)
    assert input_value(html, "opens_at") == "2026-07-01T09:00"
    assert input_value(html, "closes_at") == "2026-12-01T17:00"
    assert is_checked(html, "status", "open")
    # The list shows New Zealand time too.
    listing = client.get("/admin/consultations").get_data(as_text=True)
    assert "9am, 1 July 2026" in unescape(listing)


def test_closing_before_opening_is_refused_on_the_closes_field(client, admin, post_form):
    response = post_form("/admin/consultations/new",
                         {**FORM, "title": "Backwards", "closes_at": "2026-06-01T09:00"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'id="closes_at-error"' in html
    assert "The closing time must be after the opening time." in html
    assert input_value(html, "title") == "Backwards"
    assert input_value(html, "closes_at") == "2026-06-01T09:00"
    assert Session.scalars(select(Consultation)).all() == []


def test_a_time_skipped_by_daylight_saving_is_refused(client, admin, post_form):
    # NZ clocks went from 2:00 to 3:00 on 27 September 2026.
    response = post_form("/admin/consultations/new", {**FORM, "opens_at": "2026-09-27T02:30"})
    assert "That time does not exist" in response.get_data(as_text=True)
    assert Session.scalars(select(Consultation)).all() == []


def test_missing_and_malformed_input_keeps_what_was_typed(client, admin, post_form):
    response = post_form("/admin/consultations/new",
                         {**FORM, "title": "", "slug": "Not A Slug!", "opens_at": ""})
    html = unescape(response.get_data(as_text=True))
    assert "This field is required." in html
    assert "Use only lower-case letters" in html
    assert "Enter the date and time it opens." in html
    assert input_value(html, "slug") == "Not A Slug!"
    assert FORM["summary"].split("\n")[0] in html


def test_slugs_are_made_from_titles_and_kept_unique(client, admin, post_form,
                                                    make_consultation):
    assert slugify("Kōrero: Data use, 2026!") == "korero-data-use-2026"
    existing = make_consultation(title="Data protection and use policy")
    existing.slug = "data-protection-and-use-policy"
    Session.commit()
    post_form("/admin/consultations/new", FORM)
    slugs = set(Session.scalars(select(Consultation.slug)))
    assert slugs == {"data-protection-and-use-policy", "data-protection-and-use-policy-2"}


def test_a_typed_slug_already_in_use_is_refused(client, admin, post_form, make_consultation):
    existing = make_consultation()
    response = post_form("/admin/consultations/new", {**FORM, "slug": existing.slug})
    html = response.get_data(as_text=True)
    assert 'id="slug-error"' in html
    assert "Another consultation already uses that web address name." in html
    assert input_value(html, "slug") == existing.slug
    assert len(Session.scalars(select(Consultation)).all()) == 1


def test_edit_changes_fields_and_is_audited(client, admin, post_form, make_consultation):
    consultation = make_consultation(title="Old title", summary="Old words")
    response = post_form(f"/admin/consultations/{consultation.id}", {
        **FORM, "title": "New title", "slug": consultation.slug, "summary": "New *words*",
        "status": "closed"})
    assert response.status_code == 302
    consultation = _only_consultation()
    assert (consultation.title, consultation.status) == ("New title", "closed")
    assert consultation.summary_html.strip() == "<p>New <em>words</em></p>"
    [event] = audit_events("consultation.updated")
    detail = json.loads(event.detail)
    assert {"title", "summary", "status", "opens_at", "closes_at"} <= set(detail["changed"])
    assert "slug" not in detail["changed"]


def test_saving_an_unchanged_consultation_is_not_audited(client, admin, post_form):
    post_form("/admin/consultations/new", FORM)
    consultation = _only_consultation()
    post_form(f"/admin/consultations/{consultation.id}", {**FORM, "slug": consultation.slug})
    assert audit_events("consultation.updated") == []
