"""Every export format of a report build. Each renders the build's content (already safe for
its audience: consent rules applied, counts suppressed and rounded), plus, for the CSV and the
XLSX item sheet, the item rows streamed by `app.reports.items` under the same rules."""
from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from flask import Response, stream_with_context

from app.reports.exports import document, office, text
from app.reports.sections import only_sections


@dataclass(frozen=True)
class Exporter:
    label: str
    extension: str
    mimetype: str
    render: Callable  # (report, build, data) -> bytes | Iterable[str]
    streamed: bool = False


EXPORTERS: dict[str, Exporter] = {
    "html": Exporter("HTML", "html", "text/html; charset=utf-8", document.html_bytes),
    "pdf": Exporter("PDF", "pdf", "application/pdf", document.pdf_bytes),
    "docx": Exporter("Word (DOCX)", "docx", "application/vnd.openxmlformats-officedocument."
                     "wordprocessingml.document", office.docx_bytes),
    "xlsx": Exporter("Excel (XLSX)", "xlsx", "application/vnd.openxmlformats-officedocument."
                     "spreadsheetml.sheet", office.xlsx_bytes),
    "csv": Exporter("CSV (items)", "csv", "text/csv; charset=utf-8", text.csv_chunks,
                    streamed=True),
    "md": Exporter("Markdown", "md", "text/markdown; charset=utf-8", text.markdown_bytes),
    "qdc": Exporter("Codebook (.qdc)", "qdc", "application/xml", text.qdc_bytes),
}


def export_content(report, build, fmt: str, sections: list[str] | None = None):
    """(bytes or an iterable of text chunks, the exporter) for REPORT's BUILD in FMT."""
    exporter = EXPORTERS[fmt]
    data = only_sections(build.data, sections)
    return exporter.render(report, build, data), exporter


def filename(report, build, fmt: str) -> str:
    return f"report-{report.id}-build-{build.number}.{EXPORTERS[fmt].extension}"


def export_response(report, build, fmt: str, sections: list[str] | None = None) -> Response:
    body, exporter = export_content(report, build, fmt, sections)
    if exporter.streamed:
        body = stream_with_context(body)
    response = Response(body, mimetype=exporter.mimetype)
    response.headers["Content-Disposition"] = \
        f'attachment; filename="{filename(report, build, fmt)}"'
    response.headers["Cache-Control"] = "no-store"
    return response


def write_export(report, build, fmt: str, target, sections=None) -> None:
    """Write an export to an open binary file (the CLI)."""
    body, _exporter = export_content(report, build, fmt, sections)
    if isinstance(body, bytes):
        target.write(body)
        return
    for chunk in body if isinstance(body, Iterable) else ():
        target.write(chunk.encode("utf-8"))
