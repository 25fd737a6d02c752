"""HTML and PDF (WeasyPrint) exports: the same template as the report page."""
from __future__ import annotations

from flask import render_template

from app.web.dates import format_human

AUDIENCES = {"working_group": "the working group", "public": "the public"}


def html_text(report, build, data) -> str:
    return render_template("reports/document.html", data=data, h=2,
                           audience_label=AUDIENCES[data["audience"]],
                           built=format_human(build.built_at))


def html_bytes(report, build, data) -> bytes:
    return html_text(report, build, data).encode("utf-8")


def pdf_bytes(report, build, data) -> bytes:
    from weasyprint import HTML

    # No base URL: the document refers to nothing outside itself (no fetches at all).
    return HTML(string=html_text(report, build, data)).write_pdf()
