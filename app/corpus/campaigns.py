"""Campaigns: items that repeat one template, word for word or nearly, found per question.

`detect_campaigns(consultation_id)` groups a consultation's countable items (per question key;
optionally of one source) and rewrites its FeedbackCampaign rows, each item's campaign_id and
own_text (what a member adds to the template, None when nothing):

1. Exact copies: texts equal once case, punctuation and spacing are ignored are one text.
2. Near copies: each distinct text gets a MinHash (datasketch) of its word shingles
   (SHINGLE_WORDS words). Distinct texts are visited most common first; each either joins the
   first "leader" the LSH index finds with an estimated Jaccard similarity >= SIMILARITY, or
   becomes a leader itself. Only leaders are indexed, so the work stays linear in the number of
   distinct texts (a 50,000-member campaign is not compared pairwise). The most common text
   of a group (its first leader) is the template.
3. A group is a campaign when it has at least MIN_MEMBERS items and its template at least
   MIN_WORDS words (short answers such as "I agree." repeat without being a campaign).

Two texts that share a quotation but say different things have few shingles in common, so
they stay apart. Reports count a campaign's shared text once, with member_count signatories,
and each item's own_text separately (docs/architecture.md, "Campaigns").
"""
from __future__ import annotations

import re
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from itertools import islice
from zlib import crc32

import numpy as np
from datasketch import MinHash, MinHashLSH
from sqlalchemy import bindparam, delete, insert, select, update

from app.corpus.models import FeedbackCampaign, FeedbackItem
from app.db import Session, utcnow

SHINGLE_WORDS = 3
NUM_PERM = 64
MIN_MEMBERS = 2
MIN_WORDS = 8
MAX_CANDIDATES = 500  # candidate leaders compared per text: a bound that keeps it linear
WORDS = re.compile(r"\w+", re.UNICODE)
SENTENCES = re.compile(r"(?<=[.!?])\s+|\n+")
Progress = Callable[[int, int, str], None]


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


@dataclass
class Group:
    """Distinct texts (normalised) found to repeat one template: the first is the template."""

    texts: list[str]
    count: int = 0


def normalise(text: str) -> str:
    """The text as compared: lower case, words only, single spaces."""
    return " ".join(WORDS.findall(text.lower()))


def shingle_hashes(normalised: str, size: int = SHINGLE_WORDS) -> list[int]:
    """32-bit hashes (CRC-32: the same in every process, so results repeat) of the text's
    SIZE-word shingles (the whole text when shorter)."""
    words = normalised.split(" ")
    if len(words) <= size:
        return [crc32(normalised.encode())]
    return list({crc32(" ".join(words[i:i + size]).encode())
                 for i in range(len(words) - size + 1)})


def _identity(value: int) -> int:
    return value


def group_texts(counts: Counter, *, similarity: float, num_perm: int = NUM_PERM) -> list[Group]:
    """Group distinct normalised texts (with how many items have each) into near-copies."""
    ordered = [text for text, _n in counts.most_common()]
    hashes = MinHash.generator((shingle_hashes(t) for t in ordered), num_perm=num_perm,
                               hashfunc=_identity)
    # Missing a near copy costs more than checking an extra candidate (each is verified), so
    # the bands weigh false negatives 7:3 (at 0.6: a pair at 0.75 is found 96% of the time,
    # a pair at 0.3 is a candidate 3% of the time).
    lsh = MinHashLSH(threshold=similarity, num_perm=num_perm, weights=(0.3, 0.7))
    # Leaders' signatures, one row each, so a text is compared with all its candidate
    # leaders in one vectorised step.
    signatures = np.empty((max(len(ordered), 1), num_perm), dtype=np.uint64)
    group_of_leader: list[int] = []
    groups: list[Group] = []
    for text, minhash in zip(ordered, hashes, strict=True):
        candidates = np.fromiter(islice(lsh.query(minhash), MAX_CANDIDATES), dtype=np.int64)
        best = None
        if candidates.size:
            scores = (signatures[candidates] == minhash.hashvalues).mean(axis=1)
            top = int(scores.argmax())
            if scores[top] >= similarity:
                best = group_of_leader[candidates[top]]
        if best is None:
            leader = len(group_of_leader)
            signatures[leader] = minhash.hashvalues
            lsh.insert(leader, minhash, check_duplication=False)
            group_of_leader.append(len(groups))
            groups.append(Group(texts=[text], count=counts[text]))
        else:
            group = groups[best]
            group.texts.append(text)
            group.count += counts[text]
    return groups


def own_text(text: str, template: str) -> str | None:
    """The sentences of TEXT that the TEMPLATE does not have (compared normalised), as
    written; None when it adds nothing."""
    known = {normalise(s) for s in SENTENCES.split(template) if normalise(s)}
    added = [s.strip() for s in SENTENCES.split(text)
             if normalise(s) and normalise(s) not in known]
    return " ".join(added) or None


def _load_items(consultation_id: int, source: str | None) -> dict[str | None, list[tuple]]:
    stmt = (select(FeedbackItem.id, FeedbackItem.question_key, FeedbackItem.text)
            .where(FeedbackItem.consultation_id == consultation_id,
                   FeedbackItem.consent_analysis.is_(True)))
    if source is not None:
        stmt = stmt.where(FeedbackItem.source == source)
    by_question: dict[str | None, list[tuple]] = defaultdict(list)
    for item_id, question_key, text in Session.execute(stmt):
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
    _clear(consultation_id)
    for done, (question_key, items) in enumerate(sorted(by_question.items(),
                                                        key=lambda kv: str(kv[0]))):
        if progress:
            progress(done, len(by_question), f"Question {question_key}")
        found = _detect_question(consultation_id, question_key, items, similarity=similarity,
                                 min_members=min_members, min_words=min_words)
        result.items += len(items)
        result.distinct_texts += found["distinct"]
        result.campaigns += found["campaigns"]
        result.members += found["members"]
        result.by_question[question_key] = found
    Session.flush()
    for loaded in list(Session.identity_map.values()):  # stale after the Core updates
        if isinstance(loaded, FeedbackItem | FeedbackCampaign):
            Session.expire(loaded)
    result.seconds = time.perf_counter() - started
    if progress:
        progress(len(by_question), len(by_question), "Done")
    return result


def _detect_question(consultation_id: int, question_key: str | None, items: list[tuple], *,
                     similarity: float, min_members: int, min_words: int) -> dict:
    normalised = {item_id: normalise(text) for item_id, text in items}
    counts = Counter(n for n in normalised.values() if n)
    groups = group_texts(counts, similarity=similarity)
    group_of: dict[str, Group] = {t: g for g in groups for t in g.texts}
    original: dict[str, str] = {}
    for item_id, text in items:  # the template as the first member wrote it
        original.setdefault(normalised[item_id], text)
    now = utcnow()
    chosen = [g for g in groups
              if g.count >= min_members and len(g.texts[0].split(" ")) >= min_words]
    table = FeedbackCampaign.__table__
    ids = Session.execute(insert(table).returning(table.c.id, sort_by_parameter_order=True), [
        {"consultation_id": consultation_id, "question_key": question_key,
         "template_text": original[g.texts[0]], "member_count": g.count,
         "kind": "exact" if len(g.texts) == 1 else "template", "detected_at": now}
        for g in chosen]).scalars().all() if chosen else []
    campaign_ids = {id(g): campaign_id for g, campaign_id in zip(chosen, ids, strict=True)}
    campaigns = len(ids)
    updates = []
    for item_id, text in items:
        group = group_of.get(normalised[item_id])
        if group is None or id(group) not in campaign_ids:
            continue
        template = original[group.texts[0]]
        extra = None if normalised[item_id] == group.texts[0] else own_text(text, template)
        updates.append({"item_id": item_id, "campaign": campaign_ids[id(group)],
                        "extra": extra})
    if updates:
        items_table = FeedbackItem.__table__
        Session.execute(update(items_table).where(items_table.c.id == bindparam("item_id"))
                        .values(campaign_id=bindparam("campaign"), own_text=bindparam("extra")),
                        updates)
    return {"distinct": len(counts), "campaigns": campaigns, "members": len(updates)}
