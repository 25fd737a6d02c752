"""The coding workspace: the filtered item list, one item's coding page, and the model's
suggestions to accept or correct in bulk. Everything works with forms alone; the small
script static/js/analysis-coding.js adds keyboard shortcuts and fills the span from a
selection."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.analysis import coding as coding_ops
from app.analysis.forms import (
    STANCE_LABELS,
    BulkSuggestionsForm,
    CodingForm,
    ConfirmForm,
    CorrectForm,
    EvidenceForm,
)
from app.analysis.models import Coding, ItemAnnotation
from app.analysis.queries import active_themes, current_codebook
from app.analysis.views import (
    bp,
    codebook_for,
    coding_or_404,
    consultation_or_404,
    item_or_404,
    theme_or_404,
)
from app.analysis.workspace import (
    CONFIDENCE_BANDS,
    Filters,
    codings_by_item,
    evidence_rich_ids,
    filter_choices,
    items_stmt,
    next_item_id,
    pending_suggestions,
    previous_item_id,
    progress,
    text_segments,
)
from app.corpus.sources import source_label
from app.corpus.visibility import visible_items
from app.db import Session
from app.errors import OperationRefused
from app.models import STAKEHOLDER_GROUPS
from app.web.pagination import paginate
from app.web.refusals import attempt
from app.web.requests import requested_page


def _texts(consultation, item_ids):
    """What the signed-in analyst may see of each item (the corpus's visibility rules)."""
    return {view.item_id: view for view in visible_items(
        current_user, consultation.id, audience="secretariat", item_ids=item_ids)}


@bp.get("/items")
def items():
    consultation = consultation_or_404()
    codebook = current_codebook(consultation.id)
    filters = Filters.from_args(request.args, current_user.id)
    page = paginate(items_stmt(consultation.id, codebook, filters), requested_page())
    ids = [item.id for item in page.items]
    return render_template(
        "analysis/items.html", consultation=consultation, codebook=codebook, page=page,
        filters=filters, choices=filter_choices(consultation.id),
        themes=active_themes(codebook.id) if codebook else [], texts=_texts(consultation, ids),
        codings=codings_by_item(ids, filters.blind_coder_id), evidence=evidence_rich_ids(ids),
        progress=progress(consultation.id, codebook), source_label=source_label,
        groups=STAKEHOLDER_GROUPS, bands=CONFIDENCE_BANDS)


def _coding_form(themes, formdata=None) -> CodingForm:
    form = CodingForm(formdata=formdata)
    form.themes.choices = [(theme.id, ("– " if theme.parent_id else "") + theme.name)
                           for theme in themes]
    return form


def _render_item(consultation, item, *, form=None, status=200):
    codebook = current_codebook(consultation.id)
    themes = active_themes(codebook.id) if codebook else []
    filters = Filters.from_args(request.args, current_user.id)
    codings = codings_by_item([item.id], filters.blind_coder_id).get(item.id, [])
    view = _texts(consultation, [item.id]).get(item.id)
    correct_form = CorrectForm()
    correct_form.themes.choices = [(theme.id, theme.name) for theme in themes]
    correct_form.themes.data = [c.theme_id for c in codings if c.status == "suggested"]
    annotation = Session.get(ItemAnnotation, item.id)
    evidence_form = EvidenceForm(evidence_rich=bool(annotation and annotation.evidence_rich))
    return render_template(
        "analysis/item.html", consultation=consultation, item=item, codebook=codebook,
        themes=themes, view=view, codings=codings,
        segments=text_segments(view.text, codings) if view and view.text else [],
        form=form or _coding_form(themes), correct_form=correct_form,
        evidence_form=evidence_form, confirm_form=ConfirmForm(), filters=filters,
        args=filters.as_args(), stance_labels=STANCE_LABELS, source_label=source_label,
        next_id=next_item_id(consultation.id, codebook, filters, item.id),
        previous_id=previous_item_id(consultation.id, codebook, filters, item.id)), status


@bp.get("/items/<int:item_id>")
def item(item_id: int):
    consultation = consultation_or_404()
    return _render_item(consultation, item_or_404(consultation, item_id))


def _span_from(form, text: str) -> tuple[int, int] | None:
    """The span the analyst chose: the offsets the script filled in when they still match
    the quoted words, else the first place the quoted words occur; None for the whole item."""
    quote = (form.span_quote.data or "").strip()
    if not quote:
        return None
    try:
        start, end = int(form.span_start.data), int(form.span_end.data)
        if text[start:end].strip() == quote:
            return start, end
    except (TypeError, ValueError):
        pass
    start = text.find(quote)
    if start < 0:
        raise OperationRefused(_("Those words are not in the item's text: copy them exactly, "
                                 "or leave the box empty to code the whole item."),
                               field="span_quote")
    return start, start + len(quote)


@bp.post("/items/<int:item_id>/code")
def code_item(item_id: int):
    consultation = consultation_or_404()
    item = item_or_404(consultation, item_id)
    codebook = codebook_for(consultation)
    form = _coding_form(active_themes(codebook.id), formdata=request.form)
    if not form.validate_on_submit():
        return _render_item(consultation, item, form=form, status=400)
    with attempt(form) as done:
        themes = [theme_or_404(codebook, theme_id) for theme_id in form.themes.data]
        coding_ops.apply_themes(current_user, item, codebook, themes,
                                span=_span_from(form, item.text), stance=form.stance.data)
    if not done:
        return _render_item(consultation, item, form=form, status=400)
    flash(_("Coded with %(names)s.", names=", ".join(theme.name for theme in themes)),
          "success")
    return _after_coding(consultation, codebook, item, go_on=form.next_item.data)


def _after_coding(consultation, codebook, item, *, go_on: bool):
    filters = Filters.from_args(request.args, current_user.id)
    next_id = next_item_id(consultation.id, codebook, filters, item.id) if go_on else None
    return redirect(url_for("analysis.item", item_id=next_id or item.id, **filters.as_args()))


@bp.post("/items/<int:item_id>/codings/<int:coding_id>/remove")
def remove_coding(item_id: int, coding_id: int):
    consultation = consultation_or_404()
    item = item_or_404(consultation, item_id)
    coding = coding_or_404(item, coding_id)
    if ConfirmForm().validate_on_submit():
        coding_ops.remove_coding(current_user, item, coding)
        Session.commit()
        flash(_("Coding removed."), "success")
    return redirect(url_for("analysis.item", item_id=item.id,
                            **Filters.from_args(request.args, current_user.id).as_args()))


@bp.post("/items/<int:item_id>/codings/<int:coding_id>/accept")
def accept_coding(item_id: int, coding_id: int):
    consultation = consultation_or_404()
    item = item_or_404(consultation, item_id)
    coding = coding_or_404(item, coding_id)
    if ConfirmForm().validate_on_submit():
        with attempt(None) as done:
            coding_ops.accept_suggestions(current_user, [coding])
        if done:
            flash(_("Suggestion accepted."), "success")
    return redirect(url_for("analysis.item", item_id=item.id,
                            **Filters.from_args(request.args, current_user.id).as_args()))


@bp.post("/items/<int:item_id>/correct")
def correct_item(item_id: int):
    consultation = consultation_or_404()
    item = item_or_404(consultation, item_id)
    codebook = codebook_for(consultation)
    form = CorrectForm()
    form.themes.choices = [(theme.id, theme.name) for theme in active_themes(codebook.id)]
    if form.validate_on_submit():
        with attempt(None) as done:
            themes = [theme_or_404(codebook, theme_id) for theme_id in form.themes.data]
            coding_ops.correct_suggestions(current_user, item, codebook, themes)
        if done:
            flash(_("Suggestions corrected."), "success")
    return redirect(url_for("analysis.item", item_id=item.id,
                            **Filters.from_args(request.args, current_user.id).as_args()))


@bp.post("/items/<int:item_id>/evidence")
def mark_evidence(item_id: int):
    consultation = consultation_or_404()
    item = item_or_404(consultation, item_id)
    form = EvidenceForm()
    if form.validate_on_submit():
        coding_ops.mark_evidence_rich(current_user, item, form.evidence_rich.data)
        Session.commit()
        flash(_("Marked evidence-rich.") if form.evidence_rich.data
              else _("No longer marked evidence-rich."), "success")
    return redirect(url_for("analysis.item", item_id=item.id,
                            **Filters.from_args(request.args, current_user.id).as_args()))


@bp.route("/suggestions", methods=["GET", "POST"])
def suggestions():
    consultation = consultation_or_404()
    confidence = request.args.get("confidence", "")
    stmt = pending_suggestions(consultation.id, confidence)
    form = BulkSuggestionsForm()
    if request.method == "POST":
        form.coding_ids.choices = [(coding_id, "") for coding_id in form.coding_ids.data or []]
        if form.validate_on_submit() and form.decision.data in ("accept", "reject"):
            chosen = Session.scalars(stmt.where(Coding.id.in_(form.coding_ids.data))).all()
            decide = (coding_ops.accept_suggestions if form.decision.data == "accept"
                      else coding_ops.reject_suggestions)
            count = decide(current_user, chosen)
            Session.commit()
            flash(_("%(n)s suggestions %(what)s.", n=count,
                    what=_("accepted") if form.decision.data == "accept" else _("rejected")),
                  "success")
        return redirect(url_for("analysis.suggestions", confidence=confidence or None))
    page = paginate(stmt, requested_page())
    texts = _texts(consultation, [coding.item_id for coding in page.items])
    return render_template("analysis/suggestions.html", consultation=consultation, page=page,
                           texts=texts, form=form, confidence=confidence,
                           bands=CONFIDENCE_BANDS)


