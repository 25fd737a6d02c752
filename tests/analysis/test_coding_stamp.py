"""The method notes' coding figures are cached under the codebook's coding stamp, which
database triggers move with every change the figures depend on: a new, accepted, deleted or
bulk-inserted coding, a retired or deleted theme, a withdrawn or deleted item. Each change
shows in the very next method notes, and a rolled-back change leaves no stale figure."""
from __future__ import annotations

from sqlalchemy import delete, insert, update

from app.analysis.models import Coding, Theme
from app.analysis.queries import _FIGURES, coding_stamp, method_notes
from app.corpus.models import FeedbackItem
from app.corpus.operations import withdraw_consent
from app.db import Session


def _counts(consultation):
    notes = method_notes(consultation.id)
    return (notes.items_coded_by_analysts, notes.items_coded_by_model_accepted,
            notes.suggestions_pending)


def test_figures_are_cached_until_a_coding_changes(consultation, codebook, make_item,
                                                   make_theme, code, make_user):
    theme = make_theme()
    first, second = make_item("One."), make_item("Two.")
    code(first, theme)
    assert _counts(consultation) == (1, 0, 0)
    stamp = coding_stamp(consultation.id)
    cached = [figures for key, (at, figures) in _FIGURES.items()
              if key[1] == consultation.id and at == stamp]
    assert cached and cached[0][:3] == (1, 0, 0)
    assert _counts(consultation) == (1, 0, 0) and coding_stamp(consultation.id) == stamp
    code(second, theme)  # a new coding: the next notes count it at once
    assert coding_stamp(consultation.id) != stamp
    assert _counts(consultation) == (2, 0, 0)


def test_every_change_the_figures_depend_on_moves_the_stamp(consultation, codebook, make_item,
                                                           make_theme, code, make_user):
    analyst, author = make_user("analyst"), make_user("participant")
    theme, other = make_theme("Kept"), make_theme("Retired later")
    items = [make_item(f"Item {n}.", author=author if n == 0 else None) for n in range(5)]
    code(items[0], theme)
    code(items[1], other)
    suggestion = code(items[2], theme, origin="model", status="suggested",
                      model_version="m1", confidence=0.4)
    assert _counts(consultation) == (2, 0, 1)

    suggestion.status, suggestion.reviewed_by_id = "applied", analyst.id  # accepted
    assert _counts(consultation) == (2, 1, 0)
    Session.execute(insert(Coding), [{"item_id": items[3].id, "theme_id": theme.id,
                                      "origin": "analyst", "status": "applied"}])  # bulk
    assert _counts(consultation) == (3, 1, 0)
    Session.execute(update(Theme).where(Theme.id == other.id).values(status="merged"))
    assert _counts(consultation) == (2, 1, 0)  # item 1 was coded only to the retired theme
    withdraw_consent(author, items[0])
    assert _counts(consultation) == (1, 1, 0)
    Session.execute(delete(Coding).where(Coding.item_id == items[3].id))
    assert _counts(consultation) == (0, 1, 0)
    code(items[4], theme)
    assert _counts(consultation) == (1, 1, 0)
    Session.execute(delete(FeedbackItem).where(FeedbackItem.id == items[4].id))  # cascades
    assert _counts(consultation) == (0, 1, 0)
    Session.execute(delete(Theme).where(Theme.id == theme.id))  # and its codings with it
    assert _counts(consultation) == (0, 0, 0)


def test_a_rolled_back_change_leaves_no_stale_figure(consultation, codebook, make_item,
                                                     make_theme, code):
    theme = make_theme()
    item, other = make_item("One."), make_item("Two.")
    code(item, theme)
    assert _counts(consultation) == (1, 0, 0)
    savepoint = Session.begin_nested()
    code(other, theme)
    assert _counts(consultation) == (2, 0, 0)  # cached under the savepoint's stamp
    savepoint.rollback()
    assert _counts(consultation) == (1, 0, 0)
    code(other, theme)  # the same change again, committed this time: a new stamp
    assert _counts(consultation) == (2, 0, 0)
