"""`flask --app app import-submissions FILE --consultation SLUG [--mapping FILE] [--dry-run]`:
submissions that arrived by email or on paper (submissions.imports). All or nothing."""
from __future__ import annotations

import json

import click
from flask.cli import with_appcontext

from app.db import Session
from app.errors import OperationRefused
from app.privacy.audit import record_event
from app.web.refusals import undo_refused
from submissions import imports
from submissions.views import bp


def _ask_mapping(sheet, form) -> dict[str, str]:
    """Ask for each column what it holds (Enter: skip it)."""
    choices = imports.targets(form)
    prompts = {q.key: q.prompt for q in form.current_version.answerable}
    click.echo("Map each column to one of these (Enter to skip the column):")
    for target in choices:
        click.echo(f"  {target:<18} {prompts.get(target, '')[:60]}")
    mapping = {}
    for column in sheet.header:
        guess = column if column in choices else ""
        answer = click.prompt(f"Column “{column}”", default=guess, show_default=True,
                              type=click.Choice([*choices, ""]), show_choices=False)
        mapping[column] = answer
    return imports.check_mapping(mapping, sheet, form)


@bp.cli.command("import-submissions")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--consultation", "slug", required=True, metavar="SLUG",
              help="The consultation (its slug) whose published form the rows answer.")
@click.option("--mapping", "mapping_file", type=click.Path(exists=True, dir_okay=False),
              help='JSON {"column header": "q2" | "guest_name" | "guest_email" | '
                   '"organisation" | "consent-analysis" | "consent-quote" | '
                   '"consent-publish" | ""}; without it you are asked column by column.')
@click.option("--dry-run", is_flag=True, help="Check every row and report; store nothing.")
@click.option("--save-mapping", type=click.Path(dir_okay=False),
              help="Write the mapping used to this file, for the next import.")
@with_appcontext
def import_submissions_command(file, slug, mapping_file, dry_run, save_mapping) -> None:
    """Import submissions from a CSV or XLSX file: every row, or none."""
    try:
        sheet = imports.read_sheet(file)
        form = imports.form_for(slug)
        mapping = (imports.load_mapping(mapping_file, sheet, form) if mapping_file
                   else _ask_mapping(sheet, form))
        if save_mapping:
            with open(save_mapping, "w") as out:
                json.dump(mapping, out, indent=2, ensure_ascii=False)
        with click.progressbar(length=len(sheet.rows), label="Checking rows") as bar:
            plan = imports.plan_import(sheet, form, mapping, progress=bar.update)
        if plan.problems:
            for problem in plan.problems:
                click.echo(problem, err=True)
            raise click.ClickException(f"{len(plan.problems)} problems: nothing was imported.")
        if dry_run:
            click.echo(f"Dry run: all {len(plan.submissions)} rows can be imported; nothing "
                       "was stored.")
            return
        with click.progressbar(length=len(plan.submissions), label="Importing") as bar:
            count = imports.store(plan, progress=bar.update)
        record_event(None, "submissions.imported", target=form,
                     detail={"file": str(file)[-200:], "rows": count})
        Session.commit()
    except OperationRefused as error:
        Session.rollback()
        raise click.ClickException(undo_refused(error)) from None
    click.echo(f"Imported {count} submissions; the job worker records them.")
