"""A job started from the web runs in a real worker and its page shows the progress moving.

The live server's app and a real `huey_consumer` process share the SQLite queue file and the
database; the browser starts the demo job from the jobs page and watches js/jobs.js move the bar.
"""
from __future__ import annotations

import os
import re

import pytest
from playwright.sync_api import expect
from worker_support import start_worker, stop_worker


@pytest.fixture
def worker(live_server, tmp_path):
    config = live_server.app.config
    env = {**os.environ, "KORERO_INSTANCE_PATH": live_server.app.instance_path,
           "DATABASE_URL": config["DATABASE_URL"], "JOBS_SQLITE_PATH": config["JOBS_SQLITE_PATH"],
           "SECRET_KEY": "e2e-worker", "REDIS_URL": "", "JOBS_PROGRESS_SECONDS": "0"}
    env.pop("TEST_DATABASE_URL", None)
    process = start_worker(env, tmp_path / "worker.log", threads=1)
    yield process
    stop_worker(process)


def test_a_job_started_from_the_web_shows_its_progress_until_done(page, sign_in, worker):
    sign_in("admin")
    page.goto("/jobs/")
    page.get_by_label("Steps").fill("12")
    page.get_by_role("button", name="Run a demo job").click()
    page.wait_for_url(re.compile(r"/jobs/\d+$"))
    text = page.locator("#job-progress-text")
    # Part-way: the bar has moved without reloading the page (the demo sleeps 0.2 s a step).
    expect(text).to_contain_text(re.compile(r"\b([1-9]|1[01]) of 12\b"), timeout=20_000)
    expect(text).to_contain_text("12 of 12", timeout=20_000)
    expect(page.locator("#job-status")).to_have_text("Finished")
    assert page.locator("progress#job-progress").get_attribute("value") == "12"
