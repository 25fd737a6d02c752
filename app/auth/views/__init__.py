"""The accounts blueprint, mounted at /account: signing in and out, passwords, two-factor,
invitations, self-registration and the account page. The views live in the modules below,
grouped by task; they are thin: load -> check -> validate -> one operation -> commit ->
flash and redirect."""
from __future__ import annotations

from flask import Blueprint
from flask_babel import lazy_gettext as _l

bp = Blueprint("auth", __name__)

ROLE_LABELS = {
    "participant": _l("Participant"),
    "facilitator": _l("Facilitator"),
    "analyst": _l("Analyst"),
    "advisory": _l("Advisory group"),
    "kaitiaki": _l("Kaitiaki"),
    "admin": _l("Administrator"),
}


@bp.context_processor
def _labels():
    return {"role_label": lambda role: ROLE_LABELS.get(role, role)}


from app.auth.views import account, invitations, passwords, signin  # noqa: F401
