""""Your tasks": where everyone lands after signing in, fed by the core and every package."""
from __future__ import annotations

from conftest import AuthActions

from app.auth.operations import create_invitation
from app.db import Session, utcnow
from app.jobs.operations import create_job
from app.tasks import core_tasks


def test_signing_in_lands_on_your_tasks(client, auth, make_user):
    make_user(email="mere@example.org")
    assert auth.login_with_form("mere@example.org").headers["Location"] == "/tasks"


def test_the_anonymous_are_sent_to_sign_in_and_back(client):
    response = client.get("/tasks")
    assert response.status_code == 302
    assert response.headers["Location"] == "/account/login?next=/tasks"


def test_with_nothing_to_do_the_page_says_so_and_points_to_ways_to_take_part(
        client, auth, make_user, make_consultation):
    make_consultation(title="Open consultation")
    person = make_user("participant")
    auth.login(person)
    html = client.get("/tasks").get_data(as_text=True)
    assert '<h1 id="page-title">Your tasks</h1>' in html
    assert f'<span lang="mi">Kia ora</span>, {person.display_name}.' in html
    assert "Nothing needs you right now" in html
    for card in ("Join the forum", "Come to a workshop", "Make a submission"):
        assert card in html
    assert 'href="/tasks" aria-current="page"' in html  # the navigation's "Your tasks"


def test_an_admin_sees_invitations_waiting_to_be_accepted(app, client, auth, make_user):
    admin = make_user("admin")
    with app.app_context():  # the links are built from BASE_URL
        for email in ("one@example.org", "two@example.org", "three@example.org"):
            create_invitation(admin, email=email, roles=["participant"])
        withdrawn, _link = create_invitation(admin, email="later@example.org", roles=["analyst"])
        withdrawn.revoked_at = utcnow()
        Session.commit()
    auth.login(admin)
    html = client.get("/tasks").get_data(as_text=True)
    assert "Invitations waiting to be accepted" in html and "3 to do" in html
    assert 'href="/admin/invitations"' in html
    assert "Nothing needs you right now" not in html
    # Nobody else is shown the administrators' work.
    with app.test_request_context():
        assert core_tasks(make_user("analyst")) == []


def test_a_person_sees_their_own_jobs_still_running(app, make_user):
    analyst, other = make_user("analyst"), make_user("analyst")
    create_job(analyst, "demo")
    create_job(analyst, "demo").status = "running"
    create_job(analyst, "demo").status = "done"
    create_job(other, "demo")
    Session.flush()
    with app.test_request_context():
        [task] = core_tasks(analyst)
        assert (str(task.label), task.count, task.url) == (
            "Your background jobs still running", 2, "/jobs/")


def test_packages_add_their_tasks_to_the_page(sample_app, make_user):
    client = sample_app.test_client()
    AuthActions(client).login(make_user("participant"))
    html = client.get("/tasks").get_data(as_text=True)
    assert 'href="/sample/staff"' in html and "Sample things to review" in html
    assert "3 to do" in html
    assert "Nothing here" not in html  # a task with nothing to do is left out
