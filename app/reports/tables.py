"""Report tables in the one shape every export renders: protected counts with their labels.

A table here is plain JSON-ready data (it is stored in the build snapshot): the counts were
suppressed and rounded by `app.reports.confidentiality` before they got here, so an export can
only ever show what is safe.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence

from app.reports.confidentiality import SUPPRESSED, TOTAL, ProtectedTable, protect_table


def make_table(key: str, title: str, counts: Mapping[tuple, int], rows: Sequence[tuple],
               cols: Sequence[tuple], *, row_label: str, seed: str) -> dict:
    """A protected table. ROWS and COLS are (key, label) pairs; COUNTS is keyed by
    (row key, col key) with true counts."""
    protected = protect_table(counts, [k for k, _ in rows], [k for k, _ in cols], seed=seed,
                              table=key)
    return {
        "key": key,
        "title": title,
        "header": [row_label, *[label for _, label in cols], "Total"],
        "row_keys": [str(k) for k, _ in rows],
        "col_keys": [str(k) for k, _ in cols],
        "rows": [[label, *[protected.cell(k, c) for c, _ in cols], protected.row_total(k)]
                 for k, label in rows],
        "footer": ["Total", *[protected.col_total(c) for c, _ in cols], protected.total],
        "shares": [[_share(protected, k, c) for c, _ in cols] for k, _ in rows],
    }


def _share(protected: ProtectedTable, row, col) -> str:
    return protected.share(row, col)


def row_of(table: dict, row_key: str) -> dict:
    """One row of a table as a small breakdown: labels, counts, shares and the total."""
    index = table["row_keys"].index(row_key)
    row = table["rows"][index]
    return {"labels": table["header"][1:-1], "counts": row[1:-1], "total": row[-1],
            "shares": table["shares"][index]}


def table_cells(table: dict):
    """Every published entry of a table (cells and margins), for checks and tests."""
    for row in table["rows"]:
        yield from row[1:]
    yield from table["footer"][1:]


__all__ = ["SUPPRESSED", "TOTAL", "make_table", "row_of", "table_cells"]
