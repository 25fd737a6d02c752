"""The analysis pages. Views follow the house order: load (404) -> validate -> one operation
-> commit -> redirect. The codebook pages are in views_codebook.py, coding in
views_coding.py, theme discovery in views_discovery.py."""
from __future__ import annotations

from flask import Blueprint, abort, render_template
from flask_login import current_user

from app.analysis.models import Codebook, Coding, Theme
from app.analysis.operations import get_or_create_codebook
from app.analysis.queries import current_codebook, method_notes
from app.analysis.workspace import progress
from app.corpus.models import FeedbackItem
from app.db import Session
from app.queries import get_current_consultation

# No CLI group: its commands (cli.py) sit at the top level of `flask --app app`.
bp = Blueprint("analysis", __name__, cli_group=None)


def consultation_or_404():
    """The consultation being analysed (the current one); 404 when there is none."""
    consultation = get_current_consultation()
    if consultation is None:
        abort(404)
    return consultation


def codebook_for(consultation) -> Codebook:
    """The consultation's codebook, started on first use: for POST views only (a GET
    changes nothing; GET views use current_codebook, which may be None)."""
    return get_or_create_codebook(current_user, consultation)


def theme_or_404(codebook: Codebook | None, theme_id: int, *, active: bool = True) -> Theme:
    theme = Session.get(Theme, theme_id)
    if theme is None or codebook is None or theme.codebook_id != codebook.id or (active and not theme.is_active):
        abort(404)
    return theme


def item_or_404(consultation, item_id: int) -> FeedbackItem:
    """A countable item of the consultation: a withdrawn one is gone from the workspace."""
    item = Session.get(FeedbackItem, item_id)
    if item is None or item.consultation_id != consultation.id or not item.consent_analysis:
        abort(404)
    return item


def coding_or_404(item: FeedbackItem, coding_id: int) -> Coding:
    coding = Session.get(Coding, coding_id)
    if coding is None or coding.item_id != item.id:
        abort(404)
    return coding


@bp.get("/")
def index():
    consultation = get_current_consultation()
    notes = codebook = done = None
    if consultation is not None:
        codebook = current_codebook(consultation.id)
        notes = method_notes(consultation.id)
        done = progress(consultation.id, codebook)
    return render_template("analysis/index.html", consultation=consultation,
                           codebook=codebook, notes=notes, progress=done)
