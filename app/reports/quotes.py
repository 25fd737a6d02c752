"""Which items a report may quote, chosen in SQL so a big corpus is never loaded whole.

The SQL clauses are the corpus's (`quotable_clause`), which a corpus test proves agree with the
rule function; the builder still passes the chosen few through `visible_items`, so the one
rule function has the last word on every quote.
"""
from __future__ import annotations

from sqlalchemy import and_, select

from app.corpus.models import FeedbackItem
from app.corpus.rules import Approvals
from app.corpus.visibility import quotable_clause
from app.db import Session
from app.governance.models import GovernanceGroup
from app.reports.coded import first_codings


def _first_per_theme(cid: int, clause, filters, theme_ids, limit: int, *columns):
    return [(theme_id, row) for theme_id in theme_ids
            for row in first_codings(cid, clause, filters, theme_id, limit, *columns)]


def quote_candidates(cid: int, audience: str, approvals: Approvals, filters, theme_ids,
                     limit: int) -> list[tuple[int, int]]:
    """(theme id, item id) of the first LIMIT quotable items of each theme. Items in a
    campaign are left out: their shared text would be quoted many times over."""
    clause = quotable_clause(cid, audience, approvals.group_ids("quote"))
    return [(theme_id, row.item_id)
            for theme_id, row in _first_per_theme(cid, clause, filters, theme_ids, limit)]


def governed_quote_candidates(cid: int, audience: str, approvals: Approvals, filters,
                              theme_ids, limit: int) -> list[tuple[int, int, int, str]]:
    """(theme id, item id, group id, text) of governed items the report would quote if
    their group's kaitiaki approved: what an approval request shows them."""
    approved = approvals.group_ids("quote")
    waiting = and_(FeedbackItem.governed_by_id.is_not(None),
                   FeedbackItem.governed_by_id.not_in(list(approved) or [-1]))
    if Session.scalar(select(FeedbackItem.id).where(
            FeedbackItem.consultation_id == cid, waiting).limit(1)) is None:
        return []  # nothing waits for a kaitiaki: skip a per-theme scan of every coding
    every_group = Session.scalars(select(GovernanceGroup.id)).all()
    clause = and_(quotable_clause(cid, audience, every_group), waiting)
    rows = _first_per_theme(cid, clause, filters, theme_ids, limit,
                            FeedbackItem.governed_by_id, FeedbackItem.text)
    return [(theme_id, row.item_id, row.governed_by_id, row.text) for theme_id, row in rows]
