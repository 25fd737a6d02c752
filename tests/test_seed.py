"""The demo data: what seeding creates, that it is idempotent, and that the accounts work."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from app.db import Session, utcnow
from app.governance.models import GovernanceGroup
from app.models import ROLES, STAKEHOLDER_GROUPS, Consultation, Organisation, User
from app.queries import get_current_consultation
from app.seed import ACCOUNTS, has_any_user, seed_demo

DEMO_EMAILS = [f"{local}@demo.korero.nz" for local, *_ in ACCOUNTS]


def _seed(app):
    report = seed_demo(Session(), password=app.config["DEMO_PASSWORD"])
    Session.commit()
    return report


def _counts() -> tuple[int, ...]:
    return tuple(Session.scalar(select(func.count()).select_from(model))
                 for model in (User, Organisation, Consultation, GovernanceGroup))


def test_one_demo_account_per_role_plus_a_second_participant(app):
    _seed(app)
    users = {u.email: u for u in Session.scalars(select(User))}
    assert sorted(users) == sorted(DEMO_EMAILS)
    assert set(DEMO_EMAILS) == {f"{r}@demo.korero.nz" for r in ROLES} | {
        "participant2@demo.korero.nz"}
    for local, _name, role, _orgs in ACCOUNTS:
        user = users[f"{local}@demo.korero.nz"]
        assert user.roles == {role}
        assert user.is_demo and user.is_enabled
        assert not user.must_use_two_factor  # demo accounts skip two-factor set-up


def test_organisations_cover_every_stakeholder_group(app):
    _seed(app)
    groups = set(Session.scalars(select(Organisation.stakeholder_group)))
    assert groups == set(STAKEHOLDER_GROUPS)


def test_participants_belong_to_an_ngo_and_an_iwi_organisation(app):
    _seed(app)
    groups = set()
    for email in ("participant@demo.korero.nz", "participant2@demo.korero.nz"):
        user = Session.scalars(select(User).where(User.email == email)).one()
        assert user.organisations, email
        groups |= {org.stakeholder_group for org in user.organisations}
    assert {"ngo", "iwi_maori"} <= groups


def test_the_consultation_is_open_now_for_about_six_weeks(app):
    _seed(app)
    consultation = get_current_consultation()
    assert consultation.title == "Data protection and use policy"
    assert consultation.is_open()
    # It closes at 5pm (site time) on the day six weeks from now: a round time people read.
    assert timedelta(weeks=5) < consultation.closes_at - utcnow() <= timedelta(weeks=6, days=1)
    assert "client-level data" in consultation.summary_html
    assert "<h2>" in consultation.summary_html and "<li>" in consultation.summary_html


def test_governance_groups_have_the_demo_kaitiaki(app):
    _seed(app)
    groups = {g.kind: g for g in Session.scalars(select(GovernanceGroup))}
    assert set(groups) == {"iwi", "pasifika"}
    kaitiaki = Session.scalars(select(User).where(User.email == "kaitiaki@demo.korero.nz")).one()
    for group in groups.values():
        assert group.is_kaitiaki(kaitiaki)


def test_seeding_twice_adds_nothing(app):
    first = _seed(app)
    before = _counts()
    second = _seed(app)
    assert before == _counts()
    assert second.created == []
    assert len(second.existing) == len(first.created)
    kaitiaki_rows = sum(len(g.kaitiaki) for g in Session.scalars(select(GovernanceGroup)))
    assert kaitiaki_rows == 2


def test_seeding_fills_in_what_is_missing(app, make_org):
    make_org("Harbourside Family Services", "ngo")  # already there, e.g. made by hand
    report = _seed(app)
    assert "organisation Harbourside Family Services" in report.existing
    assert len(Session.scalars(select(Organisation)).all()) == 6
    assert has_any_user(Session())


def test_each_demo_account_signs_in_with_the_demo_password(app, client, auth):
    _seed(app)
    for email, landing in (("admin@demo.korero.nz", "/admin/"),
                           ("analyst@demo.korero.nz", "/account/"),
                           ("participant2@demo.korero.nz", "/account/")):
        response = auth.login_with_form(email, app.config["DEMO_PASSWORD"])
        assert response.status_code == 302, email
        assert "two-factor" not in response.headers["Location"], email
        assert client.get(landing).status_code == 200, email
        auth.logout()
