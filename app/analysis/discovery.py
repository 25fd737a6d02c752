"""Automatic theme discovery and assisted coding, around the engine (app.analysis.engine):
what goes in (the countable items, campaigns counted once), what is stored (DiscoveryRun,
CandidateTheme; model suggestions), and the review of candidates into the codebook.

The engine reads texts only: no database, no Flask. Quotes are only ever taken from items
whose consent allows quoting to the secretariat (the corpus's quotable_clause): the engine
is told which items those are, and what it returns is checked against the same set.
"""
from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable

from flask_babel import gettext as _
from sqlalchemy import delete, insert, select

from app.analysis.coding import suggest
from app.analysis.models import CandidateTheme, Codebook, Coding, DiscoveryRun, Theme
from app.analysis.operations import create_theme, refuse_unless_analyst
from app.corpus.models import FeedbackCampaign, FeedbackItem
from app.corpus.visibility import countable_items, load_approvals, quotable_clause
from app.db import Session, utcnow
from app.errors import OperationRefused

Progress = Callable[[float, str], None]
MIN_TRAINING_ITEMS = 20
MAX_SUGGESTIONS_PER_ITEM = 3
MIN_CONFIDENCE = 0.2
SUGGEST_BATCH = 500  # member ids per query when a promotion suggests its theme


def quotable_ids(consultation_id: int) -> set[int]:
    approvals = load_approvals(consultation_id)
    return set(Session.scalars(select(FeedbackItem.id).where(
        quotable_clause(consultation_id, "secretariat", approvals.group_ids("quote")))))


def docs_for(consultation_id: int):
    """The engine's documents for a consultation, and which items each stands for.

    A campaign's shared text is one document (key: minus the campaign id) weighing as many
    items as it has countable members; what a member adds (own_text) is a document of its
    own. Every other countable item is one document keyed by its id."""
    from app.analysis.engine import Doc

    quotable = quotable_ids(consultation_id)
    docs, members = [], {}
    campaigns: dict[int, list[int]] = defaultdict(list)
    first_text: dict[int, str] = {}
    # Columns, not objects: a national consultation has hundreds of thousands of items.
    rows = Session.execute(countable_items(consultation_id).with_only_columns(
        FeedbackItem.id, FeedbackItem.text, FeedbackItem.campaign_id, FeedbackItem.own_text)
        .order_by(FeedbackItem.id))
    for item_id, text, campaign_id, own_text in rows:
        if campaign_id is None:
            docs.append(Doc(key=item_id, text=text, quotable=item_id in quotable))
            members[item_id] = [item_id]
            continue
        campaigns[campaign_id].append(item_id)
        first_text.setdefault(campaign_id, text)
        if own_text:
            docs.append(Doc(key=item_id, text=own_text, quotable=item_id in quotable))
            members[item_id] = [item_id]
    templates = dict(Session.execute(select(FeedbackCampaign.id, FeedbackCampaign.template_text)
                                     .where(FeedbackCampaign.id.in_(list(campaigns)))).all())
    for campaign_id, item_ids in campaigns.items():
        docs.append(Doc(key=-campaign_id, text=templates.get(campaign_id,
                                                             first_text[campaign_id]),
                        quotable=False, weight=len(item_ids)))
        members[-campaign_id] = item_ids
    return docs, members, quotable


def start_run(actor, consultation, *, method: str, seed: int) -> DiscoveryRun:
    refuse_unless_analyst(actor)
    from app.analysis.engine import METHODS

    if method not in METHODS:
        raise OperationRefused(_("Choose one of the methods listed."), field="method")
    run = DiscoveryRun(consultation_id=consultation.id, method=method, seed=int(seed or 0),
                       status="running", started_by_id=getattr(actor, "id", None),
                       created_at=utcnow())
    Session.add(run)
    Session.flush()
    return run


def run_discovery(run: DiscoveryRun, progress: Progress | None = None) -> DiscoveryRun:
    """Discover candidate themes for RUN's consultation and store them on RUN (flushes)."""
    from app.analysis.engine import discover

    # A resumed job starts again: forget what an interrupted attempt stored.
    Session.execute(delete(CandidateTheme).where(CandidateTheme.run_id == run.id))
    docs, members, quotable = docs_for(run.consultation_id)
    if not docs:
        raise OperationRefused(_("There are no items that may be analysed yet."))
    found = discover(docs, method=run.method, seed=run.seed, progress=progress)
    redundant = defaultdict(list)
    for first, second, similarity in found.redundant_pairs:
        redundant[first].append([second, round(float(similarity), 3)])
        redundant[second].append([first, round(float(similarity), 3)])
    for theme in found.themes:
        similarity = {item: score for key, score in zip(theme.member_keys,
                                                        theme.member_similarity, strict=True)
                      for item in members.get(key, [])}
        items = sorted(similarity)
        quotes = [key for key in theme.quote_keys if key > 0 and key in quotable][:5]
        Session.add(CandidateTheme(
            run_id=run.id, key=theme.key, parent_key=theme.parent_key, label=theme.label[:200],
            key_phrases=json.dumps(theme.key_phrases, ensure_ascii=False),
            summary=theme.summary, size=int(theme.size), member_item_ids=json.dumps(items),
            member_scores=json.dumps([similarity[item] for item in items]),
            quote_item_ids=json.dumps(quotes), redundant_with=json.dumps(redundant[theme.key])))
    run.model_version = found.model_version[:120]
    run.item_count = sum(doc.weight for doc in docs)
    run.theme_count = len(found.themes)
    run.seconds = float(found.seconds)
    run.status, run.finished_at = "finished", utcnow()
    Session.flush()
    return run


# ---------------------------------------------------------------- review


def _check_new(candidate: CandidateTheme) -> None:
    if candidate.status != "new":
        raise OperationRefused(_("That candidate has already been reviewed."))


def _decide(actor, candidate: CandidateTheme, status: str, theme: Theme | None) -> None:
    candidate.status = status
    candidate.theme_id = theme.id if theme is not None else None
    candidate.decided_by_id = getattr(actor, "id", None)
    candidate.decided_at = utcnow()
    Session.flush()


def promote_candidate(actor, candidate: CandidateTheme, codebook: Codebook,
                      name: str | None = None) -> tuple[Theme, int]:
    """Make CANDIDATE a theme of the codebook: under its parent's theme when the parent was
    promoted, else at the top level; its summary becomes the description. Its members are
    suggested the new theme (see suggest_members). Returns the theme and the number of
    suggestions."""
    refuse_unless_analyst(actor)
    _check_new(candidate)
    parent = None
    if candidate.parent_key is not None:
        parent_candidate = Session.scalar(select(CandidateTheme).where(
            CandidateTheme.run_id == candidate.run_id,
            CandidateTheme.key == candidate.parent_key))
        if parent_candidate is not None and parent_candidate.theme_id is not None:
            parent = Session.get(Theme, parent_candidate.theme_id)
            if parent is not None and (not parent.is_active or parent.parent_id is not None):
                parent = None
    theme = create_theme(actor, codebook, name=(name or candidate.label)[:120],
                         description=candidate.summary, parent=parent)
    _decide(actor, candidate, "promoted", theme)
    return theme, suggest_members(candidate, theme)


def merge_candidate(actor, candidate: CandidateTheme, theme: Theme) -> int:
    """Record that CANDIDATE is what THEME (already in the codebook) covers, and suggest
    THEME for its members (see suggest_members); the number of suggestions."""
    refuse_unless_analyst(actor)
    _check_new(candidate)
    if not theme.is_active:
        raise OperationRefused(_("That theme is no longer in the codebook."), field="target")
    _decide(actor, candidate, "merged", theme)
    return suggest_members(candidate, theme)


def discovery_version(run: DiscoveryRun) -> str:
    """What a promotion's codings name as the model that made them: the run, its method and
    seed, and the embedding model's version (Coding.model_version holds 80 characters)."""
    return f"discovery-{run.id}:{run.method}:seed{run.seed}:{run.model_version}"[:80]


def suggest_members(candidate: CandidateTheme, theme: Theme) -> int:
    """Suggest THEME for every member of CANDIDATE, as the discovery model's codings (origin
    model, pending review like assisted coding's), each with the member's similarity to the
    candidate's centre as its confidence. Members no longer countable (consent withdrawn,
    deleted, or moved out of the consultation) get nothing, nor do members that already have
    any coding of THEME (applied, suggested, or rejected by an analyst). Flushes; returns
    the number of suggestions stored."""
    run = candidate.run
    members = json.loads(candidate.member_item_ids or "[]")
    scores = json.loads(candidate.member_scores or "[]")
    similarity = dict(zip(members, scores, strict=True)) if len(scores) == len(members) else {}
    version, now = discovery_version(run), utcnow()
    already = select(Coding.item_id).where(Coding.theme_id == theme.id)
    stored = 0
    for start in range(0, len(members), SUGGEST_BATCH):
        batch = members[start:start + SUGGEST_BATCH]
        ids = Session.scalars(countable_items(run.consultation_id)
                              .with_only_columns(FeedbackItem.id)
                              .where(FeedbackItem.id.in_(batch), FeedbackItem.id.not_in(already))
                              .order_by(FeedbackItem.id)).all()
        # One executemany per batch, not an object per coding: a parent theme of a national
        # consultation can have a hundred thousand members, coded in the analyst's request.
        rows = [{"item_id": item_id, "theme_id": theme.id, "origin": "model",
                 "status": "suggested", "model_version": version, "created_at": now,
                 "confidence": _confidence(similarity.get(item_id))} for item_id in ids]
        if rows:
            Session.execute(insert(Coding), rows)
        stored += len(rows)
    Session.flush()
    return stored


def _confidence(similarity: float | None) -> float | None:
    return None if similarity is None else min(1.0, max(0.0, float(similarity)))


def drop_candidate(actor, candidate: CandidateTheme) -> None:
    refuse_unless_analyst(actor)
    _check_new(candidate)
    _decide(actor, candidate, "dropped", None)


# ---------------------------------------------------------------- assisted coding


def training_set(consultation_id: int, codebook: Codebook):
    """The items analysts coded (applied codings on active themes), with their theme sets."""
    rows = Session.execute(
        select(Coding.item_id, Coding.theme_id, FeedbackItem.text)
        .join(FeedbackItem, FeedbackItem.id == Coding.item_id)
        .join(Theme, Theme.id == Coding.theme_id)
        .where(FeedbackItem.consultation_id == consultation_id,
               FeedbackItem.consent_analysis.is_(True), Theme.codebook_id == codebook.id,
               Theme.status == "active", Coding.status == "applied")).all()
    labels: dict[int, set[int]] = defaultdict(set)
    texts: dict[int, str] = {}
    for item_id, theme_id, text in rows:
        labels[item_id].add(theme_id)
        texts[item_id] = text
    ids = sorted(labels)
    return [texts[i] for i in ids], [labels[i] for i in ids]


def items_to_suggest(consultation_id: int, codebook: Codebook) -> list[FeedbackItem]:
    """Countable items with no applied coding and no pending suggestion."""
    from app.analysis.workspace import coded_clause

    pending = select(Coding.item_id).where(Coding.status == "suggested")
    return list(Session.scalars(countable_items(consultation_id)
                                .where(~coded_clause(codebook.id),
                                       FeedbackItem.id.not_in(pending))
                                .order_by(FeedbackItem.id)))


def suggest_for(assistant, items: list[FeedbackItem], active_ids: set[int]) -> int:
    """Store the assistant's best suggestions for ITEMS; the number stored (flushes)."""
    stored = 0
    for item, predictions in zip(items, assistant.predict([i.text for i in items]), strict=True):
        # The assistant's own choice (the best theme, and those nearly as likely: the rule
        # bench/RESULTS.md measures), less any below the floor.
        chosen = [(theme_id, confidence) for theme_id, confidence in assistant.choose(
                      [(t, c) for t, c in predictions if t in active_ids])
                  if confidence >= MIN_CONFIDENCE]
        for theme_id, confidence in chosen[:MAX_SUGGESTIONS_PER_ITEM]:
            suggest(item.id, theme_id, model_version=assistant.version,
                    confidence=min(1.0, max(0.0, float(confidence))))
            stored += 1
    Session.flush()
    return stored
