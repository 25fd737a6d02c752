"""Error pages in the site's layout. No stack trace ever reaches a person."""
from __future__ import annotations

import logging
import uuid

from flask import Flask, jsonify, render_template, request
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from app.db import Session
from app.logging_setup import redact_secrets

log = logging.getLogger("korero.errors")


class OperationRefused(Exception):
    """An operation refused to do what was asked. str(error) is a message for the person
    (already translated), e.g. "An account with that email address already exists."
    Views catch it, show it against the form, and change nothing."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field  # the form field the message belongs to, when there is one

MESSAGES = {
    400: (_l("Something in that request was not right"),
          _l("Please go back, reload the page and try again.")),
    403: (_l("You do not have access to this page"),
          _l("If you think you should, ask the consultation's administrators.")),
    404: (_l("Page not found"),
          _l("Check the address, or start again from the home page.")),
    405: (_l("That action is not available here"),
          _l("Please go back and use the page's own buttons.")),
    413: (_l("That upload is too large"), _l("Please choose a smaller file.")),
    415: (_l("The page's forms only accept what a browser sends"),
          _l("Please use the form on the page itself.")),
    429: (_l("Too many attempts"),
          _l("For your security we have paused this for a little while. "
             "Please wait a few minutes and try again.")),
    500: (_l("Sorry, something went wrong on our side"),
          _l("The problem has been logged. If it keeps happening, tell us the reference below.")),
}


def _wants_json() -> bool:
    return request.path.startswith("/api/") or request.accept_mimetypes.best == "application/json"


def render_error(code: int, detail: str | None = None, reference: str | None = None):
    title, hint = MESSAGES.get(code, MESSAGES[500])
    if _wants_json():
        body = {"error": str(title), "status": code}
        if reference:
            body["reference"] = reference
        return jsonify(body), code
    return (
        render_template(
            "errors/error.html", code=code, title=title, hint=hint, detail=detail,
            reference=reference,
        ),
        code,
    )


def init_app(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def _csrf_error(error):
        return render_error(
            400, detail=str(_l("The form had expired or was sent from somewhere else. "
                              "Please reload the page and try again."))
        )

    @app.errorhandler(HTTPException)
    def _http_error(error: HTTPException):
        if error.code is None or error.code < 400:
            return error
        if error.response is not None:  # a page of its own (the rate limit's on_breach)
            return error.response
        response = render_error(error.code)
        if error.code == 405 and getattr(error, "valid_methods", None):
            body, code = response
            return body, code, {"Allow": ", ".join(error.valid_methods)}
        return response

    @app.errorhandler(Exception)
    def _unexpected(error: Exception):
        Session.rollback()
        reference = uuid.uuid4().hex[:12]
        # Redacted: a crash on an invitation or reset page must not write its token to the log.
        log.exception("Unhandled error, reference %s, %s %s", reference, request.method,
                      redact_secrets(request.path))
        return render_error(500, reference=reference)
