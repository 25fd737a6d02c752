"""Fixtures for the analysis tests: items recorded through the corpus, and a codebook."""
from __future__ import annotations

from itertools import count

import pytest

from app.analysis.models import Codebook, Coding, Theme
from app.corpus.operations import record_feedback
from app.corpus.scope import ConsentScope
from app.db import Session

_source_ids = count(1)


@pytest.fixture
def consultation(make_consultation):
    return make_consultation()


@pytest.fixture
def make_item(consultation):
    """make_item(text=, quote=, publish=, analysis=, question=, group=, author=): an imported
    row of CONSULTATION (recorded by the system, as the CLI import does)."""

    def factory(text="Our view.", *, quote="none", publish="none", analysis=True,
                question=None, group=None, author=None, target=None):
        item = record_feedback(
            author, consultation=target or consultation, source="imported_row",
            source_id=f"analysis-test-{next(_source_ids)}", text=text, author=author,
            consent=ConsentScope(analysis, quote, publish, None))
        item.question_key = question
        item.stakeholder_group = group
        Session.flush()
        return item

    return factory


@pytest.fixture
def codebook(consultation):
    book = Codebook(consultation_id=consultation.id)
    Session.add(book)
    Session.flush()
    return book


@pytest.fixture
def make_theme(codebook):
    positions = count(1)

    def factory(name="Theme", *, parent=None, status="active"):
        theme = Theme(codebook_id=codebook.id, name=name, parent_id=parent.id if parent else None,
                      status=status, position=next(positions))
        Session.add(theme)
        Session.flush()
        return theme

    return factory


@pytest.fixture
def code():
    """code(item, theme, coder=None, **columns): an applied analyst coding."""

    def factory(item, theme, coder=None, **columns):
        columns.setdefault("origin", "analyst")
        columns.setdefault("status", "applied")
        coding = Coding(item_id=item.id, theme_id=theme.id,
                        coder_id=coder.id if coder else None, **columns)
        Session.add(coding)
        Session.flush()
        return coding

    return factory
