"""Coding items: apply themes to a whole item or a span of its text, set stance, mark an item
evidence-rich, and accept or correct a model's suggestions (in bulk).

Operations take the actor (an analyst; None for the command line), check, change and flush.
Every coding keeps who or what made it (analyst, or model with version and confidence), when,
and who reviewed a suggestion and when; rejected suggestions stay as rows so the agreement
between model and analysts can be measured.
"""
from __future__ import annotations

from collections.abc import Iterable

from flask_babel import gettext as _
from sqlalchemy import select

from app.analysis.models import STANCES, Codebook, Coding, ItemAnnotation, Theme
from app.analysis.operations import refuse_unless_analyst
from app.corpus.models import FeedbackItem
from app.db import Session, utcnow
from app.errors import OperationRefused


def _check_item(item: FeedbackItem, codebook: Codebook) -> None:
    if item.consultation_id != codebook.consultation_id or not item.consent_analysis:
        raise OperationRefused(_("That item may no longer be analysed."))


def _check_themes(themes: Iterable[Theme], codebook: Codebook) -> list[Theme]:
    themes = list(themes)
    if not themes:
        raise OperationRefused(_("Choose at least one theme."), field="themes")
    for theme in themes:
        if theme.codebook_id != codebook.id or not theme.is_active:
            raise OperationRefused(_("Choose themes from the current codebook."),
                                   field="themes")
    return themes


def _check_stance(stance: str | None) -> str | None:
    stance = stance or None
    if stance is not None and stance not in STANCES:
        raise OperationRefused(_("Choose supports, opposes, mixed or unclear."), field="stance")
    return stance


def _check_span(item: FeedbackItem, span: tuple[int, int] | None) -> tuple[int, int] | None:
    if span is None:
        return None
    start, end = span
    if not (0 <= start < end <= len(item.text)):
        raise OperationRefused(_("Highlight a part of the item's text (the span was outside "
                                 "it)."), field="span_start")
    return start, end


def _same(column, value):
    return column.is_(None) if value is None else column == value


def apply_themes(actor, item: FeedbackItem, codebook: Codebook, themes: Iterable[Theme], *,
                 span: tuple[int, int] | None = None, stance: str | None = None) -> list[Coding]:
    """Code ITEM (or its SPAN, character offsets [start, end)) with each of THEMES. The same
    analyst coding the same theme on the same span again only updates the stance."""
    refuse_unless_analyst(actor)
    _check_item(item, codebook)
    themes = _check_themes(themes, codebook)
    stance = _check_stance(stance)
    span = _check_span(item, span)
    start, end = span if span else (None, None)
    codings = []
    for theme in themes:
        coding = Session.scalar(select(Coding).where(
            Coding.item_id == item.id, Coding.theme_id == theme.id,
            Coding.origin == "analyst", Coding.status == "applied",
            _same(Coding.coder_id, getattr(actor, "id", None)),
            _same(Coding.span_start, start), _same(Coding.span_end, end)))
        if coding is None:
            coding = Coding(item_id=item.id, theme_id=theme.id, span_start=start, span_end=end,
                            span_text=item.text[start:end] if span else None, origin="analyst",
                            coder_id=getattr(actor, "id", None), status="applied",
                            created_at=utcnow())
            Session.add(coding)
        coding.stance = stance
        codings.append(coding)
    Session.flush()
    return codings


def _coding_of(item: FeedbackItem, coding: Coding) -> Coding:
    if coding.item_id != item.id:
        raise OperationRefused(_("That coding belongs to another item."))
    return coding


def remove_coding(actor, item: FeedbackItem, coding: Coding) -> None:
    """Take a coding off ITEM: an analyst's is deleted, a model's is kept as rejected."""
    refuse_unless_analyst(actor)
    _coding_of(item, coding)
    if coding.origin == "model":
        _review(actor, coding, "rejected")
    else:
        Session.delete(coding)
    Session.flush()


def set_stance(actor, item: FeedbackItem, coding: Coding, stance: str | None) -> None:
    refuse_unless_analyst(actor)
    _coding_of(item, coding).stance = _check_stance(stance)
    Session.flush()


def mark_evidence_rich(actor, item: FeedbackItem, evidence_rich: bool) -> ItemAnnotation:
    refuse_unless_analyst(actor)
    if not item.consent_analysis:
        raise OperationRefused(_("That item may no longer be analysed."))
    annotation = Session.get(ItemAnnotation, item.id)
    if annotation is None:
        annotation = ItemAnnotation(item_id=item.id)
        Session.add(annotation)
    annotation.evidence_rich = bool(evidence_rich)
    annotation.marked_by_id = getattr(actor, "id", None)
    annotation.marked_at = utcnow()
    Session.flush()
    return annotation


# ---------------------------------------------------------------- model suggestions


def suggest(item_id: int, theme_id: int, *, model_version: str,
            confidence: float | None) -> Coding:
    """A model's suggestion (the assisted-coding job, or a promoted discovery theme): pending
    until an analyst reviews it. CONFIDENCE None: the model gave none (an old discovery)."""
    coding = Coding(item_id=item_id, theme_id=theme_id, origin="model", status="suggested",
                    model_version=model_version[:80],
                    confidence=None if confidence is None else float(confidence),
                    created_at=utcnow())
    Session.add(coding)
    return coding


def _review(actor, coding: Coding, status: str) -> None:
    if coding.origin != "model":
        raise OperationRefused(_("Only a model's suggestions are accepted or rejected."))
    coding.status = status
    coding.reviewed_by_id = getattr(actor, "id", None)
    coding.reviewed_at = utcnow()


def _pending(codings: Iterable[Coding]) -> list[Coding]:
    pending = [coding for coding in codings if coding.status == "suggested"]
    for coding in pending:
        if not coding.item.consent_analysis:
            raise OperationRefused(_("An item among those may no longer be analysed."))
    return pending


def accept_suggestions(actor, codings: Iterable[Coding]) -> int:
    """Accept pending suggestions (applied, reviewed by ACTOR); the number accepted."""
    refuse_unless_analyst(actor)
    pending = _pending(codings)
    for coding in pending:
        _review(actor, coding, "applied")
    Session.flush()
    return len(pending)


def reject_suggestions(actor, codings: Iterable[Coding]) -> int:
    refuse_unless_analyst(actor)
    pending = _pending(codings)
    for coding in pending:
        _review(actor, coding, "rejected")
    Session.flush()
    return len(pending)


def correct_suggestions(actor, item: FeedbackItem, codebook: Codebook,
                        themes: Iterable[Theme]) -> list[Coding]:
    """Replace the model's pending suggestions for ITEM by THEMES: suggestions among THEMES
    are accepted, the others rejected, and THEMES the model missed are coded by ACTOR."""
    refuse_unless_analyst(actor)
    themes = _check_themes(themes, codebook)
    wanted = {theme.id for theme in themes}
    pending = _pending(Session.scalars(select(Coding).where(
        Coding.item_id == item.id, Coding.status == "suggested")))
    for coding in pending:
        _review(actor, coding, "applied" if coding.theme_id in wanted else "rejected")
    accepted = {coding.theme_id for coding in pending if coding.status == "applied"}
    missed = [theme for theme in themes if theme.id not in accepted]
    return apply_themes(actor, item, codebook, missed) if missed else []
