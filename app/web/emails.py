"""Rendering an email from its templates: templates/emails/NAME.txt (the plain-text body, always),
NAME.html (the HTML alternative, extending emails/_layout.html) and, optionally,
NAME.subject.txt (one line). Send the result with app.mail.send_email(...)."""
from __future__ import annotations

from typing import NamedTuple

from flask import current_app, render_template
from jinja2 import TemplateNotFound


class RenderedEmail(NamedTuple):
    subject: str | None  # None when the email has no NAME.subject.txt: the caller gives one
    text: str
    html: str | None  # None when there is no NAME.html


def render_email(template_name: str, **context) -> RenderedEmail:
    """The subject, text and HTML of the email TEMPLATE_NAME rendered with CONTEXT (plus
    site_url, the site's BASE_URL, for footers). A missing .txt is an error: every email has
    a plain-text body for clients (and people) that do not show HTML."""
    context.setdefault("site_url", current_app.config["BASE_URL"])
    text = render_template(f"emails/{template_name}.txt", **context)
    html = _render_optional(f"emails/{template_name}.html", context)
    subject = _render_optional(f"emails/{template_name}.subject.txt", context)
    if subject is not None:
        # A header is one line; the template's trailing newline (or a name typed with a
        # newline in it) must not end the header early.
        subject = " ".join(subject.split())
    return RenderedEmail(subject=subject, text=text, html=html)


def _render_optional(name: str, context: dict) -> str | None:
    try:
        template = current_app.jinja_env.get_or_select_template(name)
    except TemplateNotFound:
        return None
    return render_template(template, **context)
