"""axe-core over every page a person can reach without filling a form: public pages as an
anonymous visitor, every other page as a demo account allowed to see it. Any violation fails,
printed readably (rule, impact, help, the offending elements)."""
from __future__ import annotations

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect
from routewalk import RouteObjects, UnfillableArgument, url_for_rule
from sqlalchemy import select

from app.db import Session
from app.models import Consultation, Organisation, User
from app.permissions import PUBLIC, may_access

# Who looks at signed-in pages: the first demo account the matrix lets in.
VIEWERS = ("admin", "advisory", "analyst", "facilitator", "kaitiaki", "participant")
NOT_PAGES = {"static", "main.healthz"}


def describe(violations: list[dict]) -> str:
    lines = []
    for violation in violations:
        lines.append(f"  [{violation['impact']}] {violation['id']}: {violation['help']} "
                     f"({violation['helpUrl']})")
        for node in violation["nodes"][:5]:
            lines.append(f"      at {', '.join(map(str, node['target']))}: "
                         f"{node.get('failureSummary', '').splitlines()[-1].strip()}")
            lines.append(f"         {node['html'][:160]}")
    return "\n".join(lines)


@pytest.fixture(scope="module")
def axe():
    return Axe()


@pytest.fixture
def objects(live_server):
    """The seeded demo rows, to fill URL arguments (participant 1 is the 'owner')."""
    owner = Session.scalar(select(User).where(User.email == "participant@demo.korero.nz"))
    return RouteObjects(
        owner=owner,
        organisation=Session.scalars(select(Organisation).order_by(Organisation.id)).first(),
        consultation=Session.scalars(select(Consultation)).first(),
        invitation=None, feedback_item=None,
    )


def pages_by_viewer(app, objects) -> dict[str, list[str]]:
    """{viewer: [url, ...]} for every GET page, each under the first viewer allowed in."""
    users = {role: Session.scalar(select(User).where(User.email == f"{role}@demo.korero.nz"))
             for role in VIEWERS}
    matrix = app.extensions["korero_access"]
    pages: dict[str, list[str]] = {}
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if "GET" not in rule.methods or rule.endpoint in NOT_PAGES:
            continue
        if re.search(r"\.[a-z]+$", rule.rule):
            continue  # a download (export.csv ...), not a page
        try:
            url = url_for_rule(app, rule, objects)
        except (UnfillableArgument, AttributeError):
            continue  # names an object the demo has none of (an invitation, say)
        if matrix.get(rule.endpoint) == PUBLIC:
            viewer = "anonymous"
        else:
            viewer = next((role for role in VIEWERS if may_access(users[role], rule.endpoint, matrix)),
                          None)
            if viewer is None:
                continue
        pages.setdefault(viewer, []).append(url)
    pages.setdefault("anonymous", []).append("/no-such-page")
    return pages


def test_every_page_passes_axe(page, live_server, objects, sign_in, axe):
    pages = pages_by_viewer(live_server.app, objects)
    assert len(pages["anonymous"]) >= 6 and "admin" in pages
    failures, checked = [], []
    for viewer, urls in pages.items():
        if viewer != "anonymous":
            page.goto("about:blank")  # no request in flight may set the session again
            page.context.clear_cookies()
            sign_in(viewer)
        for url in urls:
            page.goto(url)
            if viewer != "anonymous" and "/account/login" in page.url and "login" not in url:
                failures.append(f"{url} as {viewer}: sent to sign in")
                continue
            violations = axe.run(page).response["violations"]
            checked.append(f"{url} ({viewer})")
            if violations:
                failures.append(f"{url} as {viewer}:\n{describe(violations)}")
    print("axe checked:\n  " + "\n  ".join(checked))
    assert not failures, "accessibility violations:\n" + "\n".join(failures)


def test_the_phone_layout_passes_axe(page, axe):
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto("/")
    page.get_by_text("Menu", exact=True).click()
    violations = axe.run(page).response["violations"]
    assert not violations, describe(violations)


def test_axe_really_runs_and_catches_a_planted_problem(page, axe):
    """Guards the tests above against passing vacuously (axe not injected under our CSP)."""
    page.goto("/")
    page.evaluate("""() => {
        const img = document.createElement('img');
        img.src = '/static/css/korero.css';
        document.querySelector('main').appendChild(img);
    }""")
    violations = axe.run(page).response["violations"]
    assert "image-alt" in {violation["id"] for violation in violations}


def test_a_form_showing_errors_passes_axe(page, sign_in, axe):
    sign_in("participant", password="not the right password at all")
    expect(page.get_by_role("alert")).to_be_visible()
    violations = axe.run(page).response["violations"]
    assert not violations, describe(violations)
