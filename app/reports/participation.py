"""The overview's participation figures: feedback by source and stakeholder group, with each
campaign (one template sent by many) counted once, and its signatories listed."""
from __future__ import annotations

from collections import defaultdict

from sqlalchemy import func, select

from app.corpus.models import FeedbackCampaign, FeedbackItem
from app.db import Session

UNSTATED = "unstated"


def group_key(group: str | None, governed_by_id: int | None, approvals) -> str:
    """The column an item is counted in: its stakeholder group, or UNSTATED when it has none
    or its governing group's kaitiaki have not approved breaking results down by group."""
    if group is None or (governed_by_id is not None
                         and not approvals.allows(governed_by_id, "breakdown")):
        return UNSTATED
    return group


def campaign_member(cid: int):
    """Items in one of the consultation's campaigns, as a clause the campaign index answers
    (a bare "campaign_id IS NOT NULL" leads SQLite to scan every item of the consultation)."""
    return FeedbackItem.campaign_id.in_(
        select(FeedbackCampaign.id).where(FeedbackCampaign.consultation_id == cid))


def participation(cid: int, inputs) -> tuple[dict, list[str], list[tuple]]:
    """(counts by (source, group key), the sources present, campaigns as (id, question, kind,
    countable signatories)). Only countable items of the report's filters."""
    where = (FeedbackItem.consultation_id == cid, FeedbackItem.consent_analysis.is_(True),
             inputs.filters.item_clause())
    counts: dict = defaultdict(int)
    sources: set[str] = set()
    singles = (select(FeedbackItem.source, FeedbackItem.stakeholder_group,
                      FeedbackItem.governed_by_id, func.count(FeedbackItem.id))
               .where(*where, FeedbackItem.campaign_id.is_(None))
               .group_by(FeedbackItem.source, FeedbackItem.stakeholder_group,
                         FeedbackItem.governed_by_id))
    for source, group, governed_by, number in Session.execute(singles):
        counts[(source, group_key(group, governed_by, inputs.approvals))] += number
        sources.add(source)
    first = (select(FeedbackItem.campaign_id, func.min(FeedbackItem.id).label("first_id"),
                    func.count(FeedbackItem.id).label("members"))
             .where(*where, campaign_member(cid))
             .group_by(FeedbackItem.campaign_id).subquery())
    campaigns = []
    rows = Session.execute(
        select(first.c.campaign_id, first.c.members, FeedbackItem.source,
               FeedbackItem.stakeholder_group, FeedbackItem.governed_by_id,
               FeedbackCampaign.question_key, FeedbackCampaign.kind)
        .join(FeedbackItem, FeedbackItem.id == first.c.first_id)
        .join(FeedbackCampaign, FeedbackCampaign.id == first.c.campaign_id)
        .order_by(first.c.campaign_id))
    for campaign_id, members, source, group, governed_by, question, kind in rows:
        counts[(source, group_key(group, governed_by, inputs.approvals))] += 1
        sources.add(source)
        campaigns.append((campaign_id, question, kind, members))
    return counts, sorted(sources), campaigns
