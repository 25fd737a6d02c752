"""Workshops: views. Later issues add the rest of the package (models, forms, queries, operations)."""
from __future__ import annotations

from flask import Blueprint, render_template

from app.queries import get_current_consultation

bp = Blueprint("workshops", __name__)


@bp.get("/")
def index():
    """The workshops landing page for the current consultation."""
    return render_template("workshops/index.html", consultation=get_current_consultation())
