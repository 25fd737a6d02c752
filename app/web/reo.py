"""Māori words in English text carry `lang="mi"`, so screen readers pronounce them in te reo
Māori (WCAG 3.1.2, Language of Parts) rather than as misread English.

Templates pass interface text through `|mi`: the text is escaped as usual, then each known
Māori word or phrase is wrapped in `<span lang="mi">`. Text that is already markup keeps its
tags untouched: only the text between tags is looked at.
"""
from __future__ import annotations

import re

from flask import Flask
from markupsafe import Markup, escape

# Longest first, so "te reo Māori" is one span rather than a span inside a span.
MAORI_TERMS = (
    "te reo Māori", "Te Tiriti o Waitangi", "tangata whenua", "mana whenua", "Kia ora",
    "Aotearoa", "kaitiaki", "taonga", "Kōrero", "whānau", "tikanga", "hapū", "Māori", "iwi", "hui",
)
_TERMS = re.compile(
    r"(?<!\w)(" + "|".join(re.escape(term) for term in sorted(MAORI_TERMS, key=len, reverse=True))
    + r")(?!\w)",
    re.IGNORECASE,
)
_TAG = re.compile(r"(<[^>]*>)")


def mark_maori(text) -> Markup:
    """TEXT, escaped, with each Māori word or phrase in `<span lang="mi">`."""
    if text is None:
        return Markup("")
    html = str(escape(text))
    parts = _TAG.split(html)
    for index in range(0, len(parts), 2):  # even indexes are text between tags
        parts[index] = _TERMS.sub(r'<span lang="mi">\1</span>', parts[index])
    return Markup("".join(parts))


def init_app(app: Flask) -> None:
    app.jinja_env.filters["mi"] = mark_maori
