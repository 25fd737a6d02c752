"""Changing a codebook: create, edit, merge, split and delete themes (two levels).

Every function takes the actor (an analyst; None for the command line), checks, changes the
database and flushes, never commits. Every change to the themes bumps the codebook's version
and stores a CodebookVersion with what changed and a snapshot of every theme, so a report can
name the version it used; each change is audited as `analysis.codebook_changed`.
"""
from __future__ import annotations

import json
import re
from collections.abc import Iterable

from flask_babel import gettext as _
from sqlalchemy import func, select, update

from app.analysis.models import DEFAULT_COLOUR, Codebook, CodebookVersion, Coding, Theme
from app.db import Session, utcnow
from app.errors import OperationRefused
from app.privacy.audit import record_event

COLOUR_PATTERN = re.compile(r"^#[0-9a-fA-F]{6}$")
NAME_LENGTH = 120


def refuse_unless_analyst(actor) -> None:
    """Analysts change analysis; None is the command line (a system import)."""
    if actor is not None and not actor.has_role("analyst"):
        raise OperationRefused(_("Only analysts may change the analysis."))


def snapshot_of(codebook: Codebook) -> str:
    """Every theme of CODEBOOK as canonical JSON (sorted keys, by id, no spaces)."""
    themes = Session.scalars(select(Theme).where(Theme.codebook_id == codebook.id)
                             .order_by(Theme.id))
    rows = [{"id": theme.id, "parent_id": theme.parent_id, "name": theme.name,
             "description": theme.description, "colour": theme.colour, "status": theme.status,
             "position": theme.position, "merged_into_id": theme.merged_into_id}
            for theme in themes]
    return json.dumps(rows, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _store_version(codebook: Codebook, actor, summary: str) -> CodebookVersion:
    Session.flush()
    version = CodebookVersion(codebook_id=codebook.id, number=codebook.version,
                              created_by_id=getattr(actor, "id", None), summary=summary,
                              snapshot=snapshot_of(codebook))
    Session.add(version)
    Session.flush()
    return version


def bump_version(codebook: Codebook, actor, summary: str) -> CodebookVersion:
    """Record a change to CODEBOOK's themes: a new version number, snapshot and audit event."""
    codebook.version += 1
    codebook.updated_at = utcnow()
    version = _store_version(codebook, actor, summary)
    record_event(actor, "analysis.codebook_changed", target=codebook,
                 detail={"version": codebook.version, "summary": summary})
    return version


def get_or_create_codebook(actor, consultation) -> Codebook:
    """The consultation's codebook, started (version 1, no themes) when it has none."""
    refuse_unless_analyst(actor)
    codebook = Session.scalar(select(Codebook).where(Codebook.consultation_id == consultation.id))
    if codebook is None:
        codebook = Codebook(consultation_id=consultation.id, version=1, updated_at=utcnow())
        Session.add(codebook)
        Session.flush()
        _store_version(codebook, actor, _("Codebook started."))
    return codebook


# ---------------------------------------------------------------- checks


def _clean_name(name: str) -> str:
    name = " ".join((name or "").split())
    if not name:
        raise OperationRefused(_("Give the theme a name."), field="name")
    if len(name) > NAME_LENGTH:
        raise OperationRefused(_("Keep the name to %(n)s characters or fewer.", n=NAME_LENGTH),
                               field="name")
    return name


def _check_name_free(codebook: Codebook, name: str, theme: Theme | None = None) -> None:
    clash = Session.scalar(select(Theme.id).where(
        Theme.codebook_id == codebook.id, Theme.status == "active",
        func.lower(Theme.name) == name.lower(),
        Theme.id != (theme.id if theme is not None else -1)))
    if clash is not None:
        raise OperationRefused(_("The codebook already has a theme called “%(name)s”.",
                                 name=name), field="name")


def _clean_colour(colour: str | None) -> str:
    colour = (colour or DEFAULT_COLOUR).strip()
    if not COLOUR_PATTERN.match(colour):
        raise OperationRefused(_("Give the colour as # and six hexadecimal digits, for example "
                                 "#4c6b8a."), field="colour")
    return colour.lower()


def _check_parent(codebook: Codebook, parent: Theme | None, theme: Theme | None = None) -> None:
    if parent is None:
        return
    if parent.codebook_id != codebook.id or not parent.is_active:
        raise OperationRefused(_("Choose a parent theme from this codebook."), field="parent")
    if parent.parent_id is not None:
        raise OperationRefused(_("A theme can only sit under a top-level theme: the codebook "
                                 "has two levels."), field="parent")
    if theme is not None and (parent.id == theme.id or children_of(theme)):
        raise OperationRefused(_("A theme with themes under it stays at the top level."),
                               field="parent")


def _check_active(theme: Theme, codebook: Codebook | None = None) -> None:
    if not theme.is_active or (codebook is not None and theme.codebook_id != codebook.id):
        raise OperationRefused(_("That theme is no longer in the codebook."))


def children_of(theme: Theme) -> list[Theme]:
    return list(Session.scalars(select(Theme).where(
        Theme.parent_id == theme.id, Theme.status == "active").order_by(Theme.position)))


def _next_position(codebook: Codebook) -> int:
    highest = Session.scalar(select(func.max(Theme.position))
                             .where(Theme.codebook_id == codebook.id))
    return (highest or 0) + 1


# ---------------------------------------------------------------- changes


def add_theme(codebook: Codebook, *, name: str, description: str = "",
              colour: str | None = None, parent: Theme | None = None) -> Theme:
    """Add a theme without recording a version: for a change made of several steps (an
    import, a promotion of candidates) that calls bump_version once at the end."""
    name = _clean_name(name)
    _check_name_free(codebook, name)
    _check_parent(codebook, parent)
    theme = Theme(codebook_id=codebook.id, name=name, description=(description or "").strip(),
                  colour=_clean_colour(colour), parent_id=parent.id if parent else None,
                  status="active", position=_next_position(codebook), created_at=utcnow())
    Session.add(theme)
    Session.flush()
    return theme


def create_theme(actor, codebook: Codebook, *, name: str, description: str = "",
                 colour: str | None = None, parent: Theme | None = None) -> Theme:
    refuse_unless_analyst(actor)
    theme = add_theme(codebook, name=name, description=description, colour=colour,
                      parent=parent)
    bump_version(codebook, actor, _("Theme “%(name)s” added.", name=theme.name))
    return theme


def edit_theme(actor, theme: Theme, *, name: str, description: str, colour: str | None,
               parent: Theme | None) -> Theme:
    """Rename, describe, recolour or move THEME (to the top level when PARENT is None)."""
    refuse_unless_analyst(actor)
    codebook = theme.codebook
    _check_active(theme)
    name = _clean_name(name)
    _check_name_free(codebook, name, theme)
    _check_parent(codebook, parent, theme)
    changes = []
    if name != theme.name:
        changes.append(_("“%(old)s” renamed “%(new)s”.", old=theme.name, new=name))
    new = (( description or "").strip(), _clean_colour(colour), parent.id if parent else None)
    if new != (theme.description, theme.colour, theme.parent_id):
        changes.append(_("Theme “%(name)s” edited.", name=name))
    if not changes:
        return theme
    theme.name = name
    theme.description, theme.colour, theme.parent_id = new
    bump_version(codebook, actor, " ".join(changes))
    return theme


def _dedupe_codings(theme: Theme) -> None:
    """After codings moved onto THEME, keep one of any two that say the same thing (same
    item, span, origin and status): the earlier."""
    seen: set[tuple] = set()
    codings = Session.scalars(select(Coding).where(Coding.theme_id == theme.id)
                              .order_by(Coding.created_at, Coding.id))
    for coding in codings:
        key = (coding.item_id, coding.span_start, coding.span_end, coding.origin, coding.status)
        if key in seen:
            Session.delete(coding)
        seen.add(key)


def merge_themes(actor, source: Theme, target: Theme) -> Theme:
    """Merge SOURCE into TARGET: its codings move to TARGET, its children too (under TARGET,
    or beside it when TARGET is itself a child), and SOURCE is kept as 'merged'."""
    refuse_unless_analyst(actor)
    codebook = source.codebook
    _check_active(source)
    _check_active(target, codebook)
    if source.id == target.id:
        raise OperationRefused(_("Choose another theme to merge into."), field="target")
    if target.parent_id == source.id:
        target.parent_id = source.parent_id
    new_parent = target.id if target.parent_id is None else target.parent_id
    for child in children_of(source):
        if child.id != target.id:
            child.parent_id = new_parent
    Session.execute(update(Coding).where(Coding.theme_id == source.id)
                    .values(theme_id=target.id).execution_options(synchronize_session=False))
    Session.expire_all()
    _dedupe_codings(target)
    source.status, source.merged_into_id = "merged", target.id
    bump_version(codebook, actor, _("“%(source)s” merged into “%(target)s”.",
                                    source=source.name, target=target.name))
    return target


def split_theme(actor, theme: Theme, *, name: str, coding_ids: Iterable[int],
                description: str = "") -> Theme:
    """A new theme beside THEME (same parent) named NAME, taking the codings CODING_IDS."""
    refuse_unless_analyst(actor)
    codebook = theme.codebook
    _check_active(theme)
    wanted = set(coding_ids)
    if not wanted:
        raise OperationRefused(_("Choose the codings that move to the new theme."),
                               field="coding_ids")
    moving = list(Session.scalars(select(Coding).where(
        Coding.id.in_(wanted), Coding.theme_id == theme.id)))
    if len(moving) != len(wanted):
        raise OperationRefused(_("Choose codings of “%(name)s” only.", name=theme.name),
                               field="coding_ids")
    name = _clean_name(name)
    _check_name_free(codebook, name)
    new = Theme(codebook_id=codebook.id, name=name, description=(description or "").strip(),
                colour=theme.colour, parent_id=theme.parent_id, status="active",
                position=_next_position(codebook), created_at=utcnow())
    Session.add(new)
    Session.flush()
    for coding in moving:
        coding.theme_id = new.id
    bump_version(codebook, actor, _("“%(new)s” split from “%(old)s” (%(n)s codings).",
                                    new=name, old=theme.name, n=len(moving)))
    return new


def delete_theme(actor, theme: Theme) -> None:
    """Take THEME out of the codebook. Its codings stay (old versions name them) but count
    no more; themes under it move to the top level."""
    refuse_unless_analyst(actor)
    _check_active(theme)
    for child in children_of(theme):
        child.parent_id = None
    theme.status = "deleted"
    bump_version(theme.codebook, actor, _("Theme “%(name)s” deleted.", name=theme.name))


def move_theme(actor, theme: Theme, direction: int) -> None:
    """Swap THEME with its previous (-1) or next (+1) sibling in the codebook's order."""
    refuse_unless_analyst(actor)
    _check_active(theme)
    siblings = list(Session.scalars(select(Theme).where(
        Theme.codebook_id == theme.codebook_id, Theme.status == "active",
        Theme.parent_id.is_(None) if theme.parent_id is None
        else Theme.parent_id == theme.parent_id).order_by(Theme.position, Theme.id)))
    index = siblings.index(theme)
    other = index + (1 if direction > 0 else -1)
    if not 0 <= other < len(siblings):
        return
    neighbour = siblings[other]
    theme.position, neighbour.position = neighbour.position, theme.position
    if theme.position == neighbour.position:
        theme.position += 1 if direction > 0 else -1
    bump_version(theme.codebook, actor, _("Theme “%(name)s” moved.", name=theme.name))
