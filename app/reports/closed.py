"""The report's closed-question results: per question, answers per option, overall and by
stakeholder group, read from the corpus's structured answers (`app.corpus.choices`).

The counts come from countable items only (a withdrawn answer counts nowhere), under the
report's filters; an answer governed by a group whose kaitiaki have not approved a breakdown is
counted under "Not stated or not broken down", as in every other table. Each question is one
table (options × groups, with totals) protected as a whole by `app.reports.confidentiality`,
so the overall figure of an option (its row total) and its group figures are suppressed and
rounded together, and its shares come from the rounded counts. A ranking question has a second
table, protected the same way: how often each option was placed at each rank (options × ranks).
"""
from __future__ import annotations

from collections import defaultdict

from app.corpus.choices import choice_counts, closed_questions, rank_counts
from app.reports.confidentiality import percentage
from app.reports.participation import group_key
from app.reports.tables import make_table

KIND_NOTES = {
    "multiple_choice": "People could choose more than one answer: the total counts choices, "
                       "not people.",
    "ranking": "Counts show the answer each person ranked first; the table after them shows "
               "how often each answer was placed at each rank.",
}


def section_key(question_key: str) -> str:
    return f"question-{question_key}"


def closed_results(cid: int, inputs, seed: str, group_columns: list) -> tuple[list, dict]:
    """(one result per closed question with counted answers, governed group id -> prompts of
    the questions whose group breakdown it is missing from)."""
    counts: dict = defaultdict(lambda: defaultdict(int))
    unapproved: dict = defaultdict(set)
    for key, option, group, governed_by, number in choice_counts(
            cid, inputs.filters.item_clause()):
        column = group_key(group, governed_by, inputs.approvals)
        if governed_by is not None and group is not None and column != group:
            unapproved[governed_by].add(key)
        counts[key][(option, column)] += number
    ranks: dict = defaultdict(dict)
    for key, option, rank, number in rank_counts(cid, inputs.filters.item_clause()):
        ranks[key][(option, rank)] = number
    results, prompts = [], {}
    for question in closed_questions(cid, inputs.filters.questions or None):
        prompts[question.question_key] = question.prompt
        if question.question_key in counts:
            result = _result(question, counts[question.question_key], seed, group_columns)
            if question.kind == "ranking":
                result["ranks"] = _ranks_table(question, ranks[question.question_key], seed)
            results.append(result)
    return results, {group_id: sorted(prompts.get(key, key) for key in keys)
                     for group_id, keys in unapproved.items()}


def _result(question, counts: dict, seed: str, group_columns: list) -> dict:
    options = [(value, label) for value, label in question.options]
    table = make_table(f"closed-{question.question_key}",
                       f"{question.prompt} (by stakeholder group)", counts, options,
                       group_columns, row_label="Answer", seed=seed)
    totals = [row[-1] for row in table["rows"]]
    grand = table["footer"][-1]
    return {"key": question.question_key, "section": section_key(question.question_key),
            "prompt": question.prompt, "kind": question.kind,
            "note": KIND_NOTES.get(question.kind, ""),
            "overall": {"labels": [label for _, label in options], "counts": totals,
                        "shares": [percentage(total, grand) for total in totals],
                        "total": grand},
            "table": table}


def _ranks_table(question, counts: dict, seed: str) -> dict:
    """Options × ranks (1 to the lowest rank anyone gave), each cell how many placed that
    option at that rank: a protected table like every other."""
    lowest = max((rank for _option, rank in counts), default=1)
    return make_table(f"ranks-{question.question_key}",
                      f"{question.prompt} (times placed at each rank)", counts,
                      [(value, label) for value, label in question.options],
                      [(rank, f"Rank {rank}") for rank in range(1, lowest + 1)],
                      row_label="Answer", seed=seed)


def question_tables(question: dict) -> list[dict]:
    """A closed question's tables: by group, then (a ranking) by rank."""
    return [question["table"], *([question["ranks"]] if question.get("ranks") else [])]
