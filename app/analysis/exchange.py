"""Codebooks in and out: CSV, and the REFI-QDA codebook exchange format (`.qdc`, QDA-XML
codebook 1.0, read and written by NVivo, ATLAS.ti, MAXQDA, QualCoder and Taguette).

Every .qdc written or read is validated against the published schema (refi/Codebook.xsd).
An import adds the themes the codebook lacks and updates the description and colour of those
it has (matched by name, ignoring case), as one new codebook version.
"""
from __future__ import annotations

import csv
import io
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from flask_babel import gettext as _
from lxml import etree
from sqlalchemy import func, select

from app.analysis.models import Codebook, Theme
from app.analysis.operations import (
    COLOUR_PATTERN,
    add_theme,
    bump_version,
    refuse_unless_analyst,
)
from app.analysis.queries import active_themes
from app.db import Session
from app.errors import OperationRefused
from app.spreadsheets import FORMULA_PREFIXES

QDC_NAMESPACE = "urn:QDA-XML:codebook:1.0"
SCHEMA_PATH = Path(__file__).parent / "refi" / "Codebook.xsd"
CSV_HEADER = ("id", "name", "parent", "description", "colour")
# Theme guids in a .qdc are derived from the theme id, so exporting twice gives the same file.
GUID_NAMESPACE = uuid.UUID("6f1c1a52-6a35-4c55-9f5e-4b1b2c0a7e21")


@dataclass(frozen=True)
class Entry:
    """One theme as a file describes it."""

    name: str
    parent: str | None
    description: str
    colour: str | None


@dataclass(frozen=True)
class ImportResult:
    added: int
    updated: int
    flattened: int = 0  # .qdc codes deeper than two levels, placed under their top-level code


# ---------------------------------------------------------------- CSV


def codebook_csv_rows(codebook: Codebook) -> Iterator[list]:
    themes = active_themes(codebook.id)
    names = {theme.id: theme.name for theme in themes}
    for theme in themes:
        yield [theme.id, theme.name, names.get(theme.parent_id, ""), theme.description,
               theme.colour]


def _unescape(value: str | None) -> str:
    """Undo the apostrophe app.spreadsheets puts before a cell that looks like a formula."""
    value = (value or "").strip()
    if value.startswith("'") and value[1:2] in FORMULA_PREFIXES:
        return value[1:]
    return value


def read_codebook_csv(text: str) -> list[Entry]:
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    fields = {(name or "").strip().lower(): name for name in reader.fieldnames or ()}
    if "name" not in fields:
        raise OperationRefused(_("The CSV file needs a “name” column (and may have parent, "
                                 "description and colour)."), field="file")
    entries = []
    for row in reader:
        def cell(column: str, row=row) -> str:
            return _unescape(row.get(fields[column])) if column in fields else ""

        if cell("name"):
            entries.append(Entry(cell("name"), cell("parent") or None, cell("description"),
                                 cell("colour") or None))
    return entries


# ---------------------------------------------------------------- REFI-QDA .qdc


@lru_cache(maxsize=1)
def qdc_schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(SCHEMA_PATH)))


def theme_guid(theme: Theme) -> str:
    return str(uuid.uuid5(GUID_NAMESPACE, f"korero-theme-{theme.id}"))


def codebook_qdc(codebook: Codebook) -> bytes:
    """The codebook's active themes as a REFI-QDA codebook (children nested in parents)."""
    themes = active_themes(codebook.id)
    if not themes:
        raise OperationRefused(_("The codebook has no themes to export yet."))
    root = etree.Element(f"{{{QDC_NAMESPACE}}}CodeBook", nsmap={None: QDC_NAMESPACE},
                         origin="Kōrero")
    codes = etree.SubElement(root, f"{{{QDC_NAMESPACE}}}Codes")
    elements: dict[int, etree._Element] = {}
    for theme in themes:
        parent = elements.get(theme.parent_id, codes)
        element = etree.SubElement(parent, f"{{{QDC_NAMESPACE}}}Code", guid=theme_guid(theme),
                                   name=theme.name, isCodable="true", color=theme.colour.upper())
        if theme.description:
            # Description comes before child codes (the schema's sequence).
            description = etree.Element(f"{{{QDC_NAMESPACE}}}Description")
            description.text = theme.description
            element.insert(0, description)
        elements[theme.id] = element
    return etree.tostring(root, xml_declaration=True, encoding="utf-8", pretty_print=True)


def _parse_qdc(data: bytes) -> etree._Element:
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                             huge_tree=False)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as error:
        raise OperationRefused(_("That file is not readable XML (%(problem)s).",
                                 problem=error.msg), field="file") from None
    schema = qdc_schema()
    if not schema.validate(root):
        first = schema.error_log.filter_from_errors()[0] if schema.error_log else None
        raise OperationRefused(_("That file is not a REFI-QDA codebook (.qdc): line "
                                 "%(line)s: %(problem)s", line=getattr(first, "line", "?"),
                                 problem=getattr(first, "message", "")), field="file")
    return root


def read_codebook_qdc(data: bytes) -> tuple[list[Entry], int]:
    """The codes of a .qdc, parents first; codes deeper than two levels go under their
    top-level ancestor (the number of those is returned beside the entries)."""
    root = _parse_qdc(data)
    tag = f"{{{QDC_NAMESPACE}}}Code"
    entries: list[Entry] = []
    flattened = 0

    def colour_of(element) -> str | None:
        colour = element.get("color")
        if colour and len(colour) == 4:  # #rgb -> #rrggbb
            colour = "#" + "".join(part * 2 for part in colour[1:])
        return colour

    def walk(element, top: str | None, depth: int) -> None:
        nonlocal flattened
        name = " ".join(element.get("name", "").split())
        description = element.findtext(f"{{{QDC_NAMESPACE}}}Description") or ""
        flattened += depth > 1
        entries.append(Entry(name, top, description.strip(), colour_of(element)))
        for child in element.iterchildren(tag):
            walk(child, top or name, depth + 1)

    for code in root.find(f"{{{QDC_NAMESPACE}}}Codes").iterchildren(tag):
        walk(code, None, 0)
    return entries, flattened


# ---------------------------------------------------------------- importing


def _by_name(codebook: Codebook, name: str) -> Theme | None:
    return Session.scalar(select(Theme).where(
        Theme.codebook_id == codebook.id, Theme.status == "active",
        func.lower(Theme.name) == name.lower()))


def _import_entry(codebook: Codebook, entry: Entry) -> str:
    parent = _by_name(codebook, entry.parent) if entry.parent else None
    if entry.parent and parent is None:
        raise OperationRefused(_("the parent theme “%(name)s” is not in the file above this "
                                 "row nor in the codebook", name=entry.parent))
    if parent is not None and parent.parent_id is not None:
        parent = Session.get(Theme, parent.parent_id)  # two levels: under the top level
    existing = _by_name(codebook, entry.name)
    if existing is None:
        add_theme(codebook, name=entry.name, description=entry.description,
                  colour=entry.colour, parent=parent)
        return "added"
    if entry.colour and not COLOUR_PATTERN.match(entry.colour):
        raise OperationRefused(_("the colour must be # and six hexadecimal digits"))
    new = (entry.description or existing.description,
           (entry.colour or existing.colour).lower())
    if new == (existing.description, existing.colour):
        return "same"
    existing.description, existing.colour = new
    return "updated"


def import_entries(actor, codebook: Codebook, entries: list[Entry], *, what: str,
                   flattened: int = 0) -> ImportResult:
    """Add or update the themes ENTRIES describe, as one codebook version."""
    refuse_unless_analyst(actor)
    if not entries:
        raise OperationRefused(_("The file has no themes in it."), field="file")
    counts = {"added": 0, "updated": 0, "same": 0}
    for number, entry in enumerate(entries, start=1):
        try:
            counts[_import_entry(codebook, entry)] += 1
        except OperationRefused as error:
            raise OperationRefused(_("Theme %(n)s (“%(name)s”): %(problem)s", n=number,
                                     name=entry.name, problem=str(error)),
                                   field="file") from None
    result = ImportResult(counts["added"], counts["updated"], flattened)
    if result.added or result.updated:
        bump_version(codebook, actor, _(
            "Imported from %(what)s: %(added)s themes added, %(updated)s updated.",
            what=what, added=result.added, updated=result.updated))
    return result
