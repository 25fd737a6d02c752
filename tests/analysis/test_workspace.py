"""The coding workspace through its pages: coding a whole item or a span (without script),
spans flagged after a text edit, withdrawal taking items out at once, suggestions accepted in
bulk with their provenance, and hostile text always escaped."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from app.analysis import operations as ops
from app.analysis.coding import apply_themes, suggest
from app.analysis.models import Coding
from app.analysis.queries import method_notes
from app.analysis.workspace import Filters, items_stmt, progress
from app.corpus.models import FeedbackItem
from app.corpus.operations import update_feedback, withdraw_consent
from app.db import Session
from app.models import User

XSS = '<script>alert("x")</script><img src=x onerror=alert(1)>'


@pytest.fixture
def analyst(make_user, auth):
    return auth.login(make_user("analyst"))


@pytest.fixture
def book(analyst, consultation):
    book = ops.get_or_create_codebook(analyst, consultation)
    Session.commit()
    return book


@pytest.fixture
def theme(analyst, book):
    theme = ops.create_theme(analyst, book, name="Funding")
    Session.commit()
    return theme


def _post(client, csrf_token, url, data, page_url):
    token = csrf_token(client.get(page_url).get_data(as_text=True))
    return client.post(url, data={"csrf_token": token, **data})


def test_code_a_span_by_typing_its_words_without_script(client, csrf_token, analyst, theme,
                                                        make_item):
    item = make_item("Rural providers have poor internet. They cannot upload weekly.")
    Session.commit()
    response = _post(client, csrf_token, f"/analysis/items/{item.id}/code",
                     {"themes": str(theme.id), "span_quote": "poor internet", "stance": "opposes"},
                     f"/analysis/items/{item.id}")
    assert response.status_code == 302
    coding = Session.scalars(select(Coding).where(Coding.item_id == item.id)).one()
    assert (coding.span_start, coding.span_end, coding.span_text) == (21, 34, "poor internet")
    assert (coding.stance, coding.origin, coding.coder_id) == ("opposes", "analyst", analyst.id)


def test_words_not_in_the_text_are_refused_and_nothing_is_coded(client, csrf_token, analyst,
                                                                 theme, make_item):
    item = make_item("Consent forms are long.")
    Session.commit()
    response = _post(client, csrf_token, f"/analysis/items/{item.id}/code",
                     {"themes": str(theme.id), "span_quote": "short"},
                     f"/analysis/items/{item.id}")
    assert response.status_code == 400
    assert "Those words are not in the item" in response.get_data(as_text=True)
    assert 'value="short"' in response.get_data(as_text=True)  # what was typed is kept
    assert Session.scalars(select(Coding)).all() == []


def test_a_span_is_flagged_after_the_item_text_changes(client, analyst, book, theme,
                                                       make_item):
    item = make_item("Funding must cover staff time.")
    coding = apply_themes(analyst, item, book, [theme], span=(0, 7))[0]
    update_feedback(analyst, item, text="Money must cover staff time.")
    Session.commit()
    assert coding.span_is_stale(item.text)
    page = client.get(f"/analysis/items/{item.id}").get_data(as_text=True)
    assert "The text changed after this part was coded" in page
    # A whole-item coding is never stale.
    whole = apply_themes(analyst, item, book, [theme])[0]
    assert not whole.span_is_stale(item.text)


def test_withdrawal_takes_the_item_out_of_the_workspace_and_counts(
        client, analyst, consultation, book, theme, make_item, make_user):
    author = make_user("participant")
    kept = make_item("Kept words.")
    leaving = make_item("Words of someone leaving.", author=author)
    apply_themes(analyst, kept, book, [theme])
    apply_themes(analyst, leaving, book, [theme])
    Session.commit()
    assert (progress(consultation.id, book).coded, progress(consultation.id, book).total) == (2, 2)
    assert "Words of someone leaving." in client.get("/analysis/items").get_data(as_text=True)

    # The request ended the test's session: load the item and its author again.
    withdraw_consent(Session.get(User, author.id), Session.get(FeedbackItem, leaving.id))
    Session.commit()
    page = client.get("/analysis/items").get_data(as_text=True)
    assert "Words of someone leaving." not in page and "Kept words." in page
    assert client.get(f"/analysis/items/{leaving.id}").status_code == 404
    done = progress(consultation.id, book)
    assert (done.coded, done.total) == (1, 1)
    notes = method_notes(consultation.id)
    assert (notes.items_total, notes.items_coded_by_analysts) == (1, 1)


def test_filters(analyst, consultation, book, theme, make_item):
    coded = make_item("Coded.", question="q1", group="ngo")
    make_item("Uncoded.", question="q2", group="other")
    apply_themes(analyst, coded, book, [theme])
    Session.flush()

    def texts(**filters):
        stmt = items_stmt(consultation.id, book, Filters(**filters))
        return [item.text for item in Session.scalars(stmt)]

    assert texts() == ["Coded.", "Uncoded."]
    assert texts(uncoded=True) == ["Uncoded."]
    assert texts(theme_id=theme.id) == ["Coded."]
    assert texts(question="q2") == ["Uncoded."]
    assert texts(group="ngo") == ["Coded."]
    assert texts(source="forum_post") == []
    assert texts(campaign="in") == []


def test_suggestions_accepted_in_bulk_keep_their_provenance(client, csrf_token, analyst,
                                                            consultation, book, theme,
                                                            make_item):
    items = [make_item(f"Item {n} about money.") for n in range(3)]
    for n, item in enumerate(items):
        suggest(item.id, theme.id, model_version="assist-test-1", confidence=0.3 + n / 10)
    Session.commit()
    page = client.get("/analysis/suggestions").get_data(as_text=True)
    assert "Suggested by model assist-test-1 (confidence 0.30)" in page
    suggestions = Session.scalars(select(Coding).order_by(Coding.id)).all()
    response = _post(client, csrf_token, "/analysis/suggestions",
                     {"coding_ids": [str(suggestions[0].id), str(suggestions[1].id)],
                      "decision": "accept"}, "/analysis/suggestions")
    assert response.status_code == 302
    suggestions = Session.scalars(select(Coding).order_by(Coding.id)).all()
    assert [c.status for c in suggestions] == ["applied", "applied", "suggested"]
    assert suggestions[0].reviewed_by_id == analyst.id and suggestions[0].reviewed_at
    assert suggestions[0].origin == "model" and suggestions[0].model_version == "assist-test-1"
    notes = method_notes(consultation.id)
    assert (notes.items_coded_by_model_accepted, notes.suggestions_pending) == (2, 1)
    assert notes.model_agreement.items_reviewed == 2 and notes.model_agreement.f1 == 1.0


def test_correcting_a_suggestion_rejects_it_and_codes_the_right_theme(
        client, csrf_token, analyst, consultation, book, theme, make_item):
    other = ops.create_theme(analyst, book, name="Trust")
    item = make_item("Clients do not trust agencies.")
    wrong = suggest(item.id, theme.id, model_version="assist-test-1", confidence=0.6)
    Session.commit()
    response = _post(client, csrf_token, f"/analysis/items/{item.id}/correct",
                     {"themes": str(other.id)}, f"/analysis/items/{item.id}")
    assert response.status_code == 302
    wrong = Session.get(Coding, wrong.id)
    assert wrong.status == "rejected" and wrong.reviewed_by_id == analyst.id
    right = Session.scalars(select(Coding).where(Coding.theme_id == other.id)).one()
    assert (right.origin, right.status, right.coder_id) == ("analyst", "applied", analyst.id)
    agreement = method_notes(consultation.id).model_agreement
    assert agreement.items_reviewed == 1 and agreement.f1 == 0.0


def test_hostile_theme_names_descriptions_and_item_texts_are_escaped(
        client, csrf_token, analyst, book, make_item):
    theme = ops.create_theme(analyst, book, name=XSS[:100], description=XSS)
    item = make_item(XSS)
    apply_themes(analyst, item, book, [theme], span=(0, 8))
    suggest(item.id, theme.id, model_version=XSS[:60], confidence=0.5)
    Session.commit()
    for url in ("/analysis/items", f"/analysis/items/{item.id}", "/analysis/codebook",
                f"/analysis/codebook/themes/{theme.id}", "/analysis/suggestions",
                "/analysis/"):
        page = client.get(url).get_data(as_text=True)
        assert "<script>alert" not in page and "<img src=x" not in page, url
        assert "&lt;script&gt;" in page or url == "/analysis/", url


def test_only_analysts_reach_the_workspace(client, auth, make_user, make_item, theme):
    item = make_item("Anything.")
    Session.commit()
    for role in ("participant", "facilitator", "advisory", "kaitiaki", "admin"):
        auth.login(make_user(role))
        for url in ("/analysis/", "/analysis/items", f"/analysis/items/{item.id}",
                    "/analysis/codebook", "/analysis/suggestions"):
            assert client.get(url).status_code == 403, (role, url)


def test_blind_coding_hides_other_analysts_codings_and_gives_kappa(
        client, csrf_token, auth, make_user, consultation, book, theme, make_item):
    first = make_user("analyst")
    item = make_item("Fund the providers properly.")
    apply_themes(first, item, book, [theme])
    Session.commit()
    second = auth.login(make_user("analyst"))
    listed = client.get("/analysis/items?uncoded=1&blind=1").get_data(as_text=True)
    assert "Fund the providers properly." in listed  # not yet coded by the second analyst
    assert "Not coded yet." in listed
    page = client.get(f"/analysis/items/{item.id}?blind=1").get_data(as_text=True)
    assert "Coded by an analyst" not in page
    response = _post(client, csrf_token, f"/analysis/items/{item.id}/code?blind=1",
                     {"themes": str(theme.id)}, f"/analysis/items/{item.id}?blind=1")
    assert response.status_code == 302 and "blind=1" in response.headers["Location"]
    coders = {c.coder_id for c in Session.scalars(select(Coding))}
    assert coders == {first.id, second.id}
    agreement = method_notes(consultation.id).analyst_agreement
    assert (agreement.items_compared, agreement.kappa) == (1, 1.0)


def test_coded_spans_are_highlighted_in_the_text(client, analyst, book, theme, make_item):
    item = make_item("Fund rural <b>providers</b> now.")
    apply_themes(analyst, item, book, [theme], span=(5, 10))
    Session.commit()
    page = client.get(f"/analysis/items/{item.id}").get_data(as_text=True)
    assert ('Fund <mark class="coded-span" title="Funding">rural</mark> '
            '&lt;b&gt;providers&lt;/b&gt; now.') in page
