"""Spreadsheet-safe CSV: every export goes through here.

A cell that starts with = + - @ (or a tab or carriage return, which some spreadsheets skip
before reading a formula) is run as a formula when the file is opened, so someone who types
`=HYPERLINK(...)` into a form could attack whoever opens the export. Such cells get a leading
apostrophe, which spreadsheets show as plain text (OWASP "CSV injection").
"""
from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")

# Excel reads a CSV as UTF-8 (macrons intact) only when the file starts with a byte-order mark.
UTF8_BOM = "\ufeff"


def escape_cell(value) -> str:
    """VALUE as a cell that no spreadsheet will run as a formula. None becomes ""."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (int, float)):
        return str(value)  # numbers are data, even negative ones
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
