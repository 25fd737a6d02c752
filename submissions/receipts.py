"""The receipt: a PDF copy of the answers, the emailed receipt, the guest's confirmation link."""
from __future__ import annotations

from flask import current_app, render_template
from itsdangerous import BadSignature, URLSafeSerializer

from app.mail import Attachment, absolute_url, send_email
from submissions.models import Submission

CONFIRM_SALT = "submissions.confirm-email"


def confirm_token(submission: Submission) -> str:
    """The secret of a guest's confirmation link: signed, so nothing secret is stored."""
    serializer = URLSafeSerializer(current_app.config["SECRET_KEY"], salt=CONFIRM_SALT)
    return serializer.dumps([submission.id, submission.guest_email])


def submission_for_token(token: str) -> Submission | None:
    from app.db import Session

    serializer = URLSafeSerializer(current_app.config["SECRET_KEY"], salt=CONFIRM_SALT)
    try:
        submission_id, email = serializer.loads(token)
    except (BadSignature, ValueError, TypeError):
        return None
    submission = Session.get(Submission, submission_id) if isinstance(submission_id, int) else None
    if submission is None or submission.guest_email != email:
        return None
    return submission


def answer_rows(submission: Submission) -> list[tuple]:
    """(question, answer text) for each question of the version it answered, in order."""
    by_key = {a.question_key: a for a in submission.answers}
    rows = []
    for q in submission.form_version.questions:
        if q.kind == "section":
            rows.append((q, None))
        elif q.key in by_key:
            rows.append((q, by_key[q.key].text))
    return rows


def receipt_pdf(submission: Submission) -> bytes:
    """The receipt as PDF (WeasyPrint; no outside resources are fetched)."""
    from weasyprint import HTML

    html = render_template("submissions/receipt_pdf.html", submission=submission,
                           rows=answer_rows(submission))
    return HTML(string=html, url_fetcher=_no_fetch).write_pdf()


def _no_fetch(url, *args, **kwargs):
    raise ValueError(f"receipts fetch nothing from outside ({url!r})")


def _guest_link(submission: Submission) -> str | None:
    """A guest's secret link back to their submission, made and committed before the email
    that carries it is sent (None for a submission made with an account)."""
    if not submission.is_guest:
        return None
    from app.db import Session, writing_transactions
    from submissions.guest_links import issue_guest_link

    # The job has read (the batch, the answers): a transaction that read first cannot wait
    # for SQLite's write lock while submissions pour in, so the link is written in its own
    # short one that takes the lock as it begins.
    Session.commit()
    with writing_transactions():
        token = issue_guest_link(submission)
        Session.commit()
    return absolute_url("submissions.guest_submission", token=token)


def send_receipt(submission: Submission) -> None:
    """Email the receipt, a copy of the answers and the PDF (and, to a guest, the link that
    confirms their address)."""
    to = submission.submitted_by.email if submission.submitted_by else submission.guest_email
    if not to:
        return
    confirm_link = None
    if submission.is_guest and submission.email_confirmed_at is None:
        confirm_link = absolute_url("submissions.confirm_email", token=confirm_token(submission))
    context = {"submission": submission, "rows": answer_rows(submission),
               "confirm_link": confirm_link, "site_url": current_app.config["BASE_URL"],
               "guest_link": _guest_link(submission),
               "receipt_link": absolute_url("submissions.receipt", submission_id=submission.id)}
    text = render_template("submissions/emails/receipt.txt", **context)
    html = render_template("submissions/emails/receipt.html", **context)
    subject = f"Your submission {submission.reference}"
    send_email(to, subject, text, html, attachments=[Attachment(
        f"{submission.reference}.pdf", receipt_pdf(submission), "application/pdf")])
