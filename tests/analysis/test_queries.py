"""The query functions reports code against: codebook, themes in order, applied codings on
countable items only, and the method notes."""
from __future__ import annotations

import pytest

from app.analysis.queries import (
    active_themes,
    applied_codings,
    current_codebook,
    method_notes,
)
from app.corpus.operations import withdraw_consent
from app.db import Session


def test_current_codebook_is_the_consultations(codebook, consultation, make_consultation):
    assert current_codebook(consultation.id).id == codebook.id
    assert current_codebook(make_consultation().id) is None


def test_active_themes_put_parents_before_their_children(make_theme, codebook):
    first = make_theme("First")
    second = make_theme("Second")
    child_of_first = make_theme("Child", parent=first)
    make_theme("Gone", status="deleted")
    ordered = active_themes(codebook.id)
    assert [theme.name for theme in ordered] == ["First", "Child", "Second"]
    assert ordered[1].id == child_of_first.id and ordered[2].id == second.id


def test_applied_codings_leave_out_withdrawn_items_inactive_themes_and_suggestions(
        consultation, make_item, make_theme, code, make_user):
    author = make_user("participant")
    kept = make_item("Kept.")
    withdrawn = make_item("Withdrawn later.", author=author)
    active, merged = make_theme("Active"), make_theme("Merged", status="merged")
    code(kept, active, stance="supports")
    code(kept, merged)
    code(withdrawn, active)
    code(kept, active, origin="model", status="suggested", confidence=0.4, model_version="m1")
    withdraw_consent(author, withdrawn)
    rows = Session.execute(applied_codings(consultation.id)).all()
    assert [tuple(row) for row in rows] == [(kept.id, active.id, "supports")]


def test_method_notes_count_coded_items_and_pending_suggestions(
        consultation, codebook, make_item, make_theme, code, make_user):
    analyst = make_user("analyst")
    theme = make_theme()
    first, second, third = make_item("One."), make_item("Two."), make_item("Three.")
    code(first, theme, analyst)
    code(second, theme, origin="model", model_version="m1", confidence=0.9,
         reviewed_by_id=analyst.id)
    code(third, theme, origin="model", status="suggested", model_version="m1", confidence=0.3)
    notes = method_notes(consultation.id)
    assert notes.codebook_version == codebook.version == 1
    assert (notes.items_total, notes.items_coded_by_analysts,
            notes.items_coded_by_model_accepted, notes.suggestions_pending) == (3, 1, 1, 1)
    assert notes.analyst_agreement.kappa is None
    assert notes.model_agreement.f1 == pytest.approx(1.0)
    assert notes.model_agreement.items_reviewed == 1


def test_two_analysts_on_the_same_items_give_kappa(consultation, make_item, make_theme, code,
                                                   make_user):
    first, second = make_user("analyst"), make_user("analyst")
    a, b = make_theme("A"), make_theme("B")
    items = [make_item(f"Item {n}.") for n in range(4)]
    for item in items:
        code(item, a, first)
        code(item, a, second)
    code(items[0], b, first)
    code(items[1], b, second)
    agreement = method_notes(consultation.id).analyst_agreement
    assert agreement.items_compared == 4
    # 8 decisions, 6 agree; each coder said yes 5 times: p_o = .75, p_e = (25 + 9) / 64
    assert agreement.kappa == pytest.approx((0.75 - 34 / 64) / (1 - 34 / 64))


def test_method_notes_name_the_newest_finished_discovery(consultation):
    from app.analysis.models import DiscoveryRun
    from app.db import utcnow

    assert method_notes(consultation.id).last_discovery is None
    Session.add_all([
        DiscoveryRun(consultation_id=consultation.id, method="tfidf-kmeans", seed=1,
                     status="finished", theme_count=12, finished_at=utcnow()),
        DiscoveryRun(consultation_id=consultation.id, method="minilm-kmeans", seed=2,
                     status="running")])
    Session.flush()
    last = method_notes(consultation.id).last_discovery
    assert (last.method, last.seed, last.theme_count) == ("tfidf-kmeans", 1, 12)


def test_analysts_see_what_is_left_to_code_among_their_tasks(consultation, codebook,
                                                             make_item, make_theme, code,
                                                             make_user):
    from app.analysis.hooks import tasks

    analyst = make_user("analyst")
    theme = make_theme()
    coded, _uncoded = make_item("One."), make_item("Two.")
    code(coded, theme, analyst)
    code(_uncoded, theme, origin="model", status="suggested", model_version="m", confidence=.5)
    assert [(str(t.label), t.count) for t in tasks(analyst)] == [
        ("Feedback items to code", 1), ("Theme suggestions to review", 1)]
    assert tasks(make_user("facilitator")) == []
