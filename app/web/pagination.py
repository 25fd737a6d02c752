"""Paged lists: one COUNT and one LIMIT/OFFSET query, so a list never loads more than a page.

Render a Page with the `pager` macro in templates/_macros/pagination.html.
"""
from __future__ import annotations

from dataclasses import dataclass
from math import ceil
from typing import Generic, TypeVar

from sqlalchemy import Select, func, select

from app.db import Session

DEFAULT_PER_PAGE = 25
T = TypeVar("T")


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of a list, with what the pager needs to link to the others."""

    items: list[T]
    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, ceil(self.total / self.per_page))

    @property
    def has_previous(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def first_index(self) -> int:
        """The 1-based position of the first item on this page (0 when there are none)."""
        return (self.page - 1) * self.per_page + 1 if self.items else 0

    @property
    def last_index(self) -> int:
        return self.first_index + len(self.items) - 1 if self.items else 0

    def nearby(self, width: int = 2) -> list[int | None]:
        """Page numbers to link to: the first, the last, and WIDTH either side of this one;
        None marks a gap (shown as an ellipsis)."""
        wanted = {1, self.pages, *range(self.page - width, self.page + width + 1)}
        numbers = sorted(n for n in wanted if 1 <= n <= self.pages)
        shown: list[int | None] = []
        for number in numbers:
            if shown and number - shown[-1] > 1:  # type: ignore[operator]
                shown.append(None)
            shown.append(number)
        return shown


def paginate(stmt: Select, page: int = 1, per_page: int | None = None, *,
             scalars: bool = True) -> Page:
    """Page PAGE (from 1) of STMT, which must be ordered (a stable order, ending in a unique
    column, so no row shows on two pages). A page past the end comes back empty, with the
    total, so the pager can still link back.

    SCALARS=False returns rows (tuples) for a statement that selects several things.
    """
    per_page = per_page or DEFAULT_PER_PAGE
    if per_page < 1:
        raise ValueError("per_page must be at least 1")
    page = max(1, page)
    total = Session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery()))
    limited = stmt.limit(per_page).offset((page - 1) * per_page)
    if scalars:
        # unique(): joined eager loads repeat the parent row once per child.
        items = list(Session.scalars(limited).unique().all())
    else:
        items = list(Session.execute(limited).all())
    return Page(items=items, page=page, per_page=per_page, total=total or 0)
