"""The analysis commands: import-feedback, themes export and themes import-codings."""
from __future__ import annotations

import csv

from sqlalchemy import select

from app.analysis import operations as ops
from app.analysis.coding import apply_themes
from app.analysis.models import Coding, Theme
from app.corpus.models import FeedbackItem
from app.db import Session


def _write(path, header, rows):
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def _items(consultation):
    return Session.scalars(select(FeedbackItem).where(
        FeedbackItem.consultation_id == consultation.id).order_by(FeedbackItem.id)).all()


def test_import_feedback_keeps_external_ids_and_states_consent(app, tmp_path, consultation):
    path = _write(tmp_path / "survey.csv", ["ref", "answer", "group"],
                  [["A-1", "Fund the providers.", "ngo"], ["A-2", "", "ngo"],
                   ["A-3", "Plain language please.", "other"]])
    runner = app.test_cli_runner()
    args = ["import-feedback", str(path), "--consultation", consultation.slug,
            "--text-column", "answer", "--id-column", "ref", "--group-column", "group"]
    result = runner.invoke(args=args)
    assert result.exit_code == 0, result.output
    assert "Loaded 2 rows" in result.output and "1 empty rows skipped" in result.output
    items = _items(consultation)
    assert [(i.text, i.source, i.source_id, i.stakeholder_group) for i in items] == [
        ("Fund the providers.", "imported_row", f"{consultation.id}:survey:A-1", "ngo"),
        ("Plain language please.", "imported_row", f"{consultation.id}:survey:A-3", "other")]
    # May be analysed, never quoted or published, recorded by the system.
    assert {(i.consent_analysis, i.consent_quote, i.consent_publish, i.recorded_by_id)
            for i in items} == {(True, "none", "none", None)}
    again = runner.invoke(args=args)  # the same rows again: nothing new
    assert again.exit_code == 0, again.output
    assert "2 loaded before" in again.output and len(_items(consultation)) == 2


def test_import_feedback_names_what_to_fix(app, tmp_path, consultation):
    path = _write(tmp_path / "bad.csv", ["answer", "group"], [["Words.", "martians"]])
    runner = app.test_cli_runner()
    result = runner.invoke(args=["import-feedback", str(path), "--consultation",
                                 consultation.slug, "--text-column", "text"])
    assert result.exit_code != 0 and "--text-column 'text' is not a column" in result.output
    result = runner.invoke(args=["import-feedback", str(path), "--consultation",
                                 consultation.slug, "--text-column", "answer",
                                 "--group-column", "group"])
    assert result.exit_code != 0 and "Row 1: stakeholder group 'martians'" in result.output
    result = runner.invoke(args=["import-feedback", str(path), "--consultation", "nope",
                                 "--text-column", "answer"])
    assert result.exit_code != 0 and "No consultation has the slug 'nope'" in result.output


def test_export_then_import_codings_into_another_codebook(app, tmp_path, consultation,
                                                          make_item, make_user):
    analyst = make_user("analyst")
    book = ops.get_or_create_codebook(analyst, consultation)
    funding = ops.create_theme(analyst, book, name="Funding")
    trust = ops.create_theme(analyst, book, name="Trust")
    first, second = make_item("Money."), make_item("Trust and money.")
    apply_themes(analyst, first, book, [funding])
    apply_themes(analyst, second, book, [funding, trust])
    Session.commit()
    output = tmp_path / "codings.csv"
    result = app.test_cli_runner().invoke(args=["themes", "export", "--consultation",
                                                consultation.slug, "-o", str(output)])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(output.open(encoding="utf-8-sig")))
    assert [(r["item_id"], r["theme_names"], r["assigned_by"]) for r in rows] == [
        (str(first.id), "Funding", "analyst"), (str(second.id), "Funding;Trust",
                                                 "analyst;analyst")]

    # Start again: no codings, no themes; importing the file brings both back.
    Session.execute(Coding.__table__.delete())
    for theme in (funding, trust):  # (the command ended the session: load them again)
        ops.delete_theme(None, Session.get(Theme, theme.id))
    Session.commit()
    with_names = tmp_path / "names.csv"
    _write(with_names, ["external_id", "theme_names"],
           [[r["external_id"], r["theme_names"]] for r in rows])
    result = app.test_cli_runner().invoke(args=["themes", "import-codings", str(with_names),
                                                "--consultation", consultation.slug])
    assert result.exit_code == 0, result.output
    assert "Applied 3 codings to 2 items (2 new themes" in result.output
    names = dict(Session.execute(select(Theme.id, Theme.name).where(Theme.status == "active")).all())
    coded = sorted((c.item_id, names[c.theme_id]) for c in Session.scalars(select(Coding)))
    assert coded == [(first.id, "Funding"), (second.id, "Funding"), (second.id, "Trust")]
