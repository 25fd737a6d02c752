"""Fixtures for the reports tests: a consultation whose feedback is coded to themes, with
every kind of consent scope present (and a forbidden quote of each kind)."""
from __future__ import annotations

from dataclasses import dataclass, field
from itertools import count

import pytest

from app.analysis.models import Codebook, Coding, Theme
from app.corpus.closed import ClosedAnswer
from app.corpus.operations import record_feedback
from app.corpus.scope import ConsentScope
from app.db import Session

_ids = count(1)

# Texts that must never appear in any export, whatever the audience.
FORBIDDEN = {
    "quote_none": "FORBIDDEN-QUOTE-NONE never quote me",
    "publish_none": "FORBIDDEN-PUBLISH-NONE nobody else may read this",
    "withdrawn": "FORBIDDEN-WITHDRAWN I took this back",
    "governed": "FORBIDDEN-GOVERNED waiting for the kaitiaki",
}
WORKING_GROUP_ONLY = "WG-ONLY quote for the working group"
PUBLIC_QUOTE = "PUBLIC-QUOTE anyone may read this"
XSS = '<script>alert("x")</script><img src=x onerror=alert(1)>'
CLOSED_PROMPT = f"Agencies should state a purpose first {XSS}"
RANK_PROMPT = f"Rank the priorities {XSS}"
PRIORITIES = (("a", "Privacy"), ("b", "Speed"), ("c", "Cost"), ("d", "Reach"))
SCALE = (("strongly_agree", "Strongly agree"), ("agree", "Agree"), ("neutral", "Neutral"),
         ("disagree", "Disagree"), ("strongly_disagree", "Strongly disagree"),
         ("dont_know", "Don't know"))


@dataclass
class Scenario:
    consultation: object
    themes: list
    group: object  # the governance group
    kaitiaki: object
    items: dict = field(default_factory=dict)


def add_item(consultation, organisation, text, *, quote="anonymous", publish="public",
             analysis=True, governed_by=None, question_key="q1", closed=None):
    scope = ConsentScope(analysis, quote, publish, governed_by.id if governed_by else None)
    return record_feedback(None, consultation=consultation, source="imported_row",
                           source_id=f"reports-test-{next(_ids)}", text=text,
                           organisation=organisation, question_key=question_key,
                           consent=scope, closed=closed)


def add_answer(consultation, organisation, value, **consent):
    """An answer to the closed question q5 (the agreement scale)."""
    closed = ClosedAnswer.of(CLOSED_PROMPT, "scale", SCALE, value)
    return add_item(consultation, organisation, dict(SCALE)[value], question_key="q5",
                    quote="none", closed=closed, **consent)


def add_closed_answers(scenario, ngo, gov, iwi) -> None:
    """q5: 12 NGO answers (9 agree, 3 neutral: a small cell), 2 government (suppressed),
    3 governed iwi answers (counted as not broken down until approved), and withdrawn
    answers that are the only "disagree" ones (so "disagree" must show 0)."""
    consultation = scenario.consultation
    for n in range(12):
        add_answer(consultation, ngo, "agree" if n < 9 else "neutral")
    for _ in range(2):
        add_answer(consultation, gov, "agree")
    for _ in range(3):
        add_answer(consultation, iwi, "strongly_agree", governed_by=scenario.group)
    for _ in range(7):
        add_answer(consultation, ngo, "disagree", analysis=False)


def add_ranking_answers(consultation, organisation) -> None:
    """q6, a ranking: 10 people rank Privacy, Speed, Cost; 4 rank Speed, Privacy (small
    cells: Privacy at rank 2, Speed at rank 1); 3 withdrawn people are the only ones who rank
    Reach (first) and the only ones with a fourth rank (so Reach shows 0 and there is no
    "Rank 4")."""
    for chosen, times, analysis in ((("a", "b", "c"), 10, True), (("b", "a"), 4, True),
                                    (("d", "c", "b", "a"), 3, False)):
        for _ in range(times):
            add_item(consultation, organisation, "My ranking", question_key="q6",
                     quote="none", analysis=analysis,
                     closed=ClosedAnswer.of(RANK_PROMPT, "ranking", PRIORITIES, chosen))


def code(item, theme, stance="supports"):
    Session.add(Coding(item_id=item.id, theme_id=theme.id, stance=stance, origin="analyst",
                       status="applied"))


@pytest.fixture
def scenario(make_consultation, make_org, governed_group):
    consultation = make_consultation()
    codebook = Codebook(consultation_id=consultation.id, version=3)
    Session.add(codebook)
    Session.flush()
    themes = [Theme(codebook_id=codebook.id, name=f"Data sharing {XSS}", description="Who sees",
                    position=1),
              Theme(codebook_id=codebook.id, name="Consent", description="How people agree",
                    position=2)]
    Session.add_all(themes)
    group = governed_group("iwi")
    ngo = make_org("Helping Hands", "ngo")
    iwi = make_org("Te Rūnanga", "iwi_maori")
    gov = make_org("Ministry", "government")
    scenario = Scenario(consultation, themes, group, group.kaitiaki[0])
    Session.flush()
    for n in range(14):  # plenty of NGO items: counts above 5
        item = add_item(consultation, ngo, f"NGO view {n}", quote="none",
                        publish="working_group" if n % 2 else "public")
        code(item, themes[0], "supports" if n % 3 else "opposes")
        code(item, themes[1], "mixed")
    scenario.items["wg_only"] = add_item(consultation, ngo, WORKING_GROUP_ONLY,
                                         publish="working_group")
    scenario.items["public"] = add_item(consultation, ngo, PUBLIC_QUOTE + " " + XSS,
                                        quote="attributed")
    for key in ("wg_only", "public"):
        code(scenario.items[key], themes[0])
    scenario.items["quote_none"] = add_item(consultation, ngo, FORBIDDEN["quote_none"],
                                            quote="none")
    scenario.items["publish_none"] = add_item(consultation, ngo, FORBIDDEN["publish_none"],
                                              publish="none")
    scenario.items["withdrawn"] = add_item(consultation, ngo, FORBIDDEN["withdrawn"],
                                           analysis=False)
    for n in range(3):  # a small group: 3 government items, suppressed everywhere
        code(add_item(consultation, gov, f"Gov view {n}", quote="none"), themes[0], "opposes")
    for n in range(4):  # governed iwi items: only in totals until the kaitiaki approve
        text = FORBIDDEN["governed"] if n == 0 else f"Iwi view {n}"
        item = add_item(consultation, iwi, text, governed_by=group)
        scenario.items.setdefault("governed", item)
        code(item, themes[0])
    for key in ("quote_none", "publish_none", "withdrawn"):
        code(scenario.items[key], themes[0])
    add_closed_answers(scenario, ngo, gov, iwi)
    Session.flush()
    return scenario
