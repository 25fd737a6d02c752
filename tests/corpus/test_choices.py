"""Closed-question answers in the corpus: stored beside their items, counted under the same
consent rules as the items (withdrawn answers nowhere; governed groups broken down only with
their kaitiaki's approval), on every write path."""
from __future__ import annotations

from itertools import count

import pytest
from sqlalchemy import select

from app.corpus.choices import choice_counts, closed_questions
from app.corpus.closed import ClosedAnswer
from app.corpus.models import FeedbackChoice
from app.corpus.operations import record_feedback, record_new_feedback_many, withdraw_consent
from app.corpus.rules import Approvals
from app.corpus.scope import ConsentScope
from app.corpus.visibility import visible_items
from app.db import Session

_ids = count(1)
SCALE = (("agree", "Agree"), ("neutral", "Neither"), ("disagree", "Disagree"))


def _scale(chosen, options=SCALE, prompt="Purpose first?"):
    return ClosedAnswer.of(prompt, "scale", options, chosen)


def _record(consultation, closed, *, organisation=None, analysis=True, governed=None,
            key="q5", author=None):
    scope = ConsentScope(analysis, "none", "public", governed.id if governed else None)
    return record_feedback(author, consultation=consultation, source="imported_row",
                           source_id=f"choice-test-{next(_ids)}", text="Agree",
                           author=author, organisation=organisation, question_key=key,
                           consent=scope, closed=closed)


def _counts(consultation) -> dict:
    totals: dict = {}
    for key, option, group, _governed, number in choice_counts(consultation.id):
        totals[(key, option, group)] = totals.get((key, option, group), 0) + number
    return totals


def test_a_closed_answer_is_stored_with_its_question(make_consultation, make_org):
    consultation = make_consultation()
    ngo = make_org("Helping Hands", "ngo")
    item = _record(consultation, _scale("agree"), organisation=ngo)
    ranking = ClosedAnswer.of("Rank these", "ranking", [("a", "A"), ("b", "B"), ("c", "C")],
                              ["c", "a", "b"])
    ranked = _record(consultation, ranking, key="q7")
    (question, rank_question) = closed_questions(consultation.id)
    assert (question.question_key, question.kind, question.prompt) == ("q5", "scale",
                                                                       "Purpose first?")
    assert question.options == [list(option) for option in SCALE]
    choices = Session.scalars(select(FeedbackChoice).where(
        FeedbackChoice.item_id == ranked.id).order_by(FeedbackChoice.rank)).all()
    assert [(c.option, c.rank) for c in choices] == [("c", 1), ("a", 2), ("b", 3)]
    assert rank_question.kind == "ranking"
    # A ranking counts what was ranked first; the scale its one answer.
    assert _counts(consultation) == {("q5", "agree", "ngo"): 1, ("q7", "c", None): 1}
    assert item.question_key == "q5"


def test_an_update_replaces_the_choices_and_keeps_old_options(make_consultation):
    consultation = make_consultation()
    scope = ConsentScope(True, "none", "public", None)
    item = record_feedback(None, consultation=consultation, source="imported_row",
                           source_id="choice-update", text="Agree", question_key="q5",
                           consent=scope, closed=_scale("agree"))
    analyst_options = (("agree", "Agree"), ("dont_know", "Don't know"))
    from app.corpus.choices import record_choices
    record_choices(item, _scale("dont_know", options=analyst_options, prompt="Purpose?"))
    (question,) = closed_questions(consultation.id)
    assert question.prompt == "Purpose?"
    assert question.options == [["agree", "Agree"], ["dont_know", "Don't know"],
                                ["neutral", "Neither"], ["disagree", "Disagree"]]
    assert _counts(consultation) == {("q5", "dont_know", None): 1}


def test_a_withdrawn_answer_counts_nowhere(make_consultation, make_user):
    consultation = make_consultation()
    person = make_user("participant")
    kept = _record(consultation, _scale("agree"))
    taken_back = _record(consultation, _scale("disagree"), author=person)
    _record(consultation, _scale("neutral"), analysis=False)
    withdraw_consent(person, taken_back, reason="changed my mind")
    assert _counts(consultation) == {("q5", "agree", None): 1}
    assert kept.consent_analysis


def test_bad_closed_answers_are_refused():
    with pytest.raises(ValueError, match="not options"):
        _scale("maybe")
    with pytest.raises(ValueError, match="one answer"):
        _scale(["agree", "neutral"])
    with pytest.raises(ValueError, match="kind"):
        ClosedAnswer.of("Q", "essay", SCALE, [])


def test_many_items_at_once_carry_their_choices(make_consultation):
    consultation = make_consultation()
    scope = ConsentScope(True, "none", "none", None)
    multiple = ClosedAnswer.of("Which?", "multiple_choice", [("x", "X"), ("y", "Y")],
                               ["x", "y"])
    entries = [{"consultation_id": consultation.id, "source": "imported_row",
                "source_id": f"bulk-choice-{n}", "text": "X; Y", "question_key": "q9",
                "consent": scope, "created_at": None, "stakeholder_group": "ngo",
                "closed": multiple} for n in range(3)]
    entries.append({**entries[0], "source_id": "bulk-text", "text": "Words", "closed": None,
                    "question_key": "q2"})
    assert record_new_feedback_many(None, entries) == 4
    assert _counts(consultation) == {("q9", "x", "ngo"): 3, ("q9", "y", "ngo"): 3}


def test_counts_agree_with_the_batch_visibility_rules(make_consultation, make_org,
                                                      governed_group):
    """Every combination of consent and governance: what choice_counts counts, and under
    which group, is what visible_items says of each item (may_count, may_break_down)."""
    consultation = make_consultation()
    group = governed_group("iwi")
    iwi = make_org("Te Rūnanga", "iwi_maori")
    ngo = make_org("Helping Hands", "ngo")
    items = []
    for analysis in (True, False):
        for organisation in (iwi, ngo, None):
            for governed in (group, None):
                items.append(_record(consultation, _scale("agree"), organisation=organisation,
                                     analysis=analysis, governed=governed))
    for approvals in (Approvals(), Approvals(frozenset({(group.id, "breakdown")}))):
        expected: dict = {}
        for view in visible_items(None, consultation.id, audience="public",
                                  approvals=approvals):
            if not view.may_count:
                continue
            item = Session.get(type(items[0]), view.item_id)
            shown = item.stakeholder_group if view.may_break_down_by_group else None
            expected[shown] = expected.get(shown, 0) + 1
        got: dict = {}
        for _key, _option, stakeholder, governed_by, number in choice_counts(consultation.id):
            may = governed_by is None or approvals.allows(governed_by, "breakdown")
            shown = stakeholder if may else None
            got[shown] = got.get(shown, 0) + number
        assert got == expected


def test_a_question_another_worker_created_meanwhile_is_not_inserted_twice(make_consultation):
    # Two workers recording the first answers to a new question both find it missing; the
    # second insert must skip the row the first made, not fail on the unique key.
    from app.corpus.choices import _insert_missing_questions

    consultation = make_consultation()
    answers = {(consultation.id, "q9"): _scale("agree", prompt="First worker")}
    _insert_missing_questions(answers)
    _insert_missing_questions({(consultation.id, "q9"): _scale("neutral", prompt="Second")})
    _record(consultation, _scale("disagree", prompt="Second"), key="q9")
    (question,) = closed_questions(consultation.id, ["q9"])
    assert question.prompt == "Second"
    assert _counts(consultation) == {("q9", "disagree", None): 1}
