"""Consent scopes, and the one set of rules deciding what a reader may see of a feedback item:
visible_to, its batch form visible_items, and the same rules in SQL."""
from __future__ import annotations

from itertools import product

import pytest
from sqlalchemy import select

from app.corpus.models import FeedbackItem
from app.corpus.scope import PUBLISH_LEVELS, QUOTE_LEVELS, ConsentScope
from app.corpus.visibility import (
    NO_APPROVALS,
    Approvals,
    breakdown_clause,
    countable_items,
    quotable_clause,
    text_visible_clause,
    visible_to,
)
from app.db import Session
from app.errors import OperationRefused

# ---------------------------------------------------------------- ConsentScope


def test_scope_round_trips_through_json_and_item(make_item, make_group):
    group = make_group()
    scope = ConsentScope(True, "attributed", "public", group.id)
    assert ConsentScope.from_json(scope.to_json()) == scope
    item = make_item(analysis=True, quote="attributed", publish="public", governed_by=group)
    assert ConsentScope.from_item(item) == scope
    assert ConsentScope.from_json("{}") is None
    # Canonical: equal scopes, equal strings (ConsentChange rows compare as text).
    assert scope.to_json() == ConsentScope(True, "attributed", "public", group.id).to_json()
    assert '"analysis":true' in scope.to_json()


@pytest.mark.parametrize("kwargs, field, words", [
    ({"analysis": True, "quote": "loudly", "publish": "none"}, "quote", "loudly"),
    ({"analysis": True, "quote": "none", "publish": "everyone"}, "publish", "everyone"),
    ({"analysis": "yes", "quote": "none", "publish": "none"}, "analysis", "analysed"),
    ({"analysis": True, "quote": "none", "publish": "none", "governed_by_id": "7"},
     "governed_by_id", "governance group"),
])
def test_scope_refuses_bad_values_with_a_clear_message(kwargs, field, words):
    with pytest.raises(OperationRefused) as refused:
        ConsentScope(**kwargs)
    assert refused.value.field == field
    assert words in str(refused.value)


def test_withdrawn_scope_keeps_the_governing_group():
    assert ConsentScope.withdrawn(5) == ConsentScope(False, "none", "none", 5)


# ---------------------------------------------------------------- the rules, by hand


def test_author_always_sees_own_text_but_gains_no_quote(make_item, make_user, make_org):
    author = make_user(org=make_org())
    item = make_item(author=author, analysis=False, quote="attributed", publish="public")
    for audience in ("secretariat", "working_group", "public"):
        view = visible_to(author, item, audience=audience)
        assert view.text == "Our view."
        assert view.quote is None and view.attribution is None
        assert view.may_count is False and view.may_break_down_by_group is False


def test_withdrawn_item_shows_nothing_to_anyone_else(make_item, make_user):
    item = make_item(author=make_user(), analysis=False, quote="attributed", publish="public")
    analyst = make_user("analyst")
    for reader, audience in ((analyst, "secretariat"), (analyst, "working_group"),
                             (None, "public")):
        view = visible_to(reader, item, audience=audience)
        assert view.may_count is False
        assert (view.text, view.quote, view.attribution) == (None, None, None)


def test_secretariat_text_needs_an_analyst(make_item, make_user):
    item = make_item(author=make_user(), publish="none")
    assert visible_to(make_user("analyst"), item, audience="secretariat").text == "Our view."
    for reader in (make_user("advisory"), make_user("facilitator"), make_user(), None):
        assert visible_to(reader, item, audience="secretariat").text is None


@pytest.mark.parametrize("publish, working_group_sees, public_sees", [
    ("none", False, False),
    ("working_group", True, False),
    ("public", True, True),
])
def test_text_by_publish_level(make_item, make_user, publish, working_group_sees,
                               public_sees):
    item = make_item(author=make_user(), publish=publish)
    advisory = make_user("advisory")
    assert (visible_to(advisory, item, audience="working_group").text is not None) \
        == working_group_sees
    assert (visible_to(None, item, audience="public").text is not None) == public_sees


def test_quote_levels_and_attribution(make_item, make_user, make_org):
    org = make_org("Whānau Services Trust")
    author = make_user(org=org)
    author.display_name = "Mere Ngata"
    none = make_item(author=author, organisation=org, quote="none", publish="public")
    anonymous = make_item(author=author, organisation=org, quote="anonymous", publish="public")
    attributed = make_item(author=author, organisation=org, quote="attributed",
                           publish="public")
    assert visible_to(None, none, audience="public").quote is None
    view = visible_to(None, anonymous, audience="public")
    assert (view.quote, view.attribution) == ("Our view.", None)
    view = visible_to(None, attributed, audience="public")
    assert (view.quote, view.attribution) == ("Our view.", "Mere Ngata, Whānau Services Trust")


def test_quote_needs_the_text_visible_to_the_audience(make_item, make_user):
    item = make_item(author=make_user(), quote="anonymous", publish="working_group")
    assert visible_to(make_user("analyst"), item, audience="working_group").quote == "Our view."
    assert visible_to(None, item, audience="public").quote is None


def test_an_item_nobody_else_may_see_is_never_quoted(make_item, make_user):
    """publish "none" means only the secretariat reads it (to code it): no quote, anywhere."""
    item = make_item(author=make_user(), quote="attributed", publish="none")
    analyst = make_user("analyst")
    view = visible_to(analyst, item, audience="secretariat")
    assert view.text == "Our view." and view.quote is None and view.attribution is None
    for audience in ("working_group", "public"):
        assert visible_to(analyst, item, audience=audience).quote is None


def test_governed_item_needs_approvals_to_quote_and_break_down(make_item, make_user,
                                                               make_group):
    group = make_group(kind="pasifika")
    item = make_item(author=make_user(), quote="anonymous", publish="public",
                     governed_by=group)
    view = visible_to(None, item, audience="public", approvals=NO_APPROVALS)
    assert view.may_count is True and view.text == "Our view."
    assert view.quote is None and view.may_break_down_by_group is False

    quote_only = Approvals(frozenset({(group.id, "quote")}))
    view = visible_to(None, item, audience="public", approvals=quote_only)
    assert view.quote == "Our view." and view.may_break_down_by_group is False

    breakdown_only = Approvals(frozenset({(group.id, "breakdown")}))
    view = visible_to(None, item, audience="public", approvals=breakdown_only)
    assert view.quote is None and view.may_break_down_by_group is True

    other_group = make_group()
    view = visible_to(None, item, audience="public",
                      approvals=Approvals(frozenset({(other_group.id, "quote")})))
    assert view.quote is None


def test_unknown_audience_is_a_programming_error(make_item):
    with pytest.raises(ValueError):
        visible_to(None, make_item(), audience="everyone")


# ---------------------------------------------------------------- SQL and Python agree

READERS = {"secretariat": "analyst", "working_group": "advisory", "public": None}


def test_sql_clauses_agree_with_visible_to_on_every_scope(make_item, make_user, make_group,
                                                          make_consultation):
    consultation = make_consultation()
    noise = make_consultation()  # items of another consultation must never leak in
    author = make_user()
    group_a, group_b = make_group(), make_group(kind="pasifika")
    items = []
    for analysis, quote, publish, governed_by in product(
            (True, False), QUOTE_LEVELS, PUBLISH_LEVELS, (None, group_a, group_b)):
        items.append(make_item(consultation=consultation, author=author, analysis=analysis,
                               quote=quote, publish=publish, governed_by=governed_by))
        make_item(consultation=noise, analysis=analysis, quote=quote, publish=publish,
                  governed_by=governed_by)
    assert len(items) == 2 * 3 * 3 * 3
    readers = {audience: (make_user(role) if role else None)
               for audience, role in READERS.items()}
    approval_sets = [
        NO_APPROVALS,
        Approvals(frozenset({(group_a.id, "quote")})),
        Approvals(frozenset({(group_a.id, "quote"), (group_b.id, "quote"),
                             (group_b.id, "breakdown")})),
        Approvals(frozenset({(group_a.id, "breakdown")})),
    ]

    def ids(clause) -> set[int]:
        # No consultation filter here: each clause must keep the noise consultation out itself.
        return set(Session.scalars(select(FeedbackItem.id).where(clause)))

    countable = set(Session.scalars(countable_items(consultation.id).with_only_columns(
        FeedbackItem.id)))
    for audience, approvals in product(READERS, approval_sets):
        reader = readers[audience]
        views = {item.id: visible_to(reader, item, audience=audience, approvals=approvals)
                 for item in items}
        assert countable == {i for i, v in views.items() if v.may_count}
        assert ids(text_visible_clause(consultation.id, audience)) == {
            i for i, v in views.items() if v.text is not None}
        quotable = ids(quotable_clause(consultation.id, audience, approvals.group_ids("quote")))
        assert quotable == {i for i, v in views.items() if v.quote is not None}, (
            audience, approvals)
        assert ids(breakdown_clause(consultation.id, approvals.group_ids("breakdown"))) == {
            i for i, v in views.items() if v.may_break_down_by_group}
    # The grid really exercises both outcomes: something is quotable, something is not.
    public_all = ids(quotable_clause(consultation.id, "public", {group_a.id, group_b.id}))
    assert 0 < len(public_all) < len(items)
    # Counted, quote allowed, publish public, and ungoverned or approved.
    assert len(public_all) == 1 * 2 * 1 * 3
