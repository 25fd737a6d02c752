"""The demo forum: spaces, caucus members, pinned welcomes, a waiting flag each, and the files
attached in the open space."""
from __future__ import annotations

import io

import pypdf
from PIL import Image
from sqlalchemy import select

from app.db import Session
from app.models import User
from app.seed import seed_demo
from forums.models import ForumAttachment, ForumSpace, ForumThread
from forums.queries import moderation_queue


def test_seed_demo_gives_a_living_forum_once(app):
    seed_demo(Session, password="demo password for tests")
    report = seed_demo(Session, password="demo password for tests")
    assert any("forum" in line for line in report.existing)
    spaces = {s.title: s for s in Session.scalars(select(ForumSpace)).unique()}
    assert {"Open discussion", "Iwi and Māori caucus", "Pasifika caucus"} <= set(spaces)
    people = {u.email.split("@")[0]: u for u in Session.scalars(select(User))}
    iwi, pasifika = spaces["Iwi and Māori caucus"], spaces["Pasifika caucus"]
    assert iwi.can_view(people["participant"]) and not iwi.can_view(people["participant2"])
    assert pasifika.can_view(people["participant2"]) and not pasifika.can_view(
        people["participant"])
    for space in spaces.values():
        threads = Session.scalars(select(ForumThread).where(
            ForumThread.space_id == space.id)).unique().all()
        assert any(t.is_pinned for t in threads) and len(threads) >= 2
    consultation_id = iwi.consultation_id
    from app.models import Consultation

    queue = moderation_queue(Session.get(Consultation, consultation_id), people["facilitator"])
    assert len(queue["flagged"]) >= 2


def test_seed_demo_attaches_a_pdf_and_a_png_that_a_member_downloads(app, client, auth):
    seed_demo(Session, password="demo password for tests")
    seed_demo(Session, password="demo password for tests")  # no second copy of the files
    found = Session.scalars(select(ForumAttachment).order_by(ForumAttachment.id)).all()
    assert [(a.mimetype, a.filename) for a in found] == [
        ("application/pdf", "Workshop notes - never collect.pdf"),
        ("image/png", "Workshop tally.png")]
    post = found[0].post
    assert post.status == "published" and post.thread.space.title == "Open discussion"
    people = {u.email.split("@")[0]: u for u in Session.scalars(select(User))}
    auth.login(people["participant2"])
    pdf, png = (client.get(f"/forums/attachments/{a.id}") for a in found)
    assert pdf.status_code == png.status_code == 200
    assert pdf.headers["Content-Type"] == "application/pdf" and len(pdf.data) == found[0].size
    text = pypdf.PdfReader(io.BytesIO(pdf.data), strict=True).pages[0].extract_text()
    assert "Workshop notes: what agencies should never collect" in text
    image = Image.open(io.BytesIO(png.data))
    image.load()  # decodes every row: a broken chunk or CRC raises
    assert image.format == "PNG" and image.size[0] > 0
    page = client.get(f"/forums/threads/{post.thread_id}").get_data(as_text=True)
    assert "Workshop notes - never collect.pdf" in page and "Workshop tally.png" in page
    auth.logout()
    assert client.get(f"/forums/attachments/{found[0].id}").data != pdf.data
