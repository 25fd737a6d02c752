"""The codebook pages: add, merge and split through forms; .qdc and CSV import and export."""
from __future__ import annotations

import io

import pytest
from lxml import etree
from sqlalchemy import select

from app.analysis import operations as ops
from app.analysis.coding import apply_themes
from app.analysis.exchange import qdc_schema
from app.analysis.models import Codebook, Coding, Theme
from app.db import Session


@pytest.fixture
def analyst(make_user, auth):
    return auth.login(make_user("analyst"))


def _token(client, csrf_token, url="/analysis/codebook"):
    return csrf_token(client.get(url).get_data(as_text=True))


def _themes(consultation):
    book = Session.scalar(select(Codebook).where(Codebook.consultation_id == consultation.id))
    return {t.name: t for t in Session.scalars(select(Theme).where(
        Theme.codebook_id == book.id, Theme.status == "active"))}


def test_add_a_theme_then_a_child_and_refusals_keep_what_was_typed(client, csrf_token,
                                                                    analyst, consultation):
    token = _token(client, csrf_token)
    response = client.post("/analysis/codebook/themes", data={
        "csrf_token": token, "name": "Trust", "description": "", "colour": "#123456",
        "parent": ""})
    assert response.status_code == 302
    trust = _themes(consultation)["Trust"]
    response = client.post("/analysis/codebook/themes", data={
        "csrf_token": token, "name": "Consent forms", "colour": "#123456",
        "parent": str(trust.id)})
    assert response.status_code == 302
    assert _themes(consultation)["Consent forms"].parent_id == trust.id
    response = client.post("/analysis/codebook/themes", data={
        "csrf_token": token, "name": "Another", "colour": "blue", "parent": ""})
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and "six hexadecimal digits" in page
    assert 'value="Another"' in page and "Another" not in _themes(consultation)


def test_merge_and_split_through_the_theme_page(client, csrf_token, analyst, consultation,
                                                make_item):
    book = ops.get_or_create_codebook(analyst, consultation)
    cost = ops.create_theme(analyst, book, name="Cost")
    funding = ops.create_theme(analyst, book, name="Funding")
    items = [make_item(f"Item {n}.") for n in range(3)]
    for item in items:
        apply_themes(analyst, item, book, [cost])
    Session.commit()
    url = f"/analysis/codebook/themes/{cost.id}"
    codings = Session.scalars(select(Coding).order_by(Coding.id)).all()
    response = client.post(f"{url}/split", data={
        "csrf_token": _token(client, csrf_token, url), "name": "Compliance cost",
        "coding_ids": [str(codings[0].id)]})
    assert response.status_code == 302
    themes = _themes(consultation)
    moved = Session.get(Coding, codings[0].id)
    assert moved.theme_id == themes["Compliance cost"].id
    response = client.post(f"{url}/merge", data={
        "csrf_token": _token(client, csrf_token, url), "target": str(funding.id)})
    assert response.status_code == 302
    assert sorted(c.theme_id for c in Session.scalars(select(Coding))) == sorted(
        [themes["Compliance cost"].id, funding.id, funding.id])
    assert "Cost" not in _themes(consultation)
    assert Session.get(Codebook, book.id).version == 5  # start, 2 themes, split, merge


def test_qdc_export_from_the_page_validates_and_imports_back(client, csrf_token, analyst,
                                                             consultation):
    book = ops.get_or_create_codebook(analyst, consultation)
    top = ops.create_theme(analyst, book, name="Data sovereignty", description="Who governs.")
    ops.create_theme(analyst, book, name="Iwi governance", parent=top)
    Session.commit()
    response = client.get("/analysis/codebook/export.qdc")
    assert response.status_code == 200
    assert "attachment" in response.headers["Content-Disposition"]
    assert qdc_schema().validate(etree.fromstring(response.data))
    text = response.data.replace(b"Data sovereignty", b"Data sovereignty (renamed)")
    response = client.post("/analysis/codebook/import", data={
        "csrf_token": _token(client, csrf_token),
        "file": (io.BytesIO(text), "from-nvivo.qdc")}, content_type="multipart/form-data")
    assert response.status_code == 302
    themes = _themes(consultation)
    assert themes["Data sovereignty (renamed)"].description == "Who governs."
    assert themes["Iwi governance"].parent_id == top.id  # matched by name, left where it was


def test_a_broken_file_is_refused_with_a_message(client, csrf_token, analyst, consultation):
    response = client.post("/analysis/codebook/import", data={
        "csrf_token": _token(client, csrf_token),
        "file": (io.BytesIO(b"<CodeBook><Codes/></CodeBook>"), "x.qdc")},
        content_type="multipart/form-data")
    assert response.status_code == 400
    assert "not a REFI-QDA codebook" in response.get_data(as_text=True)


def test_csv_export(client, analyst, consultation):
    book = ops.get_or_create_codebook(analyst, consultation)
    ops.create_theme(analyst, book, name="=HYPERLINK(1)")
    Session.commit()
    response = client.get("/analysis/codebook/export.csv")
    text = response.get_data(as_text=True)
    assert text.lstrip("\ufeff").startswith("id,name,parent,description,colour")
    assert "'=HYPERLINK(1)" in text
