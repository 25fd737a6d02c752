"""PLACEHOLDER: replaced by the full blueprint."""
from flask import Blueprint

bp = Blueprint("privacy", __name__)


@bp.get("/audit")
def audit_log():
    return "placeholder"
