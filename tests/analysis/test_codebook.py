"""Codebook operations: create, edit, merge and split move codings, delete, two levels, and
every change a new version with a snapshot."""
from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from app.analysis import operations as ops
from app.analysis.models import CodebookVersion, Coding
from app.analysis.queries import active_themes
from app.db import Session
from app.errors import OperationRefused


@pytest.fixture
def analyst(make_user):
    return make_user("analyst")


@pytest.fixture
def book(analyst, consultation):
    return ops.get_or_create_codebook(analyst, consultation)


def _versions(book):
    return list(Session.scalars(select(CodebookVersion).where(
        CodebookVersion.codebook_id == book.id).order_by(CodebookVersion.number)))


def test_a_new_codebook_is_version_one_and_each_change_adds_a_snapshot(analyst, book):
    assert book.version == 1 and [v.number for v in _versions(book)] == [1]
    theme = ops.create_theme(analyst, book, name="  Funding   for NGOs ", colour="#AABBCC")
    ops.edit_theme(analyst, theme, name="Funding", description="Money.", colour="#aabbcc",
                   parent=None)
    versions = _versions(book)
    assert book.version == 3 and [v.number for v in versions] == [1, 2, 3]
    assert versions[1].summary == "Theme “Funding for NGOs” added."
    assert versions[2].created_by_id == analyst.id
    snapshot = json.loads(versions[2].snapshot)
    assert snapshot == [{"id": theme.id, "parent_id": None, "name": "Funding",
                         "description": "Money.", "colour": "#aabbcc", "status": "active",
                         "position": theme.position, "merged_into_id": None}]
    assert json.loads(versions[1].snapshot)[0]["name"] == "Funding for NGOs"


def test_refusals_change_nothing(analyst, book, make_user):
    ops.create_theme(analyst, book, name="Privacy")
    with pytest.raises(OperationRefused, match="already has a theme"):
        ops.create_theme(analyst, book, name="privacy")
    with pytest.raises(OperationRefused, match="six hexadecimal"):
        ops.create_theme(analyst, book, name="Other", colour="red")
    with pytest.raises(OperationRefused, match="Only analysts"):
        ops.create_theme(make_user("facilitator"), book, name="Other")
    assert book.version == 2


def test_two_levels_only(analyst, book):
    top = ops.create_theme(analyst, book, name="Top")
    child = ops.create_theme(analyst, book, name="Child", parent=top)
    with pytest.raises(OperationRefused, match="two levels"):
        ops.create_theme(analyst, book, name="Grandchild", parent=child)
    other = ops.create_theme(analyst, book, name="Other")
    with pytest.raises(OperationRefused, match="stays at the top level"):
        ops.edit_theme(analyst, top, name="Top", description="", colour=None, parent=other)


def test_merge_moves_codings_and_children(analyst, book, make_item):
    source = ops.create_theme(analyst, book, name="Cost")
    child = ops.create_theme(analyst, book, name="Compliance cost", parent=source)
    target = ops.create_theme(analyst, book, name="Funding")
    first, second = make_item("One."), make_item("Two.")
    for item in (first, second):
        Session.add(Coding(item_id=item.id, theme_id=source.id, origin="analyst",
                           status="applied", coder_id=analyst.id))
    # FIRST is already coded with the target: after the merge it is coded once, not twice.
    Session.add(Coding(item_id=first.id, theme_id=target.id, origin="analyst",
                       status="applied", coder_id=analyst.id))
    Session.flush()
    ops.merge_themes(analyst, source, target)
    codings = Session.scalars(select(Coding)).all()
    assert sorted((c.item_id, c.theme_id) for c in codings) == [(first.id, target.id),
                                                                 (second.id, target.id)]
    assert (source.status, source.merged_into_id) == ("merged", target.id)
    assert child.parent_id == target.id
    assert [t.name for t in active_themes(book.id)] == ["Funding", "Compliance cost"]
    assert _versions(book)[-1].summary == "“Cost” merged into “Funding”."


def test_split_moves_the_chosen_codings_only(analyst, book, make_item):
    theme = ops.create_theme(analyst, book, name="Consent")
    codings = []
    for text in ("Consent forms are long.", "Consent for children.", "Opt out."):
        coding = Coding(item_id=make_item(text).id, theme_id=theme.id, origin="analyst",
                        status="applied", coder_id=analyst.id)
        Session.add(coding)
        codings.append(coding)
    Session.flush()
    new = ops.split_theme(analyst, theme, name="Children's consent",
                          coding_ids=[codings[1].id])
    assert [c.theme_id for c in codings] == [theme.id, new.id, theme.id]
    assert new.parent_id == theme.parent_id and new.colour == theme.colour
    with pytest.raises(OperationRefused, match="only"):
        ops.split_theme(analyst, theme, name="Another", coding_ids=[codings[1].id])


def test_delete_keeps_codings_out_of_counts_and_lifts_children(analyst, book, make_item):
    top = ops.create_theme(analyst, book, name="Top")
    child = ops.create_theme(analyst, book, name="Child", parent=top)
    ops.delete_theme(analyst, top)
    assert top.status == "deleted" and child.parent_id is None
    assert [t.name for t in active_themes(book.id)] == ["Child"]
    with pytest.raises(OperationRefused, match="no longer"):
        ops.delete_theme(analyst, top)


def test_move_swaps_positions(analyst, book):
    first = ops.create_theme(analyst, book, name="First")
    ops.create_theme(analyst, book, name="Second")
    ops.move_theme(analyst, first, +1)
    assert [t.name for t in active_themes(book.id)] == ["Second", "First"]
