"""The consultation picker: an analyst chooses which consultation the analysis pages work on
(in the URL, carried by every analysis link, and remembered for the session); a slug that
names no consultation the analyst may see is a 404; nothing of one consultation shows or
changes under another."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from app.analysis import operations as ops
from app.analysis.models import Codebook, Coding
from app.db import Session


@pytest.fixture
def analyst(make_user, auth):
    return auth.login(make_user("analyst"))


@pytest.fixture
def older(make_consultation):
    """A closed consultation: not the site's current one (an open one is)."""
    return make_consultation(title="Older water policy", status="closed", opens_in_days=-90,
                             closes_in_days=-30)


@pytest.fixture
def two(analyst, consultation, older, make_item):
    """An item in each consultation, and a theme in each codebook."""
    current_item = make_item("Current consultation words.")
    older_item = make_item("Older consultation words.", target=older)
    current_theme = ops.create_theme(analyst, ops.get_or_create_codebook(analyst, consultation),
                                     name="Current theme")
    older_theme = ops.create_theme(analyst, ops.get_or_create_codebook(analyst, older),
                                   name="Older theme")
    Session.commit()
    return current_item, older_item, current_theme, older_theme


def _page(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return response.get_data(as_text=True)


def test_without_a_choice_the_pages_work_on_the_current_consultation(client, two):
    page = _page(client, "/analysis/items")
    assert "Current consultation words." in page
    assert "Older consultation words." not in page


def test_the_picker_lists_both_and_the_url_chooses(client, two, older):
    page = _page(client, "/analysis/")
    assert 'id="analysis-consultation"' in page
    assert f'value="{older.slug}"' in page
    page = _page(client, f"/analysis/items?consultation={older.slug}")
    assert "Older consultation words." in page
    assert "Current consultation words." not in page
    codebook = _page(client, f"/analysis/codebook?consultation={older.slug}")
    assert "Older theme" in codebook and "Current theme" not in codebook


def test_every_analysis_link_carries_the_chosen_consultation(client, two, older):
    page = _page(client, f"/analysis/items?consultation={older.slug}")
    links = re.findall(r'(?:href|action)="(/analysis/[^"]*)"', page)
    assert links
    for link in links:
        assert f"consultation={older.slug}" in link, link


def test_the_choice_is_remembered_for_the_session(client, two, older):
    _page(client, f"/analysis/codebook?consultation={older.slug}")
    assert "Older consultation words." in _page(client, "/analysis/items")
    assert "Older theme" in _page(client, "/analysis/codebook")


def test_an_unknown_consultation_is_404_and_changes_no_choice(client, two, older):
    _page(client, f"/analysis/items?consultation={older.slug}")
    assert client.get("/analysis/items?consultation=no-such-thing").status_code == 404
    assert client.get("/analysis/?consultation=no-such-thing").status_code == 404
    assert "Older consultation words." in _page(client, "/analysis/items")


def test_a_draft_is_404_to_an_analyst_and_never_listed(client, two, make_consultation):
    draft = make_consultation(title="Secret draft policy", status="draft")
    assert client.get(f"/analysis/items?consultation={draft.slug}").status_code == 404
    assert client.get(f"/analysis/?consultation={draft.slug}").status_code == 404
    assert "Secret draft policy" not in _page(client, "/analysis/")


def test_objects_of_another_consultation_are_404(client, two, older):
    current_item, older_item, current_theme, older_theme = two
    assert client.get(f"/analysis/items/{older_item.id}").status_code == 404
    assert client.get(f"/analysis/codebook/themes/{older_theme.id}").status_code == 404
    assert client.get(f"/analysis/items/{older_item.id}?consultation={older.slug}").status_code == 200
    assert client.get(f"/analysis/items/{current_item.id}?consultation={older.slug}"
                      ).status_code == 404
    assert client.get(f"/analysis/codebook/themes/{current_theme.id}?consultation="
                      f"{older.slug}").status_code == 404


def test_coding_in_the_chosen_consultation_stays_there(client, csrf_token, two, older):
    _current_item, older_item, current_theme, older_theme = two
    url = f"/analysis/items/{older_item.id}?consultation={older.slug}"
    token = csrf_token(_page(client, url))
    response = client.post(f"/analysis/items/{older_item.id}/code?consultation={older.slug}",
                           data={"csrf_token": token, "themes": str(older_theme.id)})
    assert response.status_code == 302
    assert f"consultation={older.slug}" in response.headers["Location"]
    coding = Session.scalars(select(Coding).where(Coding.item_id == older_item.id)).one()
    assert coding.theme_id == older_theme.id
    # A theme of the other consultation's codebook is refused, and nothing is coded.
    response = client.post(f"/analysis/items/{older_item.id}/code?consultation={older.slug}",
                           data={"csrf_token": token, "themes": str(current_theme.id)})
    assert response.status_code == 400
    assert len(Session.scalars(select(Coding).where(Coding.item_id == older_item.id)).all()) == 1


def test_a_new_theme_goes_into_the_chosen_consultations_codebook(client, csrf_token, two,
                                                                  older):
    token = csrf_token(_page(client, f"/analysis/codebook?consultation={older.slug}"))
    response = client.post(f"/analysis/codebook/themes?consultation={older.slug}",
                           data={"csrf_token": token, "name": "Rivers", "colour": "#4c6b8a"})
    assert response.status_code == 302
    book = Session.scalar(select(Codebook).where(Codebook.consultation_id == older.id))
    assert "Rivers" in [theme.name for theme in book.themes]


def test_with_one_consultation_there_is_no_picker(client, analyst, consultation):
    assert 'id="analysis-consultation"' not in _page(client, "/analysis/")


def test_the_tasks_link_to_the_consultation_they_count(client, two, consultation):
    from app.analysis.hooks import tasks
    from app.models import User

    person = next(user for user in Session.scalars(select(User)) if user.has_role("analyst"))
    for task in tasks(person):
        assert f"consultation={consultation.slug}" in task.url
