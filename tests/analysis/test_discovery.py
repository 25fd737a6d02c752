"""Theme discovery and assisted coding, with the real engine: started from the pages as jobs,
campaigns counted once, quotes only from quotable items, candidates reviewed into the
codebook, and the model's suggestions carrying their provenance."""
from __future__ import annotations

import json
import re

import pytest
from sqlalchemy import select

from app.analysis import discovery
from app.analysis import operations as ops
from app.analysis.coding import apply_themes
from app.analysis.models import CandidateTheme, Coding, DiscoveryRun, Theme
from app.corpus.models import FeedbackCampaign
from app.db import Session
from app.jobs import run_job_inline
from app.jobs.models import Job

METHOD = "tfidf-kmeans"  # the quick method: no embedding model needed
TOPICS = {
    "funding": ["Small providers need funding for {} staff time to report data.",
                "The reporting cost {} must be paid by the funding contract.",
                "Without extra funding {} our NGO cannot collect this data."],
    "consent": ["Consent forms {} are too long and full of legal words.",
                "People must be able to withdraw consent {} at any time.",
                "Plain language consent {} would help our clients understand."],
    "retention": ["Client data should be deleted {} when the service ends.",
                  "How long records are kept {} must be limited by law.",
                  "Old client records {} should not be stored forever."],
}
WORDS = ["today", "in Auckland", "for families", "in rural areas", "for whānau"]


@pytest.fixture
def analyst(make_user, auth):
    return auth.login(make_user("analyst"))


@pytest.fixture
def corpus(make_item):
    """45 items on three topics; every other one may be quoted."""
    items = []
    for topic, templates in TOPICS.items():
        for template in templates:
            for word in WORDS:
                quotable = len(items) % 2 == 0
                items.append((topic, make_item(
                    template.format(word), quote="anonymous" if quotable else "none",
                    publish="working_group" if quotable else "none")))
    Session.commit()
    return items


def _run_job_from(app, response) -> Job:
    match = re.search(r"/jobs/(\d+)", response.headers["Location"])
    with app.app_context():
        job = run_job_inline(Session.get(Job, int(match.group(1))))
        return Session.get(Job, job.id)


def test_campaign_copies_are_one_document_and_own_text_its_own(consultation, make_item):
    campaign = FeedbackCampaign(consultation_id=consultation.id, template_text="Stop the plan.",
                                member_count=3, kind="template")
    Session.add(campaign)
    Session.flush()
    members = [make_item("Stop the plan."), make_item("Stop the plan."),
               make_item("Stop the plan. Also fund rural providers.")]
    for member in members:
        member.campaign_id = campaign.id
    members[2].own_text = "Also fund rural providers."
    alone = make_item("Something else.")
    Session.flush()
    docs, stands_for, _ = discovery.docs_for(consultation.id)
    by_key = {doc.key: doc for doc in docs}
    assert set(by_key) == {alone.id, members[2].id, -campaign.id}
    assert (by_key[-campaign.id].text, by_key[-campaign.id].weight) == ("Stop the plan.", 3)
    assert by_key[members[2].id].text == "Also fund rural providers."
    assert stands_for[-campaign.id] == [m.id for m in members]


def test_discovery_runs_as_a_job_and_quotes_only_quotable_items(
        app, client, csrf_token, analyst, consultation, corpus):
    page = client.get("/analysis/discovery").get_data(as_text=True)
    response = client.post("/analysis/discovery", data={
        "csrf_token": csrf_token(page), "method": METHOD, "seed": "3"})
    assert response.status_code == 302
    job = _run_job_from(app, response)
    assert job.status == "done", job.error
    run = Session.scalars(select(DiscoveryRun)).one()
    assert (run.status, run.method, run.seed, run.job_id) == ("finished", METHOD, 3, job.id)
    candidates = Session.scalars(select(CandidateTheme).where(
        CandidateTheme.run_id == run.id)).all()
    assert candidates and run.theme_count == len(candidates) and run.item_count == 45
    quotable = {item.id for _, item in corpus if item.consent_quote != "none"}
    quoted = {i for c in candidates for i in json.loads(c.quote_item_ids)}
    assert quoted and quoted <= quotable
    members = {i for c in candidates for i in json.loads(c.member_item_ids)}
    assert members <= {item.id for _, item in corpus}
    review = client.get(f"/analysis/discovery/{run.id}").get_data(as_text=True)
    unquotable_texts = [item.text for _, item in corpus if item.id not in quotable]
    assert not any(f"<blockquote>{text}" in review for text in unquotable_texts)


def test_candidates_are_promoted_merged_or_dropped(client, csrf_token, analyst, consultation,
                                                  corpus):
    run = discovery.start_run(analyst, consultation, method=METHOD, seed=0)
    discovery.run_discovery(run)
    Session.commit()
    first, second, third = Session.scalars(select(CandidateTheme)
                                           .order_by(CandidateTheme.id)).all()[:3]
    url = f"/analysis/discovery/{run.id}"

    def review(candidate, **data):
        token = csrf_token(client.get(url).get_data(as_text=True))
        return client.post(f"{url}/candidates/{candidate.id}",
                           data={"csrf_token": token, **data})

    assert review(first, action="promote").status_code == 302
    theme = Session.scalars(select(Theme).where(Theme.name == first.label[:120])).one()
    assert theme.description == first.summary
    assert review(second, action="merge", target=str(theme.id)).status_code == 302
    assert review(third, action="drop").status_code == 302
    decided = {c.id: (c.status, c.theme_id) for c in Session.scalars(select(CandidateTheme))}
    assert decided[first.id] == ("promoted", theme.id)
    assert decided[second.id] == ("merged", theme.id)
    assert decided[third.id] == ("dropped", None)
    review(third, action="promote")  # already reviewed: refused, nothing changes
    assert Session.get(CandidateTheme, third.id).status == "dropped"


def test_assisted_coding_suggests_with_provenance(app, client, csrf_token, analyst, consultation,
                                                  corpus):
    book = ops.get_or_create_codebook(analyst, consultation)
    themes = {topic: ops.create_theme(analyst, book, name=topic.title()) for topic in TOPICS}
    uncoded = []
    for number, (topic, item) in enumerate(corpus):
        if number % 5 == 4:
            uncoded.append((topic, item))
        else:
            apply_themes(analyst, item, book, [themes[topic]])
    Session.commit()
    page = client.get("/analysis/discovery").get_data(as_text=True)
    job = _run_job_from(app, client.post("/analysis/assist", data={"csrf_token": csrf_token(page)}))
    assert job.status == "done", job.error
    assert job.result["trained_on"] == 36 and job.result["items"] == 9
    suggestions = Session.scalars(select(Coding).where(Coding.origin == "model")).all()
    assert {s.item_id for s in suggestions} == {item.id for _, item in uncoded}
    for coding in suggestions:
        assert coding.status == "suggested" and coding.coder_id is None
        assert coding.model_version == job.result["model_version"]
        assert 0.2 <= coding.confidence <= 1.0
    best = {}
    for coding in suggestions:
        if coding.confidence > best.get(coding.item_id, (None, -1))[1]:
            best[coding.item_id] = (coding.theme_id, coding.confidence)
    right = sum(best[item.id][0] == themes[topic].id for topic, item in uncoded)
    assert right >= 6  # the model learnt the topics (9 items, three near-identical topics)


def test_themes_discover_command(app, consultation, corpus):
    result = app.test_cli_runner().invoke(args=[
        "themes", "discover", "--consultation", consultation.slug, "--method", METHOD,
        "--seed", "5"])
    assert result.exit_code == 0, result.output
    run = Session.scalars(select(DiscoveryRun)).one()
    assert (run.status, run.seed, run.item_count) == ("finished", 5, 45)
    assert f"{run.theme_count} candidate themes from 45 items" in result.output
    wrong = app.test_cli_runner().invoke(args=[
        "themes", "discover", "--consultation", consultation.slug, "--method", "magic"])
    assert wrong.exit_code != 0 and "Unknown method 'magic'" in wrong.output


# ---------------------------------------------------------------- promoting codes the members


def _members(candidate) -> list[int]:
    return json.loads(candidate.member_item_ids)


def _suggestions(theme) -> list[Coding]:
    return list(Session.scalars(select(Coding).where(Coding.theme_id == theme.id)
                                .order_by(Coding.item_id)))


@pytest.fixture
def found(analyst, consultation, corpus):
    run = discovery.start_run(analyst, consultation, method=METHOD, seed=0)
    discovery.run_discovery(run)
    Session.commit()
    return run, list(Session.scalars(select(CandidateTheme).where(
        CandidateTheme.run_id == run.id).order_by(CandidateTheme.id)))


def test_a_discovery_stores_each_members_similarity_to_its_theme(found):
    _run, candidates = found
    for candidate in candidates:
        scores = json.loads(candidate.member_scores)
        assert len(scores) == len(_members(candidate)) > 0
        assert all(-1.0 <= score <= 1.0 for score in scores)
        assert max(scores) > 0.3  # the members lie near the centre of their own theme


def test_promoting_suggests_the_theme_for_every_member_with_provenance(
        client, csrf_token, analyst, consultation, found):
    run, candidates = found
    candidate = candidates[0]
    url = f"/analysis/discovery/{run.id}"
    token = csrf_token(client.get(url).get_data(as_text=True))
    response = client.post(f"{url}/candidates/{candidate.id}",
                           data={"csrf_token": token, "action": "promote"})
    assert response.status_code == 302
    theme = Session.get(Theme, Session.get(CandidateTheme, candidate.id).theme_id)
    codings = _suggestions(theme)
    assert [c.item_id for c in codings] == _members(candidate)
    similarity = dict(zip(_members(candidate), json.loads(candidate.member_scores),
                          strict=True))
    for coding in codings:
        assert (coding.origin, coding.status, coding.coder_id) == ("model", "suggested", None)
        assert coding.model_version.startswith(f"discovery-{run.id}:{METHOD}:seed0:")
        assert coding.confidence == pytest.approx(max(0.0, similarity[coding.item_id]))
    flashed = client.get(url).get_data(as_text=True)
    assert f"Its {len(codings)} items are suggested the theme" in flashed
    # They wait on the suggestions page, where the analyst accepts them as any suggestion.
    page = client.get("/analysis/suggestions").get_data(as_text=True)
    token = csrf_token(page)
    response = client.post("/analysis/suggestions", data={
        "csrf_token": token, "coding_ids": [str(c.id) for c in codings[:2]],
        "decision": "accept"})
    assert response.status_code == 302
    accepted = [Session.get(Coding, c.id) for c in codings[:2]]
    assert all(c.status == "applied" and c.reviewed_by_id == analyst.id for c in accepted)
    assert all(c.origin == "model" and c.model_version.startswith("discovery-")
               for c in accepted)


def test_withdrawn_and_vanished_members_get_no_coding(analyst, consultation, found, make_user):
    from app.corpus.models import FeedbackItem
    from app.corpus.operations import withdraw_consent

    _run, candidates = found
    candidate = candidates[0]
    members = _members(candidate)
    assert len(members) >= 3
    withdrawn = Session.get(FeedbackItem, members[0])
    giver = make_user("participant")
    withdrawn.author_id = giver.id  # the giver, signed in, withdraws through the corpus
    withdraw_consent(giver, withdrawn)
    Session.delete(Session.get(FeedbackItem, members[1]))
    Session.flush()
    book = ops.get_or_create_codebook(analyst, consultation)
    theme, count = discovery.promote_candidate(analyst, candidate, book)
    coded = [c.item_id for c in _suggestions(theme)]
    assert members[0] not in coded and members[1] not in coded
    assert coded == members[2:]
    assert count == len(members) - 2


def test_merging_suggests_the_existing_theme_once_per_item(analyst, consultation, found):
    _run, candidates = found
    candidate = candidates[0]
    members = _members(candidate)
    book = ops.get_or_create_codebook(analyst, consultation)
    theme = ops.create_theme(analyst, book, name="Already here")
    from app.corpus.models import FeedbackItem

    apply_themes(analyst, Session.get(FeedbackItem, members[0]), book, [theme])
    rejected = Coding(item_id=members[1], theme_id=theme.id, origin="model", status="rejected",
                      model_version="assist-lr-old", confidence=0.4, reviewed_by_id=analyst.id)
    Session.add(rejected)
    Session.flush()
    count = discovery.merge_candidate(analyst, candidate, theme)
    assert count == len(members) - 2
    by_item = {}
    for coding in _suggestions(theme):
        by_item.setdefault(coding.item_id, []).append(coding)
    assert all(len(codings) == 1 for codings in by_item.values())  # no second coding
    assert [c.origin for c in by_item[members[0]]] == ["analyst"]
    assert [c.status for c in by_item[members[1]]] == ["rejected"]  # the analyst's "no" holds
    assert all(by_item[item][0].status == "suggested" for item in members[2:])


def test_a_candidate_of_an_older_run_without_scores_is_suggested_without_confidence(
        analyst, consultation, found):
    _run, candidates = found
    candidate = candidates[0]
    candidate.member_scores = "[]"  # as runs stored before the scores were kept
    book = ops.get_or_create_codebook(analyst, consultation)
    theme, count = discovery.promote_candidate(analyst, candidate, book)
    codings = _suggestions(theme)
    assert count == len(codings) == len(_members(candidate))
    assert all(c.confidence is None for c in codings)
