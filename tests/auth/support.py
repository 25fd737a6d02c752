"""Small helpers shared by the account tests."""
from __future__ import annotations

import json
import re
from urllib.parse import urlsplit

from app.privacy.models import AuditEvent


def detail_of(event: AuditEvent) -> dict:
    return json.loads(event.detail or "{}")


def first_link(text: str) -> str:
    match = re.search(r"https?://\S+", text)
    assert match, f"no link in: {text!r}"
    return match.group(0)


def path_of(link: str) -> str:
    return urlsplit(link).path


def signed_in(client) -> bool:
    """Whether CLIENT is signed in (the account page answers instead of sending to login)."""
    return client.get("/account/").status_code == 200
