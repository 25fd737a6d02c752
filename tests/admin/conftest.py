"""Fixtures for the administration tests: a signed-in administrator and a form poster."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from app.db import Session
from app.privacy.models import AuditEvent


@pytest.fixture
def admin(make_user, auth):
    """An administrator (with two-factor set up), signed in on `client`."""
    user = make_user("admin", email="admin@example.test")
    auth.login(user)
    return user


@pytest.fixture
def post_form(client, csrf_token):
    """post_form(url, data): load the form page for its CSRF token, then post DATA to it."""

    def post(url: str, data: dict, *, page_url: str | None = None, **kwargs):
        page = client.get(page_url or url)
        assert page.status_code == 200, page.status_code
        return client.post(url, data={**data, "csrf_token": csrf_token(page.get_data(as_text=True))},
                           **kwargs)

    return post


def audit_events(action: str) -> list[AuditEvent]:
    Session.expire_all()
    return list(Session.scalars(select(AuditEvent).where(AuditEvent.action == action)
                                .order_by(AuditEvent.id)))


def input_value(html: str, name: str) -> str | None:
    """The value attribute of the input called NAME on a rendered page."""
    for tag in re.findall(r"<input[^>]*>", html):
        if re.search(rf'name="{re.escape(name)}"', tag):
            match = re.search(r'value="([^"]*)"', tag)
            return match.group(1) if match else ""
    return None


def _input_tag(html: str, name: str, value: str) -> str | None:
    for tag in re.findall(r"<input[^>]*>", html):
        if f'name="{name}"' in tag and f'value="{value}"' in tag:
            return tag
    return None


def is_checked(html: str, name: str, value: str) -> bool:
    """Whether the checkbox or radio button NAME=VALUE is ticked on the page."""
    tag = _input_tag(html, name, value)
    assert tag is not None, f"no input {name}={value} on the page"
    return re.search(r"\schecked(\s|>|=|/)", tag) is not None


def is_selected(html: str, value) -> bool:
    """Whether an <option> with VALUE is selected on the page."""
    for tag in re.findall(r"<option[^>]*>", html):
        if f'value="{value}"' in tag:
            return re.search(r"\sselected(\s|>|=)", tag) is not None
    raise AssertionError(f"no option {value} on the page")
