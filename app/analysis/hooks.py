"""What the core asks of analysis besides its pages: demo data and, for the test walks, the
objects its URLs name."""
from __future__ import annotations

from urllib.parse import quote

from sqlalchemy import select

from app.analysis import operations as ops
from app.analysis.models import CandidateTheme, Coding, DiscoveryRun
from app.corpus.operations import record_feedback
from app.corpus.scope import ConsentScope
from app.db import Session, utcnow


def tasks(person) -> list:
    """For analysts: the items of the current consultation still to code, and the model's
    suggestions waiting for review (two counting queries)."""
    from flask_babel import lazy_gettext as _l
    from sqlalchemy import func

    from app.analysis.queries import current_codebook
    from app.analysis.workspace import coded_clause, pending_suggestions
    from app.corpus.models import FeedbackItem
    from app.packages import Task
    from app.queries import get_current_consultation

    consultation = get_current_consultation()
    if consultation is None or not person.has_role("analyst"):
        return []
    codebook = current_codebook(consultation.id)
    uncoded = Session.scalar(select(func.count(FeedbackItem.id)).where(
        FeedbackItem.consultation_id == consultation.id,
        FeedbackItem.consent_analysis.is_(True),
        ~coded_clause(codebook.id if codebook else None)))
    pending = Session.scalar(select(func.count()).select_from(
        pending_suggestions(consultation.id).subquery()))
    # The links name the consultation the counts are for (an analyst may have chosen another).
    slug = quote(consultation.slug)
    return [Task(_l("Feedback items to code"), uncoded or 0,
                 f"/analysis/items?uncoded=1&consultation={slug}"),
            Task(_l("Theme suggestions to review"), pending or 0,
                 f"/analysis/suggestions?consultation={slug}")]


def route_objects(context) -> dict:
    """A codebook with a theme, a countable item coded with it, and a finished discovery run
    with one candidate, all in the walk's consultation (only analysts reach any of them)."""
    analyst = context.make_user("analyst")
    book = ops.get_or_create_codebook(analyst, context.consultation)
    theme = ops.create_theme(analyst, book, name="Walk theme")
    item = record_feedback(None, consultation=context.consultation, source="imported_row",
                           source_id=f"{context.consultation.id}:walk:1",
                           text="Imported words for the walk.",
                           consent=ConsentScope(True, "none", "none", None))
    coding = Coding(item_id=item.id, theme_id=theme.id, origin="analyst", status="applied",
                    coder_id=analyst.id, created_at=utcnow())
    run = DiscoveryRun(consultation_id=context.consultation.id, method="tfidf-kmeans", seed=0,
                       status="finished", theme_count=1, item_count=1, finished_at=utcnow())
    Session.add_all([coding, run])
    Session.flush()
    candidate = CandidateTheme(run_id=run.id, key="1", label="Walk candidate",
                               member_item_ids=f"[{item.id}]")
    Session.add(candidate)
    Session.flush()
    return {"theme": theme, "item": item, "coding": coding, "run": run, "candidate": candidate}


def seed_demo(context) -> None:
    from app.analysis.demo import seed_analysis

    existing = Session.scalar(select(DiscoveryRun.id).where(
        DiscoveryRun.consultation_id == context.consultation.id))
    if existing is not None:
        context.report.note(False, "analysis: codebook, codings and a theme discovery")
        return
    seed_analysis(context)
    context.report.note(True, "analysis: a codebook with themes, coded items and a finished "
                              "theme discovery")
