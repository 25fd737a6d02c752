# ruff: noqa: F401, F811  (pytest fixtures imported from submission_support, named as arguments)
"""`flask import-submissions`: a dry run reports every row's problems; all rows or none."""
from __future__ import annotations

import json

from sqlalchemy import func, select
from submission_support import analyst, make_form

from app.db import Session
from app.spreadsheets import Sheet, write_xlsx
from submissions.models import Submission

HEADER = ["Name", "Email", "Never collect", "Shares today", "Agree?", "Notes"]
GOOD = [["Mere Tūhoe", "mere@example.test", "Health records.", "No", "Agree", "typed 3 May"],
        ["Aroha Ngata", "", "Whakapapa.", "yes", "strongly_agree", ""]]
MAPPING = {"Name": "guest_name", "Email": "guest_email", "Never collect": "q2",
           "Shares today": "q3", "Agree?": "q5", "Notes": ""}


def _files(tmp_path, rows, mapping=MAPPING):
    data = tmp_path / "paper.csv"
    data.write_text("\n".join(",".join(f'"{v}"' for v in row) for row in [HEADER, *rows]))
    mapping_file = tmp_path / "mapping.json"
    mapping_file.write_text(json.dumps(mapping))
    return str(data), str(mapping_file)


def _count() -> int:
    return Session.scalar(select(func.count()).select_from(Submission))


def test_a_dry_run_reports_every_problem_and_stores_nothing(app, tmp_path, make_form):
    form = make_form()
    bad = [*GOOD, ["", "x@example.test", "", "perhaps", "Agree", ""]]
    data, mapping = _files(tmp_path, bad)
    result = app.test_cli_runner().invoke(args=[
        "import-submissions", data, "--consultation", form.consultation.slug, "--mapping",
        mapping, "--dry-run"])
    assert result.exit_code == 1
    assert "row 4: no name" in result.output
    assert "row 4: q2: Answer this question" in result.output
    assert "row 4: q3: Choose one of the options" in result.output
    assert "nothing was imported" in result.output and _count() == 0


def test_one_bad_row_imports_nothing_and_good_rows_import_all(app, tmp_path, make_form):
    form = make_form()
    runner = app.test_cli_runner()
    data, mapping = _files(tmp_path, [*GOOD, ["Someone", "", "", "no", "Agree", ""]])
    args = ["import-submissions", data, "--consultation", form.consultation.slug, "--mapping",
            mapping]
    assert runner.invoke(args=args).exit_code == 1 and _count() == 0
    data, mapping = _files(tmp_path, GOOD)
    dry = runner.invoke(args=[*args, "--dry-run"])
    assert dry.exit_code == 0 and "all 2 rows can be imported" in dry.output and _count() == 0
    done = runner.invoke(args=args)
    assert done.exit_code == 0, done.output
    stored = Session.scalars(select(Submission).order_by(Submission.id)).all()
    assert [s.guest_name for s in stored] == ["Mere Tūhoe", "Aroha Ngata"]
    assert {a.question_key: a.value for a in stored[0].answers} == {
        "q2": "Health records.", "q3": "no", "q5": "agree"}
    assert stored[0].recorded_at is None  # the sweeper records them
    again = runner.invoke(args=args)
    assert again.exit_code == 1 and "imported already" in again.output and _count() == 2


def test_xlsx_files_and_interactive_mapping(app, tmp_path, make_form):
    form = make_form()
    path = tmp_path / "paper.xlsx"
    write_xlsx(path, [Sheet("Sheet", HEADER, GOOD[:1])])
    answers = "guest_name\nguest_email\nq2\nq3\nq5\n\n"
    result = app.test_cli_runner().invoke(args=[
        "import-submissions", str(path), "--consultation", form.consultation.slug],
        input=answers)
    assert result.exit_code == 0, result.output
    assert _count() == 1


def test_an_unknown_consultation_or_mapping_is_refused(app, tmp_path, make_form):
    slug = make_form().consultation.slug
    data, mapping = _files(tmp_path, GOOD, {**MAPPING, "Notes": "q99"})
    runner = app.test_cli_runner()
    result = runner.invoke(args=["import-submissions", data, "--consultation", "nope",
                                 "--mapping", mapping])
    assert result.exit_code == 1 and "no consultation" in result.output
    result = runner.invoke(args=["import-submissions", data, "--consultation", slug,
                                 "--mapping", mapping])
    assert result.exit_code == 1 and "Notes → q99" in result.output


def test_seed_demo_adds_synthetic_submissions_with_campaigns(app):
    from app.corpus.campaigns import detect_campaigns
    from app.corpus.models import FeedbackCampaign, FeedbackItem

    result = app.test_cli_runner().invoke(args=["seed-demo", "--submissions", "300"])
    assert result.exit_code == 0, result.output
    synthetic = Session.scalars(select(Submission).where(
        Submission.guest_email.like("%@example.org"), Submission.draft_id.is_(None))).all()
    assert len(synthetic) == 300
    assert len({s.reference for s in synthetic}) == 300
    assert all(s.recorded_at is not None and s.receipt_sent_at is not None for s in synthetic)
    assert any(s.organisation_id for s in synthetic)
    assert any(" " not in s.guest_name for s in synthetic)  # some first names only
    consultation_id = Session.scalar(select(FeedbackItem.consultation_id).where(
        FeedbackItem.source_id == f"{synthetic[0].id}:q2"))
    found = detect_campaigns(consultation_id, source="submission_answer")
    assert found.campaigns >= 3
    biggest = Session.scalars(select(FeedbackCampaign).order_by(
        FeedbackCampaign.member_count.desc())).first()
    assert biggest.member_count > 30 and biggest.kind == "template"


def test_imported_closed_answers_are_recorded_as_choices_by_the_sweeper(app, tmp_path,
                                                                        make_form):
    """Imports are stored, then recorded in bulk by the intake sweeper (the same path as the
    deadline-day sweep of guest submissions): their choices reach the corpus."""
    from submission_support import run_recording_jobs

    from app.corpus.choices import choice_counts

    form = make_form()
    data, mapping = _files(tmp_path, GOOD)
    result = app.test_cli_runner().invoke(args=[
        "import-submissions", data, "--consultation", form.consultation.slug, "--mapping",
        mapping])
    assert result.exit_code == 0, result.output
    (job,) = run_recording_jobs(app)
    assert job.status == "done", job.error
    counted = {(key, option): number for key, option, _group, _governed, number
               in choice_counts(form.consultation_id)}
    assert counted == {("q3", "no"): 1, ("q3", "yes"): 1, ("q5", "agree"): 1,
                       ("q5", "strongly_agree"): 1}
