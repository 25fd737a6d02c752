"""Building a report: counts protected, quotes only what consent allows, snapshots."""
from __future__ import annotations

import json

import pytest

from app.db import Session
from app.reports.confidentiality import SUPPRESSED
from app.reports.filters import ReportFilters
from app.reports.operations import build_report, create_report, is_current
from app.reports.tables import table_cells

from .conftest import FORBIDDEN, PUBLIC_QUOTE, WORKING_GROUP_ONLY


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
