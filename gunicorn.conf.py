"""gunicorn settings for Kōrero. `make run` passes `-c gunicorn.conf.py`; gunicorn also reads
this file by itself when it is started from the project root.

The access log never shows an invitation, password-reset or registration token: they are
written as [redacted], in the request line, the Referer and any other field of the log format.
"""
from gunicorn.glogging import Logger

from app.logging_setup import redact_secrets


class RedactingLogger(Logger):
    """gunicorn's logger with every access-log atom (%(r)s, %(U)s, %(q)s, %(f)s, {referer}i,
    {raw_uri}e ...) passed through redact_secrets, whatever access_log_format asks for."""

    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        return {name: redact_secrets(value) for name, value in atoms.items()}


logger_class = RedactingLogger
