"""The audit log's commands: audit-verify, audit-checkpoint, audit-rotate-key and
audit-erase-person. Each is documented in the README."""
from __future__ import annotations

import logging
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import func, select

from app.db import Session
from app.privacy.checkpoints import check_checkpoints, write_checkpoint
from app.privacy.erasure import erase_person_from_audit
from app.privacy.models import AuditEvent
from app.privacy.seal import SETTINGS, AuditKeyError, keyring, rotate_key
from app.privacy.verify import verify_chain

log = logging.getLogger("korero.audit")


@click.command("audit-verify")
@with_appcontext
def audit_verify_command() -> None:
    """Check the audit log: every row's seal and link, every personal-detail digest, and every
    signed checkpoint of the newest row (AUDIT_CHECKPOINT_FILE).

    Exits 0 when the log is intact, and 1 naming the first bad row and any event the
    checkpoints saw that is now missing or replaced.
    """
    total = Session.scalar(select(func.count(AuditEvent.id))) or 0
    with click.progressbar(length=total, label="Checking the audit log") as bar:
        report = verify_chain(progress=bar.update)
    read, problems = check_checkpoints(Session(), SETTINGS.checkpoint_path, keyring())
    lines = []
    if report.first_bad_id is not None:
        lines.append(f"Audit log broken at event {report.first_bad_id}: {report.problem}. "
                     f"{report.checked} events before it are intact.")
    lines += [f"Checkpoint: {problem}." for problem in problems]
    if lines:
        raise click.ClickException("\n".join(lines))
    click.echo(f"Audit log intact: {report.checked} events checked, {read} checkpoints "
               "matched.")


@click.command("audit-checkpoint")
@with_appcontext
def audit_checkpoint_command() -> None:
    """Write a signed checkpoint of the newest audit event to the checkpoint file and the
    application log (run it from cron, e.g. hourly, so a copy lives in the log store too)."""
    head = Session.execute(select(AuditEvent.id, AuditEvent.hash)
                           .order_by(AuditEvent.id.desc()).limit(1)).first()
    if head is None:
        click.echo("The audit log is empty: nothing to checkpoint.")
        return
    line = write_checkpoint(SETTINGS.checkpoint_path, head.id, head.hash, keyring())
    log.info("audit checkpoint %s", line)
    click.echo(f"Checkpointed event {head.id} in {SETTINGS.checkpoint_path}.")


@click.command("audit-rotate-key")
@with_appcontext
def audit_rotate_key_command() -> None:
    """Start sealing new audit events with a new key. Older keys stay in the key file, so the
    rows they sealed still verify. (With AUDIT_KEY set, rotate in the environment instead.)"""
    try:
        key_id = rotate_key(Path(current_app.config["INSTANCE_PATH"]))
    except AuditKeyError as error:
        raise click.ClickException(str(error)) from None
    SETTINGS.keyring = None
    from app.privacy.seal import configure

    configure(current_app.config)
    click.echo(f"New audit key {key_id} in use. Back up the key file: without it, "
               "audit-verify cannot check the rows it seals.")


@click.command("audit-erase-person")
@click.option("--user-id", type=int, help="The account whose details to erase.")
@click.option("--email", default="", help="Also erase details recorded under this address "
              "with no account (failed sign-ins, invitations).")
@with_appcontext
def audit_erase_person_command(user_id: int | None, email: str) -> None:
    """Erase one person's personal details (address, IP, names) from the audit log. The events
    stay and still verify; the erasure is itself recorded."""
    if user_id is None and not email:
        raise click.UsageError("Give --user-id, --email or both.")
    erased = erase_person_from_audit(None, person_id=user_id, email=email)
    Session.commit()
    click.echo(f"Erased {erased} personal-detail records from the audit log.")


COMMANDS = (audit_verify_command, audit_checkpoint_command, audit_rotate_key_command,
            audit_erase_person_command)
