"""Submissions: views. Later issues add the rest of the package (models, forms, queries, operations)."""
from __future__ import annotations

from flask import Blueprint, render_template

from app.queries import get_current_consultation

bp = Blueprint("submissions", __name__)


@bp.get("/")
def index():
    """The submissions landing page for the current consultation."""
    return render_template("submissions/index.html", consultation=get_current_consultation())
