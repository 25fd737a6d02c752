"""Spreadsheet-safe CSV and XLSX: every export goes through here.

A cell that starts with = + - @ (or a tab or carriage return, which some spreadsheets skip
before reading a formula) is run as a formula when the file is opened, so someone who types
`=HYPERLINK(...)` into a form could attack whoever opens the export. Such cells get a leading
apostrophe, which spreadsheets show as plain text (OWASP "CSV injection"). Numbers stay
numbers, even negative ones; aware datetimes become ISO 8601 in the site's time zone.

Both formats stream: iter_csv yields chunks; write_xlsx uses openpyxl's write-only mode,
which writes each row to disk as it comes (inline strings, no shared-string table), so memory
stays flat however many rows there are.
"""
from __future__ import annotations

import csv
import io
import re
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import IO

from flask import send_file
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from app.web.dates import format_iso

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")

# Excel reads a CSV as UTF-8 (macrons intact) only when the file starts with a byte-order mark.
UTF8_BOM = "\ufeff"


def escape_cell(value) -> str:
    """VALUE as a cell that no spreadsheet will run as a formula. None becomes ""."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (int, float, Decimal)):
        return str(value)  # numbers are data, even negative ones
    if isinstance(value, datetime) and value.tzinfo is not None:
        return format_iso(value)
    text = str(value)
    if text.startswith(FORMULA_PREFIXES):
        return "'" + text
    return text


def escape_row(row: Iterable) -> list[str]:
    return [escape_cell(value) for value in row]


def iter_csv(header: Iterable[str], rows: Iterable[Iterable], *, bom: bool = True,
             rows_per_chunk: int = 500) -> Iterator[str]:
    """Stream a CSV: yields text chunks of ROWS_PER_CHUNK rows, so memory stays flat however
    many rows there are. Every cell is escaped."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    if bom:
        buffer.write(UTF8_BOM)
    writer.writerow(escape_row(header))
    pending = 0
    for row in rows:
        writer.writerow(escape_row(row))
        pending += 1
        if pending >= rows_per_chunk:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
            pending = 0
    yield buffer.getvalue()


# ---------------------------------------------------------------- XLSX

XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Characters XML 1.0 cannot hold: openpyxl refuses the whole file when a cell has one.
_XML_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
# Excel refuses these in a sheet's name, and names longer than 31 characters.
_SHEET_TITLE_ILLEGAL = re.compile(r"[\[\]:*?/\\]")


@dataclass
class Sheet:
    """One worksheet: a TITLE (cleaned to what Excel accepts), a HEADER row (bold, frozen so
    it stays in view) and ROWS, any iterable: it is read once, row by row."""

    title: str
    header: Sequence[str]
    rows: Iterable[Iterable]


def xlsx_value(value):
    """VALUE as an XLSX cell value: numbers as numbers, everything else as escaped text."""
    if value is None:
        return None
    if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
        return value
    return _XML_ILLEGAL.sub("\ufffd", escape_cell(value))


def _sheet_titles(sheets: Sequence[Sheet]) -> list[str]:
    titles: list[str] = []
    for number, sheet in enumerate(sheets, start=1):
        base = _SHEET_TITLE_ILLEGAL.sub("-", sheet.title).strip("' ")[:31] or f"Sheet {number}"
        title, n = base, 2
        while title.lower() in (t.lower() for t in titles):  # Excel compares names ignoring case
            suffix = f" ({n})"
            title, n = base[:31 - len(suffix)] + suffix, n + 1
        titles.append(title)
    return titles


def write_xlsx(target: str | Path | IO[bytes], sheets: Iterable[Sheet]) -> None:
    """Write SHEETS to TARGET (a path or a binary file) as one .xlsx workbook."""
    sheets = list(sheets)
    workbook = Workbook(write_only=True)
    bold = Font(bold=True)
    for sheet, title in zip(sheets, _sheet_titles(sheets), strict=True):
        worksheet = workbook.create_sheet(title)
        worksheet.freeze_panes = "A2"
        for column, name in enumerate(sheet.header, start=1):
            # Column widths must be set before the first row is written.
            worksheet.column_dimensions[get_column_letter(column)].width = min(
                60, max(12, len(str(name)) + 4))
        header = []
        for name in sheet.header:
            cell = WriteOnlyCell(worksheet, value=xlsx_value(name))
            cell.font = bold
            header.append(cell)
        worksheet.append(header)
        for row in sheet.rows:
            cells = []
            for value in row:
                cell = WriteOnlyCell(worksheet, value=xlsx_value(value))
                if isinstance(cell.value, str):
                    cell.data_type = "s"  # text, never a formula, whatever it starts with
                cells.append(cell)
            worksheet.append(cells)
    if not sheets:
        workbook.create_sheet("Sheet 1")  # a workbook needs one sheet to open
    workbook.save(target)


def xlsx_response(filename: str, sheets: Iterable[Sheet]):
    """A download of SHEETS as FILENAME.xlsx. The workbook is built in a temporary file
    (on disk, not in memory) and streamed from it in chunks; the file is deleted when the
    response is closed. Call inside a request."""
    spool = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115 (closed with the response)
    try:
        write_xlsx(spool, sheets)
        spool.seek(0)
    except BaseException:
        spool.close()
        raise
    response = send_file(spool, mimetype=XLSX_MIMETYPE, as_attachment=True,
                         download_name=filename, max_age=0)
    response.headers["Cache-Control"] = "no-store"  # exports hold personal data
    return response
