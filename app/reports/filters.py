"""What a report covers: the filters chosen after the audience, as canonical JSON."""
from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from datetime import date

from sqlalchemy import ColumnElement, and_, true

from app.corpus.models import FeedbackItem
from app.web.dates import local_day_start


@dataclass(frozen=True)
class ReportFilters:
    themes: tuple[int, ...] = ()  # empty: every active theme
    sources: tuple[str, ...] = ()
    questions: tuple[str, ...] = ()
    groups: tuple[str, ...] = ()  # stakeholder groups
    date_from: str | None = None  # ISO dates, New Zealand days, inclusive
    date_to: str | None = None

    def to_json(self) -> str:
        return json.dumps(asdict(self), sort_keys=True, separators=(",", ":"))

    @classmethod
    def from_json(cls, text: str | None) -> ReportFilters:
        values = json.loads(text or "{}")
        return cls(themes=tuple(int(v) for v in values.get("themes", ())),
                   sources=tuple(values.get("sources", ())),
                   questions=tuple(values.get("questions", ())),
                   groups=tuple(values.get("groups", ())),
                   date_from=values.get("date_from"), date_to=values.get("date_to"))

    def item_clause(self) -> ColumnElement[bool]:
        """The items these filters keep (themes are filtered on the codings)."""
        parts = [true()]
        if self.sources:
            parts.append(FeedbackItem.source.in_(self.sources))
        if self.questions:
            parts.append(FeedbackItem.question_key.in_(self.questions))
        if self.groups:
            parts.append(FeedbackItem.stakeholder_group.in_(self.groups))
        if self.date_from:
            parts.append(FeedbackItem.created_at >= local_day_start(
                date.fromisoformat(self.date_from)))
        if self.date_to:
            end = date.fromordinal(date.fromisoformat(self.date_to).toordinal() + 1)
            parts.append(FeedbackItem.created_at < local_day_start(end))
        return and_(*parts)

    def describe(self) -> list[str]:
        """The filters in words, for the report's method notes."""
        lines = []
        if self.sources:
            lines.append("Sources: " + ", ".join(self.sources))
        if self.questions:
            lines.append("Questions: " + ", ".join(self.questions))
        if self.groups:
            lines.append("Stakeholder groups: " + ", ".join(self.groups))
        if self.date_from or self.date_to:
            lines.append(f"Dates: {self.date_from or 'start'} to {self.date_to or 'end'}")
        return lines




