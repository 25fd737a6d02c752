"""What the admin forms tell a first-time administrator: each role with what it does and
whether it is a staff role, an organisation's members, and a preview of a consultation's
summary before it is saved."""
from __future__ import annotations

import re

from sqlalchemy import func, select

from app.db import Session
from app.labels import ROLE_DESCRIPTIONS
from app.models import Consultation

from .conftest import is_checked


def test_a_persons_roles_each_say_what_they_do_and_which_need_two_factor(client, admin,
                                                                         make_user, make_org):
    org = make_org("Harbourside Family Services")
    person = make_user("participant", email="tama@example.test", org=org)
    html = client.get(f"/admin/people/{person.id}").get_data(as_text=True)
    for role, description in ROLE_DESCRIPTIONS.items():
        hint_id = None
        for tag in re.findall(r"<input[^>]*>", html):
            if 'name="roles"' in tag and f'value="{role}"' in tag:
                hint_id = re.search(r'aria-describedby="([^"]+)"', tag).group(1)
        assert hint_id, f"no hint tied to the {role} tick box"
        hint = re.search(rf'<p class="hint" id="{hint_id}">([^<]*)</p>', html).group(1)
        assert hint.replace("&#39;", "'") == str(description)
    # The five staff roles are marked; participant is not.
    assert html.count("Staff: needs two-factor sign-in") == 5
    participant_item = re.search(r'<li[^>]*>\s*<input[^>]*value="participant".*?</li>', html,
                                 re.DOTALL).group(0)
    assert "Staff" not in participant_item
    # Organisations are tick boxes, the person's own ticked.
    assert is_checked(html, "organisation_ids", str(org.id))


def test_an_organisation_lists_its_members_with_links(client, admin, make_user, make_org):
    org = make_org("Tūhono Community Trust")
    other = make_org("Someone Else")
    members = [make_user("participant", email=f"m{n}@example.test", org=org) for n in range(2)]
    outsider = make_user("participant", email="out@example.test", org=other)
    html = client.get(f"/admin/organisations/{org.id}").get_data(as_text=True)
    assert "2 people take part for Tūhono Community Trust." in html
    for person in members:
        assert f'href="/admin/people/{person.id}"' in html
    assert f'href="/admin/people/{outsider.id}"' not in html
    empty = client.get(f"/admin/organisations/{other.id}").get_data(as_text=False)
    assert b"1 person takes part" in empty


PREVIEW = {"title": "Trial", "slug": "", "opens_at": "2026-07-01T09:00",
           "closes_at": "2026-12-01T17:00", "status": "draft",
           "summary": "## Why\n\nWe ask **providers**.\n\n<script>alert(1)</script>",
           "preview": "1"}


def test_preview_shows_the_sanitised_summary_and_saves_nothing(client, admin, post_form):
    before = Session.scalar(select(func.count(Consultation.id)))
    response = post_form("/admin/consultations/new", PREVIEW)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    preview = re.search(r'<section class="markdown-preview".*?</section>', html, re.DOTALL).group(0)
    assert "<h2>Why</h2>" in preview and "<strong>providers</strong>" in preview
    assert "<script>alert" not in html  # sanitised in the preview, escaped in the editor
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html  # what was typed is kept
    assert 'class="tall"' in html
    assert Session.scalar(select(func.count(Consultation.id))) == before
    assert "There is a problem" not in html  # a preview is not a failed submit


def test_preview_of_an_existing_consultation_changes_nothing(client, admin, post_form,
                                                             make_consultation):
    consultation = make_consultation(title="Kept as it was")
    url = f"/admin/consultations/{consultation.id}"
    html = post_form(url, {**PREVIEW, "title": "Changed"}).get_data(as_text=True)
    assert "<h2>Why</h2>" in html and 'value="Changed"' in html
    Session.expire_all()
    assert Session.get(Consultation, consultation.id).title == "Kept as it was"
    # Saving (the main button sends no "preview") still works.
    saved = post_form(url, {k: v for k, v in PREVIEW.items() if k != "preview"})
    assert saved.status_code == 302
