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


# ---------------------------------------------------------------- XLSX

FORMULAS = ["=HYPERLINK(\"http://evil.example\",\"click\")", "+1+2", "-2+3", "@SUM(A1:A2)",
            "\t=1+1", "\r=1+1", "=cmd|' /C calc'!A0"]


def _read(path):
    from openpyxl import load_workbook

    return load_workbook(path)


def test_xlsx_has_several_sheets_a_bold_frozen_header_and_typed_cells(tmp_path):
    from app.spreadsheets import Sheet, write_xlsx

    path = tmp_path / "export.xlsx"
    write_xlsx(path, [
        Sheet("Responses", ["id", "score", "text"],
              [(1, 2.5, "Māori data sovereignty"), (2, -3, None)]),
        Sheet("Themes: 2027/01 [draft]", ["theme"], iter([("Trust",)])),
    ])
    workbook = _read(path)
    assert workbook.sheetnames == ["Responses", "Themes- 2027-01 -draft-"]
    responses = workbook["Responses"]
    assert responses.freeze_panes == "A2"
    assert all(cell.font.b for cell in responses[1])
    assert not responses["A2"].font.b
    rows = list(responses.iter_rows(values_only=True))
    assert rows == [("id", "score", "text"), (1, 2.5, "Māori data sovereignty"), (2, -3, None)]
    assert responses["B3"].data_type == "n"  # a negative number stays a number
    assert list(workbook["Themes- 2027-01 -draft-"].values) == [("theme",), ("Trust",)]


def test_xlsx_formula_payloads_come_back_as_text(tmp_path):
    from app.spreadsheets import Sheet, write_xlsx

    path = tmp_path / "evil.xlsx"
    write_xlsx(path, [Sheet("Sheet", ["=evil header"], [(text,) for text in FORMULAS])])
    sheet = _read(path)["Sheet"]
    cells = [row[0] for row in sheet.iter_rows()]
    assert cells[0].value == "'=evil header"
    for cell, payload in zip(cells[1:], FORMULAS, strict=True):
        assert cell.data_type == "s", payload  # never "f" (formula)
        assert cell.value == "'" + payload  # the text intact, carriage return included
    # The same escaping as the CSV, cell for cell.
    assert [c.value for c in cells[1:4]] == [escape_cell(p) for p in FORMULAS[:3]]


def test_xlsx_survives_characters_xml_cannot_hold_and_clashing_sheet_names(tmp_path):
    from app.spreadsheets import Sheet, write_xlsx

    path = tmp_path / "odd.xlsx"
    write_xlsx(path, [Sheet("Data", ["a"], [("bell\x07 and nul\x00",)]),
                      Sheet("data", ["b"], []), Sheet("", ["c"], [])])
    workbook = _read(path)
    assert workbook.sheetnames == ["Data", "data (2)", "Sheet 3"]
    assert workbook["Data"]["A2"].value == "bell\ufffd and nul\ufffd"


def test_a_100000_row_xlsx_is_written_in_flat_memory(tmp_path):
    import tracemalloc

    from app.spreadsheets import Sheet, write_xlsx

    # Two columns keep the run short: tracemalloc slows every allocation several times over.
    rows = ((i, f"Response number {i}: kōrero about data") for i in range(100_000))
    path = tmp_path / "big.xlsx"
    tracemalloc.start()
    try:
        write_xlsx(path, [Sheet("Responses", ["id", "text"], rows)])
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    # Holding the rows would take well over 50 MB of Python objects; streaming stays near 1.
    assert peak < 50 * 1024 * 1024, f"peak {peak / 1024 / 1024:.1f} MB"
    from openpyxl import load_workbook

    sheet = load_workbook(path, read_only=True)["Responses"]
    rows_back = sheet.iter_rows(min_row=2, values_only=True)
    assert next(rows_back) == (0, "Response number 0: kōrero about data")
    count = 1
    for last in rows_back:
        count += 1
    assert count == 100_000
    assert last == (99_999, "Response number 99999: kōrero about data")


def test_xlsx_response_streams_a_download(app, tmp_path):
    import io

    from openpyxl import load_workbook

    from app.spreadsheets import XLSX_MIMETYPE, Sheet, xlsx_response

    with app.test_request_context("/"):
        response = xlsx_response("Pūrongo report.xlsx", [Sheet("S", ["x"], [("=1+1",)])])
        response.direct_passthrough = False
        body = response.get_data()
        response.close()
    assert response.mimetype == XLSX_MIMETYPE
    assert response.headers["Cache-Control"] == "no-store"
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert "filename*=UTF-8''P%C5%ABrongo%20report.xlsx" in disposition
    assert load_workbook(io.BytesIO(body))["S"]["A2"].value == "'=1+1"


def test_aware_datetimes_are_iso_8601_in_the_site_zone(app):
    from datetime import UTC, datetime

    with app.app_context():
        assert escape_cell(datetime(2027, 1, 9, 4, 0, tzinfo=UTC)) == "2027-01-09T17:00:00+13:00"
