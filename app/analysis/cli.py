"""Analysis commands, at the top level of `flask --app app` (the blueprint has no CLI group):

    import-feedback FILE.csv --consultation SLUG --text-column COL [--id-column COL]
                    [--group-column COL] [--question-column COL] [--source NAME]
                    [--quote LEVEL] [--publish LEVEL]
    themes discover --consultation SLUG [--method NAME] [--seed N]
    themes export --consultation SLUG -o FILE.csv
    themes import-codings FILE.csv --consultation SLUG

They run as the system (no signed-in person), with click progress bars.
"""
from __future__ import annotations

import csv
import io
from pathlib import Path

import click
from sqlalchemy import select

from app.analysis import exchange_codings
from app.analysis.views import bp
from app.corpus.models import FeedbackItem
from app.corpus.operations import record_feedback
from app.corpus.scope import PUBLISH_LEVELS, QUOTE_LEVELS, ConsentScope
from app.db import Session
from app.errors import OperationRefused
from app.models import STAKEHOLDER_GROUPS, Consultation
from app.privacy.audit import record_event
from app.web.refusals import undo_refused

COMMIT_EVERY = 500


def _consultation(slug: str) -> Consultation:
    consultation = Session.scalar(select(Consultation).where(Consultation.slug == slug))
    if consultation is None:
        raise click.ClickException(f"No consultation has the slug {slug!r}.")
    return consultation


def _read_csv(path: Path) -> tuple[list[str], list[dict]]:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise click.ClickException(f"{path}: save the file as UTF-8 and try again.") from None
    reader = csv.DictReader(io.StringIO(text))
    return list(reader.fieldnames or []), list(reader)


def _column(header: list[str], name: str | None, option: str) -> str | None:
    if name is None:
        return None
    if name not in header:
        raise click.ClickException(f"{option} {name!r} is not a column of the file; its columns "
                                   f"are: {', '.join(header)}.")
    return name


def _group_of(value: str, row_number: int) -> str | None:
    value = (value or "").strip()
    if not value:
        return None
    if value not in STAKEHOLDER_GROUPS:
        raise click.ClickException(f"Row {row_number}: stakeholder group {value!r} is not one of "
                                   f"{', '.join(STAKEHOLDER_GROUPS)}.")
    return value


def _already_imported(source_id: str) -> bool:
    return Session.scalar(select(FeedbackItem.id).where(
        FeedbackItem.source == "imported_row", FeedbackItem.source_id == source_id)) is not None


@bp.cli.command("import-feedback")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--consultation", "slug", required=True, help="The consultation's slug.")
@click.option("--text-column", required=True, help="The column holding the feedback text.")
@click.option("--id-column", help="The column holding each row's id in the source (kept as the "
              "item's external id); the row number when not given.")
@click.option("--group-column", help="The column holding the stakeholder group.")
@click.option("--question-column", help="The column naming the question answered.")
@click.option("--source", "source_name", help="A name for where the rows came from (default: "
              "the file's name); external ids are unique within it.")
@click.option("--quote", type=click.Choice(QUOTE_LEVELS), default="none", show_default=True,
              help="The quoting consent the import states for every row.")
@click.option("--publish", type=click.Choice(PUBLISH_LEVELS), default="none",
              show_default=True, help="The publishing consent the import states for every row.")
def import_feedback(file, slug, text_column, id_column, group_column, question_column,
                    source_name, quote, publish):
    """Load free-text rows of a CSV file into the corpus as imported rows. Every row gets the
    consent the import states: by default it may be analysed, never quoted or published.
    Running it again updates nothing it already loaded (rows are keyed by external id)."""
    consultation = _consultation(slug)
    header, rows = _read_csv(file)
    text_column = _column(header, text_column, "--text-column")
    id_column = _column(header, id_column, "--id-column")
    group_column = _column(header, group_column, "--group-column")
    question_column = _column(header, question_column, "--question-column")
    source_name = (source_name or file.stem)[:30]
    consent = ConsentScope(True, quote, publish, None)
    added = skipped = known = 0
    with click.progressbar(rows, label=f"Importing {file.name}") as bar:
        for number, row in enumerate(bar, start=1):
            text = (row.get(text_column) or "").strip()
            if not text:
                skipped += 1
                continue
            external = (row.get(id_column) or "").strip() if id_column else str(number)
            source_id = f"{consultation.id}:{source_name}:{external}"[:80]
            if _already_imported(source_id):
                known += 1  # the system never rewrites a row it loaded before
                continue
            try:
                record_feedback(
                    None, consultation=consultation, source="imported_row",
                    source_id=source_id, text=text,
                    question_key=(row.get(question_column) or "").strip()[:80] or None
                    if question_column else None, consent=consent,
                    # The import states the group a row speaks for (there is no organisation).
                    stakeholder_group=_group_of(row.get(group_column), number)
                    if group_column else None)
            except OperationRefused as error:
                raise click.ClickException(f"Row {number}: {undo_refused(error)}") from None
            added += 1
            if added % COMMIT_EVERY == 0:
                Session.commit()
    record_event(None, "analysis.feedback_imported", target=consultation,
                 detail={"file": file.name, "rows": added, "source": source_name})
    Session.commit()
    click.echo(f"Loaded {added} rows into “{consultation.title}” ({skipped} empty rows "
               f"skipped, {known} loaded before and left as they were).")


@bp.cli.group("themes")
def themes():
    """Automatic themes and codings of a consultation."""


@themes.command("discover")
@click.option("--consultation", "slug", required=True, help="The consultation's slug.")
@click.option("--method", default=None, help="The discovery method (default: the engine's).")
@click.option("--seed", default=0, show_default=True, type=int, help="The random seed.")
def discover_command(slug, method, seed):
    """Find candidate themes among the consultation's countable items, for analysts to
    review on the theme discovery page."""
    from app.analysis import discovery
    from app.analysis.engine import DEFAULT_METHOD, METHODS

    consultation = _consultation(slug)
    method = method or DEFAULT_METHOD
    if method not in METHODS:
        raise click.ClickException(f"Unknown method {method!r}; choose one of "
                                   f"{', '.join(METHODS)}.")
    run = discovery.start_run(None, consultation, method=method, seed=seed)
    with click.progressbar(length=1000, label="Discovering themes") as bar:
        def progress(fraction: float, message: str) -> None:
            bar.update(max(0, int(fraction * 1000) - bar.pos))

        try:
            discovery.run_discovery(run, progress)
        except OperationRefused as error:
            raise click.ClickException(undo_refused(error)) from None
    Session.commit()
    click.echo(f"{run.theme_count} candidate themes from {run.item_count} items "
               f"({run.method}, seed {run.seed}, {run.seconds or 0:.1f} s): discovery run "
               f"{run.id}.")


@themes.command("export")
@click.option("--consultation", "slug", required=True, help="The consultation's slug.")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="The CSV file to write.")
def export_command(slug, output):
    """One row per countable item: item id, external id, theme ids and names, and whether an
    analyst or the model assigned each."""
    consultation = _consultation(slug)
    rows = exchange_codings.coding_rows(consultation.id)
    with (output.open("w", encoding="utf-8", newline="") as handle,
          click.progressbar(rows, label="Exporting codings") as bar):
        for chunk in exchange_codings.csv_chunks(bar):
            handle.write(chunk)
    click.echo(f"Wrote {len(rows)} items to {output}.")


@themes.command("import-codings")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--consultation", "slug", required=True, help="The consultation's slug.")
def import_codings_command(file, slug):
    """Apply the themes named in a CSV file (the export's columns: item_id or external_id, and
    theme_names or theme_ids, separated by ';') as analyst codings. Themes the codebook lacks
    are added to it."""
    consultation = _consultation(slug)
    header, rows = _read_csv(file)
    try:
        with click.progressbar(rows, label=f"Importing {file.name}") as bar:
            result = exchange_codings.import_codings(None, consultation, header, bar)
    except OperationRefused as error:
        raise click.ClickException(undo_refused(error)) from None
    record_event(None, "analysis.codings_imported", target=consultation,
                 detail={"file": file.name, "items": result.items, "codings": result.codings})
    Session.commit()
    click.echo(f"Applied {result.codings} codings to {result.items} items "
               f"({result.new_themes} new themes; {result.skipped} rows skipped).")
