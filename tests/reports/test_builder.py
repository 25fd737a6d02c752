"""Building a report: counts protected, quotes only what consent allows, snapshots."""
from __future__ import annotations

import json

import pytest

from app.db import Session
from app.reports.confidentiality import SUPPRESSED
from app.reports.filters import ReportFilters
from app.reports.operations import build_report, create_report, is_current
from app.reports.sections import section_keys
from app.reports.tables import table_cells

from .conftest import (
    CLOSED_PROMPT,
    FORBIDDEN,
    PUBLIC_QUOTE,
    RANK_PROMPT,
    WORKING_GROUP_ONLY,
    add_ranking_answers,
)


@pytest.fixture
def analyst(make_user):
    return make_user("analyst")


def _build(analyst, scenario, audience="working_group"):
    report = create_report(analyst, scenario.consultation, title="What we heard",
                           audience=audience, filters=ReportFilters())
    return report, build_report(analyst, report)


@pytest.mark.parametrize("audience", ["working_group", "public"])
def test_forbidden_quotes_never_reach_the_content(analyst, scenario, audience):
    _, build = _build(analyst, scenario, audience)
    text = build.content
    for forbidden in FORBIDDEN.values():
        assert forbidden not in text
    assert PUBLIC_QUOTE in text
    assert (WORKING_GROUP_ONLY in text) == (audience == "working_group")


def test_no_small_count_is_published(analyst, scenario):
    _, build = _build(analyst, scenario)
    for table in build.data["tables"]:
        for value in table_cells(table):
            assert value == SUPPRESSED or (value % 3 == 0 and value not in range(1, 6))
    mentions = build.data["tables"][1]
    government = mentions["col_keys"].index("government") + 1
    assert mentions["rows"][0][government] == SUPPRESSED


def test_governed_items_wait_for_their_kaitiaki(analyst, scenario):
    report, build = _build(analyst, scenario)
    withheld = build.data["withheld"]
    assert [entry["group"] for entry in withheld] == [scenario.group.name]
    assert withheld[0]["breakdown"] and withheld[0]["quotes"]
    from app.reports.models import ApprovalRequest
    requests = Session.query(ApprovalRequest).filter_by(report_id=report.id).all()
    assert {r.use for r in requests} == {"quote", "breakdown"}
    quote_request = next(r for r in requests if r.use == "quote")
    assert FORBIDDEN["governed"] in json.dumps(quote_request.details)


def test_rebuilds_are_stable_and_a_withdrawal_makes_a_build_outdated(analyst, scenario):
    from app.corpus.models import ConsentChange

    report, first = _build(analyst, scenario)
    second = build_report(analyst, report)
    assert first.data["tables"] == second.data["tables"]
    assert is_current(second) and not is_current(first)
    item = scenario.items["public"]
    item.consent_analysis = False  # as a withdrawal leaves it (the digest counts versions)
    item.consent_version += 1
    # ... and the consent change every withdrawal writes (app.corpus.operations), which moves
    # the stamp the cached consent digest is kept under, so the digest is counted again.
    Session.add(ConsentChange(item_id=item.id, version=item.consent_version, old_scope="{}",
                              new_scope='{"analysis": false}', reason="withdrawn"))
    Session.flush()
    assert not is_current(second)


def test_closed_question_counts_follow_consent_and_confidentiality(analyst, scenario):
    """q5's answers: withdrawn ones nowhere, governed ones not broken down until approved,
    small cells suppressed (with their partners), the rest rounded to base 3, shares from
    the rounded counts."""
    from app.reports.confidentiality import percentage

    _, build = _build(analyst, scenario)
    (question,) = build.data["closed_questions"]
    assert question["key"] == "q5" and question["kind"] == "scale"
    assert question["section"] in [key for key, _ in section_keys(build.data)]
    table = question["table"]
    assert table in build.data["tables"]
    rows = {row[0]: row for row in table["rows"]}
    col = {key: index + 1 for index, key in enumerate(table["col_keys"])}
    assert list(rows) == ["Strongly agree", "Agree", "Neutral", "Disagree",
                          "Strongly disagree", "Don't know"]
    # Only withdrawn people chose "Disagree": it counts nowhere.
    assert rows["Disagree"][1:] == [0] * (len(col) + 1)
    # 9 NGO + 2 government: the 2 is suppressed (and the 9 with it, secondary suppression:
    # else the row total would give the 2 away); the overall 11 is rounded to 9 or 12.
    assert rows["Agree"][col["government"]] == SUPPRESSED
    assert rows["Agree"][col["ngo"]] == SUPPRESSED and rows["Agree"][-1] in (9, 12)
    assert rows["Neutral"][col["ngo"]] == SUPPRESSED  # 3: small
    # The governed iwi answers sit under "not broken down", never under iwi_maori.
    assert rows["Strongly agree"][col["iwi_maori"]] == 0
    assert rows["Strongly agree"][col["unstated"]] == SUPPRESSED
    for value in table_cells(table):
        assert value == SUPPRESSED or (value % 3 == 0 and value not in range(1, 6))
    overall = question["overall"]
    assert overall["counts"] == [row[-1] for row in table["rows"]]
    assert overall["shares"] == [percentage(count, overall["total"])
                                 for count in overall["counts"]]
    (entry,) = build.data["withheld"]
    assert entry["breakdown"]


def test_a_ranking_question_counts_each_option_at_each_rank(analyst, scenario, make_org):
    """q6: first choices as for any question, and a second protected table of how often each
    option was placed at each rank; withdrawn rankings nowhere (not even their rank 4)."""
    from app.reports.sections import only_sections

    add_ranking_answers(scenario.consultation, make_org("Ranking Trust", "ngo"))
    Session.flush()
    _, build = _build(analyst, scenario)
    question = next(q for q in build.data["closed_questions"] if q["key"] == "q6")
    assert question["kind"] == "ranking" and "each rank" in question["note"]
    first = dict(zip(question["overall"]["labels"], question["overall"]["counts"],
                     strict=True))
    # First choices: Privacy 10, Speed 4 (so both suppressed in the group table), Reach none.
    assert first["Speed"] == SUPPRESSED and first["Reach"] == 0
    ranks = question["ranks"]
    assert ranks in build.data["tables"] and RANK_PROMPT in ranks["title"]
    assert ranks["header"] == ["Answer", "Rank 1", "Rank 2", "Rank 3", "Total"]
    rows = {row[0]: row[1:] for row in ranks["rows"]}
    assert list(rows) == ["Privacy", "Speed", "Cost", "Reach"]
    # 4 put Speed first and Privacy second: suppressed, with their row partners (the 10s).
    assert rows["Privacy"][:2] == [SUPPRESSED, SUPPRESSED]
    assert rows["Speed"][:2] == [SUPPRESSED, SUPPRESSED]
    assert rows["Cost"][:3] == [0, 0, rows["Cost"][2]] and rows["Cost"][2] in (9, 12)
    assert rows["Reach"] == [0, 0, 0, 0]
    for value in table_cells(ranks):
        assert value == SUPPRESSED or (value % 3 == 0 and value not in range(1, 6))
    # The rank table goes with its question's section, and only with it.
    kept = only_sections(build.data, [question["section"]])
    assert ranks in kept["tables"]
    assert ranks not in only_sections(build.data, ["overview"])["tables"]


def test_the_questions_filter_narrows_closed_questions(analyst, scenario):
    report = create_report(analyst, scenario.consultation, title="Only q1",
                           audience="working_group", filters=ReportFilters(questions=("q1",)))
    assert build_report(analyst, report).data["closed_questions"] == []
    report = create_report(analyst, scenario.consultation, title="Only q5",
                           audience="working_group", filters=ReportFilters(questions=("q5",)))
    assert [q["key"] for q in build_report(analyst, report).data["closed_questions"]] == ["q5"]


def test_a_kaitiaki_request_names_the_closed_question_it_affects(analyst, scenario):
    from app.reports.models import ApprovalRequest

    report, _ = _build(analyst, scenario)
    request = Session.query(ApprovalRequest).filter_by(report_id=report.id,
                                                       use="breakdown").one()
    assert CLOSED_PROMPT in request.details["tables"]
