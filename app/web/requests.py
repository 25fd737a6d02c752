"""Facts about the current request that views pass down to operations."""
from __future__ import annotations

from flask import request


def client_ip() -> str:
    """The address of whoever sent the request: the one way to ask.

    With TRUSTED_PROXIES set, ProxyFix (installed in create_app) has already replaced
    remote_addr with the address the trusted proxies saw, and ignored any X-Forwarded-For
    entries beyond them, so a client cannot choose its own address. "" outside a request.
    """
    return request.remote_addr or ""


def requested_page() -> int:
    """The ?page= number of a paged list: 1 when missing, not a number, or below 1."""
    return max(1, request.args.get("page", 1, type=int) or 1)
