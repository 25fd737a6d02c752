"""Closed-question answers in the corpus: writing the chosen options beside their items, and
counting them under the same consent rules as the items themselves.

Writing is called by `app.corpus.operations` (record_feedback, record_new_feedback_many), never
directly by a feature package. Counting (`choice_counts`) reads only countable items (rule 2
of `app.corpus.rules`: a withdrawn item's choices count nowhere) and returns each count with
the item's stakeholder group and governing group, so a report applies rule 5 (breakdown by a
governed group only with its kaitiaki's approval) exactly as it does for theme counts.
"""
from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import ColumnElement, delete, func, insert, or_, select, true
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from app.corpus.closed import ClosedAnswer
from app.corpus.models import FeedbackChoice, FeedbackItem, FeedbackQuestion
from app.db import Session, utcnow


def merged_options(current: Iterable, older: Iterable) -> list[list[str]]:
    """CURRENT's options in order, then those of OLDER that CURRENT no longer has (answers
    given to an earlier version of the question keep their label)."""
    merged = [[value, label] for value, label in current]
    known = {value for value, _label in merged}
    merged += [[value, label] for value, label in older if value not in known]
    return merged


def _insert_missing_questions(answers: dict[tuple[int, str], ClosedAnswer]) -> None:
    """Insert a row for each new (consultation id, question key), skipping any that exists:
    two workers recording the first answers to a new question at once must not collide on
    the unique key (INSERT ... ON CONFLICT DO NOTHING, on SQLite and PostgreSQL alike)."""
    dialect = Session.get_bind().dialect.name
    make_insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
    now = utcnow()
    statement = make_insert(FeedbackQuestion.__table__).values([
        {"consultation_id": cid, "question_key": key, "prompt": answer.prompt,
         "kind": answer.kind, "options": merged_options(answer.options, ()), "updated_at": now}
        for (cid, key), answer in answers.items()])
    Session.execute(statement.on_conflict_do_nothing(
        index_elements=[FeedbackQuestion.consultation_id, FeedbackQuestion.question_key]))


def _existing_questions(keys) -> dict[tuple[int, str], FeedbackQuestion]:
    return {(q.consultation_id, q.question_key): q for q in Session.scalars(
        select(FeedbackQuestion).where(
            FeedbackQuestion.consultation_id.in_({cid for cid, _ in keys}),
            FeedbackQuestion.question_key.in_({key for _, key in keys})))}


def _upsert_questions(answers: dict[tuple[int, str], ClosedAnswer]) -> None:
    """Create or update the FeedbackQuestion of each (consultation id, question key)."""
    if not answers:
        return
    keys = sorted(answers)
    existing = _existing_questions(keys)
    missing = {key: answers[key] for key in keys if key not in existing}
    if missing:
        Session.flush()
        _insert_missing_questions(missing)
        existing = _existing_questions(keys)
    now = utcnow()
    for key, answer in answers.items():
        question = existing[key]
        options = merged_options(answer.options, question.options)
        if (question.prompt, question.kind, question.options) != (answer.prompt, answer.kind,
                                                                  options):
            question.prompt, question.kind, question.options = answer.prompt, answer.kind, options
            question.updated_at = now
    Session.flush()


def record_choices(item: FeedbackItem, answer: ClosedAnswer) -> None:
    """Set ITEM's chosen options to ANSWER's (replacing any it had) and keep its question's
    label and options. ITEM must have a question key."""
    record_choices_many([(item.id, item.consultation_id, item.question_key, answer)])


def record_choices_many(rows: list[tuple[int, int, str | None, ClosedAnswer]]) -> None:
    """For each (item id, consultation id, question key, answer): the item's choices become
    the answer's. Two statements for the choices however many items (a delete, an insert)."""
    if not rows:
        return
    if any(key is None for _item, _cid, key, _answer in rows):
        raise ValueError("a closed answer needs its question key")
    questions: dict[tuple[int, str], ClosedAnswer] = {}
    for _item_id, cid, key, answer in rows:
        questions[(cid, key)] = answer
    _upsert_questions(questions)
    item_ids = [item_id for item_id, *_ in rows]
    Session.execute(delete(FeedbackChoice).where(FeedbackChoice.item_id.in_(item_ids)))
    values = [{"item_id": item_id, "option": option, "rank": rank}
              for item_id, _cid, _key, answer in rows
              for rank, option in enumerate(answer.chosen, 1)]
    if values:
        Session.execute(insert(FeedbackChoice.__table__), values)
    Session.flush()


def closed_questions(consultation_id: int,
                     question_keys: Iterable[str] | None = None) -> list[FeedbackQuestion]:
    """The consultation's closed questions (those QUESTION_KEYS only, when given), by key."""
    query = select(FeedbackQuestion).where(FeedbackQuestion.consultation_id == consultation_id)
    if question_keys:
        query = query.where(FeedbackQuestion.question_key.in_(sorted(set(question_keys))))
    return list(Session.scalars(query.order_by(FeedbackQuestion.question_key)))


def _counted_choices(consultation_id: int, item_clause: ColumnElement[bool] | None,
                     *columns, where: ColumnElement[bool]) -> list[tuple]:
    """COLUMNS with a count, grouped by COLUMNS, over the chosen options of the consultation's
    countable items (consent to analysis given) that ITEM_CLAUSE and WHERE keep."""
    query = (select(*columns, func.count(FeedbackChoice.id))
             .join(FeedbackItem, FeedbackItem.id == FeedbackChoice.item_id)
             .join(FeedbackQuestion,
                   (FeedbackQuestion.consultation_id == FeedbackItem.consultation_id)
                   & (FeedbackQuestion.question_key == FeedbackItem.question_key))
             .where(FeedbackItem.consultation_id == consultation_id,
                    # Named by item too, so the planner starts from the choices (only closed
                    # answers have any) rather than from every item of the consultation.
                    FeedbackItem.id.in_(select(FeedbackChoice.item_id)),
                    FeedbackItem.consent_analysis.is_(True), where,
                    item_clause if item_clause is not None else true())
             .group_by(*columns))
    return [tuple(row) for row in Session.execute(query)]


def choice_counts(consultation_id: int,
                  item_clause: ColumnElement[bool] | None = None) -> list[tuple]:
    """Rows (question key, option value, stakeholder group, governing group id, count): how
    many countable items of the consultation (that ITEM_CLAUSE keeps) chose each option, by
    the items' stakeholder and governing groups. A ranking counts the option ranked first;
    the other kinds every option chosen. Withdrawn items (consent to analysis taken back) are
    not counted; the caller decides, with the kaitiaki approvals, which groups it may show
    (`app.corpus.rules`, rule 5)."""
    return _counted_choices(
        consultation_id, item_clause, FeedbackItem.question_key, FeedbackChoice.option,
        FeedbackItem.stakeholder_group, FeedbackItem.governed_by_id,
        where=or_(FeedbackQuestion.kind != "ranking", FeedbackChoice.rank == 1))


def rank_counts(consultation_id: int,
                item_clause: ColumnElement[bool] | None = None) -> list[tuple]:
    """Rows (question key, option value, rank, count): how many countable items of the
    consultation (that ITEM_CLAUSE keeps) placed each option of a ranking question at each
    rank. Not broken down by group, so it needs no kaitiaki approval (as an overall count)."""
    return _counted_choices(
        consultation_id, item_clause, FeedbackItem.question_key, FeedbackChoice.option,
        FeedbackChoice.rank, where=FeedbackQuestion.kind == "ranking")
