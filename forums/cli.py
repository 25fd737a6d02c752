"""Forum commands: `flask --app app forums send-digests` (daily) and `send-reply-emails`."""
from __future__ import annotations

import click

from app.db import Session
from forums.views import bp


@bp.cli.command("send-digests")
def send_digests_command():
    """Email the daily digest of forum replies to everyone who chose it (safe to run twice)."""
    from forums.notify import send_due_emails

    sent = send_due_emails(digest=True)
    Session.commit()
    click.echo(f"Sent {sent} digest email(s).")


@bp.cli.command("send-reply-emails")
def send_reply_emails_command():
    """Email replies not yet emailed to everyone who wants them straight away."""
    from forums.notify import send_due_emails

    sent = send_due_emails(digest=False)
    Session.commit()
    click.echo(f"Sent {sent} reply email(s).")
