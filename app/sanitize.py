"""The only module that imports bleach. User-written Markdown becomes safe HTML here, once,
when it is saved; templates mark only these cleaned fields as safe."""
from __future__ import annotations

import re
from functools import partial
from html.parser import HTMLParser
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


# Elements that start a new paragraph in plain text, and elements whose content is never text.
_BLOCK_TAGS = frozenset({
    "address", "article", "aside", "blockquote", "br", "dd", "div", "dl", "dt", "figcaption",
    "figure", "footer", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "li", "ol", "p",
    "pre", "section", "table", "tr", "ul",
})
_HIDDEN_TAGS = frozenset({"script", "style", "template"})


class _TextCollector(HTMLParser):
    """The text of an HTML fragment: entities decoded, block elements on lines of their own."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._hidden_depth = 0

    def handle_starttag(self, tag, attrs):
        if tag in _HIDDEN_TAGS:
            self._hidden_depth += 1
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_endtag(self, tag):
        if tag in _HIDDEN_TAGS:
            self._hidden_depth = max(0, self._hidden_depth - 1)
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_data(self, data):
        if not self._hidden_depth:
            self.parts.append(data)


def plain_text(html_or_text: str) -> str:
    """Real plain text, for previews, emails and exports: every tag removed (the content of
    <script> and <style> too), entities decoded (`AT&amp;T` -> `AT&T`), paragraphs separated by
    a blank line. The result is text, not HTML: autoescape it; never mark it safe."""
    collector = _TextCollector()
    collector.feed(html_or_text or "")
    collector.close()
    text = "\n".join(line.rstrip() for line in "".join(collector.parts).split("\n"))
    return re.sub(r"\n{3,}", "\n\n", text).strip()
