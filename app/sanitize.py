"""The only module that imports bleach. User-written Markdown becomes safe HTML here, once,
when it is saved; templates mark only these cleaned fields as safe."""
from __future__ import annotations

import bleach
from bleach.linkifier import Linker
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
    """Every link gets rel="nofollow noopener"; links leave no referrer trail to tabs."""
    attrs[(None, "rel")] = "nofollow noopener"
    return attrs


_cleaner = bleach.Cleaner(
    tags=ALLOWED_TAGS,
    attributes=ALLOWED_ATTRIBUTES,
    protocols=ALLOWED_PROTOCOLS,
    strip=True,
    strip_comments=True,
)
_linker = Linker(callbacks=[_link_rel], skip_tags={"pre", "code"})


def markdown_to_html(text: str) -> str:
    """Markdown -> HTML -> allow-listed HTML with safe links. Never raises on user input."""
    html = _markdown.render(text or "")
    cleaned = _cleaner.clean(html)
    return _linker.linkify(cleaned)


def clean_html(html: str) -> str:
    """Allow-list already-rendered HTML (e.g. imported content)."""
    return _linker.linkify(_cleaner.clean(html or ""))


def plain_text(html_or_text: str) -> str:
    """All tags removed: for previews, emails and exports."""
    return bleach.clean(html_or_text or "", tags=set(), strip=True)
