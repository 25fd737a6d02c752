"""Accessible SVG bar charts for report breakdowns. Each chart names itself (title and
description) and sits beside a data table holding the same figures, so nothing is only in the
picture. Suppressed counts are drawn as no bar with an "S" label, never as a guess."""
from __future__ import annotations

from itertools import count

from markupsafe import Markup, escape

from app.reports.confidentiality import SUPPRESSED

_ids = count(1)
BAR_HEIGHT, GAP, LABEL_WIDTH, BAR_WIDTH = 22, 8, 230, 260


def bar_chart(title: str, labels: list[str], values: list, *, colour: str = "#2f5d7c") -> Markup:
    """A horizontal bar chart of VALUES (rounded counts or SUPPRESSED) as inline SVG. No
    width or height: it scales to its container, so it fits a phone."""
    chart_id = f"chart-{next(_ids)}"
    numbers = [v for v in values if v != SUPPRESSED]
    largest = max(numbers, default=0) or 1
    height = len(labels) * (BAR_HEIGHT + GAP) + GAP
    width = LABEL_WIDTH + BAR_WIDTH + 60
    parts = [(f'<svg xmlns="http://www.w3.org/2000/svg" role="img" class="report-chart" '
             f'viewBox="0 0 {width} {height}" preserveAspectRatio="xMinYMin meet" '
             f'aria-labelledby="{chart_id}-title {chart_id}-desc">'),
             f'<title id="{chart_id}-title">{escape(title)}</title>',
             f'<desc id="{chart_id}-desc">{escape(_describe(labels, values))}</desc>']
    safe_colour = colour if _is_colour(colour) else "#2f5d7c"
    for index, (label, value) in enumerate(zip(labels, values, strict=True)):
        y = GAP + index * (BAR_HEIGHT + GAP)
        parts.append(f'<text x="0" y="{y + 16}" font-size="13" fill="#1b1b1b">'
                     f'{escape(_short(label))}</text>')
        if value == SUPPRESSED:
            parts.append(f'<text x="{LABEL_WIDTH}" y="{y + 16}" font-size="13" '
                         f'fill="#1b1b1b">S</text>')
            continue
        bar = round(BAR_WIDTH * value / largest)
        parts.append(f'<rect x="{LABEL_WIDTH}" y="{y}" width="{bar}" height="{BAR_HEIGHT}" '
                     f'fill="{safe_colour}"/>')
        parts.append(f'<text x="{LABEL_WIDTH + bar + 6}" y="{y + 16}" font-size="13" '
                     f'fill="#1b1b1b">{value}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


def _describe(labels, values) -> str:
    return "; ".join(f"{label}: {'suppressed' if value == SUPPRESSED else value}"
                     for label, value in zip(labels, values, strict=True))


def _short(label: str, limit: int = 32) -> str:
    return label if len(label) <= limit else label[:limit - 1] + "…"


def _is_colour(value: str) -> bool:
    return (isinstance(value, str) and len(value) == 7 and value.startswith("#")
            and all(c in "0123456789abcdefABCDEF" for c in value[1:]))
