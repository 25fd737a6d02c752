"""The report's own queries over the analysis tables, shaped for speed on a big corpus.

They mean what `app.analysis.queries.applied_codings` means (applied codings, on countable
items of the consultation, on the active themes the caller passes), but aggregate in SQL, so a
report over 300,000 items reads a few hundred rows instead of every coding.
"""
from __future__ import annotations

from collections import defaultdict

from sqlalchemy import func, select

from app.analysis.models import Coding
from app.corpus.models import FeedbackItem
from app.db import Session
from app.reports.participation import campaign_member, group_key


def _where(cid: int, filters, theme_ids, *, theme_seek: bool = True):
    theme = Coding.theme_id if theme_seek else Coding.theme_id + 0
    return (Coding.status == "applied", theme.in_(sorted(theme_ids) or [-1]),
            FeedbackItem.consultation_id == cid, FeedbackItem.consent_analysis.is_(True),
            filters.item_clause())


def theme_counts(cid: int, filters, theme_ids, approvals) -> tuple[dict, dict, dict]:
    """(items per (theme, group key), items per (theme, stance), governed group id -> theme
    ids whose group breakdown it is missing from). An item counts once per theme; a campaign
    counts once per theme, as its first item."""
    by_group: dict = defaultdict(int)
    by_stance: dict = defaultdict(int)
    unapproved: dict = defaultdict(set)
    where = _where(cid, filters, theme_ids, theme_seek=False)
    # One row per (item, theme) first, so an item counts once per theme (under one stance:
    # the least, when spans of it were given different ones), then counted by cell. The item
    # comes first and is grouped by the columns of ix_feedback_item_report before its id, and
    # its codings come from ix_coding_item_status_theme, so the per-item step reads index
    # pages in their own order and sorts nothing; the theme is tested as an expression, so
    # SQLite checks it in the index entry it has read rather than seeking once per theme.
    per_item = (select(Coding.theme_id, FeedbackItem.stakeholder_group,
                       FeedbackItem.governed_by_id, func.min(Coding.stance).label("stance"))
                .select_from(FeedbackItem)
                .join(Coding, FeedbackItem.id == Coding.item_id)
                .where(*where, FeedbackItem.campaign_id.is_(None))
                .group_by(FeedbackItem.source, FeedbackItem.stakeholder_group,
                          FeedbackItem.governed_by_id, FeedbackItem.id, Coding.theme_id)
                .subquery())
    cells = (select(per_item.c.theme_id, per_item.c.stakeholder_group,
                    per_item.c.governed_by_id, per_item.c.stance, func.count())
             .group_by(per_item.c.theme_id, per_item.c.stakeholder_group,
                       per_item.c.governed_by_id, per_item.c.stance))
    for theme_id, group, governed_by, stance, number in Session.execute(cells):
        _count_group(by_group, unapproved, theme_id, group, governed_by, number, approvals)
        by_stance[(theme_id, stance or "none")] += number
    _campaigns(cid, _where(cid, filters, theme_ids), by_group, by_stance, unapproved, approvals)
    return by_group, by_stance, unapproved


def _count_group(by_group, unapproved, theme_id, group, governed_by, number, approvals):
    key = group_key(group, governed_by, approvals)
    if governed_by is not None and group is not None and key != group:
        unapproved[governed_by].add(theme_id)
    by_group[(theme_id, key)] += number


def _campaigns(cid, where, by_group, by_stance, unapproved, approvals) -> None:
    """Each campaign once per theme, under its first coded item's group and stance."""
    first = (select(Coding.theme_id, FeedbackItem.campaign_id,
                    func.min(Coding.item_id).label("item_id"))
             .join(FeedbackItem, FeedbackItem.id == Coding.item_id)
             .where(*where, campaign_member(cid),
                    # Named by item too, so the planner starts from the campaign index
                    # rather than from every coding of the themes.
                    Coding.item_id.in_(select(FeedbackItem.id).where(campaign_member(cid))))
             .group_by(Coding.theme_id, FeedbackItem.campaign_id).subquery())
    rows = Session.execute(
        select(first.c.theme_id, FeedbackItem.stakeholder_group, FeedbackItem.governed_by_id,
               func.min(Coding.stance))
        .join(FeedbackItem, FeedbackItem.id == first.c.item_id)
        .join(Coding, (Coding.item_id == first.c.item_id)
              & (Coding.theme_id == first.c.theme_id) & (Coding.status == "applied"))
        .group_by(first.c.theme_id, first.c.campaign_id, FeedbackItem.stakeholder_group,
                  FeedbackItem.governed_by_id))
    for theme_id, group, governed_by, stance in rows:
        _count_group(by_group, unapproved, theme_id, group, governed_by, 1, approvals)
        by_stance[(theme_id, stance or "none")] += 1


def first_codings(cid: int, clause, filters, theme_id: int, limit: int, *columns) -> list:
    """The first LIMIT distinct items (by when they were coded) of one theme that CLAUSE
    keeps, outside campaigns. Per theme with LIMIT, so the theme's index stops early."""
    query = (select(Coding.item_id, *columns)
             .join(FeedbackItem, FeedbackItem.id == Coding.item_id)
             .where(*_where(cid, filters, [theme_id]), clause,
                    FeedbackItem.campaign_id.is_(None))
             .order_by(Coding.id).limit(limit * 4))
    seen, rows = set(), []
    for row in Session.execute(query):
        if row.item_id not in seen:
            seen.add(row.item_id)
            rows.append(row)
        if len(rows) == limit:
            break
    return rows
