"""Campaigns: items that repeat one template, word for word or nearly, found per question.

`detect_campaigns(consultation_id)` groups a consultation's countable items (per question key;
optionally of one source) with `app.corpus.near_copies` (exact copies, then MinHash and LSH
over word shingles), and rewrites its FeedbackCampaign rows, each item's campaign_id and
own_text (what a member adds to the template, None when nothing). A group is a campaign when
it has at least MIN_MEMBERS items and its template at least MIN_WORDS words (short answers
such as "I agree." repeat without being a campaign).

Two texts that share a quotation but say different things have few shingles in common, so
they stay apart. Reports count a campaign's shared text once, with member_count signatories,
and each item's own_text separately (docs/architecture.md, "Campaigns").
"""
from __future__ import annotations

import time
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from sqlalchemy import bindparam, delete, insert, or_, select, update

from app.corpus.models import FeedbackCampaign, FeedbackItem, FeedbackQuestion
from app.corpus.near_copies import (  # noqa: F401  (own_text: part of this module's interface)
    Group,
    added_text,
    group_texts,
    normalise_and_sign,
    own_text,
    sentences_of,
)
from app.db import Session, plain_rows, utcnow

MIN_MEMBERS = 2
MIN_WORDS = 8
Progress = Callable[[int, int, str], None]
_SET_UPDATE_FROM = 50  # plain copies from which a campaign's members get one UPDATE ... IN
_IDS_PER_UPDATE = 5_000  # ids in one such UPDATE (well below SQLite's bound-parameter limit)


@dataclass
class CampaignResult:
    items: int = 0
    distinct_texts: int = 0
    campaigns: int = 0
    members: int = 0
    seconds: float = 0.0
    by_question: dict = field(default_factory=dict)

    def summary(self) -> dict:
        return {"items": self.items, "distinct_texts": self.distinct_texts,
                "campaigns": self.campaigns, "members": self.members,
                "seconds": round(self.seconds, 2)}


def _load_items(consultation_id: int, source: str | None) -> dict[str | None, list[tuple]]:
    items = FeedbackItem.__table__  # plain rows: three columns, no ORM objects
    stmt = (select(items.c.id, items.c.question_key, items.c.text)
            .where(items.c.consultation_id == consultation_id,
                   items.c.consent_analysis.is_(True)))
    if source is not None:
        stmt = stmt.where(items.c.source == source)
    # Answers to closed questions are chosen labels: a thousand people ticking the same
    # options are not a campaign, however many words the labels have.
    closed_keys = list(Session.scalars(select(FeedbackQuestion.question_key).where(
        FeedbackQuestion.consultation_id == consultation_id)))
    if closed_keys:
        stmt = stmt.where(or_(items.c.question_key.is_(None),
                              items.c.question_key.not_in(closed_keys)))
    by_question: dict[str | None, list[tuple]] = defaultdict(list)
    for item_id, question_key, text in plain_rows(stmt):
        by_question[question_key].append((item_id, text))
    return by_question


def _clear(consultation_id: int) -> None:
    Session.execute(update(FeedbackItem).where(
        FeedbackItem.consultation_id == consultation_id,
        FeedbackItem.campaign_id.is_not(None)).values(campaign_id=None, own_text=None))
    Session.execute(delete(FeedbackCampaign).where(
        FeedbackCampaign.consultation_id == consultation_id))


def detect_campaigns(consultation_id: int, *, source: str | None = None,
                     similarity: float = 0.6, min_members: int = MIN_MEMBERS,
                     min_words: int = MIN_WORDS,
                     progress: Progress | None = None) -> CampaignResult:
    """Find the consultation's campaigns again from scratch (flush only: the caller commits).
    SIMILARITY: the estimated Jaccard similarity of word shingles from which two texts are
    near-copies (0.6 by default; higher is stricter)."""
    if not 0 < similarity <= 1:
        raise ValueError("similarity must be in (0, 1]")
    started = time.perf_counter()
    result = CampaignResult()
    by_question = _load_items(consultation_id, source)
    # First every question's groups, reading only; then the writes, in one short burst at the
    # end. On SQLite the first write takes the database's one write lock until the commit:
    # clearing the old campaigns before the MinHash work would hold it for the whole
    # detection, and every submission arriving meanwhile would wait for it (deadline day).
    questions = sorted(by_question.items(), key=lambda kv: str(kv[0]))
    plans = []
    for done, (question_key, items) in enumerate(questions):
        if progress:
            progress(done, len(questions), f"Question {question_key}")
        plans.append((question_key, _plan_question(items, similarity=similarity,
                                                   min_members=min_members,
                                                   min_words=min_words)))
    _clear(consultation_id)
    for question_key, plan in plans:
        found = _write_question(consultation_id, question_key, plan)
        result.items += len(by_question[question_key])
        result.distinct_texts += plan.distinct
        result.campaigns += found["campaigns"]
        result.members += found["members"]
        result.by_question[question_key] = {"distinct": plan.distinct, **found}
    Session.flush()
    for loaded in list(Session.identity_map.values()):  # stale after the Core updates
        if isinstance(loaded, FeedbackItem | FeedbackCampaign):
            Session.expire(loaded)
    result.seconds = time.perf_counter() - started
    if progress:
        progress(len(questions), len(questions), "Done")
    return result


@dataclass
class _Plan:
    """One question's campaigns as found, before anything is written: the chosen groups with
    each one's template as first written, and per group its plain copies (item ids) and its
    varied members (item id, the text they added)."""
    distinct: int
    chosen: list[Group]
    original: dict[str, str]
    copies: dict[int, list[int]]
    varied: dict[int, list[tuple[int, str]]]


def _plan_question(items: list[tuple], *, similarity: float, min_members: int,
                   min_words: int) -> _Plan:
    # Copies are normalised (and later compared) once per distinct text as written.
    written = list({text for _id, text in items})
    normalised, signature = normalise_and_sign(written)
    normalised_of = dict(zip(written, normalised, strict=True))
    row_of = {n: row for row, n in enumerate(normalised)}
    counts = Counter(n for _id, text in items if (n := normalised_of[text]))
    groups = group_texts(counts, similarity=similarity, signature_of=lambda ordered: signature[
        np.fromiter((row_of[n] for n in ordered), dtype=np.int64, count=len(ordered))])
    original: dict[str, str] = {}
    for _id, text in items:  # the template as the first member wrote it
        original.setdefault(normalised_of[text], text)
    chosen = [g for g in groups
              if g.count >= min_members and len(g.texts[0].split(" ")) >= min_words]
    group_of = {t: (index, g) for index, g in enumerate(chosen) for t in g.texts}
    known = {index: sentences_of(original[g.texts[0]]) for index, g in enumerate(chosen)}
    extra_of: dict[str, str | None] = {}
    copies: dict[int, list[int]] = defaultdict(list)  # group index -> members adding nothing
    varied: dict[int, list[tuple[int, str]]] = defaultdict(list)
    for item_id, text in items:
        normalised = normalised_of[text]
        found = group_of.get(normalised)
        if found is None:
            continue
        index, group = found
        if normalised == group.texts[0]:
            copies[index].append(item_id)
            continue
        if text not in extra_of:
            extra_of[text] = added_text(text, known[index])
        if extra_of[text] is None:
            copies[index].append(item_id)
        else:
            varied[index].append((item_id, extra_of[text]))
    return _Plan(len(counts), chosen, original, copies, varied)


def _write_question(consultation_id: int, question_key: str | None, plan: _Plan) -> dict:
    ids = _insert_campaigns(consultation_id, question_key, plan.chosen, plan.original)
    copies = {ids[index]: item_ids for index, item_ids in plan.copies.items()}
    varied = [{"item_id": item_id, "campaign": ids[index], "extra": extra}
              for index, members in plan.varied.items() for item_id, extra in members]
    members = len(varied) + sum(map(len, copies.values()))
    _mark_members(copies, varied)
    return {"campaigns": len(ids), "members": members}


def _mark_members(copies: dict[int, list[int]], varied: list[dict]) -> None:
    """Set campaign_id (and own_text) on the members: a large campaign's plain copies with a
    few UPDATE ... WHERE id IN (...) statements, the rest in one executemany."""
    table = FeedbackItem.__table__
    for campaign_id, item_ids in copies.items():
        if len(item_ids) < _SET_UPDATE_FROM:
            varied += [{"item_id": i, "campaign": campaign_id, "extra": None} for i in item_ids]
            continue
        for start in range(0, len(item_ids), _IDS_PER_UPDATE):
            Session.execute(update(table).where(
                table.c.id.in_(item_ids[start:start + _IDS_PER_UPDATE]))
                .values(campaign_id=campaign_id, own_text=None))
    if varied:
        Session.execute(update(table).where(table.c.id == bindparam("item_id"))
                        .values(campaign_id=bindparam("campaign"), own_text=bindparam("extra")),
                        varied)


def _insert_campaigns(consultation_id: int, question_key: str | None, chosen: list[Group],
                      original: dict[str, str]) -> list[int]:
    if not chosen:
        return []
    now = utcnow()
    table = FeedbackCampaign.__table__
    return Session.execute(insert(table).returning(table.c.id, sort_by_parameter_order=True), [
        {"consultation_id": consultation_id, "question_key": question_key,
         "template_text": original[g.texts[0]], "member_count": g.count,
         "kind": "exact" if len(g.texts) == 1 else "template", "detected_at": now}
        for g in chosen]).scalars().all()
