"""Every format, every audience: forbidden quotes appear nowhere, no count from 1 to 5 is
published in any table, and people's words stay words (XSS payloads are inert). Each file is
parsed the way a reader's software would read it."""
from __future__ import annotations

import csv
import html as html_module
import io
import re
import subprocess
import zipfile

import pytest
from docx import Document
from lxml import html as lxml_html
from openpyxl import load_workbook

from app.reports.exports import EXPORTERS, export_content
from app.reports.filters import ReportFilters
from app.reports.operations import build_report, create_report

from .conftest import (
    CLOSED_PROMPT,
    FORBIDDEN,
    PUBLIC_QUOTE,
    WORKING_GROUP_ONLY,
    XSS,
    add_ranking_answers,
)

TABLE_FORMATS = ("html", "docx", "xlsx", "md")
SAFE_CELL = re.compile(r"^(S|–|\d+%|)$")


@pytest.fixture(autouse=True)
def request_context(app):
    with app.test_request_context():
        yield


@pytest.fixture
def built(make_user, scenario):
    analyst = make_user("analyst")

    def build(audience):
        report = create_report(analyst, scenario.consultation, title=f"Report {XSS}",
                               audience=audience, filters=ReportFilters())
        return report, build_report(analyst, report)

    return build


def _bytes(report, build, fmt) -> bytes:
    body, _ = export_content(report, build, fmt)
    return body if isinstance(body, bytes) else "".join(body).encode("utf-8")


def text_of(fmt: str, data: bytes, tmp_path) -> str:
    if fmt == "pdf":
        path = tmp_path / "report.pdf"
        path.write_bytes(data)
        return subprocess.run(["pdftotext", str(path), "-"], capture_output=True, check=True,
                              text=True).stdout
    if fmt == "docx":
        document = Document(io.BytesIO(data))
        parts = [p.text for p in document.paragraphs]
        parts += [cell.text for table in document.tables for row in table.rows
                  for cell in row.cells]
        return "\n".join(parts)
    if fmt == "xlsx":
        book = load_workbook(io.BytesIO(data), read_only=True)
        return "\n".join(str(cell) for sheet in book.worksheets
                         for row in sheet.iter_rows(values_only=True) for cell in row
                         if cell is not None)
    if fmt == "html":
        return lxml_html.fromstring(data).text_content()
    text = data.decode("utf-8-sig")
    if fmt == "md":  # what a Markdown renderer shows: escapes undone, entities decoded
        text = html_module.unescape(re.sub(r"\\(.)", r"\1", text))
    return text


def table_cells(fmt: str, data: bytes) -> list[str]:
    """The count cells of every table (not the row labels)."""
    if fmt == "html":
        tree = lxml_html.fromstring(data)
        return [td.text_content().strip() for td in tree.xpath("//table//td")]
    if fmt == "docx":
        document = Document(io.BytesIO(data))
        return [cell.text for table in document.tables for row in table.rows[1:]
                for cell in row.cells[1:]]
    if fmt == "xlsx":
        book = load_workbook(io.BytesIO(data), read_only=True)
        return [str(cell) for sheet in book.worksheets if sheet.title != "Items"
                for row in list(sheet.iter_rows(values_only=True))[1:] for cell in row[1:]
                if cell is not None]
    cells = []
    lines = data.decode("utf-8").splitlines()
    for index, line in enumerate(lines):
        is_header = index + 1 < len(lines) and lines[index + 1].startswith("|---")
        if line.startswith("| ") and not is_header:
            cells += [cell.strip() for cell in line.strip().strip("|").split(" | ")[1:]]
    return cells


def _safe_count(cell: str) -> bool:
    cell = str(cell).strip()
    if SAFE_CELL.match(cell):
        return True
    return cell.isdigit() and int(cell) % 3 == 0 and int(cell) not in range(1, 6)


@pytest.mark.parametrize("audience", ["working_group", "public"])
@pytest.mark.parametrize("fmt", sorted(EXPORTERS))
def test_no_forbidden_quote_in_any_export(built, fmt, audience, tmp_path):
    report, build = built(audience)
    text = text_of(fmt, _bytes(report, build, fmt), tmp_path)
    for forbidden in FORBIDDEN.values():
        assert forbidden not in text
    if fmt in ("qdc",):
        return  # the codebook holds no feedback
    if fmt != "pdf":  # pdftotext may break a long line; the words are checked below
        assert PUBLIC_QUOTE in text
    else:
        assert "PUBLIC-QUOTE" in text
    assert (WORKING_GROUP_ONLY in text) == (audience == "working_group")


@pytest.mark.parametrize("audience", ["working_group", "public"])
@pytest.mark.parametrize("fmt", TABLE_FORMATS)
def test_no_small_count_in_any_table(built, fmt, audience, tmp_path):
    """Every table, the closed questions' included (their prompt is checked to be there)."""
    report, build = built(audience)
    data = _bytes(report, build, fmt)
    cells = table_cells(fmt, data)
    assert cells and "S" in cells
    assert all(_safe_count(cell) for cell in cells), [c for c in cells if not _safe_count(c)]
    if fmt == "xlsx":  # a sheet per table, named by it
        sheets = load_workbook(io.BytesIO(data), read_only=True).sheetnames
        assert any(name.startswith("Agencies should state a") for name in sheets), sheets
    else:
        text = text_of(fmt, data, tmp_path)
        assert "Closed questions" in text and CLOSED_PROMPT[:25] in text


def test_the_pdf_has_the_closed_questions_with_no_small_count(built, tmp_path):
    report, build = built("public")
    text = text_of("pdf", _bytes(report, build, "pdf"), tmp_path)
    assert "Closed questions" in text and "Agencies should state a purpose" in text
    section = text.split("Closed questions", 1)[1].split("Method notes", 1)[0]
    # The figures: lines that are a number alone (pdftotext puts each table cell on its own).
    numbers = [int(line) for line in section.split("\n") if line.strip().isdigit()]
    assert numbers and all(n % 3 == 0 and n not in range(1, 6) for n in numbers), numbers


@pytest.mark.parametrize("audience", ["working_group", "public"])
@pytest.mark.parametrize("fmt", [*TABLE_FORMATS, "pdf"])
def test_a_ranking_question_has_its_rank_table_with_no_small_count(built, scenario, make_org,
                                                                   fmt, audience, tmp_path):
    """A ranking's options × ranks table is in every format with tables, and none of its
    counts (4 people ranked Speed first and Privacy second) is published unsuppressed."""
    from app.db import Session

    add_ranking_answers(scenario.consultation, make_org("Ranking Trust", "ngo"))
    Session.flush()
    report, build = built(audience)
    data = _bytes(report, build, fmt)
    if fmt == "pdf":
        text = text_of(fmt, data, tmp_path)
        part = text.split("times placed at each rank", 1)[1].split("Method notes", 1)[0]
        assert "Rank 3" in part and "Rank 4" not in part
        numbers = [int(line) for line in part.split("\n") if line.strip().isdigit()]
        assert numbers and all(n % 3 == 0 and n not in range(1, 6) for n in numbers), numbers
        return
    cells = table_cells(fmt, data)
    assert all(_safe_count(cell) for cell in cells), [c for c in cells if not _safe_count(c)]
    if fmt == "xlsx":  # a sheet per table, named by it (31 characters at most)
        sheets = load_workbook(io.BytesIO(data), read_only=True).sheetnames
        assert "Rank the priorities <script>ale" in sheets, sheets
        return
    text = text_of(fmt, data, tmp_path)
    assert "(times placed at each rank)" in text and "Rank 3" in text
    assert "Rank 4" not in text  # only withdrawn people gave a fourth rank


def test_each_closed_question_chart_names_itself_beside_its_table(built):
    report, build = built("working_group")
    tree = lxml_html.fromstring(_bytes(report, build, "html"))
    (section,) = tree.xpath("//section[contains(@class, 'report-closed')]")
    (pair,) = section.xpath(".//div[@class='report-chart-pair']")
    (svg,) = pair.xpath(".//svg")
    assert svg.get("role") == "img"
    title_id, desc_id = svg.get("aria-labelledby").split()
    title = svg.xpath(f".//*[@id='{title_id}']")[0]
    desc = svg.xpath(f".//*[@id='{desc_id}']")[0]
    assert title.tag.endswith("title") and CLOSED_PROMPT in title.text_content()
    (table,) = pair.xpath(".//table")
    rows = [[cell.text_content().strip() for cell in row.xpath("./th|./td")]
            for row in table.xpath("./tbody/tr")]
    # The description and the table beside the chart hold the same figures.
    described = dict(part.rsplit(": ", 1) for part in desc.text_content().split("; "))
    assert {label: ("suppressed" if count == "S" else count) for label, count, _ in rows} \
        == described
    assert section.xpath(".//table[caption[contains(., 'by stakeholder group')]]")


@pytest.mark.parametrize("fmt", ["html", "md", "docx", "xlsx", "csv"])
def test_script_in_names_and_quotes_stays_text(built, fmt, tmp_path):
    report, build = built("public")
    data = _bytes(report, build, fmt)
    if fmt == "html":
        tree = lxml_html.fromstring(data)
        assert not tree.xpath("//script") and not tree.xpath("//img")
        assert XSS in tree.text_content()  # shown as the words it is
    elif fmt == "md":
        assert b"<script" not in data and b"<img" not in data
    elif fmt == "docx":
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            assert b"<script" not in archive.read("word/document.xml")
    else:
        assert "<script>" in text_of(fmt, data, tmp_path)  # a spreadsheet cell is inert text


def test_csv_rows_hold_only_quotable_items_with_theme_flags(built, scenario):
    report, build = built("working_group")
    rows = list(csv.reader(io.StringIO(_bytes(report, build, "csv").decode("utf-8-sig"))))
    header, body = rows[0], rows[1:]
    assert header[:5] == ["Item", "Source", "Question", "Quote", "Attributed to"]
    ids = {int(row[0]) for row in body}
    assert scenario.items["public"].id in ids and scenario.items["wg_only"].id in ids
    for key in ("quote_none", "publish_none", "withdrawn", "governed"):
        assert scenario.items[key].id not in ids
    for row in body:
        assert set(row[5:]) <= {"0", "1"}
        if int(row[0]) == scenario.items["wg_only"].id:
            assert row[4] == ""  # anonymous: no attribution
        if int(row[0]) == scenario.items["public"].id:
            assert row[4] == "Helping Hands"  # attributed: the organisation's name


def test_spreadsheet_formulas_are_escaped(built, scenario):
    from app.db import Session
    scenario.items["public"].text = "=HYPERLINK(\"http://evil\")"
    Session.flush()
    report, build = built("working_group")
    book = load_workbook(io.BytesIO(_bytes(report, build, "xlsx")), read_only=True)
    values = [cell for row in book["Items"].iter_rows(values_only=True) for cell in row]
    assert "'=HYPERLINK(\"http://evil\")" in values
