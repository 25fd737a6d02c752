"""Statistical disclosure control: the one place numbers are made safe to leave the platform.

The design brief follows the national statistics office's confidentiality practice for every
count broken down by a group:

- a count from 1 to 5 is suppressed (shown as ``S``);
- secondary suppression: in every line of a table with its margins (each row with its row
  total, each column with its column total, the row totals with the grand total, the column
  totals with the grand total) either nothing or at least two entries are suppressed, so no
  suppressed entry is a total minus the published others;
- every other count, totals included, is randomly rounded to base 3 (RR3): a count that is a
  multiple of 3 stays; otherwise it goes to the multiple below or above, the nearer one with
  probability 2/3. The draw is seeded by (the report's seed, the cell's key), so the same report
  always shows the same figure and neighbouring cells round independently;
- percentages are computed from the rounded counts, never from the true ones.

Zero is published as 0 (it is a multiple of 3 and reveals no one). A report's seed is a random
token stored with the report, so someone who knows this algorithm still cannot replay the
rounding to undo it.
"""
from __future__ import annotations

import hashlib
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass

SUPPRESSED = "S"
SUPPRESS_UP_TO = 5  # counts 1..5 are suppressed
TOTAL = "__total__"  # the key of the margins (a row's total, a column's total)

Cell = int | str  # a rounded count, or SUPPRESSED


def rr3(value: int, seed: str, key: str) -> int:
    """VALUE randomly rounded to base 3, the draw seeded by (SEED, KEY): stable for the same
    pair, independent between keys. A remainder of 1 goes down with probability 2/3, a
    remainder of 2 goes up with probability 2/3 (so the rounding is unbiased)."""
    if value < 0:
        raise ValueError("counts are never negative")
    remainder = value % 3
    if remainder == 0:
        return value
    digest = hashlib.sha256(f"{seed}\x1f{key}".encode()).digest()
    draw = int.from_bytes(digest[:8], "big") / 2**64
    down = value - remainder
    threshold = 2 / 3 if remainder == 1 else 1 / 3
    return down if draw < threshold else down + 3


def is_small(value: int) -> bool:
    return 1 <= value <= SUPPRESS_UP_TO


@dataclass(frozen=True)
class ProtectedTable:
    """A table of counts as it may be published: rows × columns with a total column, a total
    row and the grand total, each entry a rounded count or SUPPRESSED."""

    row_keys: tuple
    col_keys: tuple
    entries: Mapping[tuple, Cell]  # (row, col) with TOTAL for the margins

    def cell(self, row, col) -> Cell:
        return self.entries[(row, col)]

    def row_total(self, row) -> Cell:
        return self.entries[(row, TOTAL)]

    def col_total(self, col) -> Cell:
        return self.entries[(TOTAL, col)]

    @property
    def total(self) -> Cell:
        return self.entries[(TOTAL, TOTAL)]

    def share(self, row, col, *, of: str = "row") -> str:
        """The cell as a percentage of its row's (or column's) total, computed from the rounded
        counts: "S" when either is suppressed, "–" when the total is 0."""
        whole = self.row_total(row) if of == "row" else self.col_total(col)
        return percentage(self.cell(row, col), whole)

    def suppressed_count(self) -> int:
        return sum(1 for value in self.entries.values() if value == SUPPRESSED)


def percentage(part: Cell, whole: Cell) -> str:
    if part == SUPPRESSED or whole == SUPPRESSED:
        return SUPPRESSED
    if whole == 0:
        return "–"
    return f"{round(100 * part / whole)}%"


def _lines(row_keys: Sequence, col_keys: Sequence) -> list[list[tuple]]:
    """Every additive line of the table with margins: its members, then its total last."""
    rows = [*row_keys, TOTAL]
    cols = [*col_keys, TOTAL]
    lines = [[(row, col) for col in cols] for row in rows]
    lines += [[(row, col) for row in rows] for col in cols]
    return lines


def _secondary(true: Mapping[tuple, int], suppressed: set[tuple],
               lines: list[list[tuple]]) -> None:
    """Suppress more entries until no line has exactly one suppressed entry. Each time, the
    smallest non-zero published member of that line (its total only if no member is left), so
    the least information is hidden. Terminates: entries are only ever added."""
    changed = True
    while changed:
        changed = False
        for line in lines:
            hidden = [key for key in line if key in suppressed]
            if len(hidden) != 1:
                continue
            candidates = [key for key in line[:-1] if key not in suppressed and true[key] > 0]
            if not candidates and line[-1] not in suppressed:
                candidates = [line[-1]]
            if not candidates:  # only zeros remain: the line's total is hidden already
                continue
            suppressed.add(min(candidates, key=lambda key: (true[key], str(key))))
            changed = True


def protect_table(counts: Mapping[tuple, int], row_keys: Iterable[Hashable],
                  col_keys: Iterable[Hashable], *, seed: str, table: str) -> ProtectedTable:
    """Protect a 2-D table of true COUNTS keyed by (row, col) (missing keys are 0): margins are
    added from the true counts, then suppressed or rounded. TABLE names the table in the
    report (part of every cell's rounding key, with the row and column)."""
    row_keys, col_keys = tuple(row_keys), tuple(col_keys)
    true: dict[tuple, int] = {}
    for row in row_keys:
        for col in col_keys:
            true[(row, col)] = int(counts.get((row, col), 0))
        true[(row, TOTAL)] = sum(true[(row, col)] for col in col_keys)
    for col in col_keys:
        true[(TOTAL, col)] = sum(true[(row, col)] for row in row_keys)
    true[(TOTAL, TOTAL)] = sum(true[(row, TOTAL)] for row in row_keys)

    suppressed = {key for key, value in true.items() if is_small(value)}
    _secondary(true, suppressed, _lines(row_keys, col_keys))
    entries: dict[tuple, Cell] = {}
    for key, value in true.items():
        if key in suppressed:
            entries[key] = SUPPRESSED
        else:
            entries[key] = rr3(value, seed, f"{table}\x1f{key[0]}\x1f{key[1]}")
    return ProtectedTable(row_keys, col_keys, entries)


def protect_breakdown(counts: Mapping[Hashable, int], keys: Iterable[Hashable], *, seed: str,
                      table: str, row: str = "count") -> ProtectedTable:
    """A one-line breakdown (counts per group, with its total) as a one-row table."""
    return protect_table({(row, key): value for key, value in counts.items()}, [row], keys,
                         seed=seed, table=table)


def protect_count(value: int, *, seed: str, key: str) -> Cell:
    """A single published count (an overall figure): suppressed when 1-5, else RR3."""
    return SUPPRESSED if is_small(value) else rr3(value, seed, key)
