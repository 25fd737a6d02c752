"""The analysis pages: the overview of a consultation's analysis."""
from __future__ import annotations

from flask import Blueprint, render_template

from app.analysis.queries import current_codebook, method_notes
from app.queries import get_current_consultation

bp = Blueprint("analysis", __name__)


@bp.get("/")
def index():
    consultation = get_current_consultation()
    notes = codebook = None
    if consultation is not None:
        codebook = current_codebook(consultation.id)
        notes = method_notes(consultation.id)
    return render_template("analysis/index.html", consultation=consultation,
                           codebook=codebook, notes=notes)
