"""The forum in a real browser: a participant's journey (start a thread, reply, edit, follow, get
a notification), a moderator hiding a post and its author seeing why, axe over every forum page,
the reply form used by keyboard alone, and attaching files (a hostile file name included)."""
from __future__ import annotations

import re
import uuid

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect
from sqlalchemy import select

from app.db import Session
from forums.models import ForumPost, ForumSpace, ForumThread

from .test_accessibility import describe

SERIOUS = {"serious", "critical"}


@pytest.fixture(scope="module")
def axe():
    return Axe()


def _open_space_id() -> int:
    return Session.scalar(select(ForumSpace.id).where(ForumSpace.kind == "open")
                          .order_by(ForumSpace.id))


def _start_thread(page, title: str, body: str) -> None:
    page.goto("/forums/")
    page.get_by_role("link", name="Open discussion").click()
    page.get_by_role("link", name="Start a thread").click()
    page.get_by_label("Title").fill(title)
    page.get_by_label("Your message").fill(body)
    page.get_by_role("button", name="Post").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(title)


def _reply(page, body: str) -> None:
    page.locator("#body").fill(body)
    page.get_by_role("button", name="Post").click()
    expect(page.locator(".forum-post-body", has_text=body)).to_be_visible()


def test_a_participant_starts_replies_edits_follows_and_is_notified(page, sign_in):
    title = f"Journey {uuid.uuid4().hex[:8]}"
    sign_in("participant")
    _start_thread(page, title, "Opening words about **whānau** data.")
    expect(page.locator(".forum-post-body strong")).to_have_text("whānau")
    # Posting follows the thread.
    expect(page.get_by_role("button", name="Stop following")).to_be_visible()
    _reply(page, "A second thought from the author.")
    own = page.locator(".forum-post", has_text="A second thought from the author.")
    own.get_by_role("link", name="Edit").click()
    page.get_by_label("Your message").fill("A second thought, edited.")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".forum-post-body", has_text="A second thought, edited.")).to_be_visible()
    expect(page.get_by_text("A second thought from the author.")).to_have_count(0)
    thread_url = page.url.split("#")[0]

    page.context.clear_cookies()
    sign_in("participant2")
    page.goto(thread_url)
    _reply(page, "Participant two answers the journey.")

    page.context.clear_cookies()
    sign_in("participant")
    page.goto("/forums/notifications")
    expect(page.get_by_role("link", name=title).first).to_be_visible()
    page.get_by_role("link", name=title).first.click()
    expect(page.locator(".forum-post-body", has_text="Participant two answers")).to_be_visible()


def test_a_moderator_hides_a_post_and_the_author_sees_why(page, sign_in):
    title = f"Moderated {uuid.uuid4().hex[:8]}"
    sign_in("participant")
    _start_thread(page, title, "Words a moderator will hide.")
    thread_url = page.url.split("#")[0]

    page.context.clear_cookies()
    sign_in("facilitator")
    page.goto(thread_url)
    post = page.locator(".forum-post", has_text="Words a moderator will hide.")
    post.get_by_label("Reason (shown to the author)").fill("Names a private person.")
    post.get_by_role("button", name="Hide").click()

    page.context.clear_cookies()
    sign_in("participant2")
    page.goto(thread_url)
    expect(page.get_by_text("Words a moderator will hide.")).to_have_count(0)

    page.context.clear_cookies()
    sign_in("participant")
    page.goto(thread_url)
    expect(page.get_by_role("note")).to_contain_text("Names a private person.")


def test_the_reply_form_works_by_keyboard_alone(page, sign_in):
    sign_in("participant")
    _start_thread(page, f"Keyboard {uuid.uuid4().hex[:8]}", "Replies by keyboard follow.")
    page.goto(page.url.split("#")[0])
    page.locator("body").focus()
    for _ in range(80):  # Tab from the top until the message box has the focus
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "body":
            break
    else:
        pytest.fail("Tab never reached the reply's message box")
    page.keyboard.type("Typed without a mouse.")
    for _ in range(20):  # on to the Post button
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.textContent.trim()") == "Post":
            break
    else:
        pytest.fail("Tab never reached the Post button")
    page.keyboard.press("Enter")
    expect(page.locator(".forum-post-body", has_text="Typed without a mouse.")).to_be_visible()


def _forum_pages() -> dict[str, list[str]]:
    """{viewer: [url, ...]}: every forum page, each as someone allowed to see it."""
    space_id = _open_space_id()
    thread = Session.scalars(select(ForumThread).where(ForumThread.space_id == space_id)
                             .order_by(ForumThread.id)).first()
    caucus = Session.scalar(select(ForumSpace.id).where(ForumSpace.kind == "caucus")
                            .order_by(ForumSpace.id))
    posts = Session.scalars(select(ForumPost).where(ForumPost.thread_id == thread.id)
                            .order_by(ForumPost.id)).all()
    opening = posts[0]
    pages = {
        "participant": ["/forums/", f"/forums/spaces/{space_id}",
                        f"/forums/spaces/{space_id}/new", f"/forums/threads/{thread.id}",
                        f"/forums/threads/{thread.id}?quote={opening.id}",
                        f"/forums/posts/{opening.id}/flag", "/forums/notifications",
                        "/forums/preferences", "/forums/feeds", "/forums/search?q=whanau",
                        "/forums/search?q=nothing-matches-this"],
        "analyst": ["/forums/moderation", "/forums/spaces/new", f"/forums/threads/{thread.id}",
                    f"/forums/spaces/{space_id}/settings"],
        "kaitiaki": [f"/forums/spaces/{caucus}"],
    }
    own = Session.scalars(select(ForumPost).join(ForumThread)
                          .where(ForumThread.space_id == space_id)
                          .order_by(ForumPost.id)).all()
    author = own[0].author.email.split("@")[0]
    pages.setdefault(author, []).extend([f"/forums/posts/{own[0].id}/edit",
                                         f"/forums/posts/{own[0].id}/consent",
                                         f"/forums/posts/{own[0].id}/history"])
    return pages


def test_no_forum_page_has_a_serious_axe_violation(page, sign_in, axe):
    failures, checked = [], []
    for viewer, urls in _forum_pages().items():
        page.context.clear_cookies()
        sign_in(viewer)
        for url in urls:
            response = page.goto(url)
            checked.append(f"{url} ({viewer}): {response.status}")
            if response.status >= 400:
                failures.append(f"{url} as {viewer}: HTTP {response.status}")
                continue
            violations = [v for v in axe.run(page).response["violations"]
                          if v["impact"] in SERIOUS]
            if violations:
                failures.append(f"{url} as {viewer}:\n{describe(violations)}")
    print("axe checked:\n  " + "\n  ".join(checked))
    assert len(checked) >= 15
    assert not failures, "serious or critical accessibility violations:\n" + "\n".join(failures)


def test_the_thread_page_keeps_what_was_typed_when_a_reply_is_refused(page, sign_in):
    sign_in("participant")
    page.goto("/forums/")
    page.get_by_role("link", name="Open discussion").click()
    page.locator("table a, .forum-threads a").first.click()
    page.locator("#body").fill("x" * 20001)
    page.get_by_role("button", name="Post").click()
    expect(page.get_by_role("alert").first).to_be_visible()
    assert re.fullmatch("x{20001}", page.locator("#body").input_value())


PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
HOSTILE = "<img src=x onerror=alert(1)>report.pdf"


def test_a_participant_attaches_files_and_readers_see_and_fetch_them(page, sign_in, axe):
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    title = f"Files {uuid.uuid4().hex[:8]}"
    sign_in("participant")
    _start_thread(page, title, "A thread to attach to.")
    # A file that is not what its name says is refused, keeping the typed words.
    page.locator("#body").fill("My reply with the hui minutes.")
    page.get_by_label("Attach files (optional)").set_input_files(
        [{"name": "minutes.pdf", "mimeType": "application/pdf", "buffer": b"<html>no</html>"}])
    page.get_by_role("button", name="Post").click()
    expect(page.get_by_role("alert").first).to_contain_text("is not a PDF, PNG or JPEG")
    assert page.locator("#body").input_value() == "My reply with the hui minutes."
    page.get_by_label("Attach files (optional)").set_input_files([
        {"name": "Hui minutes.pdf", "mimeType": "application/pdf", "buffer": PDF},
        {"name": HOSTILE, "mimeType": "application/pdf", "buffer": PDF}])
    page.get_by_role("button", name="Post").click()
    post = page.locator(".forum-post", has_text="My reply with the hui minutes.")
    expect(post.get_by_role("link", name="Hui minutes.pdf")).to_be_visible()
    expect(post.get_by_role("link", name=HOSTILE)).to_be_visible()  # shown as text
    assert page.locator(".forum-post img[src=x]").count() == 0 and not dialogs
    violations = [v for v in axe.run(page).response["violations"] if v["impact"] in SERIOUS]
    assert not violations, describe(violations)
    href = post.get_by_role("link", name="Hui minutes.pdf").get_attribute("href")
    thread_url = page.url.split("#")[0]

    page.context.clear_cookies()
    sign_in("participant2")
    page.goto(thread_url)
    expect(page.get_by_role("link", name="Hui minutes.pdf")).to_be_visible()
    response = page.request.get(href)
    assert response.status == 200 and response.body() == PDF
    assert response.headers["content-type"] == "application/pdf"
    assert response.headers["content-disposition"].startswith("attachment;")
    assert response.headers["x-content-type-options"] == "nosniff"

    # The author removes one from the post's edit page (axe-clean too).
    page.context.clear_cookies()
    sign_in("participant")
    page.goto(thread_url)
    page.locator(".forum-post", has_text="My reply with the hui minutes.") \
        .get_by_role("link", name="Edit").click()
    page.wait_for_url(re.compile(r"/posts/\d+/edit"))  # axe needs the new page, not the old
    page.wait_for_load_state("load")
    violations = [v for v in axe.run(page).response["violations"] if v["impact"] in SERIOUS]
    assert not violations, describe(violations)
    page.get_by_role("button", name=f"Remove {HOSTILE}").click()
    expect(page.get_by_text("The file is removed.")).to_be_visible()
    expect(page.get_by_role("link", name=HOSTILE)).to_have_count(0)
    assert not dialogs
