"""Every administration page renders for an administrator and is refused to everyone else."""
from __future__ import annotations

import pytest

GET_PAGES = [
    "/admin/", "/admin/people", "/admin/organisations", "/admin/organisations/new",
    "/admin/invitations", "/admin/invitations/new", "/admin/consultations",
    "/admin/consultations/new", "/admin/settings",
]


@pytest.fixture
def objects(make_user, make_org, make_consultation):
    org = make_org("Te Whare Tautoko", "iwi_maori")
    person = make_user("participant", org=org)
    consultation = make_consultation(title="Data protection and use policy")
    return {"org": org, "person": person, "consultation": consultation}


def _object_pages(objects) -> list[str]:
    return [f"/admin/people/{objects['person'].id}",
            f"/admin/organisations/{objects['org'].id}",
            f"/admin/consultations/{objects['consultation'].id}"]


def test_every_page_renders_for_an_admin(client, admin, objects):
    for url in GET_PAGES + _object_pages(objects):
        response = client.get(url)
        html = response.get_data(as_text=True)
        assert response.status_code == 200, url
        assert html.count("<h1") == 1, url
        assert 'href="/admin/"' in html, f"{url}: no way back to the dashboard"


def test_dashboard_shows_counts_and_links(client, admin, objects):
    html = client.get("/admin/").get_data(as_text=True)
    for link in ("/admin/people", "/admin/organisations", "/admin/invitations",
                 "/admin/consultations", "/admin/settings"):
        assert f'href="{link}"' in html
    # Two people (the admin and the participant), one organisation, one consultation open now.
    assert '<p class="count">2</p>' in html
    assert "1 open now" in html


@pytest.mark.parametrize("role", ["participant", "facilitator", "analyst", "advisory",
                                  "kaitiaki"])
def test_every_page_is_forbidden_to_other_roles(client, auth, make_user, objects, role):
    auth.login(make_user(role))
    for url in GET_PAGES + _object_pages(objects):
        assert client.get(url).status_code == 403, url


def test_anonymous_visitors_are_sent_to_sign_in(client, objects):
    for url in GET_PAGES:
        response = client.get(url)
        assert response.status_code == 302, url
        assert "/account/login" in response.headers["Location"]


def test_unknown_objects_are_404(client, admin):
    for url in ("/admin/people/999999", "/admin/organisations/999999",
                "/admin/consultations/999999"):
        assert client.get(url).status_code == 404, url


def test_admin_link_in_navigation_only_for_admins(client, auth, make_user, admin):
    assert 'href="/admin/"' in client.get("/").get_data(as_text=True)
    auth.login(make_user("analyst"))
    assert 'href="/admin/"' not in client.get("/").get_data(as_text=True)
