"""The job pages: the list, one job with its progress bar, the JSON the bar polls, the demo
button and cancelling."""
from __future__ import annotations

import re

from test_security_headers import nonce_of, tags_of

from app.db import Session
from app.jobs import create_job, run_job_inline
from app.jobs.models import Job


def _job(owner, **values) -> Job:
    job = create_job(owner, "demo", title=values.pop("title", "Import 3,000 rows"))
    for name, value in values.items():
        setattr(job, name, value)
    Session.commit()
    return job


def test_the_job_page_shows_an_accessible_progress_bar_with_text(client, auth, make_user):
    owner = make_user("participant")
    job = _job(owner, status="running", progress_done=412, progress_total=3000,
               message="Reading rows")
    auth.login(owner)
    response = client.get(f"/jobs/{job.id}")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Import 3,000 rows" in html and "Running" in html and "Reading rows" in html
    assert "412 of 3,000 — 14%" in html
    bar = next(attrs for tag, attrs in tags_of(html) if tag == "progress")
    assert (bar["value"], bar["max"]) == ("412", "3000")
    assert bar["aria-describedby"] == "job-progress-text"
    assert re.search(r'<label[^>]*for="job-progress"', html)
    # Refreshed by a static script carrying the CSP nonce; a <noscript> refresh without JS.
    nonce = nonce_of(response)
    scripts = [attrs for tag, attrs in tags_of(html) if tag == "script"]
    assert any(s.get("src", "").endswith("/js/jobs.js") and s.get("nonce") == nonce
               for s in scripts)
    assert all("src" in s for s in scripts), "inline script on the job page"
    assert '<noscript><meta http-equiv="refresh"' in html
    assert f'data-job-status-url="/jobs/{job.id}.json"' in html


def test_a_finished_job_page_does_not_refresh_and_shows_the_result(app, client, auth,
                                                                   make_user):
    owner = make_user("participant")
    with app.app_context():
        job = run_job_inline(_job(owner, params={"steps": 2, "seconds": 0}))
    auth.login(owner)
    html = client.get(f"/jobs/{job.id}").get_data(as_text=True)
    assert "Finished" in html and "2 of 2 — 100%" in html
    assert 'http-equiv="refresh"' not in html and 'data-job-finished="true"' in html
    assert "Steps" in html  # the result summary


def test_the_status_json_the_bar_polls(client, auth, make_user):
    owner = make_user("participant")
    job = _job(owner, status="running", progress_done=5, progress_total=20, message="Step 5")
    auth.login(owner)
    data = client.get(f"/jobs/{job.id}.json").get_json()
    assert data["status"] == "running" and data["is_finished"] is False
    assert data["progress"] == {"done": 5, "total": 20, "percent": 25,
                                "text": "5 of 20 — 25%"}
    assert data["message"] == "Step 5"


def test_the_list_shows_ones_own_jobs_and_staff_who_see_all_see_all(client, auth, make_user):
    owner, other = make_user("participant"), make_user("participant")
    _job(owner, title="Owner's import")
    _job(other, title="Other's import")
    auth.login(owner)
    html = client.get("/jobs/").get_data(as_text=True)
    assert "Owner&#39;s import" in html and "Other&#39;s import" not in html
    assert "Run a demo job" not in html
    auth.login(make_user("analyst"))
    html = client.get("/jobs/").get_data(as_text=True)
    assert "Owner&#39;s import" in html and "Other&#39;s import" in html


def test_an_admin_starts_a_demo_job_that_is_queued_after_the_commit(client, auth, make_user,
                                                                    csrf_token, queue):
    admin = make_user("admin")
    auth.login(admin)
    page = client.get("/jobs/").get_data(as_text=True)
    assert "Run a demo job" in page
    response = client.post("/jobs/demo", data={"csrf_token": csrf_token(page), "steps": "3"})
    assert response.status_code == 302
    job_id = int(response.headers["Location"].rsplit("/", 1)[-1])
    job = Session.get(Job, job_id)
    assert (job.kind, job.status, job.params, job.created_by_id) == (
        "demo", "queued", {"steps": 3}, admin.id)
    assert queue.huey.pending_count() == 1


def test_a_demo_job_with_a_bad_step_count_says_what_to_fix(client, auth, make_user, csrf_token,
                                                           queue):
    auth.login(make_user("admin"))
    page = client.get("/jobs/").get_data(as_text=True)
    response = client.post("/jobs/demo", data={"csrf_token": csrf_token(page), "steps": "0"},
                           follow_redirects=True)
    assert "from 1 to 600" in response.get_data(as_text=True)
    assert queue.huey.pending_count() == 0


def test_the_owner_cancels_a_running_job(client, auth, make_user, csrf_token):
    owner = make_user("participant")
    job = _job(owner, status="running")
    auth.login(owner)
    page = client.get(f"/jobs/{job.id}").get_data(as_text=True)
    assert "Cancel this job" in page
    response = client.post(f"/jobs/{job.id}/cancel", data={"csrf_token": csrf_token(page)},
                           follow_redirects=True)
    assert "Job cancelled." in response.get_data(as_text=True)
    assert Session.get(Job, job.id, populate_existing=True).status == "cancelled"
    response = client.post(f"/jobs/{job.id}/cancel", data={"csrf_token": csrf_token(page)},
                           follow_redirects=True)
    assert "already ended" in response.get_data(as_text=True)
