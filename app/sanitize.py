"""The only module that imports bleach. User-written Markdown becomes safe HTML here, once,
when it is saved; templates mark only these cleaned fields as safe."""
from __future__ import annotations

from functools import partial
from urllib.parse import urlsplit

import bleach
from bleach.linkifier import LinkifyFilter, build_url_re
from markdown_it import MarkdownIt

ALLOWED_TAGS = frozenset({
    "a", "abbr", "b", "blockquote", "br", "code", "em", "h2", "h3", "h4", "hr", "i", "li",
    "ol", "p", "pre", "strong", "ul", "table", "thead", "tbody", "tr", "th", "td",
})
ALLOWED_ATTRIBUTES = {"a": ["href", "title"], "abbr": ["title"], "th": ["scope"]}
ALLOWED_PROTOCOLS = frozenset({"http", "https", "mailto"})

# "js-default" keeps raw HTML out (html=False) and turns bare links into links.
_markdown = MarkdownIt("js-default", {"linkify": False, "typographer": False}).enable("table")


def _link_rel(attrs, new=False):
    """Every link gets rel="nofollow noopener"; links leave no referrer trail to tabs.
    A link with a scheme outside the allow-list is dropped, keeping its text."""
    scheme = urlsplit(attrs.get((None, "href"), "")).scheme.lower()
    if scheme and scheme not in ALLOWED_PROTOCOLS:
        return None
    attrs[(None, "rel")] = "nofollow noopener"
    return attrs


# Linkify inside the cleaner, in one pass: a separate Linker pass after cleaning escaped the
# text of <pre>/<code> a second time (bleach 6 skip_tags), and made links of bare "data:..."
# text after the protocol allow-list had run. Bare text becomes a link only for allowed schemes.
_cleaner = bleach.Cleaner(
    tags=ALLOWED_TAGS,
    attributes=ALLOWED_ATTRIBUTES,
    protocols=ALLOWED_PROTOCOLS,
    strip=True,
    strip_comments=True,
    filters=[partial(LinkifyFilter, callbacks=[_link_rel], skip_tags={"pre", "code"},
                     url_re=build_url_re(protocols=ALLOWED_PROTOCOLS))],
)


def markdown_to_html(text: str) -> str:
    """Markdown -> HTML -> allow-listed HTML with safe links. Never raises on user input."""
    return _cleaner.clean(_markdown.render(text or ""))


def clean_html(html: str) -> str:
    """Allow-list already-rendered HTML (e.g. imported content)."""
    return _cleaner.clean(html or "")


def plain_text(html_or_text: str) -> str:
    """All tags removed: for previews, emails and exports."""
    return bleach.clean(html_or_text or "", tags=set(), strip=True)
