"""Choosing the sections of a build's content that a page or export shows."""
from __future__ import annotations

import copy

from app.reports.closed import question_tables


def section_keys(data: dict) -> list[tuple[str, str]]:
    """(key, label) of every section a report has, in order."""
    return [("overview", "Overview"),
            *((f"theme-{theme['id']}", f"Theme: {theme['name']}") for theme in data["themes"]),
            *((question["section"], f"Question: {question['prompt']}")
              for question in data.get("closed_questions", [])),
            ("method", "Method notes")]


def only_sections(data: dict, keys: list[str] | None) -> dict:
    """DATA with only the sections KEYS (all of them when KEYS is None). The tables of a
    section left out go with it."""
    if keys is None:
        return data
    wanted = set(keys)
    chosen = copy.deepcopy(data)
    chosen["themes"] = [t for t in data["themes"] if f"theme-{t['id']}" in wanted]
    chosen["closed_questions"] = [q for q in data.get("closed_questions", [])
                                  if q["section"] in wanted]
    closed_tables = {table["key"]: q["section"] for q in data.get("closed_questions", [])
                     for table in question_tables(q)}
    if "overview" not in wanted:
        chosen["overview"] = None
    if "method" not in wanted:
        chosen["method"] = None
    theme_ids = {str(t["id"]) for t in chosen["themes"]}
    tables = []
    for table in data["tables"]:
        if table["key"] == "participation":
            if "overview" in wanted:
                tables.append(table)
            continue
        if table["key"] in closed_tables:  # a question's table goes with its section, whole
            if closed_tables[table["key"]] in wanted:
                tables.append(table)
            continue
        keep = [i for i, key in enumerate(table["row_keys"]) if key in theme_ids]
        if keep:
            trimmed = dict(table, rows=[table["rows"][i] for i in keep],
                           shares=[table["shares"][i] for i in keep],
                           row_keys=[table["row_keys"][i] for i in keep])
            if len(keep) < len(table["rows"]):
                # Column totals over rows not shown would let a reader subtract the shown
                # rows and recover a suppressed cell of a hidden one: leave them out.
                trimmed["footer"] = None
            tables.append(trimmed)
    chosen["tables"] = tables
    return chosen
