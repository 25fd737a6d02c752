"""Demo data for reports: a codebook coding the demo feedback (when analysis has none yet),
a working-group report, a published public page, and a request for the demo kaitiaki."""
from __future__ import annotations

from sqlalchemy import select

from app.analysis.coding import apply_themes
from app.analysis.operations import create_theme, get_or_create_codebook
from app.analysis.queries import active_themes
from app.corpus.models import FeedbackItem
from app.corpus.operations import record_feedback
from app.corpus.scope import ConsentScope
from app.db import Session
from app.reports.filters import ReportFilters
from app.reports.operations import build_report, create_report, publish_report

STANCES = ("supports", "opposes", "mixed", "supports", "unclear")


def _demo_feedback(context, count: int = 30) -> None:
    """Enough imported rows for the figures to be more than suppressed cells, one in four
    governed by the first demo governance group (so a request goes to its kaitiaki)."""
    group = next(iter(context.governance_groups.values()), None)
    organisations = list(context.organisations.values())
    for n in range(count):
        organisation = organisations[n % len(organisations)] if organisations else None
        governed = group.id if group is not None and n % 4 == 0 else None
        record_feedback(None, consultation=context.consultation, source="imported_row",
                        source_id=f"demo-report-row-{n}",
                        text=f"Demo feedback {n}: providers should only share what clients "
                             f"have agreed to, and say who sees it.",
                        organisation=organisation, question_key="q1",
                        consent=ConsentScope(True, "anonymous" if n % 3 else "attributed",
                                             "public" if n % 2 else "working_group", governed))


def seed_reports(context, demo_themes) -> None:
    analyst = context.accounts["analyst"]
    consultation = context.consultation
    codebook = get_or_create_codebook(analyst, consultation)
    themes = active_themes(codebook.id)
    if not themes:
        themes = [create_theme(analyst, codebook, name=name, description=description)
                  for name, description in demo_themes]
    _demo_feedback(context)
    # Code only the rows added here: analysis's own demo leaves items to code on purpose.
    items = Session.scalars(select(FeedbackItem).where(
        FeedbackItem.consultation_id == consultation.id,
        FeedbackItem.source_id.like("demo-report-row-%"),
        FeedbackItem.consent_analysis.is_(True)).order_by(FeedbackItem.id)).all()
    for n, item in enumerate(items):
        apply_themes(analyst, item, codebook, [themes[n % len(themes)]],
                     stance=STANCES[n % len(STANCES)])
    working = create_report(analyst, consultation, title="What we heard: working group draft",
                            audience="working_group", filters=ReportFilters())
    build_report(analyst, working)
    public = create_report(analyst, consultation, title="What we heard",
                           audience="public", filters=ReportFilters())
    build = build_report(analyst, public)
    sections = ["overview", *(f"theme-{t['id']}" for t in build.data["themes"]),
                *(q["section"] for q in build.data["closed_questions"]), "method"]
    publish_report(analyst, public, sections)
    Session.flush()
