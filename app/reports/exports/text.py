"""Text exports: the item CSV (streamed), Markdown, and the codebook as REFI-QDA .qdc."""
from __future__ import annotations

import csv
import io
import itertools
import re
from collections.abc import Iterator

from app.analysis.exchange import codebook_qdc
from app.analysis.queries import current_codebook
from app.reports.closed import question_tables
from app.reports.items import item_header, visible_item_rows
from app.spreadsheets import escape_cell, iter_csv

AUDIENCES = {"working_group": "the working group", "public": "the public"}
WITHHELD_NOTE = ("> Some feedback is governed by iwi, hapū or Pasifika groups whose kaitiaki "
                 "have not yet approved its use: it is counted only in the overall totals and "
                 "is not quoted.")
ROUNDING_NOTE = ("Counts from 1 to 5 are shown as S; other counts are randomly rounded to a "
                 "multiple of 3.")


def csv_chunks(report, build, data) -> Iterator[str]:
    """One row per item the audience may see quoted, 0/1 per theme; streamed in chunks of
    CSV_CHUNK_ROWS rows (the header through the shared `iter_csv`, so the file starts the
    same way as every other CSV of the site). The rows are set up now, not when the
    response is read: by then the view has returned and REPORT and BUILD are detached."""
    header = iter_csv(item_header(data), ())
    rows = _item_csv(visible_item_rows(report, build, data))
    return itertools.chain(header, rows)


CSV_CHUNK_ROWS = 2_000


def _item_csv(rows) -> Iterator[str]:
    """The item rows as CSV text. Only the four text cells can carry a formula, so only they
    go through `escape_cell`; the item id and the 0/1 theme flags are numbers, written as
    they are (the same text `escape_cell` gives them, for a fraction of the work)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    chunk: list = []
    for row in rows:
        chunk.append([row[0], escape_cell(row[1]), escape_cell(row[2]), escape_cell(row[3]),
                      escape_cell(row[4]), *row[5:]])
        if len(chunk) >= CSV_CHUNK_ROWS:
            yield _write(buffer, writer, chunk)
            chunk = []
    if chunk:
        yield _write(buffer, writer, chunk)


def _write(buffer: io.StringIO, writer, chunk: list) -> str:
    buffer.seek(0)
    buffer.truncate()
    writer.writerows(chunk)
    return buffer.getvalue()


_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+!|>~-])")


def md_escape(value) -> str:
    """People's words as Markdown text, never as markup: HTML is entity-escaped (a renderer
    that passes raw HTML through gets none) and Markdown's own punctuation is backslashed."""
    text = str(value).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = _MARKDOWN_SPECIAL.sub(r"\\\1", text)
    return " ".join(text.split())


def _md_table(header, rows, footer=None) -> list[str]:
    lines = ["| " + " | ".join(md_escape(cell) for cell in header) + " |",
             "|" + "---|" * len(header)]
    for row in [*rows, *([footer] if footer else [])]:
        lines.append("| " + " | ".join(md_escape(cell) for cell in row) + " |")
    return [*lines, ""]


def _breakdown(title: str, part: dict) -> list[str]:
    rows = [[label, count, share] for label, count, share in
            zip(part["labels"], part["counts"], part["shares"], strict=True)]
    return [f"**{md_escape(title)}**", "", *_md_table(["Group", "Count", "Share"], rows,
                                                      ["Total", part["total"], ""])]


def _closed_markdown(questions: list[dict]) -> list[str]:
    if not questions:
        return []
    out = ["## Closed questions", ""]
    for question in questions:
        out += [f"### {md_escape(question['prompt'])}", ""]
        if question["note"]:
            out += [md_escape(question["note"]), ""]
        overall = question["overall"]
        rows = [[label, count, share] for label, count, share in
                zip(overall["labels"], overall["counts"], overall["shares"], strict=True)]
        out += ["**Answers overall**", "",
                *_md_table(["Answer", "Count", "Share"], rows, ["Total", overall["total"], ""])]
        for table in question_tables(question):
            out += [f"**{md_escape(table['title'])}**", "",
                    *_md_table(table["header"], table["rows"], table["footer"])]
    return out


def markdown_text(data: dict) -> str:
    out = [f"# {md_escape(data['title'])}", "",
           f"{md_escape(data['consultation'])}. For {AUDIENCES[data['audience']]}.", ""]
    if data["withheld"]:
        out += [WITHHELD_NOTE, ""]
    if data["overview"]:
        table = data["overview"]["participation"]
        out += ["## Overview", "", ROUNDING_NOTE, "", f"**{md_escape(table['title'])}**",
                "", *_md_table(table["header"], table["rows"], table["footer"])]
        for n, campaign in enumerate(data["overview"]["campaigns"], 1):
            out.append(f"- Campaign {n} ({md_escape(campaign['question'] or '')}): "
                       f"{campaign['signatories']} signatories")
        out += [""]
    for theme in data["themes"]:
        out += [f"## {md_escape(theme['name'])}", ""]
        if theme["description"]:
            out += [md_escape(theme["description"]), ""]
        out += [f"- {md_escape(line)}" for line in theme["summary"]] + [""]
        out += _breakdown("Mentions by stakeholder group", theme["mentions"])
        out += _breakdown("Stance", theme["stances"])
        for quote in theme["quotes"]:
            out.append(f"> {md_escape(quote['text'])}")
            if quote["attribution"]:
                out.append(f"> — {md_escape(quote['attribution'])}")
            out.append("")
    out += _closed_markdown(data.get("closed_questions", []))
    if data["method"]:
        out += ["## Method notes", "", *(f"- {md_escape(line)}"
                                         for line in method_lines(data["method"])), ""]
    return "\n".join(out) + "\n"


def method_lines(method: dict) -> list[str]:
    """The method notes as sentences (the same in Markdown and DOCX)."""
    f1 = method.get("model_f1")
    return [
        f"Codebook version: {method['codebook_version'] or 'none'}",
        f"Items that could be counted: {method['items_total']}",
        f"Items coded by analysts: {method['items_coded_by_analysts']}",
        (f"Items coded by the model and accepted by an analyst: "
        f"{method['items_coded_by_model_accepted']}"),
        f"Model suggestions not yet reviewed: {method['suggestions_pending']}",
        ("Agreement between analysts (Cohen's kappa): "
        f"{method['analyst_kappa'] if method['analyst_kappa'] is not None else 'not measured'}"),
        "Agreement of the model with analysts (F1, 95% interval): "
        + (f"{f1[0]} ({f1[1]}–{f1[2]})" if f1 else "not measured"),
        "What the report covers: " + ("; ".join(method["filters"]) or "all feedback"),
        ("A campaign counts once, under the stakeholder group of its first signatory. "
        "Withdrawn feedback is in no figure."),
    ]


def markdown_bytes(report, build, data) -> bytes:
    return markdown_text(data).encode("utf-8")


def qdc_bytes(report, build, data) -> bytes:
    """The consultation's codebook as REFI-QDA (analysis's exporter)."""
    codebook = current_codebook(report.consultation_id)
    if codebook is None:
        return b""
    return codebook_qdc(codebook)
