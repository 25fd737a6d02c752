# ruff: noqa: F401, F811  (pytest fixtures imported from submission_support, named as arguments)
"""Object-level access: another person's draft, receipt or PDF is a 404; guests reach only
what they started in their own session; analysts see receipts, participants no builder."""
from __future__ import annotations

import pytest
from submission_support import (
    Submitter,
    analyst,
    good_answers,
    make_form,
    submitter,
    token_of,
)


@pytest.fixture
def owned(client, auth, make_user, make_form, submitter):
    """Participant one's draft and submitted receipt URL; signs out afterwards."""
    form = make_form(allows_guests=True)
    owner = auth.login(make_user("participant"))
    draft_id = submitter.start(form)
    submitted = submitter.start(form)
    receipt = submitter.post(submitted, good_answers(), action="submit").headers["Location"]
    return {"owner": owner, "form": form, "draft": f"/submissions/drafts/{draft_id}",
            "receipt": receipt, "pdf": receipt + "/pdf"}


@pytest.mark.parametrize("what", ["draft", "receipt", "pdf"])
def test_another_participant_gets_404(client, auth, make_user, owned, what):
    assert client.get(owned[what]).status_code == 200
    auth.login(make_user("participant"))
    assert client.get(owned[what]).status_code == 404


@pytest.mark.parametrize("what", ["draft", "receipt", "pdf"])
def test_a_person_without_an_account_gets_404_for_someone_elses(client, auth, owned, what):
    auth.logout()
    assert client.get(owned[what]).status_code == 404


def test_another_participant_cannot_save_autosave_or_withdraw(client, auth, make_user, owned):
    auth.login(make_user("participant"))
    token = token_of(client.get("/account").get_data(as_text=True))
    for url in (owned["draft"], owned["draft"] + "/autosave", owned["receipt"] + "/withdraw"):
        assert client.post(url, data={"csrf_token": token, "base_version": "1",
                                      "answer-q2": "hijack"}).status_code == 404


def test_a_guest_reaches_only_drafts_started_in_their_own_session(app, make_form):
    form = make_form(allows_guests=True)
    first, second = app.test_client(), app.test_client()
    draft_id = Submitter(first).start(form)
    assert first.get(f"/submissions/drafts/{draft_id}").status_code == 200
    assert second.get(f"/submissions/drafts/{draft_id}").status_code == 404


def test_a_member_of_another_organisation_gets_404_for_an_organisation_draft(
        client, auth, make_user, make_org, make_form, submitter):
    org, other = make_org("Org A"), make_org("Org B")
    form = make_form()
    auth.login(make_user("participant", org=org))
    draft_id = submitter.start(form, on_behalf=str(org.id))
    auth.login(make_user("participant", org=other))
    assert client.get(f"/submissions/drafts/{draft_id}").status_code == 404


def test_nobody_starts_a_draft_for_an_organisation_they_do_not_belong_to(
        client, auth, make_user, make_org, make_form):
    form = make_form()
    stranger_org = make_org("Not mine")
    auth.login(make_user("participant"))
    page = client.get(f"/submissions/forms/{form.id}").get_data(as_text=True)
    response = client.post(f"/submissions/forms/{form.id}/start", data={
        "csrf_token": token_of(page), "on_behalf": str(stranger_org.id)})
    assert response.status_code == 404


def test_an_analyst_reads_a_receipt_but_a_participant_cannot_build_forms(
        client, auth, analyst, make_user, owned):
    auth.login(analyst)
    assert client.get(owned["receipt"]).status_code == 200
    auth.login(make_user("participant"))
    assert client.get(f"/submissions/manage/{owned['form'].id}").status_code == 403


def test_an_unpublished_form_is_404_to_participants(client, auth, make_user, make_form):
    form = make_form(publish=False)
    auth.login(make_user("participant"))
    assert client.get(f"/submissions/forms/{form.id}").status_code == 404
