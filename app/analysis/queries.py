"""What analysis reads, for its own pages and for reports.

`current_codebook`, `active_themes`, `applied_codings` and `method_notes` are an interface the
reports package codes against (notes: ANALYSIS_INTERFACE.md): keep their names and results.
Everything counts only countable items (consent to analysis not withdrawn) of the
consultation, so a withdrawal drops out of every figure at once.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, case, func, select

from app.analysis.models import Codebook, Coding, DiscoveryRun, Theme
from app.corpus.models import FeedbackItem
from app.db import Session


@dataclass(frozen=True)
class LastDiscovery:
    method: str
    seed: int
    finished_at: datetime | None
    theme_count: int


@dataclass(frozen=True)
class AnalystAgreement:
    kappa: float | None  # None when fewer than two analysts coded the same items
    items_compared: int


@dataclass(frozen=True)
class ModelAgreement:
    f1: float
    low: float  # the bootstrap 95% interval
    high: float
    items_reviewed: int


@dataclass(frozen=True)
class MethodNotes:
    """How a consultation's feedback was coded, for a report's method section."""

    codebook_version: int | None
    items_total: int
    items_coded_by_analysts: int
    items_coded_by_model_accepted: int
    suggestions_pending: int
    last_discovery: LastDiscovery | None
    analyst_agreement: AnalystAgreement
    model_agreement: ModelAgreement | None


def current_codebook(consultation_id: int) -> Codebook | None:
    return Session.scalar(select(Codebook).where(Codebook.consultation_id == consultation_id))


def active_themes(codebook_id: int) -> list[Theme]:
    """The active themes of a codebook in reading order: each top-level theme (by position)
    followed by its active children (by position)."""
    themes = list(Session.scalars(
        select(Theme).where(Theme.codebook_id == codebook_id, Theme.status == "active")
        .order_by(Theme.position, Theme.id)))
    return in_tree_order(themes)


def in_tree_order(themes: list[Theme]) -> list[Theme]:
    """THEMES (already by position) with each parent followed by its children; a child whose
    parent is not among them comes at the end."""
    ids = {theme.id for theme in themes}
    children: dict[int, list[Theme]] = defaultdict(list)
    for theme in themes:
        if theme.parent_id is not None and theme.parent_id in ids:
            children[theme.parent_id].append(theme)
    ordered: list[Theme] = []
    for theme in themes:
        if theme.parent_id is None:
            ordered.append(theme)
            ordered.extend(children.get(theme.id, []))
    placed = {theme.id for theme in ordered}
    ordered.extend(theme for theme in themes if theme.id not in placed)
    return ordered


def applied_codings(consultation_id: int):
    """A select(Coding.item_id, Coding.theme_id, Coding.stance) of the applied codings, one
    row per (item, theme, stance), on countable items of the consultation and active themes
    of its codebook. Callers join or filter it with the corpus visibility clauses."""
    return (
        select(Coding.item_id, Coding.theme_id, Coding.stance)
        .join(FeedbackItem, FeedbackItem.id == Coding.item_id)
        .join(Theme, Theme.id == Coding.theme_id)
        .join(Codebook, Codebook.id == Theme.codebook_id)
        .where(FeedbackItem.consultation_id == consultation_id,
               FeedbackItem.consent_analysis.is_(True),
               Codebook.consultation_id == consultation_id,
               Theme.status == "active",
               Coding.status == "applied")
        .distinct()
    )


def _codings_on_countable(consultation_id: int):
    """A select of coding rows on countable items and active themes of the consultation."""
    return (
        select(Coding)
        .join(FeedbackItem, FeedbackItem.id == Coding.item_id)
        .join(Theme, Theme.id == Coding.theme_id)
        .join(Codebook, Codebook.id == Theme.codebook_id)
        .where(FeedbackItem.consultation_id == consultation_id,
               FeedbackItem.consent_analysis.is_(True),
               Codebook.consultation_id == consultation_id,
               Theme.status == "active")
    )


def _coded_item_counts(consultation_id: int) -> tuple[int, int, int]:
    """(items coded by analysts, items with an accepted model coding, items with a pending
    suggestion), counted in SQL: one row per item first (grouped by item, in the order the
    consultation's index gives, so with no sort), then summed."""
    def flag(*conditions):
        return func.max(case((and_(*conditions), 1), else_=0))

    applied = Coding.status == "applied"
    per_item = _codings_on_countable(consultation_id).with_only_columns(
        flag(applied, Coding.origin == "analyst").label("analysts"),
        flag(applied, Coding.origin == "model").label("model"),
        flag(Coding.status == "suggested").label("pending"),
    ).group_by(FeedbackItem.id).subquery()
    analysts, model, pending = Session.execute(select(
        func.coalesce(func.sum(per_item.c.analysts), 0),
        func.coalesce(func.sum(per_item.c.model), 0),
        func.coalesce(func.sum(per_item.c.pending), 0))).one()
    return int(analysts), int(model), int(pending)


def countable_total(consultation_id: int) -> int:
    return Session.scalar(select(func.count(FeedbackItem.id)).where(
        FeedbackItem.consultation_id == consultation_id,
        FeedbackItem.consent_analysis.is_(True))) or 0


def method_notes(consultation_id: int) -> MethodNotes:
    codebook = current_codebook(consultation_id)
    analysts, model, pending, agreement, model_figures = coding_figures(consultation_id)
    return MethodNotes(
        codebook_version=codebook.version if codebook else None,
        items_total=countable_total(consultation_id),
        items_coded_by_analysts=analysts,
        items_coded_by_model_accepted=model,
        suggestions_pending=pending,
        last_discovery=last_discovery(consultation_id),
        analyst_agreement=agreement,
        model_agreement=model_figures,
    )


# (database, consultation id) -> (coding stamp, figures): the coded-item counts and agreement
# figures read every coding of the consultation; they are computed again only when the
# codebook's coding stamp has moved (a trigger moves it with every change they depend on).
_FIGURES: dict[tuple[str, int], tuple[tuple, tuple]] = {}


def coding_stamp(consultation_id: int) -> tuple | None:
    """(codebook id, its coding stamp), read from the database (not from a loaded object, so
    the triggers' latest write is seen), or None when the consultation has no codebook."""
    row = Session.execute(select(Codebook.id, Codebook.coding_stamp).where(
        Codebook.consultation_id == consultation_id)).one_or_none()
    return None if row is None else tuple(row)


def coding_figures(consultation_id: int) -> tuple:
    """(items coded by analysts, items with an accepted model coding, items with a pending
    suggestion, analyst agreement, model agreement), cached under the coding stamp."""
    Session.flush()  # pending codings first, so the triggers have moved the stamp
    stamp = coding_stamp(consultation_id)
    key = (Session.connection().engine.url.render_as_string(hide_password=True),
           consultation_id)
    cached = _FIGURES.get(key)
    if stamp is not None and cached is not None and cached[0] == stamp:
        return cached[1]
    figures = (*_coded_item_counts(consultation_id), analyst_agreement(consultation_id),
               model_agreement(consultation_id))
    if stamp is not None:
        _FIGURES[key] = (stamp, figures)
    return figures


def last_discovery(consultation_id: int) -> LastDiscovery | None:
    """The newest finished theme discovery of the consultation."""
    run = Session.scalar(select(DiscoveryRun).where(
        DiscoveryRun.consultation_id == consultation_id, DiscoveryRun.status == "finished")
        .order_by(DiscoveryRun.finished_at.desc(), DiscoveryRun.id.desc()).limit(1))
    if run is None:
        return None
    return LastDiscovery(run.method, run.seed, run.finished_at, run.theme_count)


def _analyst_codings(consultation_id: int):
    return _codings_on_countable(consultation_id).where(
        Coding.origin == "analyst", Coding.status == "applied", Coding.coder_id.is_not(None))


def analyst_agreement(consultation_id: int) -> AnalystAgreement:
    """Cohen's kappa between the two analysts who coded the most items in common, over those
    items and the codebook's active themes that analysts used. Only the codings of items that
    two or more analysts coded are read (found by an indexed aggregate), never all of them."""
    shared_items = (
        select(Coding.item_id)
        .where(Coding.origin == "analyst", Coding.status == "applied",
               Coding.coder_id.is_not(None))
        .group_by(Coding.item_id)
        .having(func.count(Coding.coder_id.distinct()) > 1))
    rows = Session.execute(
        _analyst_codings(consultation_id).where(Coding.item_id.in_(shared_items))
        .with_only_columns(Coding.coder_id, Coding.item_id, Coding.theme_id)).all()
    by_coder: dict[int, dict[int, set[int]]] = defaultdict(lambda: defaultdict(set))
    for coder_id, item_id, theme_id in rows:
        by_coder[coder_id][item_id].add(theme_id)
    best = _most_shared_pair(by_coder)
    if best is None:
        return AnalystAgreement(None, 0)
    from app.analysis.engine import cohen_kappa  # numpy: imported only when there is work

    first, second, shared = best
    items = sorted(shared)
    kappa = cohen_kappa([by_coder[first][i] for i in items],
                        [by_coder[second][i] for i in items],
                        _themes_analysts_used(consultation_id))
    return AnalystAgreement(kappa, len(items))


def _most_shared_pair(by_coder: dict) -> tuple[int, int, set[int]] | None:
    best: tuple[int, int, set[int]] | None = None
    coders = sorted(by_coder)
    for index, first in enumerate(coders):
        for second in coders[index + 1:]:
            shared = set(by_coder[first]) & set(by_coder[second])
            if shared and (best is None or len(shared) > len(best[2])):
                best = (first, second, shared)
    return best


def _themes_analysts_used(consultation_id: int) -> list[int]:
    """The active themes with at least one analyst coding on a countable item: an EXISTS per
    theme, which stops at the first coding."""
    used = (select(Coding.id).join(FeedbackItem, FeedbackItem.id == Coding.item_id)
            .where(Coding.theme_id == Theme.id, Coding.origin == "analyst",
                   Coding.status == "applied", Coding.coder_id.is_not(None),
                   FeedbackItem.consultation_id == consultation_id,
                   FeedbackItem.consent_analysis.is_(True))
            .exists())
    return list(Session.scalars(
        select(Theme.id).join(Codebook, Codebook.id == Theme.codebook_id)
        .where(Codebook.consultation_id == consultation_id, Theme.status == "active", used)
        .order_by(Theme.id)))


def model_agreement(consultation_id: int) -> ModelAgreement | None:
    """Per-item F1 of the model's suggestions against the analysts' decision, over the items
    where an analyst reviewed the model's suggestions (accepted or rejected them). Only the
    codings of items with a reviewed model coding are read (an indexed lookup)."""
    reviewed_items = select(Coding.item_id).where(
        Coding.origin == "model", Coding.status != "suggested",
        Coding.reviewed_by_id.is_not(None))
    rows = Session.execute(
        _codings_on_countable(consultation_id)
        .where(Coding.item_id.in_(reviewed_items))
        .with_only_columns(Coding.item_id, Coding.theme_id, Coding.origin, Coding.status,
                           Coding.reviewed_by_id)).all()
    reviewed: set[int] = set()
    predicted: dict[int, set[int]] = defaultdict(set)
    actual: dict[int, set[int]] = defaultdict(set)
    for item_id, theme_id, origin, status, reviewed_by in rows:
        if origin == "model":
            predicted[item_id].add(theme_id)
            if status != "suggested" and reviewed_by is not None:
                reviewed.add(item_id)
        if status == "applied":
            actual[item_id].add(theme_id)
    # An item with a suggestion still pending is not yet decided.
    pending = {item_id for item_id, _, origin, status, _ in rows if status == "suggested"}
    items = sorted(reviewed - pending)
    if not items:
        return None
    from app.analysis.engine import f1_with_interval  # numpy: imported only when needed

    f1, low, high = f1_with_interval([predicted[i] for i in items], [actual[i] for i in items])
    return ModelAgreement(f1, low, high, len(items))
