"""Background jobs of the forum: emails about replies (straight away) and the daily digest.

`send_emails_soon()` starts the immediate-email job after a post is committed, so the person
posting never waits for the mail server. The digest runs from `flask --app app forums
send-digests` (once a day, from cron or a systemd timer) or as a job.
"""
from __future__ import annotations

import logging

from flask_babel import lazy_gettext as _l

from app.db import Session
from app.jobs.registry import job

log = logging.getLogger("korero.forums")


@job("forums.send_reply_emails", label=_l("Send forum reply emails"))
def send_reply_emails(ctx=None) -> dict:
    from forums.notify import send_due_emails

    sent = send_due_emails(digest=False)
    return {"sent": sent}


@job("forums.send_digests", label=_l("Send the daily forum digests"))
def send_digests(ctx=None) -> dict:
    from forums.notify import send_due_emails

    sent = send_due_emails(digest=True)
    return {"sent": sent}


def send_emails_soon() -> None:
    """Queue the immediate-email job (sent to the worker after this commit)."""
    from app.jobs.operations import start_job

    try:
        start_job(None, "forums.send_reply_emails")
        Session.commit()
    except Exception:  # a queue that is down must never lose the post already saved
        log.exception("could not queue the forum reply emails")
        Session.rollback()
