"""The registry of feedback sources: what kinds of record a FeedbackItem can come from.

A source is a key (stored in feedback_item.source) and a label people read. The database does
not list the keys (no CHECK constraint since migration 0004), so a feature package adds a
source by registering it, with no migration; `record_feedback` refuses any key not registered.
"""
from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from flask_babel import lazy_gettext as _l

_sources: dict[str, object] = {}
# A read-only view of the registry: {key: label}. It follows later registrations.
SOURCES: Mapping[str, object] = MappingProxyType(_sources)

MAX_KEY_LENGTH = 30  # feedback_item.source is String(30)


class SourceConflict(ValueError):
    """A key registered twice with different labels: two packages claiming one name."""


def register_source(key: str, label) -> None:
    """Register feedback source KEY with LABEL (a lazy_gettext string).

    Registering the same key with the same label again does nothing (an app factory may run
    more than once in a process); a different label for a taken key raises SourceConflict.
    """
    if not isinstance(key, str) or not key or len(key) > MAX_KEY_LENGTH or not (
            key.replace("_", "").isalnum() and key.isascii() and key == key.lower()):
        raise ValueError(f"a feedback source key is 1-{MAX_KEY_LENGTH} lower-case letters, "
                         f"digits or underscores, not {key!r}")
    existing = _sources.get(key)
    if existing is not None:
        if _label_key(existing) != _label_key(label):
            raise SourceConflict(f"feedback source {key!r} is already registered with the "
                                 f"label {str(existing)!r}")
        return
    _sources[key] = label


def _label_key(label) -> str:
    # lazy_gettext strings compare by their untranslated message, so two registrations of the
    # same _l("...") are the same label in any locale.
    args = getattr(label, "_args", None)
    return args[0] if args else str(label)


def source_label(key: str):
    """The label of a registered source; a KeyError for an unknown key (a programming error)."""
    return _sources[key]


def is_registered(key: str) -> bool:
    return key in _sources


# The core's own source: rows imported from a spreadsheet by an analyst or the CLI.
register_source("imported_row", _l("Imported row"))

# Every other source belongs to a feature package, which registers it through its registration
# (FeaturePackage.feedback_sources; app/packages.py calls register_source).
