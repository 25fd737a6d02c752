"""The intake sweeper: the work after the submit, done in batches by background jobs.

- `submissions.sweep` picks up submissions not recorded yet (Submission.recorded_at NULL,
  indexed) SUBMISSIONS_SWEEP_BATCH at a time: their answers become FeedbackItems (new ones in
  two multi-row INSERTs through app.corpus.operations.record_new_feedback_many; changed ones
  through record_answers), screening flags them, and recorded_at is set, all in one commit
  per batch (a job checkpoint). A batch that fails is retried one submission at a time, so one
  bad submission never holds up the others; what still fails stays unrecorded for the next run.
- then `submissions.receipts` emails the receipts owed (receipt_sent_at NULL), and
  `submissions.campaigns` runs campaign detection for each consultation touched.

Nothing is lost on a crash: a submission stays unrecorded until the commit that records it,
and the job system resumes or restarts the sweep (stale-job recovery, plus `sweep_if_owed`
every minute and at worker start-up). The web path only calls `request_sweep()`, at most once
every INTAKE_SWEEP_TRIGGER_SECONDS per process, and never in the submit transaction.
"""
from __future__ import annotations

import logging
import time
from datetime import timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import exists, func, select, update
from sqlalchemy.orm import selectinload

from app.corpus.models import FeedbackItem
from app.corpus.operations import record_new_feedback_many
from app.db import Session, utcnow, writing_transactions
from app.jobs import job, start_job
from app.jobs.contention import lost_a_race
from app.jobs.models import Job
from app.jobs.registry import periodic
from app.models import Organisation
from app.web.dates import as_utc
from submissions.models import TEXT_KINDS, Submission, SubmissionForm
from submissions.recording import (
    SOURCE,
    closed_answer,
    questions_of,
    record_answers,
    scope_of,
    source_id,
)

log = logging.getLogger("korero.submissions.sweeper")
ACTIVE = ("queued", "running")
_last_request = {"at": 0.0}


def job_active(kind: str, **params) -> bool:
    jobs = Session.scalars(select(Job).where(Job.kind == kind, Job.status.in_(ACTIVE)))
    return any((j.params or {}) == params for j in jobs)


def ensure_job(kind: str, **params) -> bool:
    """Start a KIND job unless one with these params is queued or running (flush only)."""
    if job_active(kind, **params):
        return False
    start_job(None, kind, **params)
    return True


def request_sweep() -> None:
    """After a submit committed: make sure a sweep will run, at most once every
    INTAKE_SWEEP_TRIGGER_SECONDS in this process. Its own tiny transaction; a busy database
    is no error here (the minute's `sweep_if_owed` catches up)."""
    now = time.monotonic()
    if now - _last_request["at"] < float(current_app.config.get("INTAKE_SWEEP_TRIGGER_SECONDS",
                                                                 2)):
        return
    _last_request["at"] = now
    try:
        ensure_job("submissions.sweep")
        Session.commit()
    except Exception:  # never fail a submit that is already stored
        Session.rollback()
        log.warning("could not start the intake sweep now; the periodic check will",
                    exc_info=True)


@periodic
def sweep_if_owed() -> None:
    """Every minute and at worker start: a sweep when submissions wait to be recorded."""
    owed = Session.scalar(select(exists().where(Submission.recorded_at.is_(None),
                                                Submission.withdrawn_at.is_(None))))
    sent = Session.scalar(select(exists().where(Submission.receipt_sent_at.is_(None),
                                                Submission.recorded_at.is_not(None))))
    if owed:
        ensure_job("submissions.sweep")
    elif sent and _receipts_enabled():
        ensure_job("submissions.receipts")
    if not owed:
        _campaigns_if_due()
    Session.commit()


def _campaign_interval() -> timedelta:
    return timedelta(minutes=float(current_app.config.get("CAMPAIGN_INTERVAL_MINUTES", 10)))


def _last_detection():
    return Session.scalar(select(func.max(Job.finished_at)).where(
        Job.kind == "submissions.campaigns", Job.status == "done"))


def _campaigns_if_due() -> None:
    """Campaign detection for each consultation with submissions recorded since the last
    detection (a detection deferred during a busy sweep is not forgotten)."""
    last = _last_detection()
    newest = Session.scalar(select(func.max(Submission.recorded_at)))
    if newest is None or (last is not None and as_utc(last) >= as_utc(newest)):
        return
    if last is not None and utcnow() - as_utc(last) < _campaign_interval():
        return
    for consultation_id in _consultations_recorded_since(last):
        ensure_job("submissions.campaigns", consultation_id=consultation_id)


def _consultations_recorded_since(moment) -> set[int]:
    stmt = (select(SubmissionForm.consultation_id).join(Submission)
            .where(Submission.recorded_at.is_not(None)).distinct())
    if moment is not None:
        stmt = stmt.where(Submission.recorded_at > moment)
    return set(Session.scalars(stmt))


def _batch_size() -> int:
    return int(current_app.config.get("SUBMISSIONS_SWEEP_BATCH", 500))


def _receipts_enabled() -> bool:
    return bool(current_app.config.get("SUBMISSIONS_RECEIPT_EMAILS", True))


@job("submissions.sweep", label=_l("Record new submissions"))
def sweep_job(ctx) -> dict:
    """Record, screen and mark every submission not recorded yet, batch by batch."""
    state = {"after_id": 0, "done": 0, "failed": 0, "consultations": [], **ctx.state}
    while True:
        arriving = _submissions_arriving()
        ids = list(Session.scalars(
            select(Submission.id).where(Submission.recorded_at.is_(None),
                                        Submission.withdrawn_at.is_(None),
                                        Submission.id > state["after_id"])
            .order_by(Submission.id)
            .limit(min(_batch_size(), BATCH_WHILE_ARRIVING) if arriving else _batch_size())))
        if not ids:
            break
        started = time.monotonic()
        recorded, touched = process_batch(ids)
        state["done"] += recorded
        state["failed"] += len(ids) - recorded
        state["after_id"] = ids[-1]
        state["consultations"] = sorted(set(state["consultations"]) | touched)
        ctx.checkpoint(state, done=state["done"],
                       message=f"{state['done']} submissions recorded")
        _give_way(time.monotonic() - started, arriving=arriving)
    Session.commit()  # end the last read: what follows reads and writes the job rows
    with writing_transactions():
        if _receipts_enabled():
            ensure_job("submissions.receipts")
        # Detection reads every item of the consultation: at most once per
        # CAMPAIGN_INTERVAL_MINUTES while submissions pour in (sweep_if_owed catches up).
        last = _last_detection()
        if last is None or utcnow() - as_utc(last) >= _campaign_interval():
            for consultation_id in state["consultations"]:
                ensure_job("submissions.campaigns", consultation_id=consultation_id)
        Session.commit()
    return {"recorded": state["done"], "failed": state["failed"]}


# While submissions arrive, a batch's transaction (which submits wait for) stays short: about
# 30 ms of CPU on a slow 2-core machine, against 0.15 s for 50 and 0.7 s for 500.
BATCH_WHILE_ARRIVING = 10
ARRIVING_SECONDS = 2.0


def _submissions_arriving() -> bool:
    """Whether a submission arrived in the last ARRIVING_SECONDS (the newest, by its id)."""
    newest = Session.scalar(select(Submission.submitted_at)
                            .order_by(Submission.id.desc()).limit(1))
    Session.commit()  # a read of its own: no snapshot held while the job waits
    return newest is not None and (utcnow() - as_utc(newest)).total_seconds() < ARRIVING_SECONDS


def _give_way(spent: float, *, arriving: bool) -> None:
    """Web requests first: while submissions keep arriving, the sweep records them
    BATCH_WHILE_ARRIVING at a time and holds SQLite's write lock (its batch transaction) at
    most SUBMISSIONS_SWEEP_SHARE of the time, waiting after each batch in proportion to how
    long it took; once they stop arriving it works at full speed, SUBMISSIONS_SWEEP_BATCH at a
    time. The backlog built during a peak is recorded after it (nothing is lost meanwhile:
    a stored submission stays unrecorded until a batch records it)."""
    share = float(current_app.config.get("SUBMISSIONS_SWEEP_SHARE", 0.02))
    if arriving and 0 < share < 1:
        time.sleep(min(spent * (1 - share) / share, 30.0))


def process_batch(ids: list[int]) -> tuple[int, set[int]]:
    """Record and screen the submissions IDS, and commit. (recorded, consultation ids).
    When the batch fails, each submission is tried alone. Each transaction takes the write
    lock as it begins (writing_transactions): while submissions pour in, one that read first
    would be refused its first write. A database still busy after the wait is the job's to
    retry (lost_a_race), not a failed submission."""
    Session.commit()  # end the read that found IDS: the batch begins its own transaction
    try:
        with writing_transactions():
            touched = _record(ids)
            Session.commit()
        return len(ids), touched
    except Exception as error:
        Session.rollback()
        if lost_a_race(error):
            raise
        log.exception("intake batch %s..%s failed; recording one by one", ids[0], ids[-1])
    recorded, touched = 0, set()
    for submission_id in ids:
        try:
            with writing_transactions():
                touched |= _record([submission_id])
                Session.commit()
            recorded += 1
        except Exception as error:
            Session.rollback()
            if lost_a_race(error):
                raise
            log.exception("submission %s could not be recorded; it waits for the next sweep",
                          submission_id)
    return recorded, touched


def _record(ids: list[int]) -> set[int]:
    from submissions.screening import screen

    # Not recorded yet: IDS were read before this transaction began.
    submissions = list(Session.scalars(
        select(Submission).where(Submission.id.in_(ids), Submission.recorded_at.is_(None))
        .options(selectinload(Submission.answers))))
    ids = [s.id for s in submissions]
    if not ids:
        return set()
    already = _already_recorded(submissions)
    fresh = [s for s in submissions if s.id not in already and s.submitted_by_id is None
             and s.draft_id is None]
    for submission in submissions:
        if submission not in fresh:
            record_answers(submission)  # edits, signed-in authors, attachments: item by item
    _record_fresh(fresh)
    screen(submissions)
    # No need to update the loaded objects (the batch's commit expires them).
    Session.execute(update(Submission).where(Submission.id.in_(ids))
                    .values(recorded_at=utcnow())
                    .execution_options(synchronize_session=False))
    Session.flush()
    return {s.form.consultation_id for s in submissions}


def _already_recorded(submissions: list[Submission]) -> set[int]:
    keys = [source_id(s, a.question_key) for s in submissions for a in s.answers]
    if not keys:
        return set()
    found = Session.scalars(select(FeedbackItem.source_id).where(
        FeedbackItem.source == SOURCE, FeedbackItem.source_id.in_(keys)))
    return {int(key.split(":", 1)[0]) for key in found}


def _record_fresh(submissions: list[Submission]) -> None:
    """New guest submissions: every answer with text becomes an item (with its closed
    answer, for choice questions), in bulk."""
    org_ids = {s.organisation_id for s in submissions} - {None}
    groups = dict(Session.execute(select(Organisation.id, Organisation.stakeholder_group)
                                  .where(Organisation.id.in_(org_ids))).all()) if org_ids else {}
    entries = []
    versions: dict[int, dict] = {}
    # Choice answers repeat across a batch (a few options each) and their structured form
    # reads the options' translated labels: worked out once per question and value, not
    # once per answer (a third of the sweep's CPU).
    closed_answers: dict[tuple, object] = {}

    def closed(submission, question, value):
        if question is None or question.kind in TEXT_KINDS:
            return None
        key = (submission.version_id, question.key, repr(value))
        if key not in closed_answers:
            closed_answers[key] = closed_answer(question, value)
        return closed_answers[key]

    for submission in submissions:
        scope = scope_of(submission)
        if submission.version_id not in versions:
            versions[submission.version_id] = questions_of(submission)
        questions = versions[submission.version_id]
        for answer in submission.answers:
            if answer.text.strip():
                entries.append({
                    "consultation_id": submission.form.consultation_id, "source": SOURCE,
                    "source_id": source_id(submission, answer.question_key),
                    "text": answer.text, "question_key": answer.question_key,
                    "consent": scope, "created_at": submission.submitted_at,
                    "organisation_id": submission.organisation_id,
                    "stakeholder_group": groups.get(submission.organisation_id),
                    "closed": closed(submission, questions.get(answer.question_key),
                                     answer.value)})
    record_new_feedback_many(None, entries)


@job("submissions.receipts", label=_l("Email submission receipts"))
def receipts_job(ctx) -> dict:
    """Email every receipt owed (with its PDF), oldest first; each marked sent once sent."""
    from submissions.receipts import send_receipt

    sent = ctx.state.get("sent", 0)
    while True:
        batch = list(Session.scalars(
            select(Submission).where(Submission.receipt_sent_at.is_(None),
                                     Submission.recorded_at.is_not(None))
            .order_by(Submission.id).limit(50)))
        if not batch:
            break
        for submission in batch:
            if submission.withdrawn_at is None:
                send_receipt(submission)
            Session.commit()  # end the reads: marking it sent takes the write lock at once
            with writing_transactions():
                submission.receipt_sent_at = utcnow()
                sent += 1
                ctx.checkpoint({"sent": sent}, done=sent, message=f"{sent} receipts sent")
    return {"sent": sent}


@job("submissions.campaigns", label=_l("Find campaigns among submissions"))
def campaigns_job(ctx, consultation_id: int) -> dict:
    """Campaign (near-duplicate) detection over the consultation's submission answers."""
    from app.corpus.campaigns import detect_campaigns

    similarity = float(current_app.config.get("CAMPAIGN_SIMILARITY", 0.6))
    result = detect_campaigns(consultation_id, source=SOURCE, similarity=similarity,
                              progress=lambda done, total, message: ctx.progress(
                                  done, total, message))
    Session.commit()
    return result.summary()
