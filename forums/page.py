"""The thread page's content, cached so that reading a thread costs a constant, small amount of
work whatever its length.

Two layers, both in forums/cache.py (per process, keyed by the thread's `version`, which every
change to what the page shows bumps, so an edit, a hide or a withdrawal shows at once in every
worker and no entry ever needs invalidating for correctness):

- the posts, shared by every reader with the same view: plain readers, the space's moderators,
  and (a page of their own) the author of one of the posts;
- the rest of the content (breadcrumb, tools, reply form), per reader and what they see:
  following or not, asked for consent or not, the space open or read-only, their name and
  groups in the identity choices.

A plain read also keeps the whole page, layout included (`cached_page`), keyed by the content's
key plus everything the layout shows for the reader: their roles (which links the navigation
offers), the packages' navigation entries with their badges as counted now, the language and
the year in the footer. A request with flashed messages to show renders the layout afresh
around the cached content.

Forms in the cached HTML carry a placeholder for the CSRF token, and script tags one for the
CSP nonce, each replaced by this request's own on the way out: a token belongs to one session
and a nonce to one response, so neither is ever cached.
"""
from __future__ import annotations

import re

from flask import current_app, g, render_template, session
from flask_babel import get_locale

from app.packages import badged_endpoints, navigation
from app.permissions import may_access
from app.security import csp_nonce, csrf_token
from forums import cache, feeds, operations, queries
from forums.forms import ButtonForm
from forums.models import ForumSpace, ForumThread

CSRF_PLACEHOLDER = "\x00forum-csrf\x00"
NONCE_PLACEHOLDER = "\x00forum-nonce\x00"
_POSTS_MARK = "\x00forum-posts\x00"


class _PlaceholderToken:
    """Render forms with CSRF_PLACEHOLDER as their token, for caching; then put back whatever
    this request had (a real token is generated when the layout or `with_token` asks)."""

    def __init__(self, *, nonce: bool = False):
        self.names = {current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token"):
                      CSRF_PLACEHOLDER}
        if nonce:  # the layout's script tags (app.security.csp_nonce keeps it in g)
            self.names["csp_nonce"] = NONCE_PLACEHOLDER

    def __enter__(self):
        self.previous = {name: g.pop(name, None) for name in self.names}
        for name, placeholder in self.names.items():
            setattr(g, name, placeholder)
        return self

    def __exit__(self, *exc):
        for name, previous in self.previous.items():
            g.pop(name, None)
            if previous is not None:
                setattr(g, name, previous)
        return False


def with_token(html: str) -> str:
    """HTML from the cache, with this request's CSRF token in its forms."""
    return html.replace(CSRF_PLACEHOLDER, csrf_token()) if CSRF_PLACEHOLDER in html else html


def posts_html(thread: ForumThread, viewer, *, is_moderator: bool) -> str:
    """The rendered posts (with the CSRF placeholder), from the cache when a reader with the
    same view had them. An author sees their own edit buttons and waiting posts: theirs."""
    kind = "moderator" if is_moderator else "reader"
    shared = cache.get(_posts_key(thread, kind))
    if shared is not None and viewer.id not in shared[1]:
        return shared[0]
    own = cache.get(_posts_key(thread, kind, viewer.id))
    if own is not None:
        return own[0]
    posts = queries.thread_posts(thread)
    author_ids = frozenset(post.author_id for post in posts)
    is_author = viewer.id in author_ids
    with _PlaceholderToken():
        html = render_template("forums/_posts.html", posts=posts,
                               by_id={post.id: post for post in posts}, thread=thread,
                               viewer=viewer, is_moderator=is_moderator, own_view=is_author,
                               button=ButtonForm())
    cache.put(_posts_key(thread, kind, viewer.id if is_author else None), (html, author_ids))
    return html


def _posts_key(thread: ForumThread, kind: str, author_id: int | None = None) -> tuple:
    return (thread.id, "posts", thread.created_at.isoformat(), thread.version, kind, author_id)


def content_key(thread: ForumThread, space: ForumSpace, viewer, view: dict) -> tuple:
    """Everything the content outside the posts depends on: change any of it, miss the cache."""
    return _content_key(thread.id, thread.created_at, thread.version, space.title,
                        space.governance_group_id is None, viewer, view)


def _content_key(thread_id: int, created_at, version: int, space_title: str,
                 is_ungoverned: bool, viewer, view: dict) -> tuple:
    # Also built from the database's plain values by forums/fast_read.py: only values that
    # compare equal however they were read (ints, strings, aware datetimes, booleans).
    return (thread_id, "page", created_at, version, space_title, is_ungoverned, viewer.id,
            viewer.display_name, tuple(view["group_choices"]), str(get_locale() or ""),
            bool(view["following"]), bool(view["ask_consent"]), bool(view["is_open"]),
            bool(view["is_moderator"]), view["feed_url"])


def complete_view(view: dict, thread_id: int, viewer, *, is_moderator: bool) -> dict:
    """Add to VIEW (the reader's state from the database) what follows from the reader: the
    identities they may post as and their feed's address."""
    view["is_moderator"] = is_moderator
    view["group_choices"] = operations.group_choices(viewer)
    secret = feeds.secret_for_key(viewer.id, view["feed_salt"])
    view["feed_url"] = feeds.address("forums.thread_feed", token=secret,
                                     thread_id=thread_id) if secret else None
    return view


def cached_content(thread: ForumThread, space: ForumSpace, viewer, view: dict,
                   build_form) -> str:
    """The thread page's content for a plain GET (no preview, no quote, no typed text): from
    the cache, else rendered by `render_content` with a blank form from BUILD_FORM() and kept."""
    return with_token(_content_with_placeholders(thread, space, viewer, view, build_form))


def _content_with_placeholders(thread, space, viewer, view, build_form) -> str:
    key = content_key(thread, space, viewer, view)
    parts = cache.get(key)
    if parts is None:
        with _PlaceholderToken():
            html = render_content(thread, space, viewer, view, form=build_form(), preview=None,
                                  posts=_POSTS_MARK)
        parts = tuple(html.split(_POSTS_MARK, 1))
        cache.put(key, parts)
    posts = posts_html(thread, viewer, is_moderator=view["is_moderator"])
    return parts[0] + posts + parts[1]


def _layout_state(viewer, counted: dict | None = None) -> tuple:
    """What the layout (templates/base.html, _nav.html) shows that is not fixed per thread and
    language: the reader's roles (the core links the navigation offers follow from them and the
    access matrix), the packages' entries with their badges counted now (COUNTED: those
    already counted, by endpoint), the footer's year."""
    roles = tuple(sorted(viewer.roles))
    year = current_app.jinja_env.globals["copyright_year"]()
    return roles, _nav_state(viewer, roles, counted), year


def _nav_state(viewer, roles: tuple, counted: dict | None) -> tuple:
    # A link's label is fixed by its entry (registered once, found by its endpoint) and the
    # language, which the content key holds: translating each label here only to compare it
    # cost a twentieth of the page.
    app = current_app._get_current_object()
    # With every badge already counted (forums/fast_read.py), the links follow from the
    # signed-in reader's roles alone (the access matrix and the entries are fixed per app):
    # kept per app and roles.
    memo = counted is not None and counted.keys() >= badged_endpoints(app)
    states = app.extensions.setdefault("forums_nav_states", {}) if memo else {}
    key = (roles, tuple(sorted(counted.items()))) if memo else None
    found = states.get(key)
    if found is None:
        links = navigation(app, lambda endpoint: may_access(viewer, endpoint), viewer, counted)
        found = tuple((link.endpoint, link.count, link.count_label) for link in links)
        if memo:
            if len(states) > 256:
                states.clear()
            states[key] = found
    return found


def cached_page(thread: ForumThread, space: ForumSpace, viewer, view: dict,
                build_form) -> bytes | None:
    """The whole thread page for a plain GET, from the cache when this reader had it with the
    same content and layout; None when there are flashed messages to show (the caller renders
    the layout around `cached_content` then)."""
    if session.get("_flashes"):
        return None
    key = (*content_key(thread, space, viewer, view), "layout", _layout_state(viewer))
    page = cache.get(key)
    if page is None:
        content = _content_with_placeholders(thread, space, viewer, view, build_form)
        with _PlaceholderToken(nonce=True):
            html = render_template("forums/thread.html", thread=thread, content=content,
                                   feed_url=view["feed_url"])
        page = _without_indentation(html).encode()
        cache.put(key, page)
    return _filled(page)


def kept_page(thread_id: int, created_at, version: int, space_title: str,
              is_ungoverned: bool, viewer, view: dict, counted: dict) -> bytes | None:
    """The whole page `cached_page` kept for these values, filled for this response; None
    when it has not kept one (forums/fast_read.py: the same key, from plain values)."""
    key = (*_content_key(thread_id, created_at, version, space_title, is_ungoverned, viewer,
                         view), "layout", _layout_state(viewer, counted))
    page = cache.get(key)
    return None if page is None else _filled(page)


_CSRF_BYTES, _NONCE_BYTES = CSRF_PLACEHOLDER.encode(), NONCE_PLACEHOLDER.encode()


def _filled(page: bytes) -> bytes:
    """A kept page with this request's CSRF token and this response's CSP nonce. Kept as
    UTF-8 bytes: encoding the 40 KB page (it holds non-ASCII text) and replacing in the str
    cost about a tenth of a cached read; bytes are replaced in a fraction of that."""
    if _CSRF_BYTES in page:
        page = page.replace(_CSRF_BYTES, csrf_token().encode())
    return page.replace(_NONCE_BYTES, csp_nonce().encode())


# Markup whose whitespace counts (or may: scripts and styles are left as written).
# (Spaces, tabs and line breaks only: a non-breaking space is not collapsed by a browser.)
_WHITESPACE = re.compile(r"(<(pre|textarea|script|style)\b.*?</\2\s*>)|\n[ \t\r\n]+",
                         re.DOTALL | re.IGNORECASE)


def _without_indentation(html: str) -> str:
    """HTML with each run of whitespace that starts a line cut to the line break, except in
    <pre>, <textarea>, <script> and <style>: the same page to a browser (such whitespace
    between words and tags collapses to one space; no forum style keeps it), a fifth
    smaller (the templates' indentation)."""
    return _WHITESPACE.sub(lambda match: match.group(1) or "\n", html)


def render_content(thread: ForumThread, space: ForumSpace, viewer, view: dict, *, form,
                   preview, posts: str | None = None) -> str:
    if posts is None:
        posts = posts_html(thread, viewer, is_moderator=view["is_moderator"])
    return render_template("forums/_thread_content.html", thread=thread, space=space,
                           posts_html=posts, form=form, preview=preview,
                           is_moderator=view["is_moderator"], is_open=view["is_open"],
                           ask_consent=view["ask_consent"], following=view["following"],
                           feed_url=view["feed_url"], button=ButtonForm())
