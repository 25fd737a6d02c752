"""The analysis pages. Views follow the house order: load (404) -> validate -> one operation
-> commit -> redirect. The codebook pages are in views_codebook.py, coding in
views_coding.py, theme discovery in views_discovery.py."""
from __future__ import annotations

from flask import Blueprint, abort, g, render_template, request, session
from flask_login import current_user
from sqlalchemy import select

from app.analysis.models import Codebook, Coding, Theme
from app.analysis.operations import get_or_create_codebook
from app.analysis.queries import current_codebook, method_notes
from app.analysis.workspace import progress
from app.corpus.models import FeedbackItem
from app.db import Session
from app.models import Consultation
from app.queries import get_current_consultation

# No CLI group: its commands (cli.py) sit at the top level of `flask --app app`.
bp = Blueprint("analysis", __name__, cli_group=None)


# The consultation an analyst works on: chosen with the picker (?consultation=SLUG, which
# every analysis link then carries, so two tabs can work on two consultations), remembered
# for the session, else the site's current one.
CONSULTATION_ARG = "consultation"
SESSION_KEY = "analysis_consultation_id"


def analysable_consultations() -> list[Consultation]:
    """The consultations the signed-in analyst may choose: those they may see at all
    (open and closed ones; drafts only for admins), newest first."""
    rows = Session.scalars(select(Consultation).order_by(Consultation.opens_at.desc(),
                                                         Consultation.id.desc()))
    return [consultation for consultation in rows if consultation.can_view(current_user)]


def chosen_consultation() -> Consultation | None:
    """The consultation being analysed, or None when there is none to analyse. A slug in the
    URL that names no consultation the analyst may see is a 404 (a draft is told apart from
    a missing one by nobody). Remembers the choice for the session and has every analysis
    URL built in this request carry it."""
    slug = request.args.get(CONSULTATION_ARG)
    if slug is not None:
        consultation = Session.scalar(select(Consultation).where(Consultation.slug == slug))
        if consultation is None or not consultation.can_view(current_user):
            abort(404)
        session[SESSION_KEY] = consultation.id
    else:
        remembered = session.get(SESSION_KEY)
        consultation = Session.get(Consultation, remembered) if remembered else None
        if consultation is None or not consultation.can_view(current_user):
            consultation = get_current_consultation()
    g.analysis_consultation = consultation
    return consultation


@bp.url_defaults
def _carry_consultation(endpoint: str, values: dict) -> None:
    consultation = g.get("analysis_consultation")
    if consultation is not None:
        values.setdefault(CONSULTATION_ARG, consultation.slug)


@bp.context_processor
def _picker() -> dict:
    """For the picker in _nav.html: the choices, and the page it reloads (a list page keeps
    the analyst where they are; from one item or theme they go to the section's start)."""
    here = request.endpoint if request.endpoint in PICKER_PAGES else "analysis.index"
    return {"picker_consultations": analysable_consultations, "picker_endpoint": here}


PICKER_PAGES = frozenset({"analysis.index", "analysis.items", "analysis.codebook",
                          "analysis.suggestions", "analysis.discovery_index"})


def consultation_or_404() -> Consultation:
    """The consultation being analysed (see chosen_consultation); 404 when there is none."""
    consultation = chosen_consultation()
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
    consultation = chosen_consultation()
    notes = codebook = done = None
    if consultation is not None:
        codebook = current_codebook(consultation.id)
        notes = method_notes(consultation.id)
        done = progress(consultation.id, codebook)
    return render_template("analysis/index.html", consultation=consultation,
                           codebook=codebook, notes=notes, progress=done)
