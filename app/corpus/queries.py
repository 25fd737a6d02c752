"""Reading the corpus's own records. Nothing here writes; what a reader may see of an item is
`app.corpus.visibility`."""
from __future__ import annotations

from sqlalchemy import select

from app.corpus.models import ConsentChange, FeedbackItem
from app.db import Session


def list_consent_history(item: FeedbackItem) -> list[ConsentChange]:
    """Every version of an item's consent, oldest first."""
    return list(Session.scalars(
        select(ConsentChange).where(ConsentChange.item_id == item.id)
        .order_by(ConsentChange.version, ConsentChange.id)
    ))
