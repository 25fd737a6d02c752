"""Codings in and out as CSV: one row per countable item with its themes (`themes export`),
and applying the themes a CSV names (`themes import-codings`)."""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import func, select

from app.analysis import operations as ops
from app.analysis.coding import apply_themes
from app.analysis.models import Coding, Theme
from app.corpus.models import FeedbackItem
from app.corpus.visibility import countable_items
from app.db import Session
from app.errors import OperationRefused
from app.spreadsheets import iter_csv

HEADER = ("item_id", "source", "external_id", "question", "theme_ids", "theme_names",
          "assigned_by")
SEPARATOR = ";"


def coding_rows(consultation_id: int) -> list[list]:
    """Every countable item with its applied codings on active themes (analyst or model)."""
    codings: dict[int, dict[int, set[str]]] = defaultdict(lambda: defaultdict(set))
    names: dict[int, str] = {}
    for item_id, theme_id, name, origin in Session.execute(
            select(Coding.item_id, Theme.id, Theme.name, Coding.origin)
            .join(Theme, Theme.id == Coding.theme_id)
            .join(FeedbackItem, FeedbackItem.id == Coding.item_id)
            .where(FeedbackItem.consultation_id == consultation_id,
                   Coding.status == "applied", Theme.status == "active")):
        codings[item_id][theme_id].add(origin)
        names[theme_id] = name
    rows = []
    for item in Session.execute(countable_items(consultation_id).with_only_columns(
            FeedbackItem.id, FeedbackItem.source, FeedbackItem.source_id,
            FeedbackItem.question_key).order_by(FeedbackItem.id)):
        themes = sorted(codings.get(item.id, {}).items())
        rows.append([item.id, item.source, item.source_id, item.question_key or "",
                     SEPARATOR.join(str(theme_id) for theme_id, _ in themes),
                     SEPARATOR.join(names[theme_id] for theme_id, _ in themes),
                     SEPARATOR.join("+".join(sorted(origins)) for _, origins in themes)])
    return rows


def csv_chunks(rows: Iterable[list]) -> Iterator[str]:
    return iter_csv(HEADER, rows)


@dataclass(frozen=True)
class ImportResult:
    items: int
    codings: int
    new_themes: int
    skipped: int


def _unescape(value: str | None) -> str:
    value = (value or "").strip()
    return value[1:] if value.startswith("'") and value[1:2] in "=+-@\t\r" else value


def _find_item(consultation, row: dict, number: int) -> FeedbackItem | None:
    item_id, external = _unescape(row.get("item_id")), _unescape(row.get("external_id"))
    stmt = countable_items(consultation.id)
    if item_id:
        if not item_id.isdigit():
            raise OperationRefused(_("Row %(n)s: item_id must be a number.", n=number))
        return Session.scalar(stmt.where(FeedbackItem.id == int(item_id)))
    if external:
        return Session.scalar(stmt.where(FeedbackItem.source_id == external))
    raise OperationRefused(_("Row %(n)s: give an item_id or an external_id.", n=number))


def _themes_of(codebook, row: dict, number: int, created: list) -> list[Theme]:
    themes = []
    for theme_id in filter(None, _unescape(row.get("theme_ids")).split(SEPARATOR)):
        theme = Session.get(Theme, int(theme_id)) if theme_id.strip().isdigit() else None
        if theme is None or theme.codebook_id != codebook.id or not theme.is_active:
            raise OperationRefused(_("Row %(n)s: theme %(id)s is not in the codebook.",
                                     n=number, id=theme_id))
        themes.append(theme)
    if themes:
        return themes
    for name in filter(None, (n.strip() for n in
                              _unescape(row.get("theme_names")).split(SEPARATOR))):
        theme = Session.scalar(select(Theme).where(
            Theme.codebook_id == codebook.id, Theme.status == "active",
            func.lower(Theme.name) == name.lower()))
        if theme is None:
            theme = ops.add_theme(codebook, name=name)
            created.append(theme.name)
        themes.append(theme)
    return themes


def import_codings(actor, consultation, header: list[str], rows: Iterable[dict]) -> ImportResult:
    """Apply each row's themes (theme_ids, else theme_names) to its item (item_id, else
    external_id) as analyst codings. Rows for items that are not countable are skipped."""
    ops.refuse_unless_analyst(actor)
    if not ({"item_id", "external_id"} & set(header)) or \
            not ({"theme_ids", "theme_names"} & set(header)):
        raise OperationRefused(_("The file needs an item_id or external_id column and a "
                                 "theme_ids or theme_names column."))
    codebook = ops.get_or_create_codebook(actor, consultation)
    created: list[str] = []
    items = codings = skipped = 0
    for number, row in enumerate(rows, start=2):  # row 1 is the header
        item = _find_item(consultation, row, number)
        themes = _themes_of(codebook, row, number, created)
        if item is None or not themes:
            skipped += 1
            continue
        codings += len(apply_themes(actor, item, codebook, themes))
        items += 1
    if created:
        ops.bump_version(codebook, actor, _("Themes added by a codings import: %(names)s.",
                                            names=", ".join(created)))
    return ImportResult(items, codings, len(created), skipped)
