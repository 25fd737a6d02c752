"""Spreadsheet formula injection is escaped in every CSV cell; CSVs stream in chunks."""
from __future__ import annotations

import csv
import io

import pytest

from app.spreadsheets import escape_cell, iter_csv


@pytest.mark.parametrize("value", [
    "=HYPERLINK(\"http://evil.example\",\"click\")",
    "+1+2",
    "-2+3",
    "@SUM(A1:A2)",
    "\t=1+1",
    "\r=1+1",
])
def test_formula_cells_get_a_leading_apostrophe(value):
    assert escape_cell(value) == "'" + value


@pytest.mark.parametrize("value, expected", [
    ("Kia ora", "Kia ora"),
    ("a=b", "a=b"),  # only a leading formula character matters
    (" =1", " =1"),
    ("", ""),
    (None, ""),
    (42, "42"),
    (-3, "-3"),  # a number is data, not a formula
    (True, "yes"),
])
def test_other_cells_pass_unchanged(value, expected):
    assert escape_cell(value) == expected


def test_iter_csv_escapes_streams_and_round_trips():
    rows = [(i, f"=cmd|' /C calc'!A{i}", "Māori data sovereignty, \"quoted\"") for i in range(7)]
    chunks = list(iter_csv(("id", "note", "text"), rows, rows_per_chunk=3))
    assert len(chunks) == 3  # 3 + 3 + the last row: never the whole file at once
    body = "".join(chunks)
    assert body.startswith("\ufeff")
    parsed = list(csv.reader(io.StringIO(body.removeprefix("\ufeff"))))
    assert parsed[0] == ["id", "note", "text"]
    assert parsed[1] == ["0", "'=cmd|' /C calc'!A0", "Māori data sovereignty, \"quoted\""]
    assert len(parsed) == 8


def test_header_cells_are_escaped_too():
    body = "".join(iter_csv(["=evil"], [], bom=False))
    assert body == "'=evil\r\n"
