"""visible_items: the batch form of visible_to, for lists and reports. It must agree with
visible_to item by item, and cost the same few queries for 5 items as for 50."""
from __future__ import annotations

from contextlib import contextmanager
from itertools import product

import pytest
from sqlalchemy import event

from app.corpus.scope import PUBLISH_LEVELS, QUOTE_LEVELS
from app.corpus.visibility import NO_APPROVALS, Approvals, visible_items, visible_to
from app.db import Session
from app.governance.operations import record_governance_decision


@contextmanager
def counting_statements():
    """Counts the SQL statements sent on the test's connection while the block runs."""
    statements: list[str] = []
    connection = Session.connection()

    def _count(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    event.listen(connection, "before_cursor_execute", _count)
    try:
        yield statements
    finally:
        event.remove(connection, "before_cursor_execute", _count)


@pytest.fixture
def attributed_items(make_item, make_user, make_org, make_consultation, governed_group):
    """N items of one consultation, each by a different author in a different organisation,
    all quotable with attribution; a third governed by a group that approved quoting."""

    def factory(n):
        consultation = make_consultation()
        group = governed_group()
        record_governance_decision(group.kaitiaki[0], group, consultation, use="quote",
                                   decision="approved")
        items = []
        for i in range(n):
            org = make_org()
            items.append(make_item(consultation=consultation, author=make_user(org=org),
                                   organisation=org, quote="attributed", publish="public",
                                   governed_by=group if i % 3 == 0 else None))
        Session.expire_all()  # nothing preloaded: the names must come from the query itself
        return consultation, items

    return factory


def test_the_query_count_does_not_grow_with_the_items(attributed_items, make_user):
    reader = make_user("advisory")
    counts = {}
    for n in (5, 50):
        consultation, items = attributed_items(n)
        consultation_id = consultation.id  # expired: reading it is a query of its own
        reader.roles  # noqa: B018 (likewise the reader's roles)
        with counting_statements() as statements:
            views = visible_items(reader, consultation_id, audience="working_group")
        counts[n] = len(statements)
        assert [v.item_id for v in views] == sorted(item.id for item in items)
        # Every quote came with its author's name and organisation: nothing was skipped.
        assert all(v.quote == "Our view." and v.attribution and ", Organisation " in
                   v.attribution for v in views)
    assert counts[5] == counts[50]
    assert 1 <= counts[50] <= 2, statements  # the approvals, then the items with their names


def test_the_counter_sees_per_item_loading(attributed_items, make_user):
    """The counter is not blind: asking visible_to one item at a time after the session was
    cleared loads each author and organisation separately."""
    _consultation, items = attributed_items(5)
    ids = [item.id for item in items]
    Session.expunge_all()
    from app.corpus.models import FeedbackItem

    with counting_statements() as statements:
        for item_id in ids:
            visible_to(None, Session.get(FeedbackItem, item_id), audience="public",
                       approvals=NO_APPROVALS)
    assert len(statements) > 2 * len(ids)


def test_item_ids_and_countable_only_narrow_the_batch(make_item, make_user, make_consultation):
    consultation, other = make_consultation(), make_consultation()
    author = make_user()
    kept = make_item(consultation=consultation, author=author, publish="public")
    withdrawn = make_item(consultation=consultation, author=author, analysis=False)
    elsewhere = make_item(consultation=other, author=author, publish="public")

    def ids(**kwargs):
        return [v.item_id for v in visible_items(None, consultation.id, audience="public",
                                                 approvals=NO_APPROVALS, **kwargs)]

    assert ids() == [kept.id, withdrawn.id]
    assert ids(countable_only=True) == [kept.id]
    assert ids(item_ids=[withdrawn.id, elsewhere.id]) == [withdrawn.id]
    assert ids(item_ids=[]) == []
    with pytest.raises(ValueError):
        visible_items(None, consultation.id, audience="everyone")


def test_batch_agrees_with_visible_to_for_every_scope(make_item, make_user, make_org,
                                                     make_group, make_consultation):
    consultation = make_consultation()
    org = make_org("Whānau Services Trust")
    author = make_user(org=org)
    author.display_name = "Mere Ngata"
    group_a, group_b = make_group(), make_group(kind="pasifika")
    items = []
    for analysis, quote, publish, governed_by, organisation in product(
            (True, False), QUOTE_LEVELS, PUBLISH_LEVELS, (None, group_a, group_b), (None, org)):
        items.append(make_item(consultation=consultation, author=author, analysis=analysis,
                               quote=quote, publish=publish, governed_by=governed_by,
                               organisation=organisation))
    anonymous_item = make_item(consultation=consultation, quote="attributed", publish="public")
    items.append(anonymous_item)  # no author, no organisation: attribution None
    readers = [None, author, make_user(), make_user("analyst"), make_user("advisory"),
               make_user("facilitator")]
    approval_sets = [
        NO_APPROVALS,
        Approvals(frozenset({(group_a.id, "quote")})),
        Approvals(frozenset({(group_a.id, "quote"), (group_b.id, "quote"),
                             (group_b.id, "breakdown")})),
        Approvals(frozenset({(group_a.id, "breakdown")})),
    ]
    seen_attributions = set()
    for reader, audience, approvals in product(
            readers, ("secretariat", "working_group", "public"), approval_sets):
        batch = {v.item_id: v for v in visible_items(reader, consultation.id,
                                                     audience=audience, approvals=approvals)}
        assert set(batch) == {item.id for item in items}
        for item in items:
            one = visible_to(reader, item, audience=audience, approvals=approvals)
            assert batch[item.id] == one, (reader, audience, approvals, item.id)
            seen_attributions.add(one.attribution)
    # The grid exercised attributions with and without an organisation, and none at all.
    assert {"Mere Ngata", "Mere Ngata, Whānau Services Trust", None} <= seen_attributions
