"""Theme discovery and assisted coding from the web: start them as jobs (the job page shows
progress), and review a run's candidate themes into the codebook."""
from __future__ import annotations

import json

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from app.analysis import discovery
from app.analysis.forms import ConfirmForm, DiscoveryForm, PromoteForm, theme_choices
from app.analysis.models import CandidateTheme, DiscoveryRun
from app.analysis.queries import active_themes, current_codebook
from app.analysis.views import bp, codebook_for, consultation_or_404, theme_or_404
from app.corpus.visibility import visible_items
from app.db import Session
from app.errors import OperationRefused
from app.jobs.operations import start_job
from app.web.refusals import attempt, show_refusal


def _methods():
    from app.analysis.engine import DEFAULT_METHOD, METHODS

    return METHODS, DEFAULT_METHOD


def _discovery_form(formdata=None) -> DiscoveryForm:
    methods, default = _methods()
    form = DiscoveryForm(formdata=formdata)
    form.method.choices = [(name, f"{name}: {text}") for name, text in methods.items()]
    if not form.method.data:
        form.method.data = default
    return form


def _render_discovery(consultation, form=None, status=200):
    runs = Session.scalars(select(DiscoveryRun).where(
        DiscoveryRun.consultation_id == consultation.id)
        .order_by(DiscoveryRun.id.desc()).limit(20)).all()
    return render_template("analysis/discovery.html", consultation=consultation, runs=runs,
                           form=form or _discovery_form(), assist_form=ConfirmForm()), status


@bp.get("/discovery")
def discovery_index():
    return _render_discovery(consultation_or_404())


@bp.post("/discovery")
def start_discovery():
    consultation = consultation_or_404()
    form = _discovery_form(request.form)
    if not form.validate_on_submit():
        return _render_discovery(consultation, form, 400)
    try:
        run = discovery.start_run(current_user, consultation, method=form.method.data,
                                  seed=form.seed.data or 0)
    except OperationRefused as error:
        show_refusal(form, error)
        return _render_discovery(consultation, form, 400)
    job = start_job(current_user, "analysis.discover",
                    title=_("Discover themes (%(method)s, seed %(seed)s)", method=run.method,
                            seed=run.seed), run_id=run.id)
    run.job_id = job.id
    Session.commit()
    return redirect(url_for("jobs.show", job_id=job.id))


@bp.post("/assist")
def start_assist():
    consultation = consultation_or_404()
    if not ConfirmForm().validate_on_submit():
        abort(400)
    job = start_job(current_user, "analysis.assist", consultation_id=consultation.id, seed=0)
    Session.commit()
    return redirect(url_for("jobs.show", job_id=job.id))


def run_or_404(consultation, run_id: int) -> DiscoveryRun:
    run = Session.get(DiscoveryRun, run_id)
    if run is None or run.consultation_id != consultation.id:
        abort(404)
    return run


def _quotes(consultation, candidates) -> dict[int, str]:
    """The quote each quote item may give to the secretariat (None ones left out)."""
    ids = {item for c in candidates for item in json.loads(c.quote_item_ids)}
    return {view.item_id: view.quote for view in visible_items(
        current_user, consultation.id, audience="secretariat", item_ids=ids) if view.quote}


@bp.get("/discovery/<int:run_id>")
def discovery_run(run_id: int):
    consultation = consultation_or_404()
    run = run_or_404(consultation, run_id)
    codebook = current_codebook(consultation.id)
    form = PromoteForm()
    form.target.choices = theme_choices(active_themes(codebook.id) if codebook else [],
                                        blank=_("Choose a theme"))
    candidates = run.candidates
    labels = {c.key: c.label for c in candidates}
    return render_template(
        "analysis/discovery_run.html", consultation=consultation, run=run,
        candidates=candidates, quotes=_quotes(consultation, candidates), labels=labels,
        form=form, json=json)


@bp.post("/discovery/<int:run_id>/candidates/<int:candidate_id>")
def review_candidate(run_id: int, candidate_id: int):
    consultation = consultation_or_404()
    run = run_or_404(consultation, run_id)
    candidate = Session.get(CandidateTheme, candidate_id)
    if candidate is None or candidate.run_id != run.id:
        abort(404)
    codebook = codebook_for(consultation)
    form = PromoteForm()
    form.target.choices = theme_choices(active_themes(codebook.id), blank="")
    action = request.form.get("action")
    if not form.validate_on_submit() or action not in ("promote", "merge", "drop"):
        abort(400)
    suggested = 0
    with attempt(None) as done:
        if action == "promote":
            _theme, suggested = discovery.promote_candidate(current_user, candidate, codebook)
        elif action == "merge":
            if not form.target.data:
                raise OperationRefused(_("Choose the theme to merge it into."))
            suggested = discovery.merge_candidate(current_user, candidate,
                                                  theme_or_404(codebook, int(form.target.data)))
        else:
            discovery.drop_candidate(current_user, candidate)
    if not done:
        return redirect(url_for("analysis.discovery_run", run_id=run.id))
    message = _("“%(label)s”: %(what)s.", label=candidate.label, what={
        "promote": _("added to the codebook"), "merge": _("merged into the theme"),
        "drop": _("dropped")}[action])
    if action != "drop":
        message += " " + _("Its %(n)s items are suggested the theme: review them under "
                           "Suggestions.", n=suggested)
    flash(message, "success")
    return redirect(url_for("analysis.discovery_run", run_id=run.id) + f"#candidate-{candidate.id}")
