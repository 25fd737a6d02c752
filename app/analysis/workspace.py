"""What the coding workspace lists: the countable items of a consultation, filtered, and the
progress of coding (coded / total, per question).

Only countable items (consent to analysis not withdrawn) are ever listed or counted, so a
withdrawal takes the item out of the workspace and its counts at the next page load.
"""
from __future__ import annotations

import itertools
from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import and_, case, exists, false, func, select, true
from sqlalchemy.orm import contains_eager

from app.analysis.models import Codebook, Coding, ItemAnnotation, Theme
from app.corpus.models import FeedbackItem
from app.corpus.visibility import countable_items
from app.db import Session

CONFIDENCE_BANDS = {"low": (0.0, 0.5), "medium": (0.5, 0.8), "high": (0.8, 1.01)}


@dataclass(frozen=True)
class Filters:
    source: str = ""
    question: str = ""
    group: str = ""
    theme_id: int | None = None
    uncoded: bool = False
    campaign: str = ""  # "in", "out" or ""
    confidence: str = ""  # a key of CONFIDENCE_BANDS: the best pending suggestion's band
    # Blind coding (a second analyst coding a sample for the agreement figure): only this
    # analyst's codings are shown, and "uncoded" means not yet coded by them.
    blind_coder_id: int | None = None

    @classmethod
    def from_args(cls, args, reader_id: int | None = None) -> Filters:
        def text(name: str, length: int = 80) -> str:
            return (args.get(name) or "").strip()[:length]

        theme = text("theme")
        return cls(source=text("source", 30), question=text("question"),
                   group=text("group", 20), theme_id=int(theme) if theme.isdigit() else None,
                   uncoded=args.get("uncoded") in ("1", "y", "on"),
                   campaign=text("campaign") if text("campaign") in ("in", "out") else "",
                   confidence=text("confidence") if text("confidence") in CONFIDENCE_BANDS
                   else "",
                   blind_coder_id=reader_id if args.get("blind") == "1" else None)

    def as_args(self) -> dict[str, str]:
        """The filters as query arguments (for links and the pager), leaving out empty ones."""
        values = {"source": self.source, "question": self.question, "group": self.group,
                  "theme": str(self.theme_id or ""), "uncoded": "1" if self.uncoded else "",
                  "campaign": self.campaign, "confidence": self.confidence,
                  "blind": "1" if self.blind_coder_id else ""}
        return {key: value for key, value in values.items() if value}


def coded_clause(codebook_id: int | None, coder_id: int | None = None):
    """Items with at least one applied coding on an active theme of the codebook (by the
    analyst CODER_ID, when given)."""
    if codebook_id is None:
        return false()
    clause = exists().where(Coding.item_id == FeedbackItem.id, Coding.status == "applied",
                            Coding.theme_id == Theme.id, Theme.codebook_id == codebook_id,
                            Theme.status == "active")
    if coder_id is not None:
        clause = clause.where(Coding.origin == "analyst", Coding.coder_id == coder_id)
    return clause


def items_stmt(consultation_id: int, codebook: Codebook | None, filters: Filters):
    """A select of the countable items of the consultation matching FILTERS, by id."""
    stmt = countable_items(consultation_id)
    if filters.source:
        stmt = stmt.where(FeedbackItem.source == filters.source)
    if filters.question:
        stmt = stmt.where(FeedbackItem.question_key == filters.question)
    if filters.group:
        stmt = stmt.where(FeedbackItem.stakeholder_group == filters.group)
    if filters.campaign:
        stmt = stmt.where(FeedbackItem.campaign_id.is_not(None) if filters.campaign == "in"
                          else FeedbackItem.campaign_id.is_(None))
    codebook_id = codebook.id if codebook else None
    if filters.uncoded:
        stmt = stmt.where(~coded_clause(codebook_id, filters.blind_coder_id))
    if filters.theme_id is not None:
        stmt = stmt.where(exists().where(Coding.item_id == FeedbackItem.id,
                                         Coding.theme_id == filters.theme_id,
                                         Coding.status == "applied"))
    if filters.confidence:
        low, high = CONFIDENCE_BANDS[filters.confidence]
        best = (select(func.max(Coding.confidence)).where(
            Coding.item_id == FeedbackItem.id, Coding.status == "suggested")
            .scalar_subquery())
        stmt = stmt.where(and_(best >= low, best < high))
    return stmt.order_by(FeedbackItem.id)


def next_item_id(consultation_id: int, codebook: Codebook | None, filters: Filters,
                 after_id: int) -> int | None:
    stmt = items_stmt(consultation_id, codebook, filters).where(FeedbackItem.id > after_id)
    return Session.scalar(stmt.with_only_columns(FeedbackItem.id).limit(1))


def previous_item_id(consultation_id: int, codebook: Codebook | None, filters: Filters,
                     before_id: int) -> int | None:
    stmt = items_stmt(consultation_id, codebook, filters).where(FeedbackItem.id < before_id)
    return Session.scalar(stmt.with_only_columns(FeedbackItem.id)
                          .order_by(None).order_by(FeedbackItem.id.desc()).limit(1))


@dataclass
class Progress:
    coded: int = 0
    total: int = 0
    per_question: list[tuple[str, int, int]] = field(default_factory=list)  # key, coded, total

    @property
    def percent(self) -> int:
        return round(100 * self.coded / self.total) if self.total else 0


def progress(consultation_id: int, codebook: Codebook | None) -> Progress:
    """Coded / total countable items, overall and per question (one grouped query)."""
    coded = coded_clause(codebook.id if codebook else None)
    rows = Session.execute(
        select(FeedbackItem.question_key, func.count(), func.sum(case((coded, 1), else_=0)))
        .where(FeedbackItem.consultation_id == consultation_id,
               FeedbackItem.consent_analysis.is_(True))
        .group_by(FeedbackItem.question_key).order_by(FeedbackItem.question_key)).all()
    result = Progress()
    for question, total, done in rows:
        done = int(done or 0)
        result.total += total
        result.coded += done
        result.per_question.append((question or "", done, total))
    return result


def filter_choices(consultation_id: int) -> dict[str, list[str]]:
    """The sources, questions and stakeholder groups present among countable items."""
    base = countable_items(consultation_id).subquery()
    choices = {}
    for name, column in (("source", base.c.source), ("question", base.c.question_key),
                         ("group", base.c.stakeholder_group)):
        choices[name] = [value for value in Session.scalars(
            select(column).distinct().where(column.is_not(None)).order_by(column))]
    return choices


def codings_by_item(item_ids: list[int], blind_coder_id: int | None = None
                    ) -> dict[int, list[Coding]]:
    """The codings (applied and suggested) of the given items, with their themes; only the
    analyst BLIND_CODER_ID's own when given."""
    found: dict[int, list[Coding]] = defaultdict(list)
    if not item_ids:
        return found
    rows = Session.scalars(select(Coding).join(Theme, Theme.id == Coding.theme_id)
                           .options(contains_eager(Coding.theme))
                           .where(Coding.item_id.in_(item_ids), Theme.status == "active",
                                  Coding.status != "rejected",
                                  true() if blind_coder_id is None else and_(
                                      Coding.origin == "analyst",
                                      Coding.coder_id == blind_coder_id))
                           .order_by(Coding.item_id, Coding.id))
    for coding in rows:
        found[coding.item_id].append(coding)
    return found


def evidence_rich_ids(item_ids: list[int]) -> set[int]:
    if not item_ids:
        return set()
    return set(Session.scalars(select(ItemAnnotation.item_id).where(
        ItemAnnotation.item_id.in_(item_ids), ItemAnnotation.evidence_rich.is_(True))))


def pending_suggestions(consultation_id: int, confidence: str = ""):
    """A select of pending model suggestions on countable items, lowest confidence first."""
    stmt = (select(Coding).join(FeedbackItem, FeedbackItem.id == Coding.item_id)
            .join(Theme, Theme.id == Coding.theme_id).options(contains_eager(Coding.theme))
            .where(FeedbackItem.consultation_id == consultation_id,
                   FeedbackItem.consent_analysis.is_(True), Theme.status == "active",
                   Coding.status == "suggested"))
    if confidence in CONFIDENCE_BANDS:
        low, high = CONFIDENCE_BANDS[confidence]
        stmt = stmt.where(Coding.confidence >= low, Coding.confidence < high)
    return stmt.order_by(Coding.confidence, Coding.id)


def text_segments(text: str, codings: list[Coding]) -> list[tuple[str, list[str]]]:
    """TEXT cut at the edges of its coded spans: (piece, names of the themes coding it). A
    span whose text changed since it was coded is left out (the page flags it instead)."""
    spans = [(c.span_start, c.span_end, c.theme.name) for c in codings
             if c.is_span and not c.span_is_stale(text)]
    edges = sorted({0, len(text), *(edge for start, end, _ in spans for edge in (start, end))})
    segments = []
    for start, end in itertools.pairwise(edges):
        names = sorted({name for s, e, name in spans if s <= start and end <= e})
        segments.append((text[start:end], names))
    return segments
