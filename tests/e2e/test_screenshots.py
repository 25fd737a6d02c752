"""Screenshots of every main page, for people to review: each page as each demo role who may
see it, on a phone (390 px) and a desktop (1280 px), saved under test-results/screenshots/
(git-ignored; SCREENSHOTS_DIR moves it). A page is every GET route without URL arguments that
the role may use (its public pages only as the anonymous visitor): new pages join by themselves.
"""
from __future__ import annotations

import os
import re
from pathlib import Path

from sqlalchemy import select

from app.config import PROJECT_ROOT
from app.db import Session
from app.models import User
from app.permissions import PUBLIC, may_access

WIDTHS = (390, 1280)
VIEWERS = ("anonymous", "admin", "analyst", "facilitator", "advisory", "kaitiaki", "participant")
NOT_PAGES = {"static", "main.healthz", "main.favicon"}


def _folder() -> Path:
    folder = Path(os.environ.get("SCREENSHOTS_DIR") or PROJECT_ROOT / "test-results" / "screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def main_pages(app) -> dict[str, list[str]]:
    """{viewer: [path, ...]}: the public pages for the anonymous; each role's own pages."""
    matrix = app.extensions["korero_access"]
    people = {role: Session.scalar(select(User).where(User.email == f"{role}@demo.korero.nz"))
              for role in VIEWERS if role != "anonymous"}
    pages: dict[str, list[str]] = {viewer: [] for viewer in VIEWERS}
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if ("GET" not in rule.methods or rule.arguments or rule.endpoint in NOT_PAGES
                or re.search(r"\.[a-z]+$", rule.rule)):
            continue
        if matrix.get(rule.endpoint) == PUBLIC:
            if rule.endpoint.startswith("auth.") and rule.endpoint != "auth.login":
                continue  # forms reached from the sign-in page, not main pages
            pages["anonymous"].append(rule.rule)
            continue
        if rule.endpoint.startswith("auth.") and rule.endpoint != "auth.account":
            continue  # password and two-factor forms: the same for every role
        for role, person in people.items():
            if may_access(person, rule.endpoint, matrix):
                pages[role].append(rule.rule)
    for role in people:
        pages[role].insert(0, "/")  # the home page as a signed-in person sees it
    return pages


def _name(viewer: str, path: str, width: int) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", path.lower()).strip("-") or "home"
    return f"{viewer}--{slug}--{width}.png"


def test_screenshots_of_every_main_page_for_each_role(page, live_server, sign_in):
    folder = _folder()
    for old in folder.glob("*.png"):
        old.unlink()
    pages = main_pages(live_server.app)
    assert "/tasks" in pages["participant"] and "/admin/" in pages["admin"]
    assert "/" in pages["anonymous"] and "/privacy" in pages["anonymous"]
    saved = []
    for viewer, paths in pages.items():
        page.goto("about:blank")  # no request in flight may set the session again
        page.context.clear_cookies()
        if viewer != "anonymous":
            sign_in(viewer)
        for width in WIDTHS:
            page.set_viewport_size({"width": width, "height": 900})
            for path in paths:
                response = page.goto(path)
                assert response.status < 400, f"{path} as {viewer}: {response.status}"
                target = folder / _name(viewer, path, width)
                page.screenshot(path=str(target), full_page=True)
                saved.append(target)
    assert all(path.stat().st_size > 1000 for path in saved)
    print(f"{len(saved)} screenshots in {folder}")
