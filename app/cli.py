"""Flask CLI commands (`flask --app app COMMAND`). Each is documented in the README."""
from __future__ import annotations

import click
from flask import Flask, current_app


@click.command("db-upgrade")
@click.option("--revision", default="head", show_default=True)
def db_upgrade(revision: str) -> None:
    """Apply the database migrations (creates the database on first run)."""
    from app.migrate import upgrade

    upgrade(current_app.config["DATABASE_URL"], revision)
    click.echo(f"Database is at revision {revision}.")


def init_app(app: Flask) -> None:
    app.cli.add_command(db_upgrade)
