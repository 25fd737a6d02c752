"""The consent scope of a feedback item: a value type with no database behind it.

It imports nothing of the corpus (only `app.errors`, for the refusal people see), so every other
corpus module, and feature packages building a scope from a form, can import it freely.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _

from app.errors import OperationRefused

QUOTE_LEVELS = ("none", "anonymous", "attributed")
PUBLISH_LEVELS = ("none", "working_group", "public")
# Who an output is for (see app.corpus.rules): analysts coding inside the platform; reports for
# the working and advisory groups; published reports and results fed back to providers.
AUDIENCES = ("secretariat", "working_group", "public")


@dataclass(frozen=True)
class ConsentScope:
    """What the person who gave an item allowed: see docs/architecture.md, "Consent and visibility"."""

    analysis: bool
    quote: str
    publish: str
    governed_by_id: int | None = None

    def __post_init__(self):
        if not isinstance(self.analysis, bool):
            raise OperationRefused(_("Say whether the feedback may be analysed (yes or no)."),
                                   field="analysis")
        if self.quote not in QUOTE_LEVELS:
            raise OperationRefused(
                _("“%(value)s” is not a quoting choice. Choose one of: %(choices)s.",
                  value=self.quote, choices=", ".join(QUOTE_LEVELS)), field="quote")
        if self.publish not in PUBLISH_LEVELS:
            raise OperationRefused(
                _("“%(value)s” is not a publishing choice. Choose one of: %(choices)s.",
                  value=self.publish, choices=", ".join(PUBLISH_LEVELS)), field="publish")
        if self.governed_by_id is not None and (
            isinstance(self.governed_by_id, bool) or not isinstance(self.governed_by_id, int)
        ):
            raise OperationRefused(_("Choose a governance group from the list."),
                                   field="governed_by_id")

    @classmethod
    def withdrawn(cls, governed_by_id: int | None = None) -> ConsentScope:
        """Consent withdrawn: not counted, never quoted, never published."""
        return cls(analysis=False, quote="none", publish="none", governed_by_id=governed_by_id)

    @classmethod
    def from_item(cls, item: Any) -> ConsentScope:
        """The scope stored on a FeedbackItem (or anything with its consent_* columns)."""
        return cls(analysis=bool(item.consent_analysis), quote=item.consent_quote,
                   publish=item.consent_publish, governed_by_id=item.governed_by_id)

    @classmethod
    def from_json(cls, data: str) -> ConsentScope | None:
        """The scope stored in a ConsentChange; None for the empty first "old" scope ("{}")."""
        values = json.loads(data or "{}")
        if not values:
            return None
        return cls(analysis=values["analysis"], quote=values["quote"],
                   publish=values["publish"], governed_by_id=values.get("governed_by_id"))

    def to_dict(self) -> dict:
        return {"analysis": self.analysis, "quote": self.quote, "publish": self.publish,
                "governed_by_id": self.governed_by_id}

    def to_json(self) -> str:
        """Canonical JSON (sorted keys, no spaces): equal scopes give equal strings."""
        return json.dumps(self.to_dict(), sort_keys=True, separators=(",", ":"))

    def apply_to(self, item: Any) -> None:
        item.consent_analysis = self.analysis
        item.consent_quote = self.quote
        item.consent_publish = self.publish
        item.governed_by_id = self.governed_by_id
