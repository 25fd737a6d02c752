# ruff: noqa: F401, F811  (pytest fixtures imported from submission_support, named as arguments)
"""Attachments: checked by content, size-limited, zip bombs refused, downloads only for those
allowed and always as attachments, text extracted into FeedbackItems by the job."""
from __future__ import annotations

import io
import zipfile

import pytest
from sqlalchemy import func, select
from submission_support import (
    analyst,
    good_answers,
    make_form,
    run_recording_jobs,
    submitter,
    token_of,
)

from app.corpus.models import FeedbackItem
from app.db import Session
from submissions.models import Attachment


def _docx(text: str) -> bytes:
    import docx

    document = docx.Document()
    document.add_paragraph(text)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _upload(client, submitter, draft_id, content: bytes, filename: str):
    token = token_of(submitter.page(draft_id).get_data(as_text=True))
    return client.post(f"/submissions/drafts/{draft_id}/attachments", data={
        "csrf_token": token, "file": (io.BytesIO(content), filename)},
        content_type="multipart/form-data", follow_redirects=True)


def _count() -> int:
    return Session.scalar(select(func.count()).select_from(Attachment))


@pytest.fixture
def draft_id(client, auth, make_user, make_form, submitter):
    auth.login(make_user("participant"))
    return submitter.start(make_form())


def test_a_docx_is_attached_downloaded_as_an_attachment_and_its_text_recorded(
        app, client, submitter, draft_id):
    page = _upload(client, submitter, draft_id, _docx("Our board's full view."), "view.docx")
    assert "File attached." in page.get_data(as_text=True)
    attachment = Session.scalars(select(Attachment)).one()
    assert attachment.kind == "docx" and attachment.stored_name != "view.docx"
    download = client.get(f"/submissions/attachments/{attachment.id}")
    assert download.status_code == 200
    assert download.headers["Content-Disposition"].startswith("attachment;")
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    submitter.post(draft_id, good_answers(), action="submit")
    run_recording_jobs(app)
    item = Session.scalar(select(FeedbackItem).where(FeedbackItem.question_key == "attachment"))
    assert item is not None and item.text == "Our board's full view."


def test_a_file_of_another_type_is_refused(client, submitter, draft_id):
    page = _upload(client, submitter, draft_id, b"\x89PNG\r\n\x1a\n" + b"\x00" * 50, "a.png")
    assert "Attach a PDF" in page.get_data(as_text=True) and _count() == 0


def test_a_file_that_lies_about_its_type_is_refused(client, submitter, draft_id):
    fake_pdf = b"MZ\x90\x00" + b"\x00\x01" * 100  # a Windows program named .pdf
    page = _upload(client, submitter, draft_id, fake_pdf, "report.pdf")
    assert "Attach a PDF" in page.get_data(as_text=True) and _count() == 0


def test_a_zip_bomb_is_refused(client, submitter, draft_id):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("word/document.xml", b"\x00" * (20 * 1024 * 1024))
    page = _upload(client, submitter, draft_id, out.getvalue(), "bomb.docx")
    assert "unpacks to far more" in page.get_data(as_text=True) and _count() == 0


def test_a_file_over_the_size_setting_is_refused(app, client, submitter, draft_id):
    app.config["SUBMISSIONS_MAX_ATTACHMENT_MB"] = 1
    try:
        page = _upload(client, submitter, draft_id, b"a" * (1024 * 1024 + 1), "big.txt")
    finally:
        app.config.pop("SUBMISSIONS_MAX_ATTACHMENT_MB")
    assert "larger than 1 MB" in page.get_data(as_text=True) and _count() == 0


def test_another_participant_gets_404_for_an_attachment(client, auth, make_user, submitter,
                                                        draft_id):
    _upload(client, submitter, draft_id, b"plain words", "notes.txt")
    attachment = Session.scalars(select(Attachment)).one()
    auth.login(make_user("participant"))
    assert client.get(f"/submissions/attachments/{attachment.id}").status_code == 404
    token = token_of(client.get("/account").get_data(as_text=True))
    assert client.post(f"/submissions/attachments/{attachment.id}/delete",
                       data={"csrf_token": token}).status_code == 404
    assert _count() == 1


def test_a_hostile_file_name_is_text_and_safe_in_the_header(client, submitter, draft_id):
    name = '<img src=x onerror=alert(1)>"; x=.txt'
    page = _upload(client, submitter, draft_id, b"words", name).get_data(as_text=True)
    assert "<img src=x" not in page and "&lt;img src=x onerror=alert(1)&gt;" in page
    attachment = Session.scalars(select(Attachment)).one()
    header = client.get(f"/submissions/attachments/{attachment.id}").headers[
        "Content-Disposition"]
    assert '"; x=' not in header and "<" not in header
