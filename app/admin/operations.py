"""What administrators change: people's roles and access, organisations, consultations and
site settings. Every function takes the acting person, audits what it changed, flushes and
never commits (the view or CLI command does). Refusals raise OperationRefused."""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import func, select

from app.auth.sessions import end_all_sessions
from app.db import Session
from app.errors import OperationRefused
from app.models import (
    CONSULTATION_STATUSES,
    ROLES,
    STAKEHOLDER_GROUPS,
    Consultation,
    Membership,
    Organisation,
    SiteSetting,
    User,
    UserRole,
)
from app.privacy.audit import record_event
from app.sanitize import markdown_to_html

SLUG_MAX = 80
SETTING_SELF_REGISTRATION = "self_registration_open"


# ------------------------------------------------------------------ people


def update_user(actor: User | None, user: User, *, display_name: str, roles: Iterable[str],
                organisation_ids: Iterable[int], is_enabled: bool, ip: str = "") -> User:
    """Change USER's name, roles, organisations and whether the account is enabled.

    Audits each kind of change (a new name as "user.renamed"). Disabling ends every session
    the person has. Refuses to let an administrator take away their own admin role or disable
    their own account, and refuses unknown roles or organisations.
    """
    new_roles = set(roles)
    unknown = new_roles - set(ROLES)
    if unknown or not new_roles:
        raise OperationRefused(_("Choose at least one role from the list."), field="roles")
    is_self = actor is not None and actor.id == user.id
    if is_self and "admin" in user.roles and "admin" not in new_roles:
        raise OperationRefused(
            _("You cannot remove your own administrator role. Ask another administrator."),
            field="roles")
    if is_self and not is_enabled:
        raise OperationRefused(
            _("You cannot disable your own account. Ask another administrator."),
            field="is_enabled")
    organisations = _organisations_by_id(organisation_ids)

    _rename(actor, user, display_name, ip)
    _set_roles(actor, user, new_roles, ip)
    _set_organisations(actor, user, organisations, ip)
    if bool(user.is_enabled) != bool(is_enabled):
        user.is_enabled = bool(is_enabled)
        if not is_enabled:
            end_all_sessions(user)
        record_event(actor, "user.enabled" if is_enabled else "user.disabled", target=user,
                     detail={"email": user.email}, ip=ip)
    Session.flush()
    return user


def _rename(actor, user: User, display_name: str, ip: str) -> None:
    new_name = display_name.strip()
    if new_name == user.display_name:
        return
    record_event(actor, "user.renamed", target=user, ip=ip,
                 detail={"email": user.email, "old": user.display_name, "new": new_name})
    user.display_name = new_name


def _organisations_by_id(organisation_ids: Iterable[int]) -> list[Organisation]:
    wanted = set(organisation_ids)
    if not wanted:
        return []
    found = list(Session.scalars(select(Organisation).where(Organisation.id.in_(wanted))))
    if len(found) != len(wanted):
        raise OperationRefused(_("One of the chosen organisations no longer exists. "
                                 "Reload the page and choose again."), field="organisation_ids")
    return found


def _set_roles(actor, user: User, new_roles: set[str], ip: str) -> None:
    old_roles = set(user.roles)
    if new_roles == old_roles:
        return
    # Change only the rows that differ: a row for a kept role is never deleted and re-added.
    for row in list(user.role_rows):
        if row.role not in new_roles:
            user.role_rows.remove(row)
    for role in sorted(new_roles - old_roles):
        user.role_rows.append(UserRole(role=role))
    record_event(actor, "user.roles_changed", target=user, ip=ip,
                 detail={"email": user.email, "old": sorted(old_roles), "new": sorted(new_roles)})


def _set_organisations(actor, user: User, organisations: list[Organisation], ip: str) -> None:
    old = {m.organisation_id: m.organisation.name for m in user.memberships}
    new = {org.id: org.name for org in organisations}
    if set(old) == set(new):
        return
    for membership in list(user.memberships):
        if membership.organisation_id not in new:
            user.memberships.remove(membership)
    for org in organisations:
        if org.id not in old:
            user.memberships.append(Membership(organisation=org))
    record_event(actor, "user.organisations_changed", target=user, ip=ip,
                 detail={"email": user.email, "old": sorted(old.values()),
                         "new": sorted(new.values())})


# ------------------------------------------------------------------ organisations


def _valid_organisation_name(name: str, stakeholder_group: str, *,
                             except_id: int | None = None) -> str:
    """NAME tidied, or OperationRefused when it is empty or taken, or the group unknown."""
    name = " ".join(name.split())
    if not name:
        raise OperationRefused(_("Enter the organisation's name."), field="name")
    if stakeholder_group not in STAKEHOLDER_GROUPS:
        raise OperationRefused(_("Choose the organisation's stakeholder group."),
                               field="stakeholder_group")
    stmt = select(Organisation.id).where(func.lower(Organisation.name) == name.lower())
    if except_id is not None:
        stmt = stmt.where(Organisation.id != except_id)
    if Session.scalar(stmt) is not None:
        raise OperationRefused(_("There is already an organisation called “%(name)s”.",
                                 name=name), field="name")
    return name


def create_organisation(actor: User | None, *, name: str, stakeholder_group: str,
                        ip: str = "") -> Organisation:
    """Add an organisation. Refuses a name already in use (ignoring case) or an unknown
    stakeholder group."""
    name = _valid_organisation_name(name, stakeholder_group)
    org = Organisation(name=name, stakeholder_group=stakeholder_group)
    Session.add(org)
    Session.flush()
    record_event(actor, "organisation.created", target=org, ip=ip,
                 detail={"name": name, "stakeholder_group": stakeholder_group})
    return org


def update_organisation(actor: User | None, org: Organisation, *, name: str,
                        stakeholder_group: str, ip: str = "") -> Organisation:
    """Rename an organisation or move it to another stakeholder group; refuses as
    create_organisation does."""
    name = _valid_organisation_name(name, stakeholder_group, except_id=org.id)
    changes = {}
    if org.name != name:
        changes["name"] = [org.name, name]
        org.name = name
    if org.stakeholder_group != stakeholder_group:
        changes["stakeholder_group"] = [org.stakeholder_group, stakeholder_group]
        org.stakeholder_group = stakeholder_group
    Session.flush()
    if changes:
        record_event(actor, "organisation.updated", target=org, ip=ip, detail=changes)
    return org


# ------------------------------------------------------------------ consultations


def slugify(text: str) -> str:
    """'Kōrero: data use, 2026!' -> 'korero-data-use-2026'."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:SLUG_MAX].rstrip("-")


def _slug_taken(slug: str, except_id: int | None) -> bool:
    stmt = select(Consultation.id).where(Consultation.slug == slug)
    if except_id is not None:
        stmt = stmt.where(Consultation.id != except_id)
    return Session.scalar(stmt) is not None


def _choose_slug(title: str, slug: str, except_id: int | None) -> str:
    """SLUG as typed (refused if taken), or a free one made from TITLE."""
    if slug:
        if _slug_taken(slug, except_id):
            raise OperationRefused(_("Another consultation already uses that web address "
                                     "name. Choose a different one."), field="slug")
        return slug
    base = slugify(title) or "consultation"
    candidate, n = base, 2
    while _slug_taken(candidate, except_id):
        suffix = f"-{n}"
        candidate = base[:SLUG_MAX - len(suffix)] + suffix
        n += 1
    return candidate


def _check_consultation(title: str, opens_at: datetime, closes_at: datetime, status: str):
    if not title.strip():
        raise OperationRefused(_("Enter a title."), field="title")
    if closes_at <= opens_at:
        raise OperationRefused(_("The closing time must be after the opening time."),
                               field="closes_at")
    if status not in CONSULTATION_STATUSES:
        raise OperationRefused(_("Choose a status from the list."), field="status")


def create_consultation(actor: User | None, *, title: str, summary: str, opens_at: datetime,
                        closes_at: datetime, status: str = "draft", slug: str = "",
                        ip: str = "") -> Consultation:
    """Add a consultation; the summary's Markdown is sanitised into summary_html. Refuses a
    taken slug, an empty title, or a close that is not after the open."""
    _check_consultation(title, opens_at, closes_at, status)
    consultation = Consultation(
        title=title.strip(), slug=_choose_slug(title, slug.strip(), None),
        summary=summary, summary_html=markdown_to_html(summary),
        opens_at=opens_at, closes_at=closes_at, status=status,
    )
    Session.add(consultation)
    Session.flush()
    record_event(actor, "consultation.created", target=consultation, ip=ip,
                 detail={"title": consultation.title, "slug": consultation.slug,
                         "status": status})
    return consultation


def update_consultation(actor: User | None, consultation: Consultation, *, title: str,
                        summary: str, opens_at: datetime, closes_at: datetime, status: str,
                        slug: str = "", ip: str = "") -> Consultation:
    """Change a consultation's text, dates, status or slug; refuses as create_consultation."""
    _check_consultation(title, opens_at, closes_at, status)
    new = {
        "title": title.strip(),
        "slug": _choose_slug(title, slug.strip(), consultation.id),
        "summary": summary,
        "opens_at": opens_at,
        "closes_at": closes_at,
        "status": status,
    }
    changed = sorted(key for key, value in new.items() if getattr(consultation, key) != value)
    for key in changed:
        setattr(consultation, key, new[key])
    if "summary" in changed:
        consultation.summary_html = markdown_to_html(summary)
    Session.flush()
    if changed:
        record_event(actor, "consultation.updated", target=consultation, ip=ip,
                     detail={"changed": changed, "status": consultation.status})
    return consultation


# ------------------------------------------------------------------ settings


def set_self_registration(actor: User | None, is_open: bool, ip: str = "") -> SiteSetting:
    """Open or close self-registration for participants; audits a change."""
    value = "yes" if is_open else "no"
    setting = Session.get(SiteSetting, SETTING_SELF_REGISTRATION)
    old = setting.value if setting else "no"
    if setting is None:
        setting = SiteSetting(key=SETTING_SELF_REGISTRATION, value=value)
        Session.add(setting)
    setting.value = value
    Session.flush()
    if old != value:
        record_event(actor, "settings.changed", ip=ip, target_type="site_setting",
                     target_id=SETTING_SELF_REGISTRATION,
                     detail={"key": SETTING_SELF_REGISTRATION, "old": old, "new": value})
    return setting
