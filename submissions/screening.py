"""Screening: flag submissions that need a person's decision, and record that decision.

The intake sweeper calls `screen(submissions)` on each batch. A submission is flagged for:
- `offensive`: a word from the offensive-language list (a built-in list, extended by the file
  named in SCREENING_WORDS_FILE, one word or phrase a line);
- `name`: a pseudonym-only name ("Anonymous", "Mickey Mouse", a handle, digits) or a first
  name only, for a submission made without an account;
- `empty`: no answer with words in it;
- `burst`: SCREENING_BURST_COUNT or more submissions from one address (a keyed hash, never the
  address) within SCREENING_BURST_MINUTES.
A flagged submission made without an account whose address is not confirmed also carries
`unconfirmed` (alone it flags nothing: every guest starts unconfirmed).

Only flagged submissions get a SubmissionReview row. An analyst accepts or rejects with a reason
(audited); a whole campaign can be decided at once.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import timedelta
from functools import lru_cache
from pathlib import Path

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, insert, select

from app.db import Session, utcnow
from app.errors import OperationRefused
from app.privacy.audit import record_event
from submissions.models import Submission, SubmissionAnswer, SubmissionForm
from submissions.screening_models import SubmissionReview

BUILT_IN_WORDS = ("fuck", "fucking", "fucker", "shit", "shithead", "cunt", "bastard", "bastards",
                  "wanker",
                  "dickhead", "bitch", "arsehole", "asshole", "slut", "whore", "retard",
                  "motherfucker", "piss off", "bollocks")
PSEUDONYMS = ("anonymous", "anon", "anonymous person", "a concerned citizen", "concerned citizen",
              "mickey mouse", "donald duck", "john doe", "jane doe", "joe bloggs", "not telling",
              "no name", "none", "nobody", "private", "test", "a kiwi", "citizen", "me", "x")
WORD = re.compile(r"[^\W\d_]+", re.UNICODE)
FLAG_LABELS = {"offensive": "Offensive language", "name": "Name: pseudonym or first name only",
               "empty": "No answer with words", "burst": "Many submissions from one address",
               "unconfirmed": "Email address not confirmed"}


@lru_cache(maxsize=4)
def _word_pattern(extra_file: str | None) -> re.Pattern:
    words = list(BUILT_IN_WORDS)
    if extra_file and Path(extra_file).is_file():
        words += [line.strip().lower() for line in Path(extra_file).read_text().splitlines()
                  if line.strip() and not line.startswith("#")]
    alternatives = "|".join(re.escape(w) for w in sorted(set(words), key=len, reverse=True))
    return re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)", re.IGNORECASE)


def offensive_words(text: str) -> list[str]:
    pattern = _word_pattern(current_app.config.get("SCREENING_WORDS_FILE") or None)
    return sorted({m.group(0).lower() for m in pattern.finditer(text)})


def name_problem(name: str) -> str | None:
    """Why NAME looks like a pseudonym or a first name only; None when it looks real."""
    cleaned = " ".join(name.split()).strip(" .")
    if not cleaned:
        return "no name"
    if cleaned.lower() in PSEUDONYMS or cleaned.startswith("@") or any(c.isdigit()
                                                                        for c in cleaned):
        return "pseudonym"
    if len(WORD.findall(cleaned)) < 2:
        return "first name only"
    return None


def content_flags(submission: Submission) -> dict[str, object]:
    """{flag: detail} from the submission itself (no database)."""
    flags: dict[str, object] = {}
    text = "\n".join(a.text for a in submission.answers if a.text)
    found = offensive_words(text + "\n" + submission.guest_name)
    if found:
        flags["offensive"] = found
    if submission.is_guest:
        problem = name_problem(submission.guest_name)
        if problem:
            flags["name"] = problem
    if not any(len(WORD.findall(a.text or "")) >= 1 for a in submission.answers
               if a.question_key and a.text):
        flags["empty"] = True
    return flags


def _burst_hashes(submissions: list[Submission]) -> set[str]:
    """Address hashes with SCREENING_BURST_COUNT or more submissions within the window around
    this batch (one grouped query on the (source_hash, submitted_at) index)."""
    hashes = {s.source_hash for s in submissions if s.source_hash}
    if not hashes:
        return set()
    window = timedelta(minutes=int(current_app.config.get("SCREENING_BURST_MINUTES", 10)))
    limit = int(current_app.config.get("SCREENING_BURST_COUNT", 20))
    start = min(s.submitted_at for s in submissions) - window
    end = max(s.submitted_at for s in submissions) + window
    rows = Session.execute(
        select(Submission.source_hash, func.count()).where(
            Submission.source_hash.in_(hashes), Submission.submitted_at >= start,
            Submission.submitted_at <= end).group_by(Submission.source_hash))
    return {source for source, count in rows if count >= limit}


def screen(submissions: list) -> int:
    """Flag what needs a decision among SUBMISSIONS (Submission objects, or ScreeningRows;
    flush only). Returns how many were flagged. A decision already made is kept; a
    re-screened submission's flags are renewed. New reviews go in one multi-row INSERT."""
    bursts = _burst_hashes(submissions)
    existing = {r.submission_id: r for r in Session.scalars(select(SubmissionReview).where(
        SubmissionReview.submission_id.in_([s.id for s in submissions])))}
    new_rows, flagged, now = [], 0, utcnow()
    for submission in submissions:
        flags = content_flags(submission)
        if submission.source_hash in bursts:
            flags["burst"] = True
        if not flags:
            continue
        if submission.is_guest and submission.email_confirmed_at is None:
            flags["unconfirmed"] = True
        flagged += 1
        values = {"flags": sorted(flags),
                  "details": {k: v for k, v in flags.items() if v is not True}}
        review = existing.get(submission.id)
        if review is not None:
            review.flags, review.details = values["flags"], values["details"]
            continue
        new_rows.append({"submission_id": submission.id, "status": "flagged", "reason": "",
                         "consultation_id": _consultation_of(submission), "flagged_at": now,
                         **values})
    if new_rows:
        Session.execute(insert(SubmissionReview.__table__), new_rows)
    Session.flush()
    return flagged


def _consultation_of(submission) -> int:
    if isinstance(submission, ScreeningRow):
        return submission.consultation_id
    return submission.form.consultation_id


@dataclass
class ScreeningRow:
    """What screening reads of a submission, loaded without the ORM (screen_ids)."""

    id: int
    guest_name: str
    is_guest: bool
    email_confirmed_at: object
    source_hash: str | None
    submitted_at: object
    consultation_id: int
    answers: list = field(default_factory=list)


@dataclass(frozen=True)
class AnswerRow:
    question_key: str
    text: str


def screen_ids(ids: list[int]) -> int:
    """screen() for the submissions IDS, read with two plain queries (a whole consultation
    is screened again in seconds, not minutes)."""
    rows = {r.id: ScreeningRow(r.id, r.guest_name, r.submitted_by_id is None,
                               r.email_confirmed_at, r.source_hash, r.submitted_at,
                               r.consultation_id)
            for r in Session.execute(
                select(Submission.id, Submission.guest_name, Submission.submitted_by_id,
                       Submission.email_confirmed_at, Submission.source_hash,
                       Submission.submitted_at, SubmissionForm.consultation_id)
                .join(SubmissionForm, SubmissionForm.id == Submission.form_id)
                .where(Submission.id.in_(ids)))}
    for submission_id, key, text in Session.execute(
            select(SubmissionAnswer.submission_id, SubmissionAnswer.question_key,
                   SubmissionAnswer.text).where(SubmissionAnswer.submission_id.in_(ids))):
        rows[submission_id].answers.append(AnswerRow(key, text))
    return screen(list(rows.values()))


def decide(actor, review: SubmissionReview, *, decision: str, reason: str,
           ip: str = "") -> SubmissionReview:
    """Accept or reject a flagged submission with a REASON; audited. Refuses another decision
    word and an empty reason."""
    if decision not in ("accepted", "rejected"):
        raise OperationRefused(_("Choose accept or reject."), field="decision")
    reason = (reason or "").strip()
    if not reason:
        raise OperationRefused(_("Give the reason for this decision."), field="reason")
    review.status, review.reason = decision, reason[:2000]
    review.decided_by_id, review.decided_at = actor.id, utcnow()
    Session.flush()
    record_event(actor, f"submissions.screening_{decision}", target=review.submission,
                 ip=ip, detail={"reason": review.reason, "flags": review.flags})
    return review


def decide_campaign(actor, campaign_id: int, *, decision: str, reason: str,
                    ip: str = "") -> int:
    """Decide every flagged, undecided submission with an answer in the campaign; one audit
    record per submission. Returns how many were decided."""
    from app.corpus.models import FeedbackItem
    from submissions.recording import SOURCE

    source_ids = Session.scalars(select(FeedbackItem.source_id).where(
        FeedbackItem.campaign_id == campaign_id, FeedbackItem.source == SOURCE))
    submission_ids = {int(s.split(":", 1)[0]) for s in source_ids}
    reviews = list(Session.scalars(select(SubmissionReview).where(
        SubmissionReview.submission_id.in_(submission_ids),
        SubmissionReview.status == "flagged")))
    for review in reviews:
        decide(actor, review, decision=decision, reason=reason, ip=ip)
    return len(reviews)
