"""Two-factor replay protection: a used code or time step is refused in every worker and under
concurrent requests, because the claim is one conditional write in the database."""
from __future__ import annotations

import threading
import time

import pytest

from app.auth.models import RecoveryCode
from app.db import Session
from app.models import User

from .support import signed_in
from .test_two_factor import CODE_PAGE, _give_recovery_codes, _password_step


def test_a_used_code_is_refused_in_another_worker(app, client, auth, make_user, post_form,
                                                  totp_code):
    """Each worker has its own memory; the used time step is kept in the database."""
    from conftest import AuthActions

    from app.extensions import limiter

    user = make_user("admin")
    code = totp_code(user)
    _password_step(auth, user)
    assert post_form(CODE_PAGE, {"code": code}).status_code == 302
    limiter.reset()  # what a second gunicorn worker would start from
    thief = app.test_client()
    AuthActions(thief).login_with_form(user.email)
    response = post_form(CODE_PAGE, {"code": code}, on=thief)
    assert response.status_code == 200 and not signed_in(thief)


def test_an_older_code_is_refused_once_a_newer_one_was_used(client, auth, make_user, post_form,
                                                            totp_code):
    user = make_user("analyst")
    older = totp_code(user, steps=-1)  # still inside the clock-drift window
    _password_step(auth, user)
    assert post_form(CODE_PAGE, {"code": totp_code(user)}).status_code == 302
    auth.logout()
    _password_step(auth, user)
    assert post_form(CODE_PAGE, {"code": older}).status_code == 200
    assert not signed_in(client)


def test_claiming_a_time_step_is_a_conditional_update(app_context, make_user):
    from app.auth.models import TotpUse
    from app.auth.two_factor import claim_time_step

    user = make_user("participant", with_two_factor=True)
    assert claim_time_step(user.id, 1000)
    assert not claim_time_step(user.id, 1000)  # the same code again
    assert not claim_time_step(user.id, 999)  # an older one
    assert claim_time_step(user.id, 1001)
    Session.expire_all()
    assert Session.get(TotpUse, user.id).last_step == 1001


def test_a_recovery_code_used_by_a_concurrent_request_is_refused(app_context, make_user,
                                                                 monkeypatch, audit_events):
    """Two requests find the same unused code; only the one whose UPDATE changes it wins."""
    from sqlalchemy import update

    from app.auth import queries, two_factor
    from app.auth.two_factor import check_second_factor

    user = make_user("facilitator")
    _give_recovery_codes(user, "abcde-fghjk")
    find = queries.find_unused_recovery_code

    def found_then_used_elsewhere(person, typed):
        found = find(person, typed)
        # The other request marks it used between this one's look-up and its update.
        Session.execute(update(RecoveryCode).where(RecoveryCode.id == found.id)
                        .values(used_at=two_factor.utcnow()))
        return found

    monkeypatch.setattr(queries, "find_unused_recovery_code", found_then_used_elsewhere)
    assert check_second_factor(user, "abcde-fghjk") is None
    assert audit_events("two_factor.recovery_used") == []


def test_two_workers_claiming_one_code_at_once_on_postgresql(app, monkeypatch):
    """Two connections claim the same time step at the same moment; exactly one wins, both
    for a person's first code (the row is inserted) and later ones (the row is updated)."""
    from sqlalchemy import delete as sql_delete
    from sqlalchemy.orm import scoped_session, sessionmaker

    from app.auth import two_factor

    engine = app.extensions["korero_engine"]
    if engine.dialect.name != "postgresql":
        pytest.skip("concurrent writers need PostgreSQL (SQLite has one writer at a time)")
    own = scoped_session(sessionmaker(bind=engine))  # one connection per thread
    monkeypatch.setattr(two_factor, "Session", own)
    setup = sessionmaker(bind=engine)()
    person = User(email="race@example.test", display_name="Race", is_enabled=True,
                  is_demo=False, session_version=1)
    setup.add(person)
    setup.commit()
    try:
        for step in (1000, 1001):
            claimed, release, results = threading.Event(), threading.Event(), {}

            def first(step=step, claimed=claimed, release=release, results=results):
                results["first"] = two_factor.claim_time_step(person.id, step)
                claimed.set()
                release.wait(timeout=10)
                own.commit()
                own.remove()

            def second(step=step, claimed=claimed, results=results):
                claimed.wait(timeout=10)
                results["second"] = two_factor.claim_time_step(person.id, step)  # waits
                own.commit()
                own.remove()

            threads = [threading.Thread(target=first), threading.Thread(target=second)]
            for thread in threads:
                thread.start()
            claimed.wait(timeout=10)
            time.sleep(0.3)  # the second claim is now waiting for the first's row
            assert "second" not in results
            release.set()
            for thread in threads:
                thread.join(timeout=20)
            assert results == {"first": True, "second": False}, step
    finally:
        setup.execute(sql_delete(User).where(User.id == person.id))
        setup.commit()
        setup.close()
