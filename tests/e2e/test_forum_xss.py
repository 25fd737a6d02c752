"""Cross-site scripting through the forum, in Chromium: more than a hundred payloads (script
tags, event handlers, javascript: and data: URLs, SVG, encoded and polyglot forms) as thread
titles, post bodies, attached files' names, a display name and an organisation name, shown on
the thread page, the space's thread list, search results, notifications and the digest email.
No dialog may open and no injected element (marked data-xss) may appear."""
from __future__ import annotations

import itertools
from html import escape
from urllib.parse import quote

import pytest
from sqlalchemy import select

from app.db import Session
from app.models import Membership, Organisation, User
from app.web.emails import render_email
from forums import attachments, notify, operations
from forums.hooks import DEMO_SCOPE
from forums.models import ForumNotification, ForumSpace

from .conftest import demo_email

PDF = b"%PDF-1.4\n%%EOF\n"
MARK = "zqxss"  # a word in every payload, so search finds them all
CORE = [
    "<script data-xss>alert(1)</script>",
    "<img src=x onerror=alert(1) data-xss>",
    "<svg onload=alert(1) data-xss></svg>",
    "<svg><script data-xss>alert(1)</script></svg>",
    "<iframe src=\"javascript:alert(1)\" data-xss></iframe>",
    "<iframe srcdoc=\"<script>parent.alert(1)</script>\" data-xss></iframe>",
    "<a href=\"javascript:alert(1)\" data-xss>click</a>",
    "<a href=\"data:text/html,<script>alert(1)</script>\" data-xss>click</a>",
    "<body onload=alert(1) data-xss>",
    "<details open ontoggle=alert(1) data-xss>",
    "<input autofocus onfocus=alert(1) data-xss>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1) data-xss>",
    "<object data=\"data:text/html,<script>alert(1)</script>\" data-xss></object>",
    "<embed src=\"javascript:alert(1)\" data-xss>",
    "<form action=\"javascript:alert(1)\" data-xss><button>go</button></form>",
    "<meta http-equiv=\"refresh\" content=\"0;url=javascript:alert(1)\" data-xss>",
    "<style data-xss>@import 'javascript:alert(1)';</style>",
    "<div style=\"background:url(javascript:alert(1))\" data-xss>x</div>",
    "\"><img src=x onerror=alert(1) data-xss>",
    "'><svg onload=alert(1) data-xss>",
    "</textarea><script data-xss>alert(1)</script>",
    "</title><script data-xss>alert(1)</script>",
    ("javascript:/*--></title></style></textarea></script><svg/onload='+/\"/+/onmouseover=1/"
    "+/[*/[]/+alert(1)//' data-xss>"),
    "<scr<script>ipt data-xss>alert(1)</scr</script>ipt>",
    "<IMG SRC=JaVaScRiPt:alert(1) data-xss>",
    "<img src=\"x\" onerror=\"&#97;&#108;&#101;&#114;&#116;(1)\" data-xss>",
    "<svg><animate onbegin=alert(1) attributeName=x dur=1s data-xss>",
    "<video><source onerror=alert(1) data-xss></video>",
    "<marquee onstart=alert(1) data-xss>x</marquee>",
    "<base href=\"javascript:alert(1)//\" data-xss>",
]
MARKDOWN = [
    "[click](javascript:alert(1))",
    "[click](JAVASCRIPT:alert(1))",
    "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "![img](javascript:alert(1))",
    "[click](javascript&#58;alert(1))",
    "<javascript:alert(1)>",
    "[click](  javascript:alert(1)  )",
    "[a](vbscript:msgbox(1))",
]


def _variants(payload: str) -> list[str]:
    """The payload as typed, HTML-escaped once (a double-decoding bug would revive it),
    percent-encoded, and wrapped in Markdown that might let it through."""
    return [payload, escape(payload), quote(payload), f"**{payload}**", f"> {payload}",
            f"`x` {payload} `y`"]


PAYLOADS = list(dict.fromkeys(
    [f"{MARK} {variant}" for variant in itertools.chain.from_iterable(
        _variants(p) for p in CORE)] + [f"{MARK} {p}" for p in MARKDOWN]))


def test_there_are_more_than_a_hundred_payloads():
    assert len(PAYLOADS) >= 100


CHECK = """() => {
    const bad = [];
    for (const el of document.querySelectorAll('*')) {
        if (el.hasAttribute('data-xss')) bad.push('marked ' + el.outerHTML.slice(0, 80));
        for (const attr of el.attributes) {
            if (attr.name.startsWith('on')) bad.push('handler ' + el.outerHTML.slice(0, 80));
        }
        const url = (el.getAttribute('href') || el.getAttribute('src') || el.getAttribute('action')
                     || el.getAttribute('data') || '').trim().toLowerCase();
        if (/^(javascript|data|vbscript):/.test(url)) bad.push('url ' + el.outerHTML.slice(0, 80));
        if (['IFRAME', 'OBJECT', 'EMBED', 'BASE'].includes(el.tagName)) bad.push('tag ' + el.tagName);
        if (el.tagName === 'SCRIPT' && !(el.getAttribute('src') || '').startsWith('/static/'))
            bad.push('script ' + el.outerHTML.slice(0, 80));
    }
    return bad;
}"""


@pytest.fixture
def xss_forum(live_server):
    """A space of threads titled with the payloads, one thread whose replies are the payloads
    written by an author whose name and organisation are payloads, followed by participant."""
    with live_server.app.test_request_context():
        reader = Session.scalar(select(User).where(User.email == demo_email("participant")))
        consultation_id = Session.scalar(select(ForumSpace.consultation_id))
        from app.models import Consultation

        consultation = Session.get(Consultation, consultation_id)
        analyst = Session.scalar(select(User).where(User.email == demo_email("analyst")))
        space = operations.create_space(analyst, consultation, title=f"{MARK} space")
        org = Organisation(name=PAYLOADS[1][:200], stakeholder_group="ngo")
        author = User(email=f"xss-{len(PAYLOADS)}@example.org",
                      display_name=PAYLOADS[1][:120], password_hash=None)
        Session.add_all([org, author])
        Session.flush()
        Session.add(Membership(user_id=author.id, organisation_id=org.id))
        Session.flush()
        operations.set_preference(author, scope=DEMO_SCOPE)
        for payload in PAYLOADS[:30]:
            operations.create_thread(author, space, title=payload[:200], body=payload)
        thread = operations.create_thread(reader, space, title=f"{MARK} replies",
                                          body="Replies follow.")
        notify.set_following(reader, True, thread=thread)
        for payload in PAYLOADS:
            operations.reply(author, thread, body=payload,
                             files=[attachments.Upload(payload[:100] + ".pdf", PDF)])
        Session.commit()
        yield {"space": space.id, "thread": thread.id, "reader": reader.id}


def test_no_payload_runs_or_injects_anywhere_in_the_forum(page, sign_in, xss_forum,
                                                          live_server):
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    sign_in("participant")
    urls = [f"/forums/threads/{xss_forum['thread']}", f"/forums/spaces/{xss_forum['space']}",
            f"/forums/spaces/{xss_forum['space']}?page=2", f"/forums/search?q={MARK}",
            f"/forums/search?q={MARK}&page=3", "/forums/notifications", "/forums/"]
    problems = {}
    for url in urls:
        page.goto(url)
        page.wait_for_timeout(200)  # onerror / onload handlers fire after load
        found = page.evaluate(CHECK)
        if found:
            problems[url] = found[:5]
    with live_server.app.test_request_context():
        reader = Session.get(User, xss_forum["reader"])
        notes = Session.scalars(select(ForumNotification).where(
            ForumNotification.user_id == reader.id)).unique().all()
        assert len(notes) >= len(PAYLOADS)
        items = [{"thread": note.post.thread.title, "who": note.post.shown_name(reader),
                  "text": note.post.body, "url": "https://example.org/"} for note in notes]
        email = render_email("forums_digest", person=reader, items=items,
                             unsubscribe_url="https://example.org/unsubscribe")
    page.set_content(email.html)
    page.wait_for_timeout(200)
    found = page.evaluate(CHECK)
    if found:
        problems["digest email"] = found[:5]
    assert not dialogs, f"dialogs opened: {dialogs[:5]}"
    assert not problems, problems
    # The payloads were really shown (escaped), not dropped.
    page.goto(f"/forums/threads/{xss_forum['thread']}")
    assert page.locator(".forum-post").count() >= len(PAYLOADS)
    assert page.get_by_text("onerror=alert(1)").count() > 0
    assert page.locator(".forum-attachments a").count() >= len(PAYLOADS)


def test_the_check_really_catches_an_injected_element(page):
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.set_content("<p>ok</p><img src=x onerror=alert(1) data-xss>")
    page.wait_for_timeout(200)
    assert page.evaluate(CHECK) and dialogs
