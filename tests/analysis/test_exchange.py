"""Codebooks in and out: CSV and REFI-QDA .qdc (validated against the published schema)."""
from __future__ import annotations

import pytest
from lxml import etree

from app.analysis import operations as ops
from app.analysis.exchange import (
    CSV_HEADER,
    codebook_csv_rows,
    codebook_qdc,
    import_entries,
    qdc_schema,
    read_codebook_csv,
    read_codebook_qdc,
)
from app.analysis.queries import active_themes
from app.errors import OperationRefused
from app.spreadsheets import iter_csv


@pytest.fixture
def analyst(make_user):
    return make_user("analyst")


@pytest.fixture
def filled(analyst, consultation):
    book = ops.get_or_create_codebook(analyst, consultation)
    top = ops.create_theme(analyst, book, name="Funding", description="Money & <time>.",
                           colour="#112233")
    ops.create_theme(analyst, book, name="Rural providers", parent=top, colour="#445566")
    ops.create_theme(analyst, book, name="=cmd|' /C calc'!A0", description="")
    return book


def _shape(book):
    names = {t.id: t.name for t in active_themes(book.id)}
    return [(t.name, names.get(t.parent_id), t.description, t.colour)
            for t in active_themes(book.id)]


def test_qdc_export_is_valid_against_the_refi_schema(filled):
    document = etree.fromstring(codebook_qdc(filled))
    assert qdc_schema().validate(document), qdc_schema().error_log
    namespace = "{urn:QDA-XML:codebook:1.0}"
    top = document.find(f"{namespace}Codes/{namespace}Code")
    assert top.get("name") == "Funding" and top.get("color") == "#112233".upper()
    assert top.find(f"{namespace}Code").get("name") == "Rural providers"


def test_qdc_round_trip_into_another_consultation(filled, analyst, make_consultation):
    entries, flattened = read_codebook_qdc(codebook_qdc(filled))
    other = ops.get_or_create_codebook(analyst, make_consultation())
    result = import_entries(analyst, other, entries, what="a .qdc file", flattened=flattened)
    assert (result.added, result.updated, result.flattened) == (3, 0, 0)
    assert _shape(other) == _shape(filled)
    assert other.version == 2  # one version for the whole import
    again = import_entries(analyst, other, read_codebook_qdc(codebook_qdc(filled))[0],
                           what="a .qdc file")
    assert (again.added, again.updated) == (0, 0) and other.version == 2


def test_qdc_from_another_tool_deeper_than_two_levels(analyst, consultation):
    data = b"""<?xml version="1.0" encoding="utf-8"?>
<CodeBook xmlns="urn:QDA-XML:codebook:1.0" origin="QualCoder">
  <Codes>
    <Code guid="{11111111-1111-1111-1111-111111111111}" name="Access" isCodable="true" color="#abc">
      <Code guid="22222222-2222-2222-2222-222222222222" name="Rural" isCodable="true">
        <Code guid="33333333-3333-3333-3333-333333333333" name="Roads" isCodable="false"/>
      </Code>
    </Code>
  </Codes>
</CodeBook>"""
    entries, flattened = read_codebook_qdc(data)
    book = ops.get_or_create_codebook(analyst, consultation)
    import_entries(analyst, book, entries, what="a .qdc file", flattened=flattened)
    assert flattened == 1
    assert _shape(book) == [("Access", None, "", "#aabbcc"), ("Rural", "Access", "", "#4c6b8a"),
                            ("Roads", "Access", "", "#4c6b8a")]


@pytest.mark.parametrize("data, message", [
    (b"<CodeBook", "not readable XML"),
    (b'<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes/></CodeBook>', "not a REFI-QDA"),
    ((b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
     b'<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes><Code guid="11111111-1111-1111-1111-'
     b'111111111111" name="&e;" isCodable="true"/></Codes></CodeBook>'), "external entity"),
])
def test_bad_qdc_files_are_refused(data, message):
    # An external entity is never resolved: the file is refused, naming the entity only.
    with pytest.raises(OperationRefused, match=message) as refused:
        read_codebook_qdc(data)
    assert "root:" not in str(refused.value)


def test_csv_round_trip_keeps_formula_looking_names(filled, analyst, make_consultation):
    text = "".join(iter_csv(CSV_HEADER, codebook_csv_rows(filled)))
    assert "'=cmd" in text  # escaped in the file
    other = ops.get_or_create_codebook(analyst, make_consultation())
    import_entries(analyst, other, read_codebook_csv(text), what="a CSV file")
    assert _shape(other) == _shape(filled)


def test_csv_problems_name_the_row(analyst, consultation):
    book = ops.get_or_create_codebook(analyst, consultation)
    with pytest.raises(OperationRefused, match="“name” column"):
        read_codebook_csv("title\nx\n")
    entries = read_codebook_csv("name,parent,colour\nA,,#000000\nB,Missing,\n")
    with pytest.raises(OperationRefused, match="Theme 2 .*Missing"):
        import_entries(analyst, book, entries, what="a CSV file")
