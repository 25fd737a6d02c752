"""The accounts blueprint, mounted at /account: signing in and out, passwords, two-factor,
invitations, self-registration and the account page. The views live in the modules below,
grouped by task; they are thin: load -> check -> validate -> one operation -> commit ->
flash and redirect."""
from __future__ import annotations

from flask import Blueprint

from app.labels import ROLE_DESCRIPTIONS, ROLE_LABELS

bp = Blueprint("auth", __name__)


@bp.context_processor
def _labels():
    return {"role_label": lambda role: ROLE_LABELS.get(role, role),
            "role_descriptions": ROLE_DESCRIPTIONS}


from app.auth.views import (  # noqa: F401
    account,
    invitations,
    passwords,
    registration,
    signin,
)
