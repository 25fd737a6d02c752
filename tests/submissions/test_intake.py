# ruff: noqa: F401, F811  (pytest fixtures imported from submission_support, named as arguments)
"""The public submit path of deadline day (submissions.intake and its sweeper): one
transaction per submit, idempotent under retries, the busy page, and batches recorded later
even when a sweep fails half-way."""
from __future__ import annotations

import sqlite3

import pytest
from intake_support import answers, form_page, submit
from sqlalchemy import func, select
from submission_support import analyst, make_form, run_recording_jobs, token_of

from app.corpus.models import FeedbackItem
from app.db import Session
from app.jobs.models import Job
from submissions import sweeper
from submissions.models import Submission, SubmissionAnswer


def test_a_guest_submits_in_one_request_and_sees_the_receipt(client, make_form):
    form = make_form(allows_guests=True)
    token, key = form_page(client, form)
    jobs_before = Session.scalar(select(func.count()).select_from(Job))
    response = submit(client, form, answers(), token=token, key=key)
    assert response.status_code == 303, response.get_data(as_text=True)
    submission = Session.scalar(select(Submission).where(Submission.idempotency_key == key))
    assert submission.guest_name == "Mere Tūhoe" and submission.recorded_at is None
    assert {a.question_key: a.text for a in submission.answers}["q2"] == "Health records."
    assert submission.source_hash and "127.0.0.1" not in submission.source_hash
    receipt = client.get(response.headers["Location"])
    assert receipt.status_code == 200
    assert submission.reference in receipt.get_data(as_text=True)
    # No job row per submission: at most the one sweep the trigger starts.
    kinds = Session.scalars(select(Job.kind).offset(jobs_before)).all()
    assert set(kinds) <= {"submissions.sweep"} and len(kinds) <= 1


def test_retries_and_double_clicks_make_one_submission(client, make_form):
    form = make_form(allows_guests=True)
    token, key = form_page(client, form)
    locations = {submit(client, form, answers(), token=token, key=key).headers["Location"]
                 for _ in range(3)}
    assert len(locations) == 1
    count = Session.scalar(select(func.count()).select_from(Submission)
                           .where(Submission.idempotency_key == key))
    assert count == 1
    rows = Session.scalar(select(func.count()).select_from(SubmissionAnswer).join(Submission)
                          .where(Submission.idempotency_key == key))
    assert rows == 3


def test_another_browser_cannot_see_the_receipt(client, app, make_form):
    form = make_form(allows_guests=True)
    token, key = form_page(client, form)
    location = submit(client, form, answers(), token=token, key=key).headers["Location"]
    assert app.test_client().get(location).status_code == 404


def test_bad_answers_are_shown_again_with_everything_typed(client, make_form):
    form = make_form(allows_guests=True)
    token, key = form_page(client, form)
    response = submit(client, form, answers(guest_email="not an address",
                                            **{"answer-q2": "Kept <b>as typed</b>"}),
                      token=token, key=key)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Give an email address" in html and "Kept &lt;b&gt;as typed&lt;/b&gt;" in html
    assert f'value="{key}"' in html  # the same key: a corrected submit is still one
    assert Session.scalar(select(func.count()).select_from(Submission)) == 0


def test_a_form_closed_to_guests_refuses_them(client, make_form):
    form = make_form(allows_guests=False)
    response = client.get(f"/submissions/forms/{form.id}/submit")
    token = token_of(response.get_data(as_text=True))
    response = submit(client, form, answers(), token=token, key="k" * 24)
    assert response.status_code == 422 and "Sign in" in response.get_data(as_text=True)


def test_the_sweeper_records_screens_and_sends_receipts(client, app, make_form,
                                                         smtp_server):
    form = make_form(allows_guests=True)
    for n in range(3):
        token, key = form_page(client, form)
        submit(client, form, answers(guest_email=f"p{n}@example.test"), token=token, key=key)
    (job,) = run_recording_jobs(app)
    assert job.status == "done", job.error
    assert job.result["recorded"] == 3
    assert Session.scalar(select(func.count()).select_from(Submission)
                          .where(Submission.recorded_at.is_(None))) == 0
    items = Session.scalars(select(FeedbackItem).where(FeedbackItem.question_key == "q2")).all()
    assert len(items) == 3 and items[0].consent_quote == "anonymous"
    assert len(smtp_server.wait_for(3)) == 3


def test_a_sweep_that_fails_half_way_loses_nothing_and_is_retried(client, app, make_form,
                                                                   monkeypatch):
    form = make_form(allows_guests=True)
    for _ in range(4):
        token, key = form_page(client, form)
        submit(client, form, answers(), token=token, key=key)
    app.config["SUBMISSIONS_SWEEP_BATCH"] = 2
    app.config["SUBMISSIONS_RECEIPT_EMAILS"] = False
    real_record, calls = sweeper._record, []

    def fails_after_the_first_batch(ids):
        calls.append(ids)
        if len(calls) > 1:
            raise RuntimeError("the disk filled up")
        return real_record(ids)

    try:
        monkeypatch.setattr(sweeper, "_record", fails_after_the_first_batch)
        (job,) = run_recording_jobs(app)
        assert job.result == {"recorded": 2, "failed": 2}
        waiting = Session.scalar(select(func.count()).select_from(Submission)
                                 .where(Submission.recorded_at.is_(None)))
        assert waiting == 2  # stored and acknowledged: only not recorded yet
        monkeypatch.setattr(sweeper, "_record", real_record)
        (again,) = run_recording_jobs(app)  # the minute's check starts the next sweep
        assert again.result == {"recorded": 2, "failed": 0}
    finally:
        app.config.pop("SUBMISSIONS_SWEEP_BATCH")
        app.config.pop("SUBMISSIONS_RECEIPT_EMAILS")
    items = Session.scalar(select(func.count()).select_from(FeedbackItem)
                           .where(FeedbackItem.question_key == "q2"))
    assert items == 4


@pytest.fixture
def own_sqlite_app(tmp_path, db_session):
    """An app on a SQLite file of its own (the suite's connection holds one open transaction,
    so only another database can be made busy). Building it binds the Session to its file;
    db_session binds it back afterwards."""
    from app import create_app
    from app.config import TestConfig
    from app.migrate import upgrade

    url = f"sqlite:///{tmp_path / 'busy.sqlite3'}"
    upgrade(url)
    config = TestConfig(url)
    config.INTAKE_BUSY_TIMEOUT_MS = 150
    config.INTAKE_FORM_CACHE_SECONDS = 60  # loaded by the GET, as on a busy day
    from submissions.intake import forget_forms

    # The per-process form cache is keyed by form id: a form of the suite's own database
    # with the same id, cached by an earlier test of this worker, must not answer here.
    forget_forms()
    Session.remove()
    other = create_app(config)
    yield other, tmp_path / "busy.sqlite3"
    forget_forms()
    Session.remove()
    other.extensions["korero_engine"].dispose()


def test_when_the_database_is_busy_the_answers_are_kept(own_sqlite_app, make_form):
    other, path = own_sqlite_app
    form = make_form(allows_guests=True)  # in the app's own database
    client = other.test_client()
    token, key = form_page(client, form)
    locker = sqlite3.connect(path, timeout=0)
    locker.execute("BEGIN IMMEDIATE")  # another writer holds the lock past the short timeout
    try:
        response = submit(client, form, answers(**{"answer-q2": "My words, kept."}),
                          token=token, key=key)
    finally:
        locker.rollback()
        locker.close()
    assert response.status_code == 503
    assert int(response.headers["Retry-After"]) > 0
    html = response.get_data(as_text=True)
    assert "try again in a minute" in html and "My words, kept." in html
    assert f'value="{key}"' in html
    again = submit(client, form, answers(), token=token, key=key)  # a minute later
    assert again.status_code == 303


def test_a_busy_submit_keeps_the_answers_even_when_the_cached_form_has_expired(
        own_sqlite_app, make_form):
    other, path = own_sqlite_app
    form = make_form(allows_guests=True)
    client = other.test_client()
    token, key = form_page(client, form)
    other.config["INTAKE_FORM_CACHE_SECONDS"] = 0  # the copy the GET loaded is now stale
    locker = sqlite3.connect(path, timeout=0)
    locker.execute("BEGIN IMMEDIATE")
    try:
        response = submit(client, form, answers(**{"answer-q2": "Still mine."}),
                          token=token, key=key)
    finally:
        locker.rollback()
        locker.close()
    assert response.status_code == 503
    html = response.get_data(as_text=True)
    assert "Still mine." in html and f'value="{key}"' in html
    assert submit(client, form, answers(), token=token, key=key).status_code == 303


def test_a_submit_holds_the_write_lock_only_for_its_inserts(own_sqlite_app, make_form):
    """Everything is checked before the first statement (the form, its questions and whether
    its consultation takes guests come from the snapshot): the write lock a POST takes with its
    first statement is held for the two inserts and the commit, not for the checks."""
    from sqlalchemy import event

    other, _path = own_sqlite_app
    form = make_form(allows_guests=True)
    client = other.test_client()
    token, key = form_page(client, form)  # loads the snapshot, as the first visitor does
    statements = []

    def seen(_conn, _cursor, statement, *_args):
        statements.append(" ".join(statement.split())[:40])

    engine = other.extensions["korero_engine"]
    event.listen(engine, "before_cursor_execute", seen)
    try:
        response = submit(client, form, answers(), token=token, key=key)
    finally:
        event.remove(engine, "before_cursor_execute", seen)
    assert response.status_code == 303
    assert statements[:3] == ["BEGIN IMMEDIATE", "INSERT INTO submission (reference, idemp",
                              "INSERT INTO submission_answer (submissio"], statements


def test_a_sweep_batch_holds_the_write_lock_from_its_first_read(own_sqlite_app, make_form,
                                                                monkeypatch):
    """While submissions pour in, a batch that read first would be refused its first write
    ("database is locked": another connection committed meanwhile) and retried for ever:
    its transaction takes the lock as it begins, so the submits wait for it instead."""
    other, path = own_sqlite_app
    form = make_form(allows_guests=True)
    client = other.test_client()
    for _ in range(2):
        token, key = form_page(client, form)
        assert submit(client, form, answers(), token=token, key=key).status_code == 303
    seen = {}
    real_check = sweeper._already_recorded

    def a_submit_meanwhile(submissions):  # the batch has read its submissions by now
        web = sqlite3.connect(path, timeout=0)
        try:
            web.execute("BEGIN IMMEDIATE")
            seen["submit"] = "took the lock"
            web.rollback()
        except sqlite3.OperationalError as error:
            seen["submit"] = str(error)
        finally:
            web.close()
        return real_check(submissions)

    monkeypatch.setattr(sweeper, "_already_recorded", a_submit_meanwhile)
    other.config["SUBMISSIONS_RECEIPT_EMAILS"] = False
    with other.app_context():
        ids = list(Session.scalars(select(Submission.id).where(
            Submission.recorded_at.is_(None)).order_by(Submission.id)))
        assert sweeper.process_batch(ids)[0] == 2
        assert Session.scalar(select(func.count()).select_from(Submission)
                              .where(Submission.recorded_at.is_(None))) == 0
    assert "locked" in seen["submit"]


def test_the_drivers_inserts_store_exactly_what_sqlalchemy_would(make_form):
    """The submit's inserts run on the driver's cursor with SQL and bind processors compiled
    once (submissions.intake_sql): the stored bytes (timestamps, JSON) are those SQLAlchemy's
    own insert stores, on either database."""
    from datetime import UTC, datetime

    from sqlalchemy import String, insert, type_coerce

    from submissions.intake_sql import insert_submission

    form = make_form(allows_guests=True)
    when = datetime(2026, 11, 28, 18, 5, 7, 123456, tzinfo=UTC)
    values = {"form_id": form.id, "version_id": form.current_version.id,
              "guest_name": "Mere", "guest_email": "mere@example.test",
              "consent": {"analysis": True, "quote": "anonymous", "governed_by_id": None},
              "submitted_at": when, "updated_at": when, "submitter_role": "",
              "is_authorised": False, "source_hash": None}
    answers = [{"question_key": "q2", "value": "Kupu", "text": "Kupu"},
               {"question_key": "q3", "value": ["a", "b"], "text": "a; b"}]
    ours = insert_submission(Session.connection(), {
        **values, "reference": "KOR-OURS-0001", "idempotency_key": "o" * 20}, answers)
    table = Submission.__table__
    theirs = Session.execute(insert(table).returning(table.c.id), {
        **values, "reference": "KOR-THEI-0001", "idempotency_key": "t" * 20}).scalar_one()
    Session.execute(insert(SubmissionAnswer.__table__),
                    [{**answer, "submission_id": theirs} for answer in answers])

    def stored(submission_id):
        columns = [type_coerce(c, String) for c in table.c
                   if c.name not in ("id", "reference", "idempotency_key")]
        answer = SubmissionAnswer.__table__.c
        return (Session.execute(select(*columns).where(table.c.id == submission_id)).one(),
                Session.execute(select(answer.question_key, type_coerce(answer.value, String),
                                       answer.text)
                                .where(answer.submission_id == submission_id)
                                .order_by(answer.question_key)).all())

    assert stored(ours) == stored(theirs)
    assert Session.get(Submission, ours).submitted_at == when


def test_each_error_summary_link_leads_to_a_control_that_takes_focus(client, make_form):
    """A link to a group of choices leads to its first choice (the group itself takes no
    focus); a link to a text answer leads to the text box."""
    import re

    form = make_form(allows_guests=True, questions=[
        {"kind": "yes_no", "prompt": "Do you share data today?", "is_required": True},
        {"kind": "long_text", "prompt": "Why?", "is_required": True}])
    token, key = form_page(client, form)
    response = submit(client, form, {"guest_name": "Mere Tūhoe",
                                     "guest_email": "mere@example.test"}, token=token, key=key)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    targets = re.findall(r'<a href="#([^"]+)">', html.split('class="error-summary"')[1]
                         .split("</div>")[0])
    assert targets == ["answer-q1-0", "answer-q2", "consent-analysis-yes", "consent-quote-none",
                       "consent-publish-none"]
    for target in targets:
        assert f'id="{target}"' in html


def test_while_submissions_keep_arriving_the_sweep_gives_way_between_batches(app,
                                                                            monkeypatch):
    """Web requests first: a batch that took 0.1 s while new submissions arrived is followed
    by a wait that leaves the write lock to the submits (SUBMISSIONS_SWEEP_SHARE of the time
    for the sweep); once they stop arriving, no wait."""
    waits = []
    monkeypatch.setattr(sweeper.time, "sleep", waits.append)
    monkeypatch.setitem(app.config, "SUBMISSIONS_SWEEP_SHARE", 0.2)
    with app.app_context():
        sweeper._give_way(0.1, arriving=True)
        sweeper._give_way(0.1, arriving=False)
    assert waits == [pytest.approx(0.4)]
