"""Flask CLI commands (`flask --app app COMMAND`). Each is documented in the README and in its
own --help. Commands are thin like views: parse, call operations, commit once, report."""
from __future__ import annotations

import sys
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

from app.admin.operations import create_organisation
from app.admin.queries import find_organisation_by_name
from app.auth.notifications import send_invitation_email
from app.auth.operations import create_invitation, create_user
from app.db import Session
from app.errors import OperationRefused
from app.models import ROLES, STAKEHOLDER_GROUPS
from app.seed import has_any_user, seed_demo
from app.web.refusals import undo_refused

ROLE_OPTION_HELP = "A role to give; repeat the option for several."
GROUP_OPTION_HELP = ("Create the organisation in this stakeholder group when none with that "
                     "name exists yet.")


@click.command("db-upgrade")
@click.option("--revision", default="head", show_default=True,
              help="The Alembic revision to move the database to.")
@with_appcontext
def db_upgrade(revision: str) -> None:
    """Create or upgrade the database to the latest schema."""
    from app.migrate import upgrade

    upgrade(current_app.config["DATABASE_URL"], revision)
    click.echo(f"Database is at revision {revision}.")


def _organisation(name: str | None, stakeholder_group: str | None):
    """The organisation called NAME; created only when a stakeholder group is given."""
    if not name:
        return None
    org = find_organisation_by_name(name)
    if org is not None:
        return org
    if not stakeholder_group:
        raise click.BadParameter(
            f"there is no organisation called {name!r}. Add it on the admin pages, or give "
            "--stakeholder-group GROUP to create it now.", param_hint="--org")
    org = create_organisation(None, name=name, stakeholder_group=stakeholder_group)
    click.echo(f"Created the organisation {org.name} ({org.stakeholder_group_label}).")
    return org


@click.command("create-user")
@click.argument("email")
@click.option("--role", "roles", multiple=True, required=True, type=click.Choice(ROLES),
              help=ROLE_OPTION_HELP)
@click.option("--org", "org_name", metavar="NAME",
              help="Make the person a member of the organisation with this name.")
@click.option("--stakeholder-group", type=click.Choice(list(STAKEHOLDER_GROUPS)),
              help=GROUP_OPTION_HELP)
@click.option("--name", "display_name", metavar="NAME",
              help="The person's name as shown on the site (default: the part of the email "
                   "before the @).")
@click.option("--password-stdin", is_flag=True,
              help="Read the password from the first line of standard input instead of "
                   "asking for it (for scripts).")
@with_appcontext
def create_user_command(email, roles, org_name, stakeholder_group, display_name,
                        password_stdin) -> None:
    """Create an account for EMAIL with one or more roles.

    Asks for the password twice (hidden) unless --password-stdin is given. The password must
    have at least 12 characters and must not be a commonly used one. Staff roles (facilitator,
    analyst, advisory, kaitiaki, admin) set up two-factor sign-in when they first sign in.

    Example: flask --app app create-user ana@example.org --role admin --name "Ana Smith"
    """
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    organisation = _organisation(org_name, stakeholder_group)
    try:
        user = create_user(None, email=email, display_name=display_name or email.split("@")[0],
                           roles=list(roles), password=password, organisation=organisation)
    except OperationRefused as error:
        raise click.ClickException(undo_refused(error)) from None
    Session.commit()
    click.echo(f"Created {user.email} with the role(s) {', '.join(sorted(user.roles))}"
               + (f", member of {organisation.name}." if organisation else "."))
    if user.must_use_two_factor:
        click.echo("They will be asked to set up two-factor sign-in when they first sign in.")


@click.command("invite")
@click.argument("email")
@click.option("--role", "roles", multiple=True, required=True, type=click.Choice(ROLES),
              help=ROLE_OPTION_HELP)
@click.option("--org", "org_name", metavar="NAME", required=True,
              help="The organisation the person joins on accepting.")
@click.option("--stakeholder-group", type=click.Choice(list(STAKEHOLDER_GROUPS)),
              help=GROUP_OPTION_HELP)
@with_appcontext
def invite_command(email, roles, org_name, stakeholder_group) -> None:
    """Invite EMAIL by email to create an account with the roles.

    The link is printed too, so it can be passed on by hand. It works once and expires after
    INVITATION_DAYS days (default 14).

    Example: flask --app app invite tama@example.org --role participant --org "Harbourside"
    """

    organisation = _organisation(org_name, stakeholder_group)
    try:
        invitation, link = create_invitation(None, email=email, roles=list(roles),
                                             organisation=organisation)
    except OperationRefused as error:
        raise click.ClickException(undo_refused(error)) from None
    Session.commit()
    if send_invitation_email(invitation, link):
        click.echo(f"Emailed an invitation to {invitation.email}.")
    else:
        click.echo(f"Saved the invitation, but could not email {invitation.email} "
                   "(see the log). Pass the link on yourself.", err=True)
    click.echo(f"Invitation link (works once, expires {invitation.expires_at:%Y-%m-%d %H:%M} "
               f"UTC):\n{link}")


@click.command("seed-demo")
@click.option("--if-empty", is_flag=True,
              help="Do nothing when any account exists already (`make run` uses this on "
                   "every start).")
@click.option("--submissions", type=click.IntRange(min=0), default=0, metavar="N",
              help="Also add N synthetic written submissions to the demo form (bulk inserts; "
                   "300,000 take a few minutes).")
@with_appcontext
def seed_demo_command(if_empty: bool, submissions: int) -> None:
    """Add demo data: a consultation, organisations, one account per role.

    Demo accounts are admin@, analyst@, facilitator@, advisory@, kaitiaki@, participant@ and
    participant2@demo.korero.nz, all with the password in KORERO_DEMO_PASSWORD (default
    korero-demo-2026); they skip two-factor set-up. Safe to run twice: nothing is duplicated.
    Refuses to run when KORERO_ENV=production.
    """
    if current_app.config["KORERO_ENV"] == "production":
        raise click.ClickException("Refusing to add demo accounts with a known password "
                                   "because KORERO_ENV is production.")
    if if_empty and has_any_user(Session()):
        click.echo("Accounts exist already; not adding demo data.")
        return
    # Read by the packages' demo steps (the submissions package generates them).
    current_app.config["DEMO_SYNTHETIC_SUBMISSIONS"] = submissions
    try:
        report = seed_demo(Session(), password=current_app.config["DEMO_PASSWORD"])
    except OperationRefused as error:
        raise click.ClickException(undo_refused(error)) from None
    Session.commit()
    for line in report.created:
        click.echo(f"Added {line}")
    if report.existing:
        click.echo(f"Already there: {len(report.existing)} demo records.")
    # The demo password is public (README, KORERO_DEMO_PASSWORD), and demo accounts cannot
    # sign in on a production site: saying it here saves a trip to the README.
    click.echo(f"Demo ready: {len(report.created)} records added. Open "
               f"{current_app.config['BASE_URL']} and sign in as admin@demo.korero.nz (or "
               "analyst@, facilitator@, advisory@, kaitiaki@, participant@, participant2@) "
               f"with the password {current_app.config['DEMO_PASSWORD']}")


@click.command("access-matrix")
@click.option("-o", "--output", type=click.Path(dir_okay=False), default=None,
              help="Write here instead of docs/access-matrix.md in the project folder.")
@with_appcontext
def access_matrix_command(output: str | None) -> None:
    """Write the whole access matrix (core and every package) as Markdown."""
    from app.access_doc import MATRIX_DOC, render_access_matrix
    from app.config import PROJECT_ROOT

    path = Path(output) if output else PROJECT_ROOT / MATRIX_DOC
    path.write_text(render_access_matrix(current_app), encoding="utf-8")
    click.echo(f"Wrote the access matrix to {path}.")


@click.command("db-revision")
@click.option("-m", "--message", required=True, help="What the revision changes.")
@click.option("--package", "package_name", default=None,
              help="The feature package whose migrations folder gets the revision "
                   "(default: the core's).")
@click.option("--autogenerate/--empty", default=True, show_default=True,
              help="Compare the models with the database to write the operations.")
@with_appcontext
def db_revision_command(message: str, package_name: str | None, autogenerate: bool) -> None:
    """Write a new Alembic revision on top of the current head (core or a package's)."""
    from alembic import command

    from app.migrate import MIGRATIONS, alembic_config
    from app.packages import packages_for

    folder = MIGRATIONS / "versions"
    if package_name:
        found = {p.name: p for p in packages_for(current_app)}
        package = found.get(package_name)
        if package is None or package.migrations is None:
            raise click.BadParameter(
                f"no package {package_name!r} with a migrations folder; packages with one: "
                f"{', '.join(n for n, p in found.items() if p.migrations) or 'none'}",
                param_hint="--package")
        folder = package.migrations
        folder.mkdir(parents=True, exist_ok=True)
    config = alembic_config(current_app.config["DATABASE_URL"])
    script = command.revision(config, message=message, autogenerate=autogenerate,
                              version_path=str(folder))
    click.echo(f"Wrote {getattr(script, 'path', script)}.")


def init_app(app: Flask) -> None:
    from app.jobs.cli import jobs_group
    from app.privacy.cli import COMMANDS as AUDIT_COMMANDS

    for command in (db_upgrade, create_user_command, invite_command, seed_demo_command,
                    *AUDIT_COMMANDS, access_matrix_command, db_revision_command,
                    jobs_group):
        app.cli.add_command(command)
