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
from bisect import bisect_left, bisect_right
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import timedelta
from functools import lru_cache
from pathlib import Path

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import bindparam, func, insert, select, update

from app.db import Session, plain_rows, utcnow
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


# Letters Python's re.IGNORECASE matches to ASCII letters that str.lower() leaves alone.
_FOLDS = str.maketrans({"ſ": "s", "ı": "i"})


@dataclass(frozen=True)
class WordList:
    """The offensive-language list as two patterns: `quick`, the words as plain text, finds
    texts that might contain one (a literal search is ten times faster than one with word
    boundaries and IGNORECASE); only those are searched with `exact`, whole words, case
    ignored."""

    quick: re.Pattern
    exact: re.Pattern


@lru_cache(maxsize=4)
def _word_list(extra_file: str | None) -> WordList:
    words = set(BUILT_IN_WORDS)
    if extra_file and Path(extra_file).is_file():
        words |= {line.strip().lower() for line in Path(extra_file).read_text().splitlines()
                  if line.strip() and not line.startswith("#")}
    alternatives = "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))
    return WordList(re.compile(alternatives),
                    re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)", re.IGNORECASE))


def _offensive(text: str, word_list: WordList) -> list[str]:
    lowered = text.lower()
    if "ſ" in lowered or "ı" in lowered:
        lowered = lowered.translate(_FOLDS)
    if word_list.quick.search(lowered) is None:
        return []
    return sorted({m.group(0).lower() for m in word_list.exact.finditer(text)})


def _current_word_list() -> WordList:
    return _word_list(current_app.config.get("SCREENING_WORDS_FILE") or None)


def offensive_words(text: str) -> list[str]:
    """The words and phrases of the list in TEXT (whole words, case ignored), lower case."""
    return _offensive(text, _current_word_list())


@lru_cache(maxsize=65_536)  # names repeat (first names above all); the answer never changes
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


def content_flags(submission, word_list: WordList | None = None) -> dict[str, object]:
    """{flag: detail} from the submission itself (no database)."""
    return _flags(submission.guest_name, submission.is_guest,
                  [(a.question_key, a.text) for a in submission.answers],
                  word_list or _current_word_list())


def _flags(guest_name: str, is_guest: bool, answers: list[tuple[str, str]],
           word_list: WordList) -> dict[str, object]:
    """content_flags() of a submission given as its name and (question key, text) pairs."""
    flags: dict[str, object] = {}
    found = _offensive("\n".join([text for _key, text in answers if text] + [guest_name]),
                       word_list)
    if found:
        flags["offensive"] = found
    if is_guest:
        problem = name_problem(guest_name)
        if problem:
            flags["name"] = problem
    if not any(key and text and WORD.search(text) for key, text in answers):
        flags["empty"] = True
    return flags


def _burst_ids(hashes: set[str] | None, around: tuple | None = None) -> set[int]:
    """Ids of submissions with SCREENING_BURST_COUNT or more submissions from their address
    (a keyed hash; itself included) within SCREENING_BURST_MINUTES either side of it, among
    the addresses HASHES (None: every address) and, with AROUND = (first, last), the
    submissions between first and last. One grouped query (on the (source_hash,
    submitted_at) index) finds the addresses with enough submissions; only their
    timestamps are read."""
    if hashes is not None and not hashes:
        return set()
    window = timedelta(minutes=int(current_app.config.get("SCREENING_BURST_MINUTES", 10)))
    limit = int(current_app.config.get("SCREENING_BURST_COUNT", 20))
    table = Submission.__table__
    where = [table.c.source_hash.is_not(None)]
    if hashes is not None:
        where.append(table.c.source_hash.in_(hashes))
    if around is not None:
        where += [table.c.submitted_at >= around[0] - window,
                  table.c.submitted_at <= around[1] + window]
    busy = list(Session.scalars(select(table.c.source_hash).where(*where)
                                .group_by(table.c.source_hash).having(func.count() >= limit)))
    if not busy:
        return set()
    times: dict[str, list] = defaultdict(list)
    for submission_id, source, at in Session.execute(
            select(table.c.id, table.c.source_hash, table.c.submitted_at).where(
                *where, table.c.source_hash.in_(busy))):
        times[source].append((at, submission_id))
    found = set()
    for submissions in times.values():
        submissions.sort()
        at = [a for a, _id in submissions]
        found |= {submission_id for n, (moment, submission_id) in enumerate(submissions)
                  if bisect_right(at, moment + window, lo=n)
                  - bisect_left(at, moment - window, hi=n) >= limit}
    return found


def _batch_bursts(submissions: list) -> set[int]:
    """_burst_ids() for the addresses of SUBMISSIONS, around their times."""
    hashes = {s.source_hash for s in submissions if s.source_hash}
    if not hashes:
        return set()
    around = (min(s.submitted_at for s in submissions), max(s.submitted_at for s in submissions))
    return _burst_ids(hashes, around) & {s.id for s in submissions}


def screen(submissions: list, *, bursts: set[int] | None = None,
           reviewed: set[int] | None = None) -> int:
    """Flag what needs a decision among SUBMISSIONS (Submission objects, or ScreeningRows;
    flush only). Returns how many were flagged. A decision already made is kept; a
    re-screened submission's flags are renewed. New reviews go in one multi-row INSERT,
    renewed flags in one executemany UPDATE. BURSTS (ids flagged `burst`) and REVIEWED (ids
    with a review already) are looked up when not given."""
    if not submissions:
        return 0
    reviews = SubmissionReview.__table__
    if bursts is None:
        bursts = _batch_bursts(submissions)
    if reviewed is None:
        reviewed = set(Session.scalars(select(reviews.c.submission_id).where(
            reviews.c.submission_id.in_([s.id for s in submissions]))))
    new_rows, renewed, flagged, now = [], [], 0, utcnow()
    word_list = _current_word_list()
    for submission in submissions:
        answers = (submission.answers if isinstance(submission, ScreeningRow)
                   else [(a.question_key, a.text) for a in submission.answers])
        flags = _flags(submission.guest_name, submission.is_guest, answers, word_list)
        if submission.id in bursts:
            flags["burst"] = True
        if not flags:
            continue
        if submission.is_guest and submission.email_confirmed_at is None:
            flags["unconfirmed"] = True
        flagged += 1
        values = {"flags": sorted(flags),
                  "details": {k: v for k, v in flags.items() if v is not True}}
        if submission.id in reviewed:
            renewed.append({"review_id": submission.id, **values})
            continue
        new_rows.append({"submission_id": submission.id, "status": "flagged", "reason": "",
                         "consultation_id": _consultation_of(submission), "flagged_at": now,
                         **values})
    if new_rows:
        Session.execute(insert(reviews), new_rows)
    if renewed:
        Session.execute(update(reviews).where(reviews.c.submission_id == bindparam("review_id"))
                        .values(flags=bindparam("flags"), details=bindparam("details")), renewed)
        for loaded in list(Session.identity_map.values()):  # stale after the Core update
            if isinstance(loaded, SubmissionReview):
                Session.expire(loaded)
    Session.flush()
    return flagged


def _consultation_of(submission) -> int:
    if isinstance(submission, ScreeningRow):
        return submission.consultation_id
    return submission.form.consultation_id


@dataclass(slots=True)
class ScreeningRow:
    """What screening reads of a submission, loaded without the ORM (screen_ids).
    `email_confirmed_at` is only None or not (True), `submitted_at` None when not read;
    `answers` are (question key, text) pairs."""

    id: int
    guest_name: str
    is_guest: bool
    email_confirmed_at: object
    source_hash: str | None
    submitted_at: object
    consultation_id: int
    answers: list = field(default_factory=list)


def _screening_rows(where, *, with_times: bool) -> list[ScreeningRow]:
    """The submissions whose id matches WHERE(column), with their answers, read with two
    plain queries (columns only, no ORM objects, no timestamps but submitted_at WITH_TIMES)."""
    submissions, forms = Submission.__table__, SubmissionForm.__table__
    answers = SubmissionAnswer.__table__
    rows = {r[0]: ScreeningRow(r[0], r[1], r[2] is None, True if r[3] else None, r[4], None,
                               r[5])
            for r in plain_rows(
                select(submissions.c.id, submissions.c.guest_name, submissions.c.submitted_by_id,
                       submissions.c.email_confirmed_at.is_not(None), submissions.c.source_hash,
                       forms.c.consultation_id)
                .join(forms, forms.c.id == submissions.c.form_id)
                .where(where(submissions.c.id)))}
    if with_times:  # typed (timezone-aware), through SQLAlchemy
        for submission_id, at in Session.execute(select(
                submissions.c.id, submissions.c.submitted_at).where(where(submissions.c.id))):
            rows[submission_id].submitted_at = at
    for submission_id, key, text in plain_rows(
            select(answers.c.submission_id, answers.c.question_key, answers.c.text)
            .where(where(answers.c.submission_id))):
        row = rows.get(submission_id)
        if row is not None:
            row.answers.append((key, text))
    return list(rows.values())


def screen_ids(ids: list[int]) -> int:
    """screen() for the submissions IDS, read with two plain queries (a whole consultation
    is screened again in seconds, not minutes)."""
    return screen(_screening_rows(lambda column: column.in_(ids), with_times=True))


def screen_all(batch: int = 10_000) -> tuple[int, int]:
    """Screen every stored submission again (flush only), BATCH at a time by ranges of ids;
    the bursts are found once for all. Returns (submissions, flagged)."""
    table, reviews = Submission.__table__, SubmissionReview.__table__
    ids = [i for (i,) in plain_rows(select(table.c.id).order_by(table.c.id))]
    bursts = _burst_ids(None)
    flagged = 0
    for start in range(0, len(ids), batch):
        low, high = ids[start], ids[min(start + batch, len(ids)) - 1]

        def where(column, low=low, high=high):
            return column.between(low, high)

        reviewed = set(Session.scalars(select(reviews.c.submission_id).where(
            where(reviews.c.submission_id))))
        flagged += screen(_screening_rows(where, with_times=False), bursts=bursts,
                          reviewed=reviewed)
    return len(ids), flagged


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
