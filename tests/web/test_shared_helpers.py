"""app.web: pagination, refusals, the client's address, emails from templates, shared fields."""
from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from flask import get_flashed_messages, render_template_string
from flask_wtf import FlaskForm
from jinja2 import ChoiceLoader, DictLoader
from sqlalchemy import select
from werkzeug.datastructures import MultiDict
from wtforms import StringField

from app import create_app
from app.config import TestConfig
from app.db import Session
from app.errors import OperationRefused
from app.models import Organisation
from app.web.emails import render_email
from app.web.fields import LocalDateTimeField, MultiCheckboxField, choices
from app.web.pagination import Page, paginate
from app.web.refusals import attempt, show_refusal, undo_refused
from app.web.requests import client_ip, requested_page

# ---------------------------------------------------------------- pagination


def _orgs(make_org, n):
    return [make_org(f"Paging {i:03d}") for i in range(n)]


def _paging_stmt():
    return (select(Organisation).where(Organisation.name.like("Paging %"))
            .order_by(Organisation.name, Organisation.id))


def test_paginate_counts_and_slices_in_sql(make_org):
    _orgs(make_org, 7)
    first = paginate(_paging_stmt(), 1, 3)
    last = paginate(_paging_stmt(), 3, 3)
    assert first.total == 7 and first.pages == 3
    assert [o.name for o in first.items] == ["Paging 000", "Paging 001", "Paging 002"]
    assert [o.name for o in last.items] == ["Paging 006"]
    assert (first.first_index, first.last_index, last.first_index, last.last_index) == \
        (1, 3, 7, 7)
    assert first.has_next and not first.has_previous
    assert last.has_previous and not last.has_next


def test_a_page_past_the_end_is_empty_but_keeps_the_total(make_org):
    _orgs(make_org, 2)
    page = paginate(_paging_stmt(), 9, 3)
    assert page.items == [] and page.total == 2 and page.pages == 1
    assert paginate(_paging_stmt(), -5, 3).page == 1


def test_paginate_can_return_rows(make_org):
    _orgs(make_org, 2)
    stmt = (select(Organisation.name, Organisation.id)
            .where(Organisation.name.like("Paging %")).order_by(Organisation.name))
    page = paginate(stmt, 1, 10, scalars=False)
    assert [row.name for row in page.items] == ["Paging 000", "Paging 001"]


@pytest.mark.parametrize("current, expected", [
    (1, [1, 2, 3, None, 10]),
    (5, [1, None, 3, 4, 5, 6, 7, None, 10]),
    (10, [1, None, 8, 9, 10]),
    (4, [1, 2, 3, 4, 5, 6, None, 10]),
])
def test_nearby_page_numbers(current, expected):
    assert Page(items=[1], page=current, per_page=1, total=10).nearby() == expected


def test_the_pager_macro_is_accessible_and_keeps_filters(app):
    page = Page(items=["x"], page=2, per_page=1, total=3)
    with app.test_request_context("/"):
        html = render_template_string(
            '{% from "_macros/pagination.html" import pager %}'
            '{{ pager(page, "admin.users", {"role": "analyst"}) }}', page=page)
    assert '<nav class="pager" aria-label="Pages">' in html
    assert "Page 2 of 3" in html
    assert re.search(r'href="/admin/people\?page=2&amp;role=analyst" aria-current="page"', html)
    assert 'rel="prev"' in html and 'rel="next"' in html
    assert '<span class="visually-hidden">Page </span>3' in html
    with app.test_request_context("/"):
        single = render_template_string(
            '{% from "_macros/pagination.html" import pager %}{{ pager(page, "admin.users") }}',
            page=Page(items=["x"], page=1, per_page=10, total=1))
    assert single.strip() == ""  # one page: nothing to navigate


def test_requested_page(app):
    for query, expected in [("", 1), ("?page=3", 3), ("?page=0", 1), ("?page=-2", 1),
                            ("?page=abc", 1)]:
        with app.test_request_context("/" + query):
            assert requested_page() == expected


# ---------------------------------------------------------------- refusals


class _Form(FlaskForm):
    class Meta:
        csrf = False

    name = StringField("Name")
    email = StringField("Email")


def test_a_refusal_goes_against_its_field_and_undoes_the_attempt(app, make_org):
    with app.test_request_context("/", method="POST",
                                  data={"name": "Typed name", "email": "typed@example.org"}):
        form = _Form()
        assert form.validate()
        Session.add(Organisation(name="Flushed then refused", stakeholder_group="ngo"))
        Session.flush()
        show_refusal(form, OperationRefused("That name is taken.", field="name"))
        assert form.name.errors == ["That name is taken."]
        assert form.form_errors == []
        assert (form.name.data, form.email.data) == ("Typed name", "typed@example.org")
        Session.commit()  # a later commit in the same request must not save the attempt
        assert Session.scalar(select(Organisation).where(
            Organisation.name == "Flushed then refused")) is None


@pytest.mark.parametrize("field", [None, "no_such_field"])
def test_a_refusal_without_a_known_field_goes_to_the_top_of_the_form(app, field):
    with app.test_request_context("/", method="POST", data={"name": "x"}):
        form = _Form()
        form.validate()
        show_refusal(form, OperationRefused("The invitation has expired.", field=field))
        assert form.form_errors == ["The invitation has expired."]
        assert ["The invitation has expired."] in form.errors.values()
        html = render_template_string(
            '{% from "_macros/forms.html" import error_summary %}{{ error_summary(form) }}',
            form=form)
        assert "The invitation has expired." in html


def test_a_refusal_with_no_form_is_flashed(app):
    with app.test_request_context("/"):
        show_refusal(None, OperationRefused("Already revoked."))
        assert get_flashed_messages(with_categories=True) == [("error", "Already revoked.")]


def _saved(name: str) -> bool:
    Session.remove()  # read what is committed, not this session's pending state
    return Session.scalar(select(Organisation).where(Organisation.name == name)) is not None


def test_attempt_commits_the_operation_and_says_so(app):
    with app.test_request_context("/", method="POST", data={"name": "x"}):
        with attempt(_Form()) as done:
            Session.add(Organisation(name="Attempted and kept", stakeholder_group="ngo"))
        assert done
        assert _saved("Attempted and kept")


def test_attempt_shows_a_refusal_and_keeps_nothing_of_it(app):
    with app.test_request_context("/", method="POST", data={"name": "Typed name"}):
        form = _Form()
        form.validate()
        with attempt(form) as done:
            Session.add(Organisation(name="Attempted then refused", stakeholder_group="ngo"))
            Session.flush()
            raise OperationRefused("That name is taken.", field="name")
        assert not done
        assert form.name.errors == ["That name is taken."]
        assert form.name.data == "Typed name"
        assert not _saved("Attempted then refused")


def test_attempt_lets_any_other_error_through_uncommitted(app):
    with app.test_request_context("/"):
        with pytest.raises(ZeroDivisionError), attempt(None):
            Session.add(Organisation(name="Attempted then broken", stakeholder_group="ngo"))
            Session.flush()
            1 / 0  # noqa: B018 - the error under test
        Session.rollback()
        assert not _saved("Attempted then broken")


def test_undo_refused_rolls_back_and_returns_the_message(app):
    with app.test_request_context("/"):
        Session.add(Organisation(name="Undone", stakeholder_group="ngo"))
        Session.flush()
        assert undo_refused(OperationRefused("No.")) == "No."
        assert Session.scalar(select(Organisation).where(Organisation.name == "Undone")) is None


def test_the_old_refusal_and_address_helpers_are_gone():
    import app.admin.views as admin_views
    import app.auth.views.helpers as auth_helpers

    for module, names in [(admin_views, ("_refused", "_ip", "_page_number")),
                          (auth_helpers, ("show_refusal", "client_ip"))]:
        for name in names:
            assert not hasattr(module, name), f"{module.__name__}.{name} is back"


# ---------------------------------------------------------------- the client's address


@pytest.mark.parametrize("trusted, forwarded, expected", [
    ("0", "203.0.113.9", "127.0.0.1"),  # nobody trusted: the header is ignored
    ("1", "203.0.113.9", "203.0.113.9"),
    ("1", "198.51.100.1, 203.0.113.9", "203.0.113.9"),  # only the last hop is believed
    ("2", "198.51.100.1, 203.0.113.9", "198.51.100.1"),
])
def test_client_ip_honours_trusted_proxies_only(tmp_path, monkeypatch, database_url, trusted,
                                                forwarded, expected):
    monkeypatch.setenv("KORERO_INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("TRUSTED_PROXIES", trusted)
    app = create_app(TestConfig(database_url))
    seen = {}

    @app.before_request
    def _note():
        seen["ip"] = client_ip()

    app.test_client().get("/healthz", headers={"X-Forwarded-For": forwarded},
                          environ_base={"REMOTE_ADDR": "127.0.0.1"})
    assert seen["ip"] == expected


def test_client_ip_is_empty_when_the_server_gives_none(app):
    with app.test_request_context("/", environ_base={"REMOTE_ADDR": None}):
        assert client_ip() == ""


# ---------------------------------------------------------------- emails


@pytest.fixture
def email_templates(app, monkeypatch):
    extra = DictLoader({
        "emails/_test_notice.txt": "Kia ora {{ name }}, see {{ site_url }}",
        "emails/_test_notice.html": "<p>Kia ora <b>{{ name }}</b></p>",
        "emails/_test_notice.subject.txt": "Your {{ what }}\n is ready\n",
        "emails/_test_plain.txt": "Text only",
    })
    monkeypatch.setattr(app.jinja_env, "loader", ChoiceLoader([extra, app.jinja_env.loader]))
    app.jinja_env.cache.clear()
    yield
    app.jinja_env.cache.clear()


def test_render_email_gives_subject_text_and_html(app, email_templates):
    with app.test_request_context("/"):
        email = render_email("_test_notice", name="Hine <Ngata>", what="pūrongo")
    assert email.subject == "Your pūrongo is ready"  # one line, for the header
    assert email.text == f"Kia ora Hine <Ngata>, see {app.config['BASE_URL']}"  # not escaped
    assert email.html == "<p>Kia ora <b>Hine &lt;Ngata&gt;</b></p>"  # escaped


def test_render_email_without_subject_or_html(app, email_templates):
    with app.test_request_context("/"):
        subject, text, html = render_email("_test_plain")
    assert (subject, text, html) == (None, "Text only", None)


def test_render_email_needs_a_text_body(app):
    from jinja2 import TemplateNotFound

    with app.test_request_context("/"), pytest.raises(TemplateNotFound):
        render_email("no_such_email")


def test_the_account_emails_render_through_it(app):
    with app.test_request_context("/"):
        email = render_email("password_changed", user=type("U", (), {"display_name": "Aroha"}),
                             reset_link="http://korero.test/reset")
    assert "Kia ora Aroha" in email.text and "http://korero.test/reset" in email.text
    assert email.html and "Aroha" in email.html


# ---------------------------------------------------------------- fields


class _ShareForm(FlaskForm):
    class Meta:
        csrf = False

    groups = MultiCheckboxField("Groups", coerce=int,
                                choices=choices([(1, "NGO"), (2, "Iwi"), (3, "Pasifika")]))
    opens_at = LocalDateTimeField("Opens")


def test_multi_checkbox_field_renders_checkboxes_and_reads_several(app):
    with app.test_request_context("/", method="POST",
                                  data=MultiDict([("groups", "1"), ("groups", "3"),
                                                  ("opens_at", "2027-01-09T17:00")])):
        form = _ShareForm()
        assert form.validate(), form.errors
        assert form.groups.data == [1, 3]
        html = str(form.groups())
        assert html.count('type="checkbox"') == 3 and "<select" not in html
        assert form.opens_at.utc == datetime(2027, 1, 9, 4, tzinfo=UTC)


def test_nothing_ticked_is_an_empty_list(app):
    with app.test_request_context("/", method="POST", data={"opens_at": "2027-01-09T17:00"}):
        form = _ShareForm()
        form.validate()
        assert form.groups.data == []


def test_a_choice_not_offered_is_refused(app):
    with app.test_request_context("/", method="POST", data={"groups": "9"}):
        form = _ShareForm()
        assert not form.validate()
        assert form.groups.errors


def test_local_date_time_field_refuses_the_skipped_hour(app):
    with app.test_request_context("/", method="POST", data={"opens_at": "2027-09-26T02:30"}):
        form = _ShareForm()
        assert not form.validate()
        assert "clocks go forward" in form.opens_at.errors[0]


def test_local_date_time_field_shows_utc_as_local(app):
    with app.test_request_context("/"):
        form = _ShareForm()
        form.opens_at.set_utc(datetime(2027, 7, 9, 5, tzinfo=UTC))
        assert 'value="2027-07-09T17:00"' in str(form.opens_at())
