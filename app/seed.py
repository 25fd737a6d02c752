"""Demo data: one open consultation, organisations in every stakeholder group, two governance
groups and one account per role, so a newcomer can try every part of Kōrero at once.

Every name here is fictional. Seeding is idempotent: each record is looked up by its natural
key (email, name, slug) first, so running it twice adds nothing the second time. Nothing here
commits; the `seed-demo` command does.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, time, timedelta

from flask import current_app, has_app_context
from sqlalchemy import func, select
from sqlalchemy.orm import Session as OrmSession

from app import packages
from app.admin.operations import create_consultation, create_organisation
from app.auth.operations import create_user
from app.db import utcnow
from app.governance.models import GovernanceGroup
from app.models import Consultation, Membership, Organisation, User
from app.web.dates import local_to_utc, site_timezone, to_local

DEMO_DOMAIN = "demo.korero.nz"
CONSULTATION_SLUG = "data-protection-and-use-policy"
CONSULTATION_TITLE = "Data protection and use policy"

# (name, stakeholder group)
ORGANISATIONS = [
    ("Harbourside Family Services", "ngo"),
    ("Tūhono Community Trust", "ngo"),
    ("Te Rūnanga o Ngāti Whetūrangi", "iwi_maori"),
    ("Lalaga Pasifika Family Services", "pasifika"),
    ("Department of Community Wellbeing", "government"),
    ("Tātai Data Consultants", "other"),
]

# (email local part, display name, role, organisations)
ACCOUNTS = [
    ("admin", "Hana Walker", "admin", ["Department of Community Wellbeing"]),
    ("analyst", "Sione Taufa", "analyst", ["Department of Community Wellbeing"]),
    ("facilitator", "Rachel Ngata", "facilitator", ["Tūhono Community Trust"]),
    ("advisory", "David Chen", "advisory", ["Tātai Data Consultants"]),
    ("kaitiaki", "Moana Te Rangi", "kaitiaki", ["Te Rūnanga o Ngāti Whetūrangi"]),
    ("participant", "Tama Wilson", "participant",
     ["Harbourside Family Services", "Te Rūnanga o Ngāti Whetūrangi"]),
    ("participant2", "Losa Faleolo", "participant",
     ["Lalaga Pasifika Family Services", "Harbourside Family Services"]),
]

# (name, kind): the demo kaitiaki looks after both.
GOVERNANCE_GROUPS = [
    ("Ngāti Whetūrangi", "iwi"),
    ("Lalaga Pasifika Collective", "pasifika"),
]

CONSULTATION_SUMMARY = """\
Social service providers hold a great deal of information about the people and whānau they
support. Government agencies that fund those services increasingly ask for **individual
client-level data** (names or identifiers, needs, services received, outcomes) rather than
counts. This consultation asks how that data may be collected, shared and used, and what
protections must come with it.

The working group is developing a **data protection and use policy** that will apply to every
provider funded to deliver social services. We want to hear from providers, from iwi, hapū and
Māori organisations, from Pasifika communities, from agencies, and from the people whose
information is at stake.

## What the draft policy proposes

- **Purpose first.** Client-level data may be asked for only for a stated purpose, such as
  understanding whether a service works, and never to make decisions about an individual's
  entitlements.
- **Only what is needed.** Agencies must show why identifiable data is needed where
  de-identified or aggregate data would do.
- **People know and can choose.** Clients are told what is shared, with whom and why, and
  providers may decline to share data for people who object, without losing funding.
- **Māori data sovereignty.** Data about Māori is a taonga. Iwi and Māori organisations have a
  say in how it is governed, stored and used, in line with the principles of Te Tiriti o
  Waitangi.
- **Pasifika data governance.** Pasifika communities are involved in decisions about data
  that describes them.
- **Safe storage and access.** Data is held in New Zealand, access is logged and reviewed,
  and privacy and security assessments are published.
- **Results go back.** Providers receive the analysis built from their data.

## Questions we are asking

1. Is there any client-level data you think agencies should never collect? Why?
2. What would make you, or the people you work with, comfortable sharing information?
3. How should iwi, hapū and Pasifika groups take part in governing this data?
4. What should happen when a provider or a client says no?

You can take part in the online forum, come to a workshop, or make a written submission. The
consultation closes at the date shown on this page.
"""


@dataclass
class SeedReport:
    """What seeding did, for the command to print."""

    created: list[str] = field(default_factory=list)
    existing: list[str] = field(default_factory=list)

    def note(self, was_created: bool, what: str) -> None:
        (self.created if was_created else self.existing).append(what)


def has_any_user(session: OrmSession) -> bool:
    return session.scalar(select(User.id).limit(1)) is not None


def seed_demo(session: OrmSession, *, password: str) -> SeedReport:
    """Add whatever part of the demo data is missing; every demo account gets PASSWORD.

    Raises OperationRefused when PASSWORD fails the password policy.
    """
    report = SeedReport()
    organisations = _seed_organisations(session, report)
    accounts = _seed_accounts(session, report, organisations, password)
    groups = _seed_governance_groups(session, report, kaitiaki=accounts["kaitiaki"])
    consultation = _seed_consultation(session, report)
    session.flush()
    # Then each feature package adds its own demo data, in package order.
    app = current_app._get_current_object() if has_app_context() else None
    packages.seed_demo(app, packages.DemoContext(
        session=session, report=report, accounts=accounts, organisations=organisations,
        consultation=consultation, governance_groups=groups, password=password))
    session.flush()
    return report


def _seed_organisations(session: OrmSession, report: SeedReport) -> dict[str, Organisation]:
    found = {}
    for name, group in ORGANISATIONS:
        org = session.scalar(select(Organisation).where(Organisation.name == name))
        created = org is None
        if created:
            org = create_organisation(None, name=name, stakeholder_group=group)
        report.note(created, f"organisation {name}")
        found[name] = org
    return found


def _seed_accounts(session: OrmSession, report: SeedReport,
                   organisations: dict[str, Organisation], password: str) -> dict[str, User]:
    accounts = {}
    for local_part, name, role, org_names in ACCOUNTS:
        email = f"{local_part}@{DEMO_DOMAIN}"
        user = session.scalar(select(User).where(func.lower(User.email) == email))
        created = user is None
        if created:
            user = create_user(None, email=email, display_name=name, roles=[role],
                               password=password, organisation=organisations[org_names[0]],
                               is_demo=True)
        held = {m.organisation_id for m in user.memberships}
        for org_name in org_names:
            if organisations[org_name].id not in held:
                user.memberships.append(Membership(organisation=organisations[org_name]))
        report.note(created, f"account {email} ({role})")
        accounts[local_part] = user
    session.flush()
    return accounts


def _seed_governance_groups(session: OrmSession, report: SeedReport, *,
                            kaitiaki: User) -> dict[str, GovernanceGroup]:
    groups = {}
    for name, kind in GOVERNANCE_GROUPS:
        group = session.scalar(select(GovernanceGroup).where(GovernanceGroup.name == name))
        created = group is None
        if created:
            group = GovernanceGroup(name=name, kind=kind)
            session.add(group)
        if all(person.id != kaitiaki.id for person in group.kaitiaki):
            group.kaitiaki.append(kaitiaki)
        report.note(created, f"governance group {name} (kaitiaki {kaitiaki.email})")
        groups[name] = group
    return groups


def demo_consultation_times(now: datetime | None = None) -> tuple[datetime, datetime]:
    """When the demo consultation opens and closes (UTC), as round times a person would set:
    it opened at 9am (site time) the day before NOW, and closes at 5pm six weeks later."""
    zone = site_timezone()
    today = to_local(now or utcnow(), zone).date()
    opens_at = local_to_utc(datetime.combine(today - timedelta(days=1), time(9)), zone)
    closes_at = local_to_utc(datetime.combine(today + timedelta(weeks=6), time(17)), zone)
    return opens_at, closes_at


def _seed_consultation(session: OrmSession, report: SeedReport) -> Consultation:
    existing = session.scalar(select(Consultation).where(Consultation.slug == CONSULTATION_SLUG))
    consultation = existing
    if existing is None:
        opens_at, closes_at = demo_consultation_times()
        consultation = create_consultation(None, title=CONSULTATION_TITLE, slug=CONSULTATION_SLUG,
                            summary=CONSULTATION_SUMMARY, status="open",
                            opens_at=opens_at, closes_at=closes_at)
    report.note(existing is None, f"consultation “{CONSULTATION_TITLE}”")
    return consultation
