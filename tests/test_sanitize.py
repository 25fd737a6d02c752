"""app/sanitize.py: Markdown becomes allow-listed HTML; scripts, event handlers and unsafe links
never survive; links carry rel="nofollow noopener"; Markdown's own features are kept."""
from __future__ import annotations

import re

import pytest

from app.sanitize import clean_html, markdown_to_html, plain_text

REL = 'rel="nofollow noopener"'


def _hrefs(html: str) -> list[str]:
    return re.findall(r'href="([^"]*)"', html)


# ---------------------------------------------------------------- nothing dangerous survives


@pytest.mark.parametrize("convert", [markdown_to_html, clean_html])
def test_script_tags_never_survive(convert):
    html = convert('<script>alert("x")</script><SCRIPT SRC="https://evil.example/x.js"></SCRIPT>'
                   "Hello")
    assert "<script" not in html.lower()
    assert "Hello" in html


@pytest.mark.parametrize("convert", [markdown_to_html, clean_html])
@pytest.mark.parametrize("source", [
    '<img src="x" onerror="alert(1)">',
    '<p onclick="alert(1)" onmouseover="alert(2)">Click</p>',
    '<a href="https://example.org" onfocus="alert(1)" autofocus>x</a>',
    '<svg onload="alert(1)"><circle /></svg>',
    '<body onload="alert(1)">',
])
def test_event_handler_attributes_never_survive(convert, source):
    html = convert(source)
    # As a tag attribute, that is: in Markdown the source is escaped into harmless text.
    assert not re.search(r"<[^>]*\son\w+\s*=", html, flags=re.IGNORECASE), html


@pytest.mark.parametrize("href", [
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    " javascript:alert(1)",
    "java\tscript:alert(1)",
    "&#106;avascript:alert(1)",
    "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
    "DATA:text/html,<script>alert(1)</script>",
    "vbscript:msgbox(1)",
])
def test_javascript_and_data_links_are_removed(href):
    for html in (markdown_to_html(f"[click]({href})"), clean_html(f'<a href="{href}">click</a>')):
        for kept in _hrefs(html):
            assert not re.match(r"\s*(java\s*script|data|vbscript):", kept, re.IGNORECASE), html
        assert "click" in html  # the words stay, only the link goes


def test_bare_data_text_never_becomes_a_data_link():
    # The linkifier runs after the protocol allow-list; it must not invent links it refuses.
    for text in ("see data:example.com/x now", "data://example.com/x", "callto:example.com",
                 "ftp://example.com/file"):
        for href in _hrefs(markdown_to_html(text)):
            assert href.startswith(("http://", "https://")), (text, href)


def test_images_and_iframes_are_not_allowed():
    html = markdown_to_html("![alt](https://example.org/a.png)") + clean_html(
        '<iframe src="https://example.org"></iframe><object data="x"></object>')
    assert "<img" not in html and "<iframe" not in html and "<object" not in html


# ---------------------------------------------------------------- links


def test_every_link_gets_nofollow_noopener():
    html = markdown_to_html("[a](https://example.org) and <https://example.net/x> and "
                            "https://example.com/bare and [m](mailto:kia.ora@example.org)")
    assert _hrefs(html) == ["https://example.org", "https://example.net/x",
                            "https://example.com/bare", "mailto:kia.ora@example.org"]
    assert html.count("<a ") == html.count(REL) == 4


def test_an_existing_rel_is_replaced():
    html = clean_html('<a href="https://example.org" rel="opener" target="_blank">x</a>')
    assert html == f'<a href="https://example.org" {REL}>x</a>'


def test_link_text_and_query_strings_are_escaped_once():
    html = markdown_to_html("[Kai & kōrero](https://example.org/?a=1&b=2)")
    assert html.strip() == (f'<p><a href="https://example.org/?a=1&amp;b=2" {REL}>'
                            "Kai &amp; kōrero</a></p>")


# ---------------------------------------------------------------- Markdown features kept


def test_emphasis_and_lists_are_kept():
    html = markdown_to_html("*em* and **strong**\n\n- one\n- two\n\n1. first\n2. second")
    assert "<em>em</em>" in html and "<strong>strong</strong>" in html
    assert "<ul>\n<li>one</li>\n<li>two</li>\n</ul>" in html
    assert "<ol>\n<li>first</li>\n<li>second</li>\n</ol>" in html


def test_code_is_kept_escaped_exactly_once_and_not_linkified():
    html = markdown_to_html("Use `a < b && c`.\n\n```\n<b>bold?</b> https://example.org\n```")
    assert "<code>a &lt; b &amp;&amp; c</code>" in html
    assert "<pre><code>&lt;b&gt;bold?&lt;/b&gt; https://example.org\n</code></pre>" in html
    assert "&amp;lt;" not in html  # not escaped twice
    assert "<a " not in html  # URLs in code stay text


def test_tables_headings_quotes_are_kept():
    html = markdown_to_html("## Findings\n\n> He aha te mea nui?\n\n| Group | Count |\n"
                            "|---|---|\n| NGO | 12 |")
    assert "<h2>Findings</h2>" in html
    assert "<blockquote>\n<p>He aha te mea nui?</p>\n</blockquote>" in html
    assert "<table>" in html and "<th>Group</th>" in html and "<td>NGO</td>" in html


def test_raw_html_in_markdown_is_shown_as_text_not_passed_through():
    html = markdown_to_html('Hello <b>bold</b> <a href="https://example.org">x</a>\n\n'
                            "<div>block</div>")
    assert "<b>" not in html and "<div>" not in html
    assert "&lt;b&gt;bold&lt;/b&gt;" in html and "&lt;div&gt;block&lt;/div&gt;" in html


def test_text_survives_intact():
    html = markdown_to_html("Tēnā koutou — data & trust < 3 \"quotes\"")
    assert html.strip() == "<p>Tēnā koutou — data &amp; trust &lt; 3 &quot;quotes&quot;</p>"


def test_empty_and_none_input():
    assert markdown_to_html("") == "" and markdown_to_html(None) == ""
    assert clean_html(None) == "" and plain_text(None) == ""


def test_plain_text_removes_every_tag():
    assert plain_text("<p>Kia <strong>ora</strong> <a href='https://e.org'>e hoa</a></p>") \
        == "Kia ora e hoa"


# ---------------------------------------------------------------- plain text


@pytest.mark.parametrize("source, text", [
    ("AT&T", "AT&T"),
    ("AT&amp;T", "AT&T"),
    ("<p>Kai &amp; kōrero &lt;3 &quot;yes&quot; &#8212; &#x2014;</p>", 'Kai & kōrero <3 "yes" — —'),
    ("a < b and c > d", "a < b and c > d"),
    ("Tēnā koutou", "Tēnā koutou"),
])
def test_plain_text_is_text_not_html(source, text):
    assert plain_text(source) == text


def test_plain_text_of_cleaned_markdown_round_trips_the_words():
    source = "Data & trust: *a < b* and [Kai & kōrero](https://example.org/?a=1&b=2)"
    assert plain_text(markdown_to_html(source)) == "Data & trust: a < b and Kai & kōrero"


def test_plain_text_drops_script_and_style_content():
    assert plain_text("<script>alert('x & y')</script><style>p { color: red }</style>Kia ora") \
        == "Kia ora"


def test_plain_text_keeps_paragraphs_apart():
    html = markdown_to_html("First point.\n\nSecond point.\n\n- one\n- two")
    assert plain_text(html) == "First point.\n\nSecond point.\n\none\n\ntwo"
