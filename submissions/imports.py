"""Submissions that arrived by email or on paper, typed into a spreadsheet: read, map, check,
and store all of them or none (`flask --app app import-submissions`).

A mapping names, for each column, what it holds: a question key of the form ("q2"), or one of
FIELDS (name, email, organisation, consent). Choice answers match an option's value or label,
ignoring case; several choices are separated by ";". Rows without consent columns are imported
for analysis only (not quoted, not published): the consent of a paper submission is what the
secretariat can show it was given. Imported submissions are stored like submitted ones and
recorded by the intake sweeper.
"""
from __future__ import annotations

import csv
import hashlib
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from flask_babel import gettext as _
from sqlalchemy import insert, select

from app.db import Session, utcnow
from app.errors import OperationRefused
from app.models import Consultation, Organisation
from submissions.answers import applicable_answers, check_answers
from submissions.labels import CONSENT_PUBLISH, CONSENT_QUOTE, answer_text
from submissions.models import Submission, SubmissionAnswer, SubmissionForm
from submissions.operations.drafts import new_reference

FIELDS = ("guest_name", "guest_email", "organisation", "consent-analysis", "consent-quote",
          "consent-publish")
SKIP = ""


@dataclass
class Sheet:
    header: list[str]
    rows: list[list[str]]
    digest: str  # of the file's bytes: a second import of the same file is refused


@dataclass
class Plan:
    form: SubmissionForm
    mapping: dict[str, str]  # column header -> question key, a FIELD, or "" (skip)
    submissions: list[dict] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def read_sheet(path: str | Path) -> Sheet:
    """The header and rows of a CSV (UTF-8, with or without BOM) or XLSX file (first sheet)."""
    path = Path(path)
    data = path.read_bytes()
    digest = hashlib.sha256(data).hexdigest()[:16]
    if path.suffix.lower() == ".xlsx":
        from openpyxl import load_workbook

        sheet = load_workbook(path, read_only=True, data_only=True).worksheets[0]
        rows = [["" if v is None else str(v).strip() for v in row]
                for row in sheet.iter_rows(values_only=True)]
    elif path.suffix.lower() == ".csv":
        rows = [[v.strip() for v in row]
                for row in csv.reader(data.decode("utf-8-sig").splitlines())]
    else:
        raise OperationRefused(_("Import a .csv or .xlsx file."))
    rows = [row for row in rows if any(row)]
    if not rows:
        raise OperationRefused(_("The file is empty."))
    return Sheet(header=rows[0], rows=rows[1:], digest=digest)


def form_for(slug: str) -> SubmissionForm:
    consultation = Session.scalar(select(Consultation).where(Consultation.slug == slug))
    if consultation is None:
        raise OperationRefused(_("There is no consultation “%(slug)s”.", slug=slug))
    form = Session.scalar(select(SubmissionForm).where(
        SubmissionForm.consultation_id == consultation.id,
        SubmissionForm.status == "published").order_by(SubmissionForm.id.desc()))
    if form is None:
        raise OperationRefused(_("“%(slug)s” has no published submission form.", slug=slug))
    return form


def load_mapping(path: str | Path, sheet: Sheet, form: SubmissionForm) -> dict[str, str]:
    """A JSON file {"column header": "q2" | "guest_name" | ... | ""}; checked."""
    try:
        mapping = json.loads(Path(path).read_text())
    except (OSError, ValueError) as error:
        raise OperationRefused(_("Could not read the mapping file: %(error)s",
                                 error=str(error))) from None
    return check_mapping(mapping, sheet, form)


def targets(form: SubmissionForm) -> list[str]:
    return [q.key for q in form.current_version.answerable] + list(FIELDS)


def check_mapping(mapping: dict, sheet: Sheet, form: SubmissionForm) -> dict[str, str]:
    allowed = set(targets(form)) | {SKIP}
    unknown_columns = set(mapping) - set(sheet.header)
    if unknown_columns:
        raise OperationRefused(_("The mapping names columns the file does not have: "
                                 "%(columns)s", columns=", ".join(sorted(unknown_columns))))
    bad = {column: target for column, target in mapping.items() if target not in allowed}
    if bad:
        raise OperationRefused(_("Map each column to a question key or one of %(fields)s; "
                                 "not: %(bad)s", fields=", ".join(FIELDS),
                                 bad=", ".join(f"{c} → {t}" for c, t in bad.items())))
    return {column: mapping.get(column, SKIP) for column in sheet.header}


def _choice(question, raw: str):
    options = {v.lower(): v for v, _label in question.options}
    options.update({label.lower(): v for v, label in question.options})
    if question.kind in ("multiple_choice", "ranking"):
        parts = [p.strip() for p in raw.split(";") if p.strip()]
        return [options.get(p.lower(), p) for p in parts]
    return options.get(raw.strip().lower(), raw.strip())


def _row_values(plan: Plan, row: list[str], orgs: dict[str, int]) -> tuple[dict, list[str]]:
    by_key = {q.key: q for q in plan.form.current_version.answerable}
    values = {"answers": {}, "guest_name": "", "guest_email": "", "organisation_id": None,
              "consent": {"analysis": True, "quote": "none", "publish": "none",
                          "governed_by_id": None}}
    problems = []
    for column, raw in zip(plan.mapping, row + [""] * len(plan.mapping), strict=False):
        target = plan.mapping[column]
        if not target or not raw:
            continue
        if target in by_key:
            question = by_key[target]
            text_kind = question.kind in ("short_text", "long_text")
            values["answers"][target] = raw if text_kind else _choice(question, raw)
        elif target in ("guest_name", "guest_email"):
            values[target] = raw[:254]
        elif target == "organisation":
            values["organisation_id"] = orgs.get(raw.lower())
            if values["organisation_id"] is None:
                problems.append(_("organisation “%(name)s” is not known", name=raw))
        else:
            _consent(values["consent"], target, raw, problems)
    if not values["guest_name"].strip():
        problems.append(_("no name"))
    answers = applicable_answers(plan.form.current_version, values["answers"])
    for key, message in check_answers(plan.form.current_version, answers).items():
        problems.append(f"{key}: {message}")
    values["answers"] = answers
    return values, problems


def _consent(consent: dict, target: str, raw: str, problems: list[str]) -> None:
    word = raw.strip().lower()
    if target == "consent-analysis":
        if word not in ("yes", "no"):
            problems.append(_("consent to analysis must be yes or no"))
        consent["analysis"] = word == "yes"
    elif target == "consent-quote":
        if word not in CONSENT_QUOTE:
            problems.append(_("quote consent must be one of %(v)s", v=", ".join(CONSENT_QUOTE)))
        consent["quote"] = word
    elif word not in CONSENT_PUBLISH:
        problems.append(_("publish consent must be one of %(v)s", v=", ".join(CONSENT_PUBLISH)))
    else:
        consent["publish"] = word


def plan_import(sheet: Sheet, form: SubmissionForm, mapping: dict[str, str],
                progress: Callable[[int], None] | None = None) -> Plan:
    """Check every row; PLAN.problems lists each row's problems ("row 3: no name")."""
    plan = Plan(form=form, mapping=mapping)
    orgs = {o.name.lower(): o.id for o in Session.scalars(select(Organisation))}
    if not any(mapping.values()):
        plan.problems.append(_("No column is mapped to anything."))
    for number, row in enumerate(sheet.rows, start=2):  # row 1 is the header
        values, problems = _row_values(plan, row, orgs)
        plan.problems += [_("row %(n)d: %(problem)s", n=number, problem=p) for p in problems]
        values["key"] = f"import-{sheet.digest}-{number}"
        plan.submissions.append(values)
        if progress:
            progress(1)
    if Session.scalar(select(Submission.id).where(
            Submission.idempotency_key == f"import-{sheet.digest}-2")):
        plan.problems.insert(0, _("This file has been imported already."))
    return plan


def store(plan: Plan, progress: Callable[[int], None] | None = None) -> int:
    """Insert every planned submission (flush only: the caller commits once, all or nothing).
    Refuses a plan with problems."""
    if plan.problems:
        raise OperationRefused(_("Nothing was imported: fix the problems first."))
    version = plan.form.current_version
    by_key = {q.key: q for q in version.answerable}
    now = utcnow()
    for chunk in _chunks(plan.submissions, 1000):
        table = Submission.__table__
        ids = Session.execute(insert(table).returning(table.c.id, sort_by_parameter_order=True), [
            {"reference": new_reference(), "idempotency_key": s["key"], "form_id": plan.form.id,
             "version_id": version.id, "guest_name": s["guest_name"],
             "guest_email": s["guest_email"], "organisation_id": s["organisation_id"],
             "consent": s["consent"], "submitted_at": now, "updated_at": now,
             "submitter_role": "", "is_authorised": s["organisation_id"] is not None,
             "receipt_sent_at": now}  # paper submissions get no emailed receipt
            for s in chunk]).scalars().all()
        rows = [{"submission_id": sid, "question_key": key, "value": value,
                 "text": answer_text(by_key[key], value)}
                for sid, s in zip(ids, chunk, strict=True) for key, value in s["answers"].items()]
        if rows:
            Session.execute(insert(SubmissionAnswer.__table__), rows)
        if progress:
            progress(len(chunk))
    Session.flush()
    return len(plan.submissions)


def _chunks(items: list, size: int) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start:start + size]
