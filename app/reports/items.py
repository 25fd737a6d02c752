"""The item-level rows of an export (the CSV, and the XLSX item sheet): one row per item the
audience may see quoted, with a 0/1 column per theme of the build. Streamed: one query read in
batches, rows yielded one at a time, so memory stays flat however many items there are.

Only items the audience may quote appear, and only what the rules give: the quote, and the
attribution only when the item is attributed. No stakeholder group per item (that would be a
breakdown down to a count of one). Approvals are those in force both when the build was made
and now, so neither a newer approval nor one since declined widens the export.
"""
from __future__ import annotations

import json
from collections.abc import Iterator

from sqlalchemy import select
from sqlalchemy.orm import aliased

from app.analysis.queries import applied_codings
from app.corpus.models import FeedbackItem
from app.corpus.rules import Approvals, attribution_of, decide
from app.corpus.sources import source_label
from app.corpus.visibility import load_approvals, quotable_clause
from app.db import Session
from app.models import Organisation, User
from app.reports.filters import ReportFilters

BATCH = 5_000


def item_header(data: dict) -> list[str]:
    return ["Item", "Source", "Question", "Quote", "Attributed to",
            *(theme["name"] for theme in data["themes"])]


def effective_approvals(build) -> Approvals:
    built = {tuple(pair) for pair in json.loads(build.approvals)}
    now = load_approvals(build.report.consultation_id).approved
    return Approvals(frozenset(built & set(now)))


class _Row:
    __slots__ = (
        "author_id",
        "consent_analysis",
        "consent_publish",
        "consent_quote",
        "governed_by_id",
        "id",
        "text",
    )


def _item_query(report, build, data: dict, approvals: Approvals):
    cid, audience = report.consultation_id, report.audience
    theme_ids = [theme["id"] for theme in data["themes"]]
    position = {theme_id: index for index, theme_id in enumerate(theme_ids)}
    codings = applied_codings(cid).subquery()
    author = aliased(User)
    query = (select(FeedbackItem.id, FeedbackItem.text, FeedbackItem.author_id,
                    FeedbackItem.consent_analysis, FeedbackItem.consent_quote,
                    FeedbackItem.consent_publish, FeedbackItem.governed_by_id,
                    FeedbackItem.source, FeedbackItem.question_key,
                    author.display_name, Organisation.name, codings.c.theme_id)
             .outerjoin(author, author.id == FeedbackItem.author_id)
             .outerjoin(Organisation, Organisation.id == FeedbackItem.organisation_id)
             .join(codings, (codings.c.item_id == FeedbackItem.id)
                   & codings.c.theme_id.in_(theme_ids or [-1]))
             .where(quotable_clause(cid, audience, approvals.group_ids("quote")),
                    ReportFilters.from_json(build.filters).item_clause())
             .order_by(FeedbackItem.id)
             .execution_options(stream_results=True, yield_per=BATCH))
    return query, position


def _item_rows(query, position: dict, approvals: Approvals, audience: str) -> Iterator[list]:
    """One row per item, from the query's rows (one per item and theme, by item). Read through
    the Core connection in batches of BATCH: no ORM row objects, a server-side cursor on
    PostgreSQL, so memory stays flat."""
    labels: dict = {}
    current, flags = None, None
    result = Session.connection().execute(query)
    for batch in result.partitions(BATCH):
        for values in batch:
            if current is None or current[0] != values[0]:
                if current is not None:
                    yield _finish(current, flags, approvals, audience, labels)
                current, flags = values, [0] * len(position)
            flags[position[values[-1]]] = 1
    if current is not None:
        yield _finish(current, flags, approvals, audience, labels)


def _finish(values, flags, approvals, audience, labels) -> list | None:
    row = _Row()
    (row.id, row.text, row.author_id, row.consent_analysis, row.consent_quote,
     row.consent_publish, row.governed_by_id) = values[:7]
    view = decide(None, row, audience=audience, approvals=approvals,
                  attribution=lambda: attribution_of(values[9], values[10]))
    if view.quote is None:  # the SQL pre-filter agrees with the rules; the rules decide
        return None
    source = values[7]
    if source not in labels:
        labels[source] = str(source_label(source))
    return [row.id, labels[source], values[8] or "", view.quote, view.attribution or "",
            *flags]


def visible_item_rows(report, build, data) -> Iterator[list]:
    """The rows, as a generator that needs nothing of REPORT or BUILD once made (a streamed
    response reads it after the view has returned)."""
    approvals = effective_approvals(build)
    query, position = _item_query(report, build, data, approvals)
    rows = _item_rows(query, position, approvals, report.audience)
    return (row for row in rows if row is not None)
