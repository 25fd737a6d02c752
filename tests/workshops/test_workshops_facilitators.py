"""Facilitators are assigned per workshop: only a workshop's own facilitators and admins see its
roster (with access needs), check people in, export it, record and withdraw its outputs; any
other facilitator gets 404, like any object they may not use. Its facilitators (or an admin) add
and remove others, audited."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.corpus.scope import ConsentScope
from app.db import Session
from app.errors import OperationRefused
from app.privacy.audit import AuditEvent
from workshops import facilitators as staffing
from workshops import operations as ops
from workshops.models import Booking, Workshop, WorkshopFacilitator, WorkshopOutput

pytest_plugins = ("workshops_fixtures",)

NEED = "Sign language interpreter, please"


def _count(model, *where) -> int:
    Session.expire_all()
    return Session.scalar(select(func.count()).select_from(model).where(*where)) or 0


def _audits(action: str) -> int:
    return _count(AuditEvent, AuditEvent.action == action)


@pytest.fixture
def running(make_workshop, make_user):
    """(runner, workshop, booking, output): a workshop its runner runs, one booking with
    access needs, and one key point the runner recorded."""
    runner = make_user("facilitator")
    workshop = make_workshop(run_by=[runner])
    booking = ops.book_place(make_user(), workshop, access_needs=NEED)[0]
    output = ops.record_output(runner, workshop, text="A key point from the room.",
                               consent=ConsentScope(analysis=True, quote="none",
                                                    publish="none"))
    Session.commit()
    return runner, workshop, booking, output


def _get_pages(workshop, output) -> list[str]:
    base = f"/workshops/{workshop.id}"
    return [f"{base}/roster", f"{base}/roster.csv", f"{base}/roster.xlsx", f"{base}/outputs",
            f"{base}/edit", f"{base}/facilitators", f"/workshops/outputs/{output.id}/withdraw"]


def test_another_facilitator_gets_404_and_changes_nothing(client, auth, post_form, running,
                                                          make_user):
    runner, workshop, booking, output = running
    auth.login(make_user("facilitator"))
    for url in _get_pages(workshop, output):
        assert client.get(url).status_code == 404, url
    show = client.get(f"/workshops/{workshop.id}").get_data(as_text=True)
    assert NEED not in show and "/roster" not in show and "Run this workshop" not in show
    page = "/workshops/"
    exports_before = _audits("workshops.roster_exported")
    attempts = {
        f"/workshops/bookings/{booking.id}/attendance": {"attendance": "attended"},
        f"/workshops/{workshop.id}/outputs": {"text": "Sneaked in", "analysis": "yes",
                                              "quote": "none", "publish": "none"},
        f"/workshops/outputs/{output.id}/withdraw": {"reason": "Not mine"},
        f"/workshops/{workshop.id}/cancel": {},
        f"/workshops/{workshop.id}/facilitators": {"user_id": str(make_user("facilitator").id)},
        f"/workshops/{workshop.id}/facilitators/remove": {"user_id": str(runner.id)},
    }
    for url, data in attempts.items():
        assert post_form(url, data, page=page).status_code == 404, url
    Session.expire_all()
    assert Session.get(Booking, booking.id).attendance is None
    assert Session.get(Workshop, workshop.id).status == "published"
    assert _count(WorkshopOutput, WorkshopOutput.workshop_id == workshop.id) == 1
    assert _count(WorkshopFacilitator, WorkshopFacilitator.workshop_id == workshop.id) == 1
    assert _audits("workshops.roster_exported") == exports_before  # nothing was exported


def test_a_draft_is_hidden_from_other_facilitators_but_listed_for_its_own(client, auth,
                                                                          make_workshop,
                                                                          make_user):
    runner, other = make_user("facilitator"), make_user("facilitator")
    draft = make_workshop(status="draft", title="Our draft hui", run_by=[runner])
    auth.login(other)
    assert client.get(f"/workshops/{draft.id}").status_code == 404
    assert "Our draft hui" not in client.get("/workshops/").get_data(as_text=True)
    auth.login(runner)
    page = client.get("/workshops/").get_data(as_text=True)
    yours = page.split('id="your-workshops"')[1].split("</section>")[0]
    assert "Our draft hui" in yours and f"/workshops/{draft.id}/roster" in yours
    auth.login(make_user("admin"))
    assert "Our draft hui" in client.get("/workshops/").get_data(as_text=True)


def test_your_workshops_lists_only_the_ones_you_run(client, auth, make_workshop, make_user):
    runner, other = make_user("facilitator"), make_user("facilitator")
    make_workshop(title="Runner's hui", run_by=[runner])
    make_workshop(title="Someone else's fono", run_by=[other])
    auth.login(runner)
    page = client.get("/workshops/").get_data(as_text=True)
    yours = page.split('id="your-workshops"')[1].split("</section>")[0]
    assert "Runner&#39;s hui" in yours and "Someone else" not in yours
    assert "Someone else&#39;s fono" in page  # still in the public list below
    auth.login(make_user())
    assert 'id="your-workshops"' not in client.get("/workshops/").get_data(as_text=True)


def test_the_creator_runs_a_new_workshop(client, auth, post_form, make_user, consultation):
    creator = make_user("facilitator")
    auth.login(creator)
    response = post_form("/workshops/new", {
        "title": "Fono in Ōtaki", "format": "in_person", "venue_address": "1 Main St",
        "starts_at": "2031-03-03T10:00", "ends_at": "2031-03-03T12:00",
        "booking_deadline_at": "2031-03-02T17:00", "capacity": "20", "languages": ["en"],
        "audience": "everyone"})
    assert response.status_code == 302, response.get_data(as_text=True)
    workshop = Session.scalar(select(Workshop).where(Workshop.title == "Fono in Ōtaki"))
    assert [link.user_id for link in workshop.facilitator_links] == [creator.id]
    assert client.get(f"/workshops/{workshop.id}/roster").status_code == 200


def test_a_co_facilitator_added_on_the_page_gets_in(client, auth, post_form, running,
                                                    make_user, csrf_token):
    runner, workshop, booking, _output = running
    colleague = make_user("facilitator")
    auth.login(colleague)
    assert client.get(f"/workshops/{workshop.id}/roster").status_code == 404
    auth.login(runner)
    url = f"/workshops/{workshop.id}/facilitators"
    assert colleague.display_name in client.get(url).get_data(as_text=True)  # a choice
    before = _audits("workshops.facilitator_added")
    assert post_form(url, {"user_id": str(colleague.id)}).status_code == 302
    assert _audits("workshops.facilitator_added") == before + 1
    auth.login(colleague)
    assert NEED in client.get(f"/workshops/{workshop.id}/roster").get_data(as_text=True)
    assert NEED in client.get(f"/workshops/{workshop.id}/roster.csv").get_data(as_text=True)
    assert client.get(f"/workshops/{workshop.id}/outputs").status_code == 200
    post_form(f"/workshops/bookings/{booking.id}/attendance", {"attendance": "attended"},
              page=f"/workshops/{workshop.id}/roster")
    Session.expire_all()
    assert Session.get(Booking, booking.id).attendance == "attended"


def test_only_people_with_the_facilitator_role_can_be_added(client, auth, post_form, running,
                                                            make_user):
    runner, workshop, _booking, _output = running
    participant, analyst = make_user(), make_user("analyst")
    auth.login(runner)
    url = f"/workshops/{workshop.id}/facilitators"
    page = client.get(url).get_data(as_text=True)
    assert participant.email not in page and analyst.email not in page
    response = post_form(url, {"user_id": str(participant.id)})
    assert response.status_code == 200 and "Not a valid choice" in response.get_data(as_text=True)
    for person in (participant, analyst, make_user("facilitator", is_enabled=False)):
        with pytest.raises(OperationRefused):
            staffing.add_facilitator(runner, workshop, person)
    Session.rollback()
    assert _count(WorkshopFacilitator, WorkshopFacilitator.workshop_id == workshop.id) == 1


def test_removing_a_facilitator_locks_them_out_and_the_last_one_stays(client, auth, post_form,
                                                                      running, make_user):
    runner, workshop, _booking, _output = running
    colleague = make_user("facilitator")
    staffing.add_facilitator(runner, workshop, colleague)
    Session.commit()
    auth.login(runner)
    url = f"/workshops/{workshop.id}/facilitators"
    before = _audits("workshops.facilitator_removed")
    assert post_form(f"{url}/remove", {"user_id": str(colleague.id)}, page=url).status_code == 302
    assert _audits("workshops.facilitator_removed") == before + 1
    # The last facilitator cannot be taken off: refused with a message, nothing changes.
    response = post_form(f"{url}/remove", {"user_id": str(runner.id)}, page=url)
    assert response.status_code == 302
    assert "at least one facilitator" in client.get(url).get_data(as_text=True)
    assert _count(WorkshopFacilitator, WorkshopFacilitator.workshop_id == workshop.id) == 1
    auth.login(colleague)
    assert client.get(f"/workshops/{workshop.id}/roster").status_code == 404


def test_an_admin_gets_in_and_manages_the_facilitators(client, auth, post_form, running,
                                                       make_user):
    runner, workshop, booking, output = running
    auth.login(make_user("admin"))
    for url in _get_pages(workshop, output):
        assert client.get(url).status_code == 200, url
    assert NEED in client.get(f"/workshops/{workshop.id}/roster").get_data(as_text=True)
    post_form(f"/workshops/bookings/{booking.id}/attendance", {"attendance": "no_show"},
              page=f"/workshops/{workshop.id}/roster")
    Session.expire_all()
    assert Session.get(Booking, booking.id).attendance == "no_show"
    colleague = make_user("facilitator")
    url = f"/workshops/{workshop.id}/facilitators"
    assert post_form(url, {"user_id": str(colleague.id)}).status_code == 302
    assert post_form(f"{url}/remove", {"user_id": str(runner.id)}, page=url).status_code == 302
    Session.expire_all()
    assert [link.user_id for link in Session.get(Workshop, workshop.id).facilitator_links] == [
        colleague.id]


def test_a_facilitator_who_loses_the_role_loses_the_workshop(make_workshop, make_user):
    runner = make_user("facilitator")
    workshop = make_workshop(run_by=[runner])
    assert workshop.can_manage(runner)
    runner.role_rows = []
    Session.flush()
    assert not workshop.can_manage(runner)


def test_tasks_count_only_the_workshops_you_run(make_workshop, make_user):
    from workshops.hooks import tasks

    runner, other = make_user("facilitator"), make_user("facilitator")
    make_workshop(days=3, run_by=[runner])
    make_workshop(days=4, run_by=[other])
    task = next(iter(tasks(runner)))
    assert task.count == 1


def test_the_demo_facilitator_runs_every_demo_workshop(app):
    from app.models import User
    from app.seed import seed_demo
    from workshops.hooks import DEMO_WORKSHOPS

    seed_demo(Session, password="demo password for tests")
    seed_demo(Session, password="demo password for tests")  # twice: nothing added twice
    facilitator = Session.scalar(select(User).where(User.email == "facilitator@demo.korero.nz"))
    titles = [row[0] for row in DEMO_WORKSHOPS]
    for workshop in Session.scalars(select(Workshop).where(Workshop.title.in_(titles))):
        assert [link.user_id for link in workshop.facilitator_links] == [facilitator.id]
        assert workshop.can_manage(facilitator)
    assert len(staffing.workshops_run_by(facilitator, None)) == len(titles)


def test_the_operations_refuse_a_facilitator_who_does_not_run_it(running, make_user):
    """The views 404 first; the operations refuse too, whoever calls them."""
    runner, workshop, booking, output = running
    other = make_user("facilitator")
    attempts = (
        lambda: ops.publish_workshop(other, workshop),
        lambda: ops.cancel_workshop(other, workshop),
        lambda: ops.set_attendance(other, booking, "attended"),
        lambda: ops.record_output(other, workshop, text="No.", consent=ConsentScope(
            analysis=True, quote="none", publish="none")),
        lambda: ops.withdraw_output(other, output, reason="No."),
        lambda: staffing.add_facilitator(other, workshop, other),
        lambda: staffing.remove_facilitator(other, workshop, runner),
    )
    for attempt in attempts:
        with pytest.raises(OperationRefused):
            attempt()
        Session.rollback()
    assert Session.get(Workshop, workshop.id).status == "published"
    # ... while the one who runs it may (its one booking is told).
    assert [n.kind for n in ops.cancel_workshop(runner, workshop)] == ["workshop_cancelled"]


def test_a_facilitators_data_export_lists_the_workshops_they_run(make_workshop, make_user):
    from workshops.hooks import export_personal_data

    runner = make_user("facilitator")
    make_workshop(title="Hui we run", run_by=[runner])
    exported = export_personal_data(runner)["workshops_facilitated"]
    assert [row["workshop"] for row in exported] == ["Hui we run"]
