"""The audit log as people read it: each event a sentence ("Hana Walker changed Sione Taufa's
roles"), names linked to everything involving that person, details as labelled values.

Written for the advisory group (privacy and security people, not engineers): no action codes,
no JSON. The CSV export keeps every raw field for anyone who needs them.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field

from flask import url_for
from flask_babel import lazy_gettext as _l
from markupsafe import Markup, escape

from app.labels import ROLE_LABELS
from app.privacy import queries
from app.privacy.audit import AUDIT_ACTIONS

ERASED = _l("a person whose details were erased")
SYSTEM = _l("System (command line)")

# What an event's target is, in words, for the filter's select list and the sentences.
TARGET_TYPES = {
    "job": _l("Background job"),
    "consultation": _l("Consultation"),
    "feedback_item": _l("Feedback item"),
    "invitation": _l("Invitation"),
    "governance_approval": _l("Kaitiaki approval"),
    "organisation": _l("Organisation"),
    "user": _l("Person"),
    "site_setting": _l("Site setting"),
}

# One sentence per action; %(actor)s and %(target)s are filled with (linked) names.
SENTENCES = {
    "login.success": _l("%(actor)s signed in"),
    "login.failure": _l("%(actor)s failed to sign in"),
    "logout": _l("%(actor)s signed out"),
    "reauth.failure": _l("%(actor)s failed to confirm it was them"),
    "password.changed": _l("%(actor)s changed their password"),
    "password.reset_requested": _l("%(actor)s asked for a password reset"),
    "password.reset": _l("%(actor)s reset their password"),
    "two_factor.enabled": _l("%(actor)s turned on two-factor sign-in"),
    "two_factor.disabled": _l("%(actor)s turned off two-factor sign-in"),
    "two_factor.recovery_used": _l("%(actor)s signed in with a recovery code"),
    "two_factor.recovery_codes_replaced": _l("%(actor)s replaced their recovery codes"),
    "invitation.created": _l("%(actor)s invited %(target)s"),
    "invitation.accepted": _l("%(actor)s accepted an invitation"),
    "invitation.revoked": _l("%(actor)s withdrew the invitation of %(target)s"),
    "user.created": _l("%(actor)s added %(target)s"),
    "user.registered": _l("%(actor)s registered"),
    "user.renamed": _l("%(actor)s changed the name of %(target)s"),
    "user.roles_changed": _l("%(actor)s changed %(target)s's roles"),
    "user.enabled": _l("%(actor)s enabled the account of %(target)s"),
    "user.disabled": _l("%(actor)s disabled the account of %(target)s"),
    "user.organisations_changed": _l("%(actor)s changed %(target)s's organisations"),
    "organisation.created": _l("%(actor)s created %(target)s"),
    "organisation.updated": _l("%(actor)s changed %(target)s"),
    "consultation.created": _l("%(actor)s created %(target)s"),
    "consultation.updated": _l("%(actor)s changed %(target)s"),
    "settings.changed": _l("%(actor)s changed a site setting"),
    "consent.changed": _l("%(actor)s changed the consent for %(target)s"),
    "feedback.verified_change": _l("The giver of %(target)s changed it through their receipt"),
    "feedback.redacted": _l("%(actor)s redacted %(target)s"),
    "governance.decided": _l("%(actor)s recorded a kaitiaki decision on %(target)s"),
    "record.viewed": _l("%(actor)s viewed the record of %(target)s"),
    "export.created": _l("%(actor)s downloaded an export"),
    "audit.viewed": _l("%(actor)s viewed the audit log"),
    "audit.personal_erased": _l("%(actor)s erased the personal details of %(target)s"),
}

DETAIL_LABELS = {
    "reason": _l("Reason"), "second_factor": _l("Second factor"), "email": _l("Email"),
    "roles": _l("Roles"), "filters": _l("Filters"), "export": _l("Export"),
    "page": _l("Page"), "purpose": _l("Purpose"), "organisation_id": _l("Organisation"),
    "is_demo": _l("Demo account"), "existing_account": _l("Had an account already"),
    "stakeholder_group": _l("Stakeholder group"), "status": _l("Status"),
    "changed": _l("Changed"), "key": _l("Setting"), "version": _l("Consent version"),
    "use": _l("Use"), "decision": _l("Decision"), "rows": _l("Records erased"),
    "group_id": _l("Kaitiaki group"), "consultation_id": _l("Consultation"),
    "account": _l("Account"), "name": _l("Name"), "display_name": _l("Name"),
    "verified_by": _l("Verified by"), "passages": _l("Passages"),
}
# What an old → new pair is, per action (otherwise "Change").
CHANGE_LABELS = {
    "user.renamed": _l("Name"), "user.roles_changed": _l("Roles"),
    "user.organisations_changed": _l("Organisations"), "settings.changed": _l("Value"),
    "consent.changed": _l("Consent"),
}
VALUE_LABELS = {
    "wrong_password": _l("wrong password"), "unknown_account": _l("no account with that address"),
    "account_disabled": _l("account disabled"), "demo_in_production": _l("demo account refused"),
    "none": _l("none"), "totp": _l("authenticator app"), "recovery": _l("recovery code"),
    True: _l("yes"), False: _l("no"),
}


@dataclass
class EventView:
    id: int
    occurred_at: object
    sentence: Markup
    details: list[tuple[str, str]] = field(default_factory=list)
    ip_address: str = ""
    label: str = ""


def _value(value, action: str = "") -> str:
    if isinstance(value, (bool, str)) and value in VALUE_LABELS:
        return str(VALUE_LABELS[value])
    if isinstance(value, list):
        if action == "user.roles_changed":
            return ", ".join(str(ROLE_LABELS.get(v, v)) for v in value) or str(_l("none"))
        return ", ".join(_value(v) for v in value) or str(_l("none"))
    if isinstance(value, dict):
        return "; ".join(f"{DETAIL_LABELS.get(k, k.replace('_', ' '))!s}: {_value(v)}"
                         for k, v in value.items()) or str(_l("none"))
    return "" if value is None else str(value)


def _details(action: str, detail: dict) -> list[tuple[str, str]]:
    rows = []
    if "old" in detail or "new" in detail:
        old = _value(detail.pop("old", None), action)
        new = _value(detail.pop("new", None), action)
        rows.append((str(CHANGE_LABELS.get(action, _l("Change"))), f"{old} → {new}"))
    for key, value in detail.items():
        if isinstance(value, list) and len(value) == 2 and action.endswith(".updated"):
            value = f"{_value(value[0])} → {_value(value[1])}"  # [old, new] pairs
        rows.append((str(DETAIL_LABELS.get(key, key.replace("_", " ").capitalize())),
                     _value(value, action)))
    return rows


def _person_link(person_id: int, name: str) -> Markup:
    url = url_for("privacy.audit_log", person=person_id)
    return Markup('<a href="{}">{}</a>').format(url, name)


def _person(person_id, side, names) -> Markup:
    """A person's name, linked to every event involving them, or why there is none."""
    if (side is not None and side.is_erased) or person_id in names.get("erased", ()):
        return escape(str(ERASED))
    email = ""
    if side is not None and side.data:
        data = json.loads(side.data)
        email = data.get("email") or data.get("detail", {}).get("email", "")
    if person_id is None:
        return escape(email) if email else escape(str(SYSTEM))
    name = names.get(person_id) or email or str(_l("person #%(id)s", id=person_id))
    return _person_link(person_id, name)


def _target(event, sides, names, detail: dict) -> Markup:
    if event.target_type == "user" and event.target_id.isdigit():
        subject = sides.get("subject")
        if subject is None or not subject.is_erased:
            actor = sides.get("actor") if str(event.actor_id) == event.target_id else None
            subject = subject or actor
        return _person(int(event.target_id), subject, names)
    if event.target_type == "invitation":
        subject = sides.get("subject")
        if subject is not None and subject.is_erased:
            return escape(str(ERASED))
        if detail.get("email"):
            return escape(detail["email"])
    kind = TARGET_TYPES.get(event.target_type, event.target_type.replace("_", " "))
    name = detail.get("name")
    if isinstance(name, str) and name:
        return escape(f"{kind} “{name}”")
    return escape(f"{kind} #{event.target_id}" if event.target_id else str(kind))


def describe(event, sides, names) -> EventView:
    """One event as a sentence and labelled details (SIDES: its AuditPersonal rows by role;
    NAMES: account id -> display name)."""
    detail = json.loads(event.detail or "{}")
    actor_side = sides.get("actor")
    ip = event.legacy_ip_address
    if actor_side is not None and actor_side.data:
        ip = json.loads(actor_side.data).get("ip", "")
    subject = sides.get("subject")
    if subject is not None and subject.data:
        detail.update(json.loads(subject.data).get("detail", {}))
    actor = _person(event.actor_id, actor_side, names)
    if event.actor_id is None and actor_side is None and event.legacy_actor_email:  # scheme 1
        actor = escape(event.legacy_actor_email)
    target = _target(event, sides, names, detail)
    template = SENTENCES.get(event.action)
    label = str(AUDIT_ACTIONS.get(event.action, event.action))
    if template is None:  # a package's action: its label, and what it was done to
        template = _l("%(actor)s: %(label)s") if not event.target_type else \
            _l("%(actor)s: %(label)s (%(target)s)")
    # Plain str replaces (Markup.replace would escape the names' links a second time); the
    # template and every name were escaped above.
    sentence = Markup(str(escape(str(template)))
                      .replace("%(actor)s", str(actor))
                      .replace("%(target)s", str(target))
                      .replace("%(label)s", str(escape(label.lower()))))
    if subject is not None and subject.is_erased:
        detail["erased"] = True
    shown = {k: v for k, v in detail.items() if k not in ("email", "name", "erased")}
    rows = _details(event.action, shown)
    if detail.get("erased"):
        rows.append((str(_l("Personal details")), str(_l("erased"))))
    return EventView(event.id, event.occurred_at, sentence, rows, ip, label)


def describe_page(events) -> list[EventView]:
    sides = queries.get_personal_details([e.id for e in events])
    ids = {e.actor_id for e in events}
    ids |= {int(e.target_id) for e in events if e.target_type == "user" and e.target_id.isdigit()}
    names: dict = queries.get_names(ids)
    names["erased"] = queries.get_erased_person_ids(ids)
    return [describe(e, sides.get(e.id, {}), names) for e in events]


def target_type_choices() -> list[tuple[str, object]]:
    """For the filter's select list (TARGET_TYPES is kept in alphabetical order of label)."""
    return list(TARGET_TYPES.items())


def person_name(person_id: int | None) -> str | None:
    """Who the page is narrowed to, in words (None when it is not)."""
    if person_id is None:
        return None
    if person_id in queries.get_erased_person_ids({person_id}):
        return str(ERASED)
    return queries.get_names({person_id}).get(person_id) or str(_l("person #%(id)s",
                                                                    id=person_id))
