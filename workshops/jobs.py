"""Reminders 48 hours before a workshop, and the retention purge of interview notes: each a job
kind, a CLI command and a schedule (the job worker started by `make run` starts the reminders
every hour and the purge every night by itself). All are safe to run twice: each booking is
marked reminded in the same transaction that queues its email, and a purged interview is
never purged again."""
from __future__ import annotations

import logging
from datetime import datetime

import click
from flask_babel import lazy_gettext as _l

from app.db import Session, utcnow
from app.jobs.registry import job, schedule_job
from workshops.notifications import send_booking_email
from workshops.operations import mark_reminded
from workshops.queries import reminders_due
from workshops.views import bp

log = logging.getLogger("korero.workshops")
REMINDER_HOURS = 48
# When the job worker starts them (crontab fields, UTC): reminders at 5 past every hour, so a
# booking is reminded 47 to 48 hours ahead; the purge at 14:30 UTC, the small hours in Aotearoa.
REMINDER_SCHEDULE = {"minute": "5"}
PURGE_SCHEDULE = {"minute": "30", "hour": "14"}


def send_reminders(now: datetime | None = None, progress=None) -> int:
    """Email every confirmed person whose workshop starts within 48 hours and who has not
    been reminded; commits each booking's mark before its email is sent."""
    now = now or utcnow()
    due = reminders_due(now, hours=REMINDER_HOURS)
    sent = 0
    for index, booking in enumerate(due, start=1):
        Session.commit()  # end the reads: each write below starts its own transaction
        mark_reminded(booking, now)
        Session.commit()
        send_booking_email("reminder", booking)
        sent += 1
        Session.commit()
        if progress is not None:
            progress(index, len(due))
    return sent


@job("workshops.send_reminders", label=_l("Send workshop reminders"))
def reminders_job(ctx) -> dict:
    sent = send_reminders(progress=lambda done, total: ctx.progress(done=done, total=total))
    return {"sent": sent}


schedule_job("workshops.send_reminders", **REMINDER_SCHEDULE)


@bp.cli.command("send-reminders")
def send_reminders_command():
    """Email reminders for workshops starting within 48 hours (safe to run twice)."""
    from app.mail import wait_for_background_mail

    sent = send_reminders()
    wait_for_background_mail(60)
    click.echo(f"Sent {sent} reminder(s).")


@job("workshops.send_notices", label=_l("Send booking emails"))
def send_notices_job(ctx, notices: list) -> dict:
    """The emails (with their .ics) of booking changes a request committed: NOTICES is a
    list of [kind, booking id]. A message the mail server refuses is logged and counted; the
    others still go."""
    from smtplib import SMTPException

    from workshops.models import Booking

    sent = failed = 0
    for index, (kind, booking_id) in enumerate(notices, start=1):
        booking = Session.get(Booking, booking_id)
        if booking is not None:
            try:
                send_booking_email(kind, booking, now=True)
                sent += 1
            except (SMTPException, OSError):
                log.exception("booking %s: could not send the %s email", booking_id, kind)
                failed += 1
        # End the read transaction first: on SQLite a transaction that read and then writes
        # (the progress UPDATE) is refused at once when a booking committed in between;
        # a fresh one waits its turn for the write lock instead.
        Session.commit()
        ctx.progress(done=index, total=len(notices))
    Session.commit()
    return {"sent": sent, "failed": failed}


def purge_expired_interviews(today=None) -> list[dict]:
    from workshops.interview_operations import purge_expired

    purged = purge_expired(today)
    Session.commit()
    return purged


@job("workshops.purge_expired", label=_l("Delete interview notes past their delete-by date"))
def purge_job(ctx) -> dict:
    purged = purge_expired_interviews()
    ctx.progress(done=len(purged), total=len(purged))
    return {"purged": len(purged)}


schedule_job("workshops.purge_expired", **PURGE_SCHEDULE)


@bp.cli.command("purge-expired")
def purge_expired_command():
    """Delete interview notes and consent forms past their delete-by date (audited)."""
    purged = purge_expired_interviews()
    for detail in purged:
        click.echo(f"Interview {detail['interview_id']}: {detail['revisions']} revision(s), "
                   f"{detail['key_points']} key point(s), consent form "
                   f"{'deleted' if detail['consent_form'] else 'none'}.")
    click.echo(f"Purged {len(purged)} interview(s).")
