"""The flask commands, run through the app's CLI runner against the real test database."""
from __future__ import annotations

import re

import pytest
from audit_support import audit_log_writable
from sqlalchemy import func, select, text

from app.auth.models import Invitation
from app.auth.passwords import verify_password
from app.db import Session
from app.models import Organisation, User
from app.privacy.audit import record_event
from app.privacy.models import AuditEvent

PASSWORD = "a long and unusual pass phrase"


@pytest.fixture
def cli(app):
    runner = app.test_cli_runner()

    def invoke(*args, input=None):
        return runner.invoke(args=list(args), input=input)

    return invoke


def _user(email: str) -> User | None:
    Session.expire_all()
    return Session.scalars(select(User).where(User.email == email)).first()


# ---------------------------------------------------------------- create-user


def test_create_user_reads_the_password_from_stdin(cli, make_org):
    make_org("Harbourside Family Services", "ngo")
    result = cli("create-user", "Ana@Example.org", "--role", "admin", "--role", "analyst",
                 "--org", "harbourside family services", "--name", "Ana Smith",
                 "--password-stdin", input=PASSWORD + "\n")
    assert result.exit_code == 0, result.output
    assert "Created ana@example.org" in result.output
    assert "two-factor" in result.output
    user = _user("ana@example.org")
    assert user.roles == {"admin", "analyst"} and user.display_name == "Ana Smith"
    assert [o.name for o in user.organisations] == ["Harbourside Family Services"]
    assert verify_password(user.password_hash, PASSWORD)
    assert not user.is_demo


def test_create_user_asks_for_the_password_twice(cli):
    result = cli("create-user", "pita@example.org", "--role", "participant",
                 input=f"{PASSWORD}\n{PASSWORD}\n")
    assert result.exit_code == 0, result.output
    assert "Repeat for confirmation" in result.output
    assert PASSWORD not in result.output  # hidden input
    user = _user("pita@example.org")
    assert user.display_name == "pita" and verify_password(user.password_hash, PASSWORD)


def test_create_user_refuses_a_weak_password(cli):
    result = cli("create-user", "weak@example.org", "--role", "participant", "--password-stdin",
                 input="password123\n")
    assert result.exit_code == 1
    assert "commonly used passwords" in result.output or "at least 12" in result.output
    assert _user("weak@example.org") is None


def test_create_user_refuses_a_taken_email(cli, make_user):
    make_user("participant", email="taken@example.org")
    result = cli("create-user", "taken@example.org", "--role", "admin", "--password-stdin",
                 input=PASSWORD + "\n")
    assert result.exit_code == 1
    assert "already exists" in result.output
    assert _user("taken@example.org").roles == {"participant"}


def test_create_user_refuses_an_unknown_organisation(cli):
    result = cli("create-user", "x@example.org", "--role", "participant", "--org", "Nowhere",
                 "--password-stdin", input=PASSWORD + "\n")
    assert result.exit_code == 2
    assert "no organisation called 'Nowhere'" in result.output
    assert "--stakeholder-group" in result.output
    assert _user("x@example.org") is None


def test_create_user_creates_the_organisation_when_given_its_group(cli):
    result = cli("create-user", "kai@example.org", "--role", "kaitiaki", "--org", "Ngāti Test",
                 "--stakeholder-group", "iwi_maori", "--password-stdin", input=PASSWORD + "\n")
    assert result.exit_code == 0, result.output
    org = Session.scalars(select(Organisation).where(Organisation.name == "Ngāti Test")).one()
    assert org.stakeholder_group == "iwi_maori"
    assert [o.id for o in _user("kai@example.org").organisations] == [org.id]


def test_create_user_refuses_an_unknown_role(cli):
    result = cli("create-user", "r@example.org", "--role", "superuser", "--password-stdin",
                 input=PASSWORD + "\n")
    assert result.exit_code == 2
    assert _user("r@example.org") is None


# ---------------------------------------------------------------- invite


def test_invite_sends_a_real_email_and_prints_the_link(cli, make_org, smtp_server):
    make_org("Tūhono Community Trust", "ngo")
    result = cli("invite", "Moana@Example.org", "--role", "participant", "--role",
                 "facilitator", "--org", "Tūhono Community Trust")
    assert result.exit_code == 0, result.output
    link = re.search(r"http://korero\.test/account/invitation/\S+", result.output).group(0)
    [message] = smtp_server.wait_for(1)
    assert message["To"] == "moana@example.org"
    assert link in smtp_server.body_of(message)
    Session.expire_all()
    invitation = Session.scalars(select(Invitation)).one()
    assert invitation.role_list == ["participant", "facilitator"]
    assert invitation.organisation.name == "Tūhono Community Trust"
    assert invitation.status == "pending"


def test_invite_needs_a_known_organisation(cli):
    result = cli("invite", "a@example.org", "--role", "participant", "--org", "Unknown Org")
    assert result.exit_code == 2
    assert Session.scalars(select(Invitation)).all() == []


# ---------------------------------------------------------------- seed-demo


def test_seed_demo_is_idempotent(cli, app):
    first = cli("seed-demo")
    assert first.exit_code == 0, first.output
    assert "Added account admin@demo.korero.nz (admin)" in first.output
    users = Session.scalar(select(func.count(User.id)))
    orgs = Session.scalar(select(func.count(Organisation.id)))
    assert users == 7

    second = cli("seed-demo")
    assert second.exit_code == 0, second.output
    assert "0 records added" in second.output
    assert Session.scalar(select(func.count(User.id))) == users
    assert Session.scalar(select(func.count(Organisation.id))) == orgs
    admin = _user("admin@demo.korero.nz")
    assert verify_password(admin.password_hash, app.config["DEMO_PASSWORD"])


def test_seed_demo_if_empty_does_nothing_when_anyone_exists(cli, make_user):
    make_user("participant")
    result = cli("seed-demo", "--if-empty")
    assert result.exit_code == 0
    assert "not adding demo data" in result.output
    assert _user("admin@demo.korero.nz") is None


def test_seed_demo_if_empty_seeds_an_empty_database(cli):
    result = cli("seed-demo", "--if-empty")
    assert result.exit_code == 0, result.output
    assert _user("participant2@demo.korero.nz") is not None


def test_seed_demo_refuses_in_production(cli, app):
    saved = app.config["KORERO_ENV"]
    app.config["KORERO_ENV"] = "production"
    try:
        result = cli("seed-demo")
    finally:
        app.config["KORERO_ENV"] = saved
    assert result.exit_code != 0
    assert "production" in result.output
    assert Session.scalar(select(func.count(User.id))) == 0


# ---------------------------------------------------------------- audit-verify


def _add_events(n: int) -> None:
    for i in range(n):
        record_event(None, "login.failure", actor_email=f"someone{i}@example.org",
                     detail={"reason": "wrong_password"})
    Session.commit()


def test_audit_verify_passes_on_an_intact_chain(cli):
    _add_events(5)
    result = cli("audit-verify")
    assert result.exit_code == 0, result.output
    assert "Audit log intact: 5 events checked" in result.output


def test_audit_verify_names_the_first_tampered_row(cli):
    _add_events(5)
    ids = list(Session.scalars(select(AuditEvent.id).order_by(AuditEvent.id)))
    with audit_log_writable(Session):
        Session.execute(text("UPDATE audit_event SET actor_email = 'nobody@example.org' "
                             "WHERE id = :id"), {"id": ids[2]})
    Session.commit()
    result = cli("audit-verify")
    assert result.exit_code == 1
    assert f"Audit log broken at event {ids[2]}" in result.output
    assert "2 events before it are intact" in result.output


def test_audit_verify_notices_a_deleted_row(cli):
    _add_events(4)
    ids = list(Session.scalars(select(AuditEvent.id).order_by(AuditEvent.id)))
    with audit_log_writable(Session):
        Session.execute(text("DELETE FROM audit_event WHERE id = :id"), {"id": ids[1]})
    Session.commit()
    result = cli("audit-verify")
    assert result.exit_code == 1
    assert f"Audit log broken at event {ids[2]}" in result.output
