"""The feedback corpus: FeedbackItem, consent scopes, the record/update operations, and what a
reader may see of an item (docs/architecture.md, "The corpus").

The public names are re-exported here lazily (PEP 562), so importing one light module such as
`app.corpus.scope` never drags in the operations and the audit log behind them.
"""
from __future__ import annotations

import importlib

_EXPORTS = {
    "ConsentScope": "scope", "QUOTE_LEVELS": "scope", "PUBLISH_LEVELS": "scope",
    "AUDIENCES": "scope",
    "SOURCES": "sources", "register_source": "sources", "source_label": "sources",
    "FeedbackItem": "models", "ConsentChange": "models", "FeedbackCampaign": "models",
    "FeedbackQuestion": "models", "FeedbackChoice": "models",
    "ClosedAnswer": "closed", "CLOSED_KINDS": "closed",
    "choice_counts": "choices", "closed_questions": "choices",
    "record_feedback": "operations", "update_feedback": "operations",
    "update_consent": "operations", "withdraw_consent": "operations",
    "Approvals": "visibility", "NO_APPROVALS": "visibility", "ItemView": "visibility",
    "audiences_of": "visibility", "load_approvals": "visibility", "visible_to": "visibility",
    "visible_items": "visibility", "countable_items": "visibility",
    "text_visible_clause": "visibility", "quotable_clause": "visibility",
    "breakdown_clause": "visibility",
    "list_consent_history": "queries",
}
__all__ = list(_EXPORTS)


def __getattr__(name: str):
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'app.corpus' has no attribute {name!r}")
    return getattr(importlib.import_module(f"app.corpus.{module}"), name)
