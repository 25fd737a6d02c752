"""What a reader may see of feedback items: the one set of rules, in Python and in SQL.

Every page, report and export asks `visible_to(reader, item, audience=..., approvals=...)` for
one item, or `visible_items(reader, consultation_id, audience=...)` for many (a fixed number of
queries however many items). Queries that must not even load what they may not use pre-filter
with `countable_items`, `text_visible_clause`, `quotable_clause` and `breakdown_clause`, which
encode the same rules in SQL (a test proves they agree) and always filter by consultation.

The rules themselves are written out in `app.corpus.rules`, whose names are re-exported here.
"""
from __future__ import annotations

from collections.abc import Iterable
from typing import NamedTuple

from sqlalchemy import ColumnElement, and_, false, or_, select
from sqlalchemy.orm import aliased

from app.corpus.models import FeedbackItem
from app.corpus.rules import (
    NO_APPROVALS,
    PUBLISH_FOR_AUDIENCE,
    Approvals,
    ItemView,
    attribution_of,
    audiences_of,
    check_audience,
    decide,
    visible_to,
)
from app.corpus.scope import AUDIENCES
from app.db import Session
from app.governance.queries import approved_uses
from app.models import Organisation, User

__all__ = [
    "AUDIENCES", "NO_APPROVALS", "Approvals", "ItemView", "audiences_of", "breakdown_clause",
    "countable_items", "load_approvals", "quotable_clause", "text_visible_clause",
    "visible_items", "visible_to",
]


def load_approvals(consultation_id: int) -> Approvals:
    """The kaitiaki approvals in force for a consultation (`governance.queries.approved_uses`)."""
    return Approvals(approved_uses(consultation_id))


# ---------------------------------------------------------------- many items at once


class _Row(NamedTuple):
    """One item's columns, with its author's and organisation's names, as one query returns
    them: the rules read these attributes exactly as they read a FeedbackItem's."""

    id: int
    text: str
    author_id: int | None
    consent_analysis: bool
    consent_quote: str
    consent_publish: str
    governed_by_id: int | None
    author_name: str | None
    organisation_name: str | None


def visible_items(reader, consultation_id: int, *, audience: str,
                  approvals: Approvals | None = None, item_ids: Iterable[int] | None = None,
                  countable_only: bool = False) -> list[ItemView]:
    """What READER may see of many items of one consultation, for AUDIENCE: one ItemView per
    item (with item_id set), by item id, agreeing with `visible_to` item by item.

    One query reads the items with their authors' and organisations' names (plus one for the
    approvals when APPROVALS is None), however many items there are. ITEM_IDS narrows to those
    items (ids of other consultations are ignored); COUNTABLE_ONLY drops withdrawn items.
    """
    check_audience(audience)
    if approvals is None:
        approvals = load_approvals(consultation_id)
    author = aliased(User)
    query = (
        select(FeedbackItem.id, FeedbackItem.text, FeedbackItem.author_id,
               FeedbackItem.consent_analysis, FeedbackItem.consent_quote,
               FeedbackItem.consent_publish, FeedbackItem.governed_by_id,
               author.display_name, Organisation.name)
        .outerjoin(author, author.id == FeedbackItem.author_id)
        .outerjoin(Organisation, Organisation.id == FeedbackItem.organisation_id)
        .where(FeedbackItem.consultation_id == consultation_id)
        .order_by(FeedbackItem.id)
    )
    if item_ids is not None:
        wanted = sorted(set(item_ids))
        if not wanted:
            return []
        query = query.where(FeedbackItem.id.in_(wanted))
    if countable_only:
        query = query.where(FeedbackItem.consent_analysis.is_(True))
    views = []
    for values in Session.execute(query):
        row = _Row(*values)
        views.append(decide(
            reader, row, audience=audience, approvals=approvals,
            attribution=lambda row=row: attribution_of(row.author_name, row.organisation_name)))
    return views


# ---------------------------------------------------------------- the same rules in SQL


def countable_items(consultation_id: int):
    """A select() of the items that may be coded and counted in a consultation (rule 2)."""
    return select(FeedbackItem).where(
        FeedbackItem.consultation_id == consultation_id,
        FeedbackItem.consent_analysis.is_(True),
    )


def text_visible_clause(consultation_id: int, audience: str) -> ColumnElement[bool]:
    """Rules 2-3 as SQL: the items of a consultation whose text a reader entitled to AUDIENCE
    (an analyst for the secretariat) may see, when not the item's author."""
    check_audience(audience)
    counted = and_(FeedbackItem.consultation_id == consultation_id,
                   FeedbackItem.consent_analysis.is_(True))
    if audience == "secretariat":
        return counted
    return and_(counted, FeedbackItem.consent_publish.in_(PUBLISH_FOR_AUDIENCE[audience]))


def quotable_clause(consultation_id: int, audience: str,
                    approved_quote_group_ids) -> ColumnElement[bool]:
    """Rule 4 as SQL: the items of a consultation whose text may be quoted to AUDIENCE, given
    the ids of the governance groups with an approved "quote" use in that consultation
    (`load_approvals(consultation_id).group_ids("quote")`)."""
    group_ids = sorted(set(approved_quote_group_ids or ()))
    governed_ok = (FeedbackItem.governed_by_id.in_(group_ids) if group_ids else false())
    return and_(
        text_visible_clause(consultation_id, audience),
        FeedbackItem.consent_quote != "none",
        FeedbackItem.consent_publish != "none",
        or_(FeedbackItem.governed_by_id.is_(None), governed_ok),
    )


def breakdown_clause(consultation_id: int, approved_breakdown_group_ids) -> ColumnElement[bool]:
    """Rule 5 as SQL: the counted items of a consultation that may be broken down by their
    group, given the groups with an approved "breakdown" use in that consultation."""
    group_ids = sorted(set(approved_breakdown_group_ids or ()))
    governed_ok = (FeedbackItem.governed_by_id.in_(group_ids) if group_ids else false())
    return and_(FeedbackItem.consultation_id == consultation_id,
                FeedbackItem.consent_analysis.is_(True),
                or_(FeedbackItem.governed_by_id.is_(None), governed_ok))
