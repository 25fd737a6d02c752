"""Office exports: an editable DOCX (python-docx) and an XLSX workbook (a sheet per table and
an item sheet with a 0/1 column per theme), both from the build's safe content."""
from __future__ import annotations

import io
import re
import tempfile

from app.reports.closed import question_tables
from app.reports.exports.text import method_lines
from app.reports.items import item_header, visible_item_rows
from app.spreadsheets import Sheet, write_xlsx

# XML 1.0 forbids most control characters; python-docx would refuse the whole document.
_XML_UNSAFE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def _clean(value) -> str:
    return _XML_UNSAFE.sub("", str(value))


def _docx_table(document, header, rows, footer=None, caption=None):
    if caption:
        document.add_paragraph(_clean(caption), style="Caption")
    body = [*rows, *([footer] if footer else [])]
    table = document.add_table(rows=1 + len(body), cols=len(header))
    table.style = "Table Grid"
    for col, cell in enumerate(header):
        table.cell(0, col).text = _clean(cell)
    for row_index, row in enumerate(body, 1):
        for col, cell in enumerate(row):
            table.cell(row_index, col).text = _clean(cell)


def _docx_closed(document, questions: list[dict]) -> None:
    """Each closed question as two editable tables: answers overall, and by group (a Word
    reader gets the figures the chart draws, not a picture of them)."""
    if not questions:
        return
    document.add_heading("Closed questions", level=1)
    for question in questions:
        document.add_heading(_clean(question["prompt"]), level=2)
        if question["note"]:
            document.add_paragraph(_clean(question["note"]))
        overall = question["overall"]
        rows = [[label, count, share] for label, count, share in
                zip(overall["labels"], overall["counts"], overall["shares"], strict=True)]
        _docx_table(document, ["Answer", "Count", "Share"], rows,
                    ["Total", overall["total"], ""], "Answers overall")
        for table in question_tables(question):
            _docx_table(document, table["header"], table["rows"], table["footer"],
                        table["title"])


def docx_bytes(report, build, data) -> bytes:
    from docx import Document

    document = Document()
    document.add_heading(_clean(data["title"]), level=0)
    document.add_paragraph(_clean(data["consultation"]))
    if data["withheld"]:
        document.add_paragraph("Some feedback is governed by iwi, hapū or Pasifika groups "
                               "whose kaitiaki have not yet approved its use: it is counted "
                               "only in the overall totals and is not quoted.")
    if data["overview"]:
        table = data["overview"]["participation"]
        document.add_heading("Overview", level=1)
        document.add_paragraph("Counts from 1 to 5 are shown as S; other counts are randomly "
                               "rounded to a multiple of 3.")
        _docx_table(document, table["header"], table["rows"], table["footer"], table["title"])
    for theme in data["themes"]:
        document.add_heading(_clean(theme["name"]), level=1)
        if theme["description"]:
            document.add_paragraph(_clean(theme["description"]))
        for line in theme["summary"]:
            document.add_paragraph(_clean(line), style="List Bullet")
        for title, part in (("Mentions by stakeholder group", theme["mentions"]),
                            ("Stance", theme["stances"])):
            rows = [[label, count, share] for label, count, share in
                    zip(part["labels"], part["counts"], part["shares"], strict=True)]
            _docx_table(document, ["Group", "Count", "Share"], rows,
                        ["Total", part["total"], ""], title)
        for quote in theme["quotes"]:
            text = quote["text"] + (f" — {quote['attribution']}" if quote["attribution"]
                                    else "")
            document.add_paragraph(_clean(text), style="Quote")
    _docx_closed(document, data.get("closed_questions", []))
    if data["method"]:
        document.add_heading("Method notes", level=1)
        for line in method_lines(data["method"]):
            document.add_paragraph(_clean(line), style="List Bullet")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _table_sheet(table) -> Sheet:
    rows = [*table["rows"], *([table["footer"]] if table.get("footer") else [])]
    return Sheet(table["title"][:31], table["header"], rows)


def xlsx_bytes(report, build, data) -> bytes:
    sheets = [_table_sheet(table) for table in data["tables"]]
    sheets.append(Sheet("Items", item_header(data), visible_item_rows(report, build, data)))
    with tempfile.TemporaryFile() as handle:
        write_xlsx(handle, sheets)
        handle.seek(0)
        return handle.read()
