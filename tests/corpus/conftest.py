"""Fixtures for the corpus tests: make_item records an item through record_feedback."""
from __future__ import annotations

from itertools import count

import pytest

from app.corpus.operations import record_feedback
from app.corpus.scope import ConsentScope

_source_ids = count(1)


@pytest.fixture
def make_item(make_consultation):
    """make_item(consultation=, author=, organisation=, text=, analysis=, quote=, publish=,
    governed_by=): a submission answer recorded by its author (or by a system import)."""
    defaults = {}

    def factory(*, consultation=None, author=None, organisation=None, text="Our view.",
                analysis=True, quote="none", publish="none", governed_by=None):
        if consultation is None:
            consultation = defaults.setdefault("consultation", make_consultation())
        scope = ConsentScope(analysis, quote, publish,
                             governed_by.id if governed_by is not None else None)
        return record_feedback(author, consultation=consultation, source="submission_answer",
                               source_id=f"consent-test-{next(_source_ids)}", text=text,
                               author=author, organisation=organisation, consent=scope)

    return factory
