"""The choices a report's filters offer, read from the corpus and the codebook."""
from __future__ import annotations

from sqlalchemy import select

from app.analysis.queries import active_themes, current_codebook
from app.corpus.choices import closed_questions
from app.corpus.models import FeedbackItem
from app.corpus.sources import source_label
from app.db import Session
from app.models import STAKEHOLDER_GROUPS
from app.web.fields import choices


def fill(form, consultation) -> None:
    codebook = current_codebook(consultation.id)
    form.themes.choices = choices([(t.id, t.name) for t in
                                   (active_themes(codebook.id) if codebook else [])])
    sources = Session.scalars(select(FeedbackItem.source).distinct().where(
        FeedbackItem.consultation_id == consultation.id).order_by(FeedbackItem.source))
    form.sources.choices = choices([(key, str(source_label(key))) for key in sources])
    questions = Session.scalars(select(FeedbackItem.question_key).distinct().where(
        FeedbackItem.consultation_id == consultation.id,
        FeedbackItem.question_key.is_not(None)).order_by(FeedbackItem.question_key))
    # Closed questions are named by their label (the corpus knows it); others by their key.
    prompts = {q.question_key: q.prompt for q in closed_questions(consultation.id)}
    form.questions.choices = choices([
        (key, f"{key}: {_short(prompts[key])} (closed question)" if key in prompts else key)
        for key in questions])
    form.groups.choices = choices([(key, str(label))
                                   for key, label in STAKEHOLDER_GROUPS.items()])


def _short(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else text[:limit - 1] + "…"
